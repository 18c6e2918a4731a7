"""The command line, through Typer's runner, against a real warehouse file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from memberlens.cli import app

runner = CliRunner()

MEMBERS = """
会员ID,姓名,手机号,邮箱,性别,生日
M1,张伟,13812345678,zhangwei@qq.com,男,1990-05-01
M2,李娜,13912345678,,女,1988/3/12
"""
ORDERS = """
订单号,会员ID,下单时间,实付金额,订单状态
O1,M1,2024-03-01 10:00,100,已完成
O2,M1,2024-03-20 10:00,50,已完成
O3,M2,2023-12-01 10:00,900,已完成
O4,M2,昨天,10,已完成
"""


def _run(wh: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--warehouse", str(wh), *args])
    return result.exit_code, result.output


def _loaded(tmp_path: Path, write_file: Callable[[str, str], Path]) -> Path:
    wh = tmp_path / "cli.duckdb"
    assert _run(wh, "ingest", "members", str(write_file("m.csv", MEMBERS)))[0] == 0
    code, out = _run(wh, "ingest", "orders", str(write_file("o.csv", ORDERS)))
    assert code == 0, out
    assert "时间无法解析" in out and "invalid_timestamp" in out
    assert "SELECT * FROM quarantine WHERE run_id = 2 ORDER BY source_row" in out
    code, out = _run(wh, "tags", "run")
    assert code == 0 and "2 位会员" in out, out
    return wh


def test_ingest_rfm_profile_masks_pii(tmp_path: Path,
                                      write_file: Callable[[str, str], Path]) -> None:
    wh = _loaded(tmp_path, write_file)
    code, out = _run(wh, "profile", "M1")
    assert code == 0, out
    assert "138****5678" in out and "13812345678" not in out
    assert "张*" in out and "z***@qq.com" in out
    assert "O2" in out and "O1" in out
    # member 360: tags grouped by category with display names
    for heading in ("基础属性", "行为", "价值", "活跃度", "最近订单", "最近行为"):
        assert heading in out
    assert "RFM 分层 (rfm_class)" in out and "累计订单数 (order_count_total)" in out
    code, out = _run(wh, "--lang", "en", "profile", "M1")
    assert "Basic attributes" in out and "RFM class (rfm_class)" in out
    code, out = _run(wh, "profile", "M1", "--show-pii")
    assert "13812345678" in out and "张伟" in out


def test_profile_unknown_member(tmp_path: Path, write_file: Callable[[str, str], Path]) -> None:
    wh = _loaded(tmp_path, write_file)
    code, out = _run(wh, "profile", "NOPE")
    assert code == 1 and "NOPE" in out


def test_sql_formats_and_refusal(tmp_path: Path,
                                 write_file: Callable[[str, str], Path]) -> None:
    wh = _loaded(tmp_path, write_file)
    query = ("SELECT member_id, order_count_total AS frequency FROM member_profile "
             "ORDER BY member_id")
    code, out = _run(wh, "sql", query, "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [["member_id", "frequency"], ["M1", "2"],
                                                 ["M2", "1"]]
    code, out = _run(wh, "sql", query, "--format", "json")
    assert json.loads(out) == [{"member_id": "M1", "frequency": 2},
                               {"member_id": "M2", "frequency": 1}]
    code, out = _run(wh, "sql", "DELETE FROM orders")
    assert code == 1 and "只允许只读查询" in out
    code, out = _run(wh, "sql", "SELECT count(*) FROM orders")
    assert code == 0 and "3" in out


def test_ingest_error_names_file_and_field(tmp_path: Path,
                                           write_file: Callable[[str, str], Path]) -> None:
    bad = write_file("bad.csv", "foo,bar\n1,2\n")
    code, out = _run(tmp_path / "x.duckdb", "ingest", "orders", str(bad))
    assert code == 1
    assert "bad.csv" in out and "member_id" in out


def test_mapping_suggest(tmp_path: Path, write_file: Callable[[str, str], Path]) -> None:
    code, out = _run(tmp_path / "x.duckdb", "mapping", "suggest", "orders",
                     str(write_file("o.csv", ORDERS)))
    assert code == 0
    assert "会员ID: member_id" in out and "下单时间: ordered_at" in out


def test_english_messages(tmp_path: Path, write_file: Callable[[str, str], Path]) -> None:
    wh = tmp_path / "en.duckdb"
    code, out = _run(wh, "--lang", "en", "ingest", "orders", str(write_file("o.csv", ORDERS)))
    assert code == 0 and "rows read" in out and "Unparseable timestamp" in out
