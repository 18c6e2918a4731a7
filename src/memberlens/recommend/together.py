"""Frequently bought together: for one SKU live, for every SKU as a served table.

Given an anchor SKU, the other SKUs of its baskets are ranked by confidence
(P(other | anchor)), then lift. A pair must share ``min_count`` baskets, so one odd
basket does not make a recommendation, and its lift must exceed ``min_lift`` (1 by
default: better than independence), so an SKU that is simply in every basket does not
follow every anchor. Lift is compared on integer counts (co · N > min_lift · a · b), so
a pair exactly at independence is left out however the division rounds.
The batch table ``sku_together`` is what serving reads (decision 0017).
"""

from __future__ import annotations

from datetime import date
from typing import cast

import pandas as pd
from sqlglot import exp

from ..engine.base import Engine
from .baskets import BasketSpec, RulesError, open_lines, orders_sql
from .itemsets import count_pairs, prune, set_min_counts

TABLE = "sku_together"
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    sku VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    other_sku VARCHAR NOT NULL,
    co_count BIGINT NOT NULL,      -- baskets holding both
    confidence DOUBLE NOT NULL,    -- P(other | sku)
    lift DOUBLE NOT NULL,
    computed_at TIMESTAMP NOT NULL -- local wall clock (decision 0002)
)"""
COLUMNS = ("sku", "rank", "other_sku", "co_count", "sku_count", "other_count", "confidence",
           "lift")


def _check(k: int, min_count: int) -> None:
    if k < 1:
        raise RulesError(f"k 至少为 1 must be at least 1, got {k}")
    if min_count < 1:
        raise RulesError(f"min_count 至少为 1 must be at least 1, got {min_count}")


def bought_together(
    engine: Engine, sku: str, k: int = 10, *, min_count: int = 3, min_lift: float = 1.0,
    since: date | None = None, until: date | None = None,
) -> pd.DataFrame:
    """The ``k`` SKUs most often bought with ``sku`` (columns :data:`COLUMNS`).

    An SKU that exists but shares no basket ``min_count`` times gives an empty frame.
    """
    _check(k, min_count)
    if engine.table_exists("products") and not engine.scalar(
            "SELECT count(*) FROM products WHERE sku = ?", [sku]):
        raise RulesError(f"商品 {sku} 不在商品目录中 SKU {sku} is not in the catalogue: check "
                         "the code (memberlens sql \"SELECT sku, name FROM products\")")
    spec = BasketSpec("sku", since, until)
    code = exp.Literal.string(sku).sql(dialect="duckdb")  # quoted by sqlglot, never spliced raw
    sql = f"""
    WITH ord AS ({orders_sql(spec, None, with_all=False)}),
    lines AS MATERIALIZED (SELECT DISTINCT b.basket, i.sku FROM order_items i
                           JOIN ord b ON b.order_id = i.order_id WHERE i.sku IS NOT NULL),
    anchor AS MATERIALIZED (SELECT basket FROM lines WHERE sku = {code}),
    co AS (SELECT l.sku, count(*) AS co_count FROM lines l
           SEMI JOIN anchor a ON a.basket = l.basket
           WHERE l.sku <> {code} GROUP BY l.sku HAVING count(*) >= {int(min_count)}),
    other AS (SELECT l.sku, count(*) AS n FROM lines l SEMI JOIN co ON co.sku = l.sku
              GROUP BY l.sku),
    totals AS (SELECT (SELECT count(DISTINCT basket) FROM lines) AS baskets,
                      (SELECT count(*) FROM anchor) AS anchor_count)
    SELECT {code} AS sku, co.sku AS other_sku, co.co_count, t.anchor_count AS sku_count,
           o.n AS other_count, co.co_count / t.anchor_count AS confidence,
           co.co_count * t.baskets / (t.anchor_count * o.n) AS lift
    FROM co JOIN other o ON o.sku = co.sku CROSS JOIN totals t
    WHERE co.co_count * t.baskets > {float(min_lift)!r} * t.anchor_count * o.n
    ORDER BY confidence DESC, lift DESC, other_sku LIMIT {int(k)}"""
    frame = cast(pd.DataFrame, engine.frame(sql))
    frame.insert(1, "rank", range(1, len(frame) + 1))
    return frame[list(COLUMNS)]


def sku_baskets(engine: Engine, sku: str, *, since: date | None = None,
                until: date | None = None) -> int:
    """Purchase baskets holding ``sku`` (what its confidences are shares of)."""
    spec = BasketSpec("sku", since, until)
    return int(engine.scalar(
        f"WITH ord AS ({orders_sql(spec, None, with_all=False)}) SELECT count(DISTINCT "
        "b.basket) FROM order_items i JOIN ord b ON b.order_id = i.order_id WHERE i.sku = ?",
        [sku]) or 0)


def together_sql(prefix_lines: str, k: int, min_lift: float) -> str:
    """Top-k partners of every SKU from the pair counts of an open reading."""
    p = prefix_lines
    return f"""
    WITH d AS (SELECT i1 AS a, i2 AS b, n FROM {p}_freq2
               UNION ALL SELECT i2, i1, n FROM {p}_freq2),
    scored AS (
        SELECT ia.label AS sku, ib.label AS other_sku, d.n AS co_count, fa.n AS sku_count,
               fb.n AS other_count, d.n / fa.n AS confidence,
               d.n * t.baskets / (fa.n * fb.n) AS lift,
               d.n * t.baskets > {float(min_lift)!r} * fa.n * fb.n AS above
        FROM d JOIN {p}_freq1 fa ON fa.item = d.a JOIN {p}_freq1 fb ON fb.item = d.b
        JOIN {p}_items ia ON ia.item = d.a JOIN {p}_items ib ON ib.item = d.b
        CROSS JOIN (SELECT baskets FROM {p}_n WHERE grp = 0) t)
    SELECT sku, CAST(row_number() OVER (PARTITION BY sku ORDER BY confidence DESC,
               lift DESC, other_sku) AS INTEGER) AS rank,
           other_sku, co_count, sku_count, other_count, confidence, lift
    FROM scored WHERE above
    QUALIFY rank <= {int(k)}"""


def together_table(
    engine: Engine, k: int = 10, *, min_count: int = 3, min_lift: float = 1.0,
    since: date | None = None, until: date | None = None, write: bool = False,
) -> pd.DataFrame:
    """Every SKU's top-``k`` partners, counted in the warehouse (columns :data:`COLUMNS`).

    ``write`` also replaces the table ``sku_together`` (sku, rank, other_sku, co_count,
    confidence, lift, computed_at) in one transaction.
    """
    _check(k, min_count)
    with open_lines(engine, BasketSpec("sku", since, until)) as lines:
        if lines.n_baskets == 0:
            raise RulesError("没有符合条件的购物篮 no baskets match: load orders or widen "
                             "the window (--since / --until)")
        set_min_counts(lines, {0: min_count})
        prune(lines)
        count_pairs(lines)
        top = lines.table("together")
        engine.execute(f"CREATE TEMP TABLE {top} AS {together_sql(lines.prefix, k, min_lift)}")
        if write:
            with engine.transaction():
                engine.execute(f"DROP TABLE IF EXISTS {TABLE}")
                engine.execute(DDL)
                engine.execute(f"INSERT INTO {TABLE} SELECT sku, rank, other_sku, co_count, "
                               f"confidence, lift, current_localtimestamp() FROM {top}")
        frame = engine.frame(f"SELECT * FROM {top} ORDER BY sku, rank")
    return cast(pd.DataFrame, frame)[list(COLUMNS)].reset_index(drop=True)


def read_together(engine: Engine, sku: str, k: int = 10) -> pd.DataFrame:
    """What serving reads: ``sku``'s stored partners, best first (may be empty)."""
    if not engine.table_exists(TABLE):
        raise RulesError(f"还没有 {TABLE} 表 there is no {TABLE} table yet: run "
                         "`memberlens recommend together --save`")
    code = exp.Literal.string(sku).sql(dialect="duckdb")
    return cast(pd.DataFrame, engine.frame(
        f"SELECT * FROM {TABLE} WHERE sku = {code} AND rank <= {int(k)} ORDER BY rank"))
