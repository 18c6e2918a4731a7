"""The ISO fast path for text timestamps must give exactly what the format list gives."""

from __future__ import annotations

from datetime import datetime

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from memberlens.ingest.cleaning_rules import TIMESTAMP_FORMATS, _timestamp

TZ = "Asia/Shanghai"
NEW = _timestamp(exp.column("v"), "VARCHAR", TZ).sql("duckdb")
FORMATS = "[" + ", ".join(f"'{f}'" for f in TIMESTAMP_FORMATS) + "]"
OLD = (f"CASE WHEN contains(v, 'T') AND regexp_matches(v, '(Z|[+-][0-9]{{2}}:?[0-9]{{2}})$') "
       f"THEN timezone('{TZ}', try_cast(v AS TIMESTAMPTZ)) ELSE try_strptime(v, {FORMATS}) END")

EDGES = [
    "2024-03-01 10:00:00.123", "2024-03-01 10:00:00.1", "2024-03-01 10:00:00.1234567",
    "2024-03-01 10:00:00+08:00", "2024-03-01 10:00:00Z", "2024-03-01T10:00:00+0800",
    "2024-3-1", "2024-03-01 24:00:00", "2024-02-30", "20240301", "-2024-03-01", "infinity",
    "epoch", "294247-01-10", "0999-01-01", "2024-03-01 1:2:3", "2024-03-01 10:00:00.",
    "2024-03-01t10:00:00", "02024-03-01", "2024/03/01", "2024年3月1日", "", "  ",
]


def _compare(con: duckdb.DuckDBPyConnection, values: list[str]) -> list[tuple[object, ...]]:
    con.execute("CREATE OR REPLACE TEMP TABLE vals (v VARCHAR)")
    con.executemany("INSERT INTO vals VALUES (?)", [[v] for v in values])
    return con.execute(f"SELECT v, {OLD} AS old, {NEW} AS new FROM vals "
                       "WHERE old IS DISTINCT FROM new").fetchall()


def test_the_fast_path_agrees_on_awkward_values() -> None:
    con = duckdb.connect()
    assert _compare(con, EDGES) == []
    # and it is taken: a canonical value no longer reaches try_strptime's list
    fast = con.execute(f"SELECT {NEW} FROM (SELECT '2024-03-01 10:00:00.000' AS v)").fetchone()
    assert fast == (datetime(2024, 3, 1, 10, 0),)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.datetimes(min_value=datetime(900, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from((*TIMESTAMP_FORMATS, "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f")),
    st.sampled_from(["", "", "", "Z", "+08:00", ".5", "0", " ", "T"]),
    st.integers(min_value=0, max_value=7)), min_size=1, max_size=40))
def test_the_fast_path_agrees_with_the_format_list(
        rows: list[tuple[datetime, str, str, int]]) -> None:
    values = []
    for at, fmt, suffix, cut in rows:
        text = at.strftime(fmt)
        if fmt.endswith("%f") and cut:
            text = text[:-cut]  # 6 → fewer fraction digits (or none, with a bare dot)
        values.append(text + suffix)
    assert _compare(duckdb.connect(), values) == []
