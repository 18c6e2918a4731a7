"""Loads are atomic, incremental and idempotent; every format and layout is read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from memberlens.engine import DuckDBEngine
from memberlens.errors import IngestError
from memberlens.ingest import MappingFile, ingest_file, load_mapping_file
from memberlens.ingest import load as load_module

POS = """
订单号,会员ID,手机号,门店编号,渠道,下单时间,订单金额,优惠金额,实付金额,优惠券,订单状态,退款金额
P1,M1,138-1234-5678,S1,门店,2024-03-01 10:00,100,10,90,,已完成,0
P2,M2,13912345678,S1,门店,2024/3/1,50,0,50,,已完成,
P3,M3,,S2,线下,20240301,"¥1,299.00",0,"¥1,299.00",C1,已退款,1299
"""


def _snapshot(engine: DuckDBEngine) -> dict[str, list[tuple[object, ...]]]:
    return {t: engine.fetchall(f"SELECT * FROM {t} ORDER BY ALL")
            for t in ("orders", "members", "quarantine")}


def test_chinese_headers_are_mapped(engine: DuckDBEngine,
                                    write_file: Callable[[str, str], Path]) -> None:
    result = ingest_file(engine, "orders", write_file("pos.csv", POS))
    assert result.mapping["member_id"] == "会员ID"
    assert result.mapping["ordered_at"] == "下单时间"
    assert result.mapping["paid_amount"] == "实付金额"
    assert result.ignored_columns == ["手机号"]
    rows = engine.fetchall("SELECT order_id, channel, CAST(ordered_at AS VARCHAR), "
                           "CAST(paid_amount AS VARCHAR), status FROM orders ORDER BY 1")
    assert rows == [
        ("P1", "store", "2024-03-01 10:00:00", "90.00", "completed"),
        ("P2", "store", "2024-03-01 00:00:00", "50.00", "completed"),
        ("P3", "store", "2024-03-01 00:00:00", "1299.00", "refunded"),
    ]


def test_same_file_twice_adds_nothing(engine: DuckDBEngine,
                                      write_file: Callable[[str, str], Path]) -> None:
    path = write_file("pos.csv", POS)
    first = ingest_file(engine, "orders", path)
    before = engine.fetchall("SELECT * EXCLUDE (_run_id) FROM orders ORDER BY ALL")
    second = ingest_file(engine, "orders", path)
    assert (first.new, second.new, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert engine.fetchall("SELECT * EXCLUDE (_run_id) FROM orders ORDER BY ALL") == before


def test_incremental_load_appends_and_updates(engine: DuckDBEngine,
                                              write_file: Callable[[str, str], Path]) -> None:
    ingest_file(engine, "orders", write_file("pos.csv", POS))
    later = POS.strip().splitlines()[0] + "\n" + (
        "P2,M2,13912345678,S1,门店,2024/3/1,50,0,50,,已退款,50\n"      # refunded since
        "P4,M4,13912345679,S1,门店,2024-03-05 12:00,80,0,80,,已完成,0\n")
    result = ingest_file(engine, "orders", write_file("pos2.csv", later))
    assert (result.new, result.updated, result.unchanged) == (1, 1, 0)
    assert engine.scalar("SELECT count(*) FROM orders") == 4
    assert engine.scalar("SELECT status FROM orders WHERE order_id = 'P2'") == "refunded"


def test_failed_load_leaves_warehouse_unchanged(engine: DuckDBEngine,
                                                write_file: Callable[[str, str], Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_file(engine, "orders", write_file("pos.csv", POS))
    before = _snapshot(engine)
    bad = POS.replace("P1,M1", "P9,M9").replace("P2,M2", "P8,").replace("P3,", "P7,")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full (simulated)")

    # orders are already inserted when the quarantine write fails half-way
    monkeypatch.setattr(load_module, "_write_quarantine", explode)
    with pytest.raises(IngestError, match="warehouse unchanged") as info:
        ingest_file(engine, "orders", write_file("pos_new.csv", bad))
    assert "pos_new.csv" in str(info.value)
    assert _snapshot(engine) == before
    assert engine.fetchall("SELECT status, error FROM run_log ORDER BY run_id")[-1] == (
        "failed", "disk full (simulated)")


def test_headerless_yyyymmdd_without_order_id(engine: DuckDBEngine,
                                              write_file: Callable[[str, str], Path]) -> None:
    data = write_file("pos.txt", "M1|20240301|88.5\nM2|20240302|12\nM1|20240301|88.5\n"
                                 "M1|20240303|7.25\n")
    mapping = write_file("map.yaml", "header: false\ncolumns: [member_id, ordered_at, "
                                     "paid_amount]\n")
    result = ingest_file(engine, "orders", data, mapping=load_mapping_file(mapping))
    assert (result.rows_in, result.new, result.duplicates) == (4, 3, 1)
    rows = engine.fetchall("SELECT order_id, member_id, CAST(ordered_at AS DATE), paid_amount "
                           "FROM orders ORDER BY ordered_at")
    assert [r[1] for r in rows] == ["M1", "M2", "M1"]
    assert str(rows[0][2]) == "2024-03-01"
    assert all(r[0].startswith("g") and len(r[0]) == 25 for r in rows)
    # the ids are deterministic: a reload recognises every order
    again = ingest_file(engine, "orders", data, mapping=load_mapping_file(mapping))
    assert (again.new, again.unchanged) == (0, 3)
    # the dropped duplicate names the row (no header: the first record is row 1)
    assert engine.fetchall("SELECT source_row, reason FROM quarantine WHERE run_id = "
                           f"{result.run_id}") == [(3, "duplicate_row")]


def test_missing_required_column_names_file_and_field(engine: DuckDBEngine,
                                                      write_file: Callable[[str, str], Path]
                                                      ) -> None:
    path = write_file("o.csv", "会员ID,金额说明\nM1,abc\n")
    with pytest.raises(IngestError) as info:
        ingest_file(engine, "orders", path)
    text = str(info.value)
    assert "o.csv" in text and "ordered_at" in text and "--mapping" in text
    assert info.value.field == "ordered_at"


def test_mapping_file_with_unknown_target_suggests(engine: DuckDBEngine,
                                                   write_file: Callable[[str, str], Path]
                                                   ) -> None:
    path = write_file("o.csv", "a,b,c\nM1,2024-01-01,3\n")
    spec = MappingFile(columns={"a": "member_id", "b": "orderd_at", "c": "paid_amount"})
    with pytest.raises(IngestError, match="did you mean 'ordered_at'"):
        ingest_file(engine, "orders", path, mapping=spec)


def test_unknown_table_suggests(engine: DuckDBEngine,
                                write_file: Callable[[str, str], Path]) -> None:
    with pytest.raises(IngestError, match="did you mean 'orders'"):
        ingest_file(engine, "order", write_file("o.csv", POS))


def test_gb18030_csv(engine: DuckDBEngine, write_file: Callable[..., Path]) -> None:
    path = write_file("gbk.csv", POS, encoding="gb18030")
    assert ingest_file(engine, "orders", path).new == 3


def test_semicolon_delimiter_detected(engine: DuckDBEngine,
                                      write_file: Callable[[str, str], Path]) -> None:
    path = write_file("o.csv", POS.replace(",", ";").replace('"¥1;299.00"', "1299"))
    assert ingest_file(engine, "orders", path).new == 3


def test_excel_parquet_and_jsonl(engine: DuckDBEngine, tmp_path: Path) -> None:
    members = pd.DataFrame({"会员编号": ["M1", "M2"], "手机号码": ["13812345678", "bad"],
                            "性别": ["男", "女"], "出生日期": ["1990-01-02", "1985/7/8"]})
    xlsx = tmp_path / "members.xlsx"
    members.to_excel(xlsx, index=False)
    r = ingest_file(engine, "members", xlsx)
    assert (r.new, r.cleared) == (2, 1)
    assert engine.fetchall("SELECT source_row, field FROM quarantine") == [(3, "phone")]

    parquet = tmp_path / "orders.parquet"
    pd.DataFrame({"order_id": ["A", "B"], "member_id": ["M1", "M2"],
                  "ordered_at": pd.to_datetime(["2024-03-01 10:00", "2024-03-02 11:00"]),
                  "paid_amount": [10.5, -3.0]}).to_parquet(parquet)
    r = ingest_file(engine, "orders", parquet)
    assert (r.new, r.rejected) == (1, 1)
    assert engine.scalar("SELECT source_row FROM quarantine WHERE reason = "
                         "'negative_amount'") == 2

    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in [
        {"member_id": "M1", "event_type": "search", "occurred_at": "2024-03-01 10:00:00",
         "keyword": "连衣裙", "properties": {"page": "home"}},
        {"member_id": "M1", "event_type": "浏览", "occurred_at": "2024-03-01 10:01:00",
         "sku": "S1", "properties": {"dwell_seconds": 30}},
        {"member_id": "M1", "event_type": "teleport", "occurred_at": "2024-03-01 10:02:00"},
    ]) + "\n", encoding="utf-8")
    r = ingest_file(engine, "events", jsonl)
    assert (r.new, r.rejected) == (2, 1)
    assert engine.fetchall("SELECT event_type, keyword, properties->>'page' FROM events "
                           "ORDER BY occurred_at") == [("search", "连衣裙", "home"),
                                                        ("view", None, None)]
    assert engine.scalar("SELECT source_row FROM quarantine WHERE table_name = 'events'") == 3
    again = ingest_file(engine, "events", jsonl)
    assert (again.new, again.unchanged) == (0, 2)


def test_parquet_with_integer_dates_and_no_order_id(engine: DuckDBEngine, tmp_path: Path) -> None:
    path = tmp_path / "pos.parquet"
    pd.DataFrame({"member_id": [1001, 1002], "ordered_at": [20240301, 20240302],
                  "paid_amount": [12, 30]}).to_parquet(path)
    result = ingest_file(engine, "orders", path)
    assert result.new == 2
    assert engine.fetchall("SELECT member_id, CAST(ordered_at AS VARCHAR), paid_amount "
                           "FROM orders ORDER BY 1") == [
        ("1001", "2024-03-01 00:00:00", pytest.approx(12)),
        ("1002", "2024-03-02 00:00:00", pytest.approx(30))]
