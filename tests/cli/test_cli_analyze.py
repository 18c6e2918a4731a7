"""`memberlens analyze …` through Typer's runner on a three-member warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from memberlens.cli import app

runner = CliRunner()

MEMBERS = """
member_id,registered_at
M1,2024-01-05 10:00
M2,2024-02-10 10:00
M3,2024-03-02 10:00
"""
ORDERS = """
order_id,member_id,ordered_at,paid_amount,status,channel
O1,M1,2024-01-06 10:00,100,completed,app
O2,M1,2024-03-05 10:00,200,completed,app
O3,M2,2024-02-11 10:00,50,completed,mini_program
O4,M3,2024-03-03 10:00,80,completed,app
"""
EVENTS = """
member_id,event_type,occurred_at,channel
M1,view,2024-03-05 09:00,app
M1,cart,2024-03-05 09:30,app
M3,view,2024-03-02 10:00,app
M2,view,2024-03-01 10:00,mini_program
"""


def _run(wh: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--warehouse", str(wh), *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Snapshots on 2024-03-01 (M1, M2) and 2024-03-06 (the day after the newest data;
    M3 registered in between, so it is new there). Built once: the commands only read."""
    folder = tmp_path_factory.mktemp("analyze")
    wh = folder / "analyze.duckdb"
    for table, text in (("members", MEMBERS), ("orders", ORDERS), ("events", EVENTS)):
        source = folder / f"{table}.csv"
        source.write_text(text.lstrip("\n"), encoding="utf-8")
        code, out = _run(wh, "ingest", table, str(source))
        assert code == 0, out
    for args in (("tags", "run", "--as-of", "2024-03-01"), ("tags", "run")):
        code, out = _run(wh, *args)
        assert code == 0, out
    return wh


def test_activity(warehouse: Path) -> None:
    """On 03-01 both members bought within 90 days: 活跃 2 of 2. On 03-06 all three are
    活跃; M1 and M2 stay 活跃, M3 is new."""
    code, out = _run(warehouse, "analyze", "activity")
    assert code == 0, out
    assert "2024-03-01" in out and "2024-03-06" in out
    assert "2 (100.0%)" in out and "3 (100.0%)" in out
    words = " ".join(out.split())  # the caption wraps at the table's width
    assert "新增" in out and "保持原状态 2（100.0%）；新增 1 人" in words
    code, out = _run(warehouse, "--lang", "en", "analyze", "activity")
    assert code == 0 and "Active" in out and "New" in out
    assert "2 kept their state (100.0%)" in " ".join(out.split())


def test_migration_and_its_errors(warehouse: Path) -> None:
    code, out = _run(warehouse, "analyze", "migration")
    assert code == 0, out
    assert "rfm_class" in out and "2024-03-01 → 2024-03-06" in out
    code, out = _run(warehouse, "analyze", "migration", "--tag", "lifecycle_stage",
                     "--from", "2024-03-01")
    assert code == 0 and "lifecycle_stage" in out
    code, out = _run(warehouse, "analyze", "migration", "--tag", "nope")
    assert code == 1 and "nope" in out
    code, out = _run(warehouse, "analyze", "migration", "--from", "2024-02-01")
    assert code == 1 and "2024-02-01" in out and "2024-03-06" in out
    code, out = _run(warehouse, "analyze", "migration", "--from", "March")
    assert code == 2  # not a date: Typer's usage error


def test_cohorts(warehouse: Path) -> None:
    """Through 2024-03. 2024-01 (M1): bought in months 0 and 2 → 100%, 0%, 100%.
    2024-02 (M2): month 0 only → 100%, 0%. 2024-03 (M3): month 0 → 100%.
    Mean: month 0 3/3, month 1 0/2, month 2 1/1."""
    code, out = _run(warehouse, "analyze", "cohorts")
    assert code == 0, out
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert [c.strip() for c in lines["2024-01"].split("│")[2:6]] == ["1", "100%", "0%", "100%"]
    assert [c.strip() for c in lines["2024-02"].split("│")[2:5]] == ["1", "100%", "0%"]
    assert [c.strip() for c in lines["加权平均"].split("│")[2:6]] == ["3", "100%", "0%", "100%"]


def test_funnel(warehouse: Path) -> None:
    """Views 03-01 – 03-05. App: M1 and M3 viewed, M1 added to cart and ordered 30 min
    later → 2, 1, 1. Mini program: M2 viewed only → 1, 0, 0. Total 3, 1, 1."""
    code, out = _run(warehouse, "analyze", "funnel", "--start", "2024-03-01",
                     "--end", "2024-03-06")
    assert code == 0, out
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:8]]
            for line in out.splitlines() if "│" in line}
    assert rows["App"] == ["2", "1", "1", "50.0%", "100.0%", "50.0%"]
    assert rows["小程序"] == ["1", "0", "0", "0.0%", "-", "0.0%"]
    assert rows["全部渠道"][:3] == ["3", "1", "1"]
    assert "2024-03-01 至 2024-03-05" in out
    code, out = _run(warehouse, "analyze", "funnel", "--days", "0")
    assert code == 1 and "days=0" in out


def test_trend(warehouse: Path) -> None:
    """Jan: M1 ¥100 (new). Feb: M2 ¥50 (new). Mar: M1 ¥200 + M3 ¥80 = ¥280, 2 orders,
    M3 new and M1 returning, ¥140 per order."""
    code, out = _run(warehouse, "analyze", "trend")
    assert code == 0, out
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:8]]
            for line in out.splitlines() if "│" in line}
    assert rows["2024-01"] == ["¥100", "1", "1", "1", "0", "¥100.00"]
    assert rows["2024-03"] == ["¥280", "2", "2", "1", "1", "¥140.00"]
    code, out = _run(warehouse, "--lang", "en", "analyze", "trend", "--last", "1")
    assert code == 0 and "Returning" in out and "2024-01" not in out


def test_empty_warehouse(tmp_path: Path) -> None:
    wh = tmp_path / "empty.duckdb"
    code, out = _run(wh, "analyze", "trend")
    assert code == 0 and "暂无数据" in out
    code, out = _run(wh, "analyze", "activity")
    assert code == 1 and "tags run" in out
