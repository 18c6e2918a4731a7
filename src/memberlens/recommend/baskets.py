"""Baskets read from the warehouse: one purchase order's distinct items, coded as integers.

A basket is a completed (or partly refunded) order; cancelled and fully refunded orders
are left out because nothing in them was kept together. Items are SKUs or their leaf /
top-level category. Everything stays in the warehouse as temporary tables
``(grp, basket, item)``: ``grp`` 0 holds the baskets asked for, groups 1… hold the
baskets of member groups (the values of a tag, saved segments) when bundles compare
segments. Integer codes make the self-joins of association counting cheap.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from ..engine.base import Engine
from ..errors import NotFound
from ..tags.catalog import Catalog, load_catalog
from ..tags.sources import PURCHASE_STATUSES
from ..tags.tables import PROFILE
from .base import RecommendError

Level = Literal["sku", "category", "category_l1"]
LEVELS: tuple[str, ...] = get_args(Level)
_ITEM = {"sku": "i.sku", "category": "p.category", "category_l1": "p.category_l1"}


class RulesError(RecommendError):
    """Association rules, together lists or bundles asked for something impossible."""

    http_status = 400


@dataclass(frozen=True)
class BasketSpec:
    """Which baskets: item level and order window (``since`` inclusive, ``until`` not)."""

    level: Level = "sku"
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise RulesError(f"未知的商品粒度 unknown level '{self.level}'：请用 use one of "
                             f"{', '.join(LEVELS)}")
        if self.since and self.until and self.since >= self.until:
            raise RulesError(f"时间窗口为空 empty window: since {self.since} ≥ until "
                             f"{self.until}；请调整 --since / --until")


@dataclass(frozen=True)
class MemberGroups:
    """Members sorted into labelled groups: ``members`` has member_id and grp (1-based).

    One group restricts the baskets to a segment; several let bundles compare segments.
    """

    labels: tuple[str, ...]
    members: pa.Table

    @classmethod
    def of(cls, groups: dict[str, pa.Array]) -> MemberGroups:
        """Groups from label → member ids (a member may sit in several groups)."""
        ids: list[pa.Array] = []
        codes: list[pa.Array] = []
        for g, values in enumerate(groups.values(), start=1):
            ids.append(values.cast(pa.string()))
            codes.append(pa.array([g] * len(values), pa.int32()))
        members = (pa.table({"member_id": pa.concat_arrays(ids), "grp": pa.concat_arrays(codes)})
                   if ids else pa.table({"member_id": pa.array([], pa.string()),
                                         "grp": pa.array([], pa.int32())}))
        return cls(tuple(groups), members)


def segment_members(engine: Engine, segment: str, catalog: Catalog | None = None
                    ) -> tuple[str, pa.Array]:
    """A saved segment's name or an audience expression → (label, member ids)."""
    from ..segments.audience import member_ids
    from ..segments.store import resolve

    label, audience = resolve(engine, catalog or load_catalog(), segment)
    return label, member_ids(engine, audience)


def profile_column(engine: Engine, tag: str) -> str:
    """The quoted member_profile column of ``tag``; an unknown tag is an error naming it."""
    if not engine.table_exists(PROFILE):
        raise NotFound("还没有会员画像，请先运行 `memberlens tags run` "
                       "no member profile yet: run `memberlens tags run` first")
    columns = [str(r[0]) for r in engine.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
        [PROFILE])]
    if tag not in columns:
        raise RulesError(f"会员画像中没有标签 the profile has no tag '{tag}'；可用 try e.g. "
                         "rfm_class, member_tier, cluster_name")
    return exp.column(tag, quoted=True).sql(dialect="duckdb")


