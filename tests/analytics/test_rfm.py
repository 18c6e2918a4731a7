"""RFM on a hand-computed example, and the SQL we send to each engine kept as snapshots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import sqlglot

from memberlens.analytics import rfm_sql
from memberlens.analytics.rfm import RFM_CLASSES
from memberlens.engine import DuckDBEngine
from memberlens.ingest import ingest_file
from memberlens.tags import run_tags

ORDERS = """
order_id,member_id,ordered_at,paid_amount,status,refund_amount
a1,A,2024-03-30 10:00,100,completed,
a2,A,2024-03-20 10:00,200,completed,
a3,A,2024-03-01 10:00,300,partially_refunded,100
b1,B,2024-03-31 23:59,50,completed,
b2,B,2024-03-15 10:00,99999,cancelled,
b3,B,2024-04-02 10:00,700,completed,
c1,C,2024-01-01 10:00,1000,completed,
c2,C,2024-01-05 10:00,500,completed,
d1,D,2023-10-01 10:00,20,completed,
d2,D,2023-11-01 10:00,30,completed,
d3,D,2023-12-01 10:00,40,completed,
d4,D,2024-01-01 10:00,10,completed,
d5,D,2024-02-01 10:00,800,refunded,800
e1,E,2023-06-01 10:00,5000,completed,
"""

# worked by hand in the comments of this test's docstring
EXPECTED = {
    #     recency, F, M,   R, F, M, class
    "A": (2, 3, 500, 4, 4, 3, "general_value", "一般价值客户"),
    "B": (1, 1, 50, 5, 1, 1, "general_development", "一般发展客户"),
    "C": (87, 2, 1500, 3, 3, 4, "important_retention", "重要保持客户"),
    "D": (91, 4, 100, 2, 5, 2, "general_retention", "一般保持客户"),
    "E": (305, 1, 5000, 1, 1, 5, "important_winback", "重要挽留客户"),
}


def test_rfm_classes_match_hand_computation(engine: DuckDBEngine,
                                            write_file: Callable[[str, str], Path]) -> None:
    """As of 2024-04-01 (orders on or after it are ignored; cancelled and refunded too).

    Scores are 1 + floor(5 × percent rank), capped at 5; ties share a score.
    R (recency desc): E 305→1, D 91→2, C 87→3, A 2→4, B 1→5; mean 3, high: A, B.
    F: B, E tie at 1 → 1; C 2→3; A 3→4; D 4→5; mean 2.8, high: C, A, D.
    M (net of refunds): B 50→1, D 100→2, A 500→3, C 1500→4, E 5000→5; mean 3, high: C, E.
    """
    ingest_file(engine, "orders", write_file("orders.csv", ORDERS))
    write_file("members.csv", "member_id,name\nA,甲\nF,没下单\n")
    ingest_file(engine, "members", write_file("members.csv", "member_id,name\nA,甲\nF,无单\n"))
    result = run_tags(engine, as_of=date(2024, 4, 1))
    assert result.members == 6
    rows = engine.fetchall("""
        SELECT member_id, days_since_last_purchase, order_count_total,
               CAST(spend_total AS INTEGER), r_score, f_score, m_score, rfm_class
        FROM member_profile ORDER BY member_id""")
    got = {r[0]: tuple(r[1:]) for r in rows}
    assert got.pop("F") == (None, 0, 0, None, None, None, None)
    assert got == {k: (*v[:6], v[7]) for k, v in EXPECTED.items()}
    # the reference query (used by the benchmark) agrees with the tags
    reference = engine.fetchall(engine.to_sql(rfm_sql(date(2024, 4, 1))))
    assert {r[0]: (r[3], r[4], int(r[5]), r[6], r[7], r[8], r[10]) for r in reference} == {
        k: (*v[:6], v[7]) for k, v in EXPECTED.items()}


def test_default_as_of_is_day_after_last_order(engine: DuckDBEngine,
                                               write_file: Callable[[str, str], Path]) -> None:
    ingest_file(engine, "orders", write_file("orders.csv", ORDERS))
    assert run_tags(engine).as_of == date(2024, 4, 3)


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_rfm_sql_snapshot(dialect: str, snapshot: Callable[[str, str, str], None]) -> None:
    """What we send to each engine shows in review when it changes."""
    sql = sqlglot.transpile(rfm_sql(date(2024, 4, 1)).sql("duckdb"), read="duckdb",
                            write=dialect, pretty=True)[0]
    snapshot("rfm", dialect, sql)


def test_rfm_scores_equal_percent_rank_windows_on_heavy_ties() -> None:
    """The per-value scoring gives what percent_rank() over every member gives, ties
    (many members on one recency, frequency or amount) included."""
    import numpy as np

    rng = np.random.default_rng(5)
    n = 4_000
    engine = DuckDBEngine()
    engine.execute("""CREATE TABLE orders (member_id VARCHAR, ordered_at TIMESTAMP,
                      paid_amount DECIMAL(18, 2), refund_amount DECIMAL(18, 2),
                      status VARCHAR)""")
    members = rng.integers(0, 900, n)
    days = rng.integers(0, 60, n)  # few distinct recencies
    amounts = rng.choice([9.9, 19.9, 99.0, 100.0, 250.5], n)  # few distinct amounts
    engine.con.executemany(
        "INSERT INTO orders VALUES (?, TIMESTAMP '2024-01-01 10:00' + to_days(?), ?, NULL, "
        "'completed')",
        [(f"M{m}", int(d), float(a)) for m, d, a in zip(members, days, amounts, strict=True)])
    ours = engine.fetchall(
        f"SELECT member_id, r_score, f_score, m_score, rfm_class FROM "
        f"({engine.to_sql(rfm_sql(date(2024, 4, 1)))}) ORDER BY member_id")
    reference = engine.fetchall("""
        WITH p AS (
            SELECT member_id, date_diff('day', CAST(max(ordered_at) AS DATE),
                                        DATE '2024-04-01') AS r,
                   count(*) AS f, sum(paid_amount) AS m
            FROM orders GROUP BY member_id
        ), s AS (
            SELECT member_id,
                   CAST(least(5, 1 + floor(5 * percent_rank() OVER (ORDER BY r DESC)))
                        AS TINYINT) AS rs,
                   CAST(least(5, 1 + floor(5 * percent_rank() OVER (ORDER BY f)))
                        AS TINYINT) AS fs,
                   CAST(least(5, 1 + floor(5 * percent_rank() OVER (ORDER BY m)))
                        AS TINYINT) AS ms
            FROM p
        )
        SELECT member_id, rs, fs, ms, rs > avg(rs) OVER (), fs > avg(fs) OVER (),
               ms > avg(ms) OVER ()
        FROM s ORDER BY member_id""")
    assert len(ours) == len(reference) > 800
    by_flags = {(c.r_high, c.f_high, c.m_high): c.code for c in RFM_CLASSES}
    for mine, ref in zip(ours, reference, strict=True):
        assert mine[:4] == ref[:4]
        assert mine[4] == by_flags[(ref[4], ref[5], ref[6])]
