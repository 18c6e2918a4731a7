"""Who touched which SKU, and how much that says: the input of every recommender.

Purchases come from order lines of orders that stand (not cancelled, not fully
refunded — the same rule the purchase tags use); carts, views, clicks, favourites
and shares come from behaviour events that carry both a member and a SKU. All of
it is selected, weighted and summed in DuckDB, so 20M+ rows never pass through a
Python loop; only the summed (member, SKU) pairs come back, as integer positions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from ..engine.base import Engine
from ..tags.sources import PURCHASE_STATUSES
from .base import Interactions, RecommendError

Moment = date | datetime


@dataclass(frozen=True)
class InteractionWeights:
    """How much one interaction of each kind counts (0 leaves the kind out).

    A purchase line counts ``purchase × min(quantity, quantity_cap)``: a second unit
    says a little more than one, a case of twelve bottles not twelve times more.
    ``half_life_days`` (optional) decays every interaction by its age before the
    window's end, so last month weighs more than two years ago.
    """

    purchase: float = 1.0
    cart: float = 0.3
    favorite: float = 0.3
    view: float = 0.1
    click: float = 0.1
    share: float = 0.1
    quantity_cap: int = 3
    half_life_days: float | None = None

    def __post_init__(self) -> None:
        for name in ("purchase", *EVENT_KINDS):
            if getattr(self, name) < 0:
                raise RecommendError(f"交互权重 {name} 不能为负 / weight {name} must be >= 0")
        if self.quantity_cap < 1:
            raise RecommendError("quantity_cap 至少为 1 / quantity_cap must be at least 1")
        if self.half_life_days is not None and self.half_life_days <= 0:
            raise RecommendError("half_life_days 必须为正 / half_life_days must be positive")

    def event_weights(self) -> dict[str, float]:
        """Event kinds that are read, with their weights."""
        return {k: float(getattr(self, k)) for k in EVENT_KINDS if getattr(self, k) > 0}


EVENT_KINDS = ("cart", "favorite", "view", "click", "share")
DEFAULT_WEIGHTS = InteractionWeights()


def _window(column: str, since: Moment | None, until: Moment | None) -> str:
    """`since <= column < until` as SQL text."""
    sql = ""
    if since is not None:
        sql += f" AND {column} >= {_timestamp(since)}"
    if until is not None:
        sql += f" AND {column} < {_timestamp(until)}"
    return sql


def _timestamp(moment: Moment) -> str:
    """A TIMESTAMP literal (warehouse times are local wall clock: any zone is dropped)."""
    at = moment if isinstance(moment, datetime) else datetime(moment.year, moment.month,
                                                              moment.day)
    return f"TIMESTAMP '{at.replace(tzinfo=None).isoformat(sep=' ', timespec='microseconds')}'"


def _number(value: float) -> str:
    return f"CAST({float(value)!r} AS DOUBLE)"


def _log_sql(
    engine: Engine, since: Moment | None, until: Moment | None, weights: InteractionWeights,
) -> str:
    """One UNION ALL of weighted purchase lines and events (member_id, sku, at, kind, weight).

    Weights and dates are written as literals (numbers and timestamps we format, never
    user text): a parameterised query makes DuckDB copy the 20M-row result once more on
    its way to Arrow.
    """
    parts: list[str] = []
    status = PURCHASE_STATUSES.replace("status", "o.status")
    if weights.purchase > 0 and engine.table_exists("orders") \
            and engine.table_exists("order_items"):
        parts.append(f"""
        SELECT o.member_id, i.sku, o.ordered_at AS "at", 'purchase' AS kind,
               {_number(weights.purchase)}
               * least(greatest(coalesce(i.quantity, 1), 1), {int(weights.quantity_cap)})
               AS weight
        FROM order_items i JOIN orders o ON o.order_id = i.order_id
        WHERE o.member_id IS NOT NULL AND i.sku IS NOT NULL AND ({status})"""
                     + _window("o.ordered_at", since, until))
    kinds = weights.event_weights()  # keys are EVENT_KINDS, fixed names
    if kinds and engine.table_exists("events"):
        cases = " ".join(f"WHEN '{k}' THEN {_number(w)}" for k, w in kinds.items())
        names = ", ".join(f"'{k}'" for k in kinds)
        parts.append(f"""
        SELECT member_id, sku, occurred_at AS "at", event_type AS kind,
               CASE event_type {cases} END AS weight
        FROM events
        WHERE member_id IS NOT NULL AND sku IS NOT NULL AND event_type IN ({names})"""
                     + _window("occurred_at", since, until))
    if not parts:
        raise RecommendError("仓库中没有订单或行为数据，无法生成交互 / the warehouse has no "
                             "orders, order_items or events to build interactions from; "
                             "load them first (memberlens ingest)")
    body = " UNION ALL ".join(parts)
    if weights.half_life_days is None:
        return body
    # decay by age before the window's end (or the newest interaction when open-ended)
    end = _timestamp(until) if until is not None else '(SELECT max("at") FROM raw)'
    return f"""
    WITH raw AS ({body})
    SELECT member_id, sku, "at", kind,
           weight * pow(0.5, (epoch({end}) - epoch("at")) / 86400.0
                             / {_number(weights.half_life_days)}) AS weight
    FROM raw"""


def interaction_log(
    engine: Engine, *, since: Moment | None = None, until: Moment | None = None,
    weights: InteractionWeights = DEFAULT_WEIGHTS,
) -> pd.DataFrame:
    """Every weighted interaction in ``[since, until)``: member_id, sku, at, kind, weight.

    Examples
    --------
    >>> log = interaction_log(engine, until=date(2025, 7, 1))  # doctest: +SKIP
    >>> log.groupby("kind")["weight"].sum()  # doctest: +SKIP
    """
    sql = _log_sql(engine, since, until, weights)
    frame: pd.DataFrame = engine.fetch_arrow(
        f'SELECT * FROM ({sql}) ORDER BY "at", member_id, sku').to_pandas()
    return frame


def load_interactions(
    engine: Engine, *, since: Moment | None = None, until: Moment | None = None,
    weights: InteractionWeights = DEFAULT_WEIGHTS, include_all_skus: bool = True,
) -> Interactions:
    """Summed weight per (member, SKU) in ``[since, until)`` as :class:`Interactions`.

    Rows are the members with at least one interaction, sorted by id; columns are every
    SKU of ``products`` (``include_all_skus``, so new products can be recommended by
    content and popularity) plus any SKU seen in the log, sorted. Positions are
    computed in SQL and only three numeric columns come back.
    """
    sql = _log_sql(engine, since, until, weights)
    catalogue = "UNION SELECT sku FROM products WHERE sku IS NOT NULL" \
        if include_all_skus and engine.table_exists("products") else ""
    tag = uuid.uuid4().hex[:12]
    pairs, members, skus = f"_rec_pairs_{tag}", f"_rec_members_{tag}", f"_rec_skus_{tag}"
    # temporary tables (allowed on read-only warehouses) so the log is aggregated once
    engine.execute(f"""CREATE TEMP TABLE {pairs} AS
        SELECT member_id, sku, sum(weight) AS weight FROM ({sql}) GROUP BY ALL
        HAVING sum(weight) > 0""")
    try:
        engine.execute(f"""CREATE TEMP TABLE {members} AS
            SELECT member_id, CAST(row_number() OVER (ORDER BY member_id) - 1 AS INTEGER) AS r
            FROM (SELECT DISTINCT member_id FROM {pairs})""")
        engine.execute(f"""CREATE TEMP TABLE {skus} AS
            SELECT sku, CAST(row_number() OVER (ORDER BY sku) - 1 AS INTEGER) AS c
            FROM (SELECT DISTINCT sku FROM {pairs} {catalogue})""")
        cells = engine.fetch_arrow(f"""
            SELECT m.r, s.c, CAST(p.weight AS FLOAT) AS w
            FROM {pairs} p JOIN {members} m USING (member_id) JOIN {skus} s USING (sku)""")
        member_ids = engine.fetch_arrow(f"SELECT member_id FROM {members} ORDER BY r")
        sku_ids = engine.fetch_arrow(f"SELECT sku FROM {skus} ORDER BY c")
    finally:
        for name in (pairs, members, skus):
            engine.execute(f"DROP TABLE IF EXISTS {name}")
    return _to_interactions(cells, _ids(member_ids), _ids(sku_ids))


def _ids(table: pa.Table) -> npt.NDArray[np.object_]:
    return np.asarray(table.column(0).to_pylist(), dtype=object)


def _to_interactions(
    cells: pa.Table, members: npt.NDArray[np.object_], skus: npt.NDArray[np.object_],
) -> Interactions:
    """CSR matrix from (row, column, weight) positions; indices sorted within rows."""
    r = cells.column("r").to_numpy().astype(np.int64)
    c = cells.column("c").to_numpy().astype(np.int64)
    w = cells.column("w").to_numpy().astype(np.float32)
    matrix = sp.csr_matrix((w, (r, c)), shape=(len(members), len(skus)), dtype=np.float32)
    matrix.sort_indices()
    return Interactions(matrix, members, skus)


def products_frame(engine: Engine) -> pd.DataFrame:
    """Item features of every SKU: sku, category_l1, category_l2, category, brand, price,
    launched_at (sorted by sku)."""
    if not engine.table_exists("products"):
        raise RecommendError("仓库中没有商品表 / the warehouse has no products table; "
                             "load products first (memberlens ingest)")
    frame: pd.DataFrame = engine.frame("""
        SELECT sku, category_l1, category_l2, category, brand, CAST(price AS DOUBLE) AS price,
               launched_at
        FROM products WHERE sku IS NOT NULL ORDER BY sku""")
    return frame
