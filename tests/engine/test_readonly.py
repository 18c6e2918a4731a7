"""The analysts' SQL door reads and never writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from memberlens.engine import check_read_only, open_engine, run_read_only
from memberlens.errors import ReadOnlyViolation
from memberlens.settings import Settings


@pytest.mark.parametrize("sql", [
    "SELECT 1",
    "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
    "SELECT member_id FROM orders UNION SELECT member_id FROM members",
    "select count(*) from orders where status = 'delete'",
])
def test_reads_are_allowed(sql: str) -> None:
    check_read_only(sql)


@pytest.mark.parametrize(("sql", "word"), [
    ("DELETE FROM orders", "DELETE"),
    ("DROP TABLE orders", "DROP"),
    ("INSERT INTO orders SELECT * FROM orders", "INSERT"),
    ("UPDATE orders SET paid_amount = 0", "UPDATE"),
    ("CREATE TABLE x AS SELECT 1", "CREATE"),
    ("SELECT 1; DROP TABLE orders", "one statement"),
    ("COPY orders TO '/tmp/x.csv'", "COPY"),
    ("ATTACH 'other.duckdb' AS o", "ATTACH"),
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    ("SELECT * FROM '/etc/passwd'", "files"),
    ("SET memory_limit = '1GB'", "SET"),
    ("SELEC 1", "cannot parse|only read-only"),
])
def test_writes_are_refused(sql: str, word: str) -> None:
    with pytest.raises(ReadOnlyViolation, match=word):
        check_read_only(sql)


def test_run_read_only_returns_rows_and_cannot_write(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb")
    open_engine(settings).close()
    table = run_read_only("SELECT count(*) AS n FROM orders", settings)
    assert table.to_pylist() == [{"n": 0}]
    with pytest.raises(ReadOnlyViolation):
        run_read_only("DELETE FROM orders", settings)