def tag_groups(engine: Engine, tag: str, values: Sequence[str] | None = None
               ) -> MemberGroups:
    """One group per value of a scalar profile tag (members without a value left out)."""
    column = profile_column(engine, tag)
    kind = engine.scalar("SELECT data_type FROM information_schema.columns "
                         "WHERE table_name = ? AND column_name = ?", [PROFILE, tag])
    if str(kind).endswith("[]"):
        raise RulesError(f"标签 {tag} 是列表，不能用来分组 tag '{tag}' holds lists and cannot "
                         "split members; use a single-valued tag such as rfm_class")
    frame = engine.fetch_arrow(
        f"SELECT CAST({column} AS VARCHAR) AS v, CAST(member_id AS VARCHAR) AS member_id "
        f"FROM {PROFILE} WHERE {column} IS NOT NULL")
    seen = sorted(set(pc.unique(frame.column("v")).to_pylist()))
    labels = seen if values is None else list(values)
    missing = [v for v in labels if v not in seen]
    if missing:
        raise RulesError(f"标签 {tag} 没有取值 tag '{tag}' has no value {missing[0]!r}；"
                         f"现有 values seen: {', '.join(seen[:12])}")
    code = pc.index_in(frame.column("v"), value_set=pa.array(labels, pa.string()))
    keep = pc.is_valid(code)
    members = pa.table({
        "member_id": frame.column("member_id").filter(keep),
        "grp": pc.add(code.filter(keep), 1).cast(pa.int32()),
    })
    return MemberGroups(tuple(labels), members)


@dataclass
class BasketLines:
    """Temporary tables of one reading: ``lines`` (grp, basket, item) and ``items``
    (item, label); ``baskets`` counts baskets per group. Drop with :func:`open_lines`."""

    engine: Engine
    prefix: str
    spec: BasketSpec
    labels: tuple[str, ...]
    baskets: dict[int, int] = field(default_factory=dict)
    _labels: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def lines(self) -> str:
        return f"{self.prefix}_lines"

    @property
    def items(self) -> str:
        return f"{self.prefix}_items"

    def table(self, suffix: str) -> str:
        """Name for a further temporary table of this reading (dropped with it)."""
        return f"{self.prefix}_{suffix}"

    @property
    def n_baskets(self) -> int:
        return self.baskets.get(0, 0)

    def label_of(self) -> dict[int, str]:
        """Item code → label (SKU or category), read once per reading."""
        if not self._labels:
            table = self.engine.fetch_arrow(f"SELECT item, label FROM {self.items}")
            self._labels = {int(c): str(v) for c, v in zip(
                table.column("item").to_pylist(), table.column("label").to_pylist(),
                strict=True)}
        return self._labels

    def item_labels(self, codes: Sequence[int]) -> list[str]:
        """Labels of item codes, in order."""
        names = self.label_of() if codes else {}
        return [names[int(c)] for c in codes]


def lines_sql(spec: BasketSpec, orders: str) -> str:
    """Distinct (grp, basket, item label) of the orders in the temp table ``orders``."""
    join = "" if spec.level == "sku" else "JOIN products p ON p.sku = i.sku"
    return (f"SELECT DISTINCT b.grp, b.basket, {_ITEM[spec.level]} AS label "
            f"FROM order_items i JOIN {orders} b ON b.order_id = i.order_id {join} "
            f"WHERE {_ITEM[spec.level]} IS NOT NULL")


def orders_sql(spec: BasketSpec, groups: str | None, *, with_all: bool) -> str:
    """Purchase orders in the window numbered as baskets, with their group.

    ``groups`` names a (member_id, grp) table: without ``with_all`` only its members'
    orders are read, as group 0; with it, every order is group 0 and its members' orders
    appear again under their groups.
    """
    where = f"({PURCHASE_STATUSES.replace('status', 'o.status')})"
    if spec.since:
        where += f" AND o.ordered_at >= TIMESTAMP '{spec.since.isoformat()} 00:00:00'"
    if spec.until:
        where += f" AND o.ordered_at < TIMESTAMP '{spec.until.isoformat()} 00:00:00'"
    numbered = ("SELECT row_number() OVER () AS basket, o.order_id, o.member_id "
                f"FROM orders o WHERE {where}")
    if groups is None:
        return f"SELECT basket, order_id, 0 AS grp FROM ({numbered})"
    members_only = (f"SELECT n.basket, n.order_id, {'g.grp' if with_all else '0'} AS grp "
                    f"FROM ({numbered}) n JOIN {groups} g ON g.member_id = n.member_id")
    if not with_all:
        return members_only
    return f"SELECT basket, order_id, 0 AS grp FROM ({numbered}) UNION ALL {members_only}"


@contextmanager
def open_lines(
    engine: Engine, spec: BasketSpec, groups: MemberGroups | None = None, *,
    with_all: bool = False,
) -> Iterator[BasketLines]:
    """Read baskets into temporary tables for the length of the ``with`` block.

    ``groups`` without ``with_all`` restricts the baskets to its members (one segment);
    with ``with_all`` group 0 holds every basket and groups 1… the members' baskets.
    """
    for table in ("orders", "order_items") + (() if spec.level == "sku" else ("products",)):
        if not engine.table_exists(table):
            raise NotFound(f"仓库中没有 {table} 表 the warehouse has no {table} table: "
                           "load data first (memberlens load)")
    prefix = f"_ml_rules_{uuid.uuid4().hex[:10]}"
    result = BasketLines(engine, prefix, spec, groups.labels if groups else ())
    try:
        group_table = None
        if groups is not None:
            view = f"{prefix}_members"
            engine.register(view, groups.members)
            try:
                engine.execute(f"CREATE TEMP TABLE {prefix}_groups AS SELECT "
                               f"CAST(member_id AS VARCHAR) AS member_id, grp FROM {view}")
            finally:
                engine.execute(f"DROP VIEW IF EXISTS {view}")
            group_table = f"{prefix}_groups"
        engine.execute(f"CREATE TEMP TABLE {prefix}_orders AS "
                       f"{orders_sql(spec, group_table, with_all=with_all)}")
        engine.execute(f"CREATE TEMP TABLE {prefix}_raw AS "
                       f"{lines_sql(spec, f'{prefix}_orders')}")
        engine.execute(f"CREATE TEMP TABLE {result.items} AS SELECT CAST(row_number() OVER "
                       "(ORDER BY label) - 1 AS INTEGER) AS item, label "
                       f"FROM (SELECT DISTINCT label FROM {prefix}_raw)")
        engine.execute(f"CREATE TEMP TABLE {result.lines} AS SELECT r.grp, r.basket, t.item "
                       f"FROM {prefix}_raw r JOIN {result.items} t ON t.label = r.label")
        engine.execute(f"DROP TABLE {prefix}_raw")
        result.baskets = {int(g): int(n) for g, n in engine.fetchall(
            f"SELECT grp, count(DISTINCT basket) FROM {result.lines} GROUP BY grp")}
        yield result
    finally:
        for name in _temp_tables(engine, prefix):
            engine.execute(f"DROP TABLE IF EXISTS {name}")


def _temp_tables(engine: Engine, prefix: str) -> list[str]:
    """Every temporary table made under this reading's prefix (lines, counts, rules)."""
    rows = engine.fetchall("SELECT table_name FROM duckdb_tables() WHERE temporary "
                           "AND starts_with(table_name, ?)", [prefix])
    return [str(r[0]) for r in rows]


def price_sql(level: Level) -> str:
    """List price per item label: the SKU's price, a category's median list price."""
    if level == "sku":
        return "SELECT sku AS label, price FROM products"
    column = "category" if level == "category" else "category_l1"
    return (f"SELECT {column} AS label, median(price) AS price FROM products "
            f"WHERE {column} IS NOT NULL GROUP BY {column}")


def sku_names(engine: Engine, skus: Sequence[str]) -> dict[str, str]:
    """Product names of SKUs, for showing beside them."""
    if not skus or not engine.table_exists("products"):
        return {}
    rows = engine.fetchall("SELECT sku, name FROM products WHERE list_contains(?, sku)",
                           [list(skus)])
    return {str(s): str(n) for s, n in rows if n is not None}
