"""Which SKUs a member must not be offered, and why: the policy and its resolution.

A policy is plain data (YAML or CLI flags); :func:`resolve_exclusions` turns it into what
ranking needs on one warehouse and date: the columns nobody gets (out of stock, not
launched yet, filtered categories, brands or SKUs) and, per member, the SKUs already
bought outside repeat-purchase categories (decision 0019).

Examples
--------
>>> policy = ExclusionPolicy(exclude_categories=("烟酒",), repeat_threshold=0.3)
>>> policy.merged(exclude_brands=["某品牌"]).exclude_brands
('某品牌',)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlglot import exp

from ..engine.base import Engine
from ..tags.sources import PURCHASE_STATUSES
from .base import IntArray, RecommendError

# a leaf category whose buyers rebuy the same SKU this often is a "repeat" category
# (rice, nappies, detergent): what they bought before may be offered again
REPEAT_THRESHOLD = 0.3
REPEAT_MIN_BUYERS = 30


class ExclusionPolicy(BaseModel):
    """What is never recommended. Category names match any level (一级/二级/末级类目)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exclude_bought: bool = True
    # None: measured from the warehouse (repeat rate ≥ repeat_threshold); a list: exactly these
    repeat_categories: tuple[str, ...] | None = None
    repeat_threshold: float = Field(default=REPEAT_THRESHOLD, ge=0, le=1)
    repeat_min_buyers: int = Field(default=REPEAT_MIN_BUYERS, ge=1)
    exclude_out_of_stock: bool = True
    exclude_unlaunched: bool = True
    exclude_categories: tuple[str, ...] = ()
    exclude_brands: tuple[str, ...] = ()
    exclude_skus: tuple[str, ...] = ()

    @classmethod
    def from_yaml(cls, path: Path) -> ExclusionPolicy:
        """Read a policy file; a wrong field is named with the closest valid one."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise RecommendError(f"无法读取排除规则文件 {path} / cannot read the exclusion "
                                 f"policy file {path}: {e}") from e
        if not isinstance(raw, dict):
            raise RecommendError(f"{path}: 应为键值对 / expected a mapping of policy fields "
                                 f"({', '.join(cls.model_fields)})")
        try:
            return cls.model_validate(raw)
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
                                 for err in e.errors())
            raise RecommendError(f"{path}: 排除规则有误 / invalid exclusion policy: {problems} "
                                 f"(fields: {', '.join(cls.model_fields)})") from e

    def merged(self, *, exclude_categories: Sequence[str] = (),
               exclude_brands: Sequence[str] = (), exclude_skus: Sequence[str] = (),
               **flags: Any) -> ExclusionPolicy:
        """This policy with CLI flags added: lists are extended, other fields replaced."""
        update: dict[str, Any] = {k: v for k, v in flags.items() if v is not None}
        for name, extra in (("exclude_categories", exclude_categories),
                            ("exclude_brands", exclude_brands), ("exclude_skus", exclude_skus)):
            if extra:
                update[name] = tuple(dict.fromkeys((*getattr(self, name), *extra)))
        return self.model_validate({**self.model_dump(), **update})


@dataclass(frozen=True)
class Exclusions:
    """A policy resolved on one warehouse, date and SKU column order.

    ``items`` are the columns no member gets; ``bought`` holds, for the members in
    ``bought_members``, the columns they already bought outside repeat categories.
    """

    items: IntArray
    bought: sp.csr_matrix
    bought_members: pd.Index
    repeat_categories: tuple[str, ...]
    counts: dict[str, int]   # reason → SKUs excluded for everyone

    def seen(self, member_ids: Sequence[str] | npt.NDArray[np.object_]) -> sp.csr_matrix:
        """Rows of ``bought`` for these members (empty rows for members who bought nothing)."""
        pos = self.bought_members.get_indexer(pd.Index(np.asarray(member_ids, dtype=object)))
        known = pos >= 0
        if not known.any():
            return sp.csr_matrix((len(pos), self.bought.shape[1]), dtype=np.float32)
        picked = self.bought[np.where(known, pos, 0)]
        keep = sp.diags(known.astype(np.float32))
        return sp.csr_matrix(keep @ picked)


def sql_value(value: str | date | Sequence[str]) -> str:
    """A literal for SQL text: queries that return Arrow are sent without parameters
    (DuckDB copies a parameterised result once more, and warns)."""
    if isinstance(value, datetime):
        return f"CAST({exp.Literal.string(value.isoformat(sep=' '))} AS TIMESTAMP)"
    if isinstance(value, date):
        return f"CAST({exp.Literal.string(value.isoformat())} AS DATE)"
    if isinstance(value, str):
        return exp.Literal.string(value).sql()
    return "[" + ", ".join(exp.Literal.string(str(v)).sql() for v in value) + "]::VARCHAR[]"


def _day(as_of: date | datetime) -> date:
    return as_of.date() if isinstance(as_of, datetime) else as_of


def _purchases_sql(day: date) -> str:
    """Distinct (member, sku, order) of purchases that stand, before `day`."""
    status = PURCHASE_STATUSES.replace("status", "o.status")
    return f"""SELECT DISTINCT o.member_id, i.sku, o.order_id
               FROM order_items i JOIN orders o ON o.order_id = i.order_id
               WHERE o.member_id IS NOT NULL AND i.sku IS NOT NULL AND ({status})
                 AND o.ordered_at < {sql_value(datetime.combine(day, datetime.min.time()))}"""


def repeat_rates(engine: Engine, as_of: date) -> pd.DataFrame:
    """Per leaf category: buyers, repeat buyers (some SKU of it in ≥ 2 orders) and their share.

    Sorted by ``repeat_rate`` descending; what :func:`resolve_exclusions` compares with
    the policy's threshold.
    """
    if not (engine.table_exists("orders") and engine.table_exists("products")):
        return pd.DataFrame(columns=["category", "buyers", "repeat_buyers", "repeat_rate"])
    frame: pd.DataFrame = engine.frame(f"""
        WITH pairs AS (SELECT member_id, sku, count(*) AS orders FROM ({_purchases_sql(as_of)})
                       GROUP BY ALL),
             per AS (SELECT p.category, member_id, max(orders) AS most
                     FROM pairs JOIN products p USING (sku)
                     WHERE p.category IS NOT NULL GROUP BY ALL)
        SELECT category, count(*) AS buyers, count(*) FILTER (WHERE most >= 2) AS repeat_buyers,
               (count(*) FILTER (WHERE most >= 2)) / count(*) AS repeat_rate
        FROM per GROUP BY category ORDER BY repeat_rate DESC, category""")
    return frame


def repeat_categories(engine: Engine, policy: ExclusionPolicy, as_of: date) -> tuple[str, ...]:
    """The policy's repeat categories, or those measured above its threshold."""
    if policy.repeat_categories is not None:
        return tuple(policy.repeat_categories)
    rates = repeat_rates(engine, as_of)
    chosen = rates[(rates["buyers"] >= policy.repeat_min_buyers)
                   & (rates["repeat_rate"] >= policy.repeat_threshold)]
    return tuple(str(c) for c in chosen["category"])


def _product_columns(engine: Engine) -> set[str]:
    return {str(r[0]) for r in engine.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'products'")}


def _global_items(engine: Engine, policy: ExclusionPolicy, skus: pd.Index,
                  day: date) -> tuple[IntArray, dict[str, int]]:
    """Columns nobody gets, and how many SKUs each reason removed (a SKU counts once)."""
    counts: dict[str, int] = {}
    out: list[IntArray] = []
    if not engine.table_exists("products"):
        return np.empty(0, dtype=np.int64), counts
    have = _product_columns(engine)
    rules: list[tuple[str, str, list[Any]]] = []
    if policy.exclude_skus:
        rules.append(("sku", "sku IN (SELECT unnest(?))", [list(policy.exclude_skus)]))
    if policy.exclude_categories:
        levels = [c for c in ("category_l1", "category_l2", "category") if c in have]
        rules.append(("category", " OR ".join(f"{c} IN (SELECT unnest(?))" for c in levels),
                      [list(policy.exclude_categories)] * len(levels)))
    if policy.exclude_brands and "brand" in have:
        rules.append(("brand", "brand IN (SELECT unnest(?))", [list(policy.exclude_brands)]))
    if policy.exclude_out_of_stock and "stock" in have:
        rules.append(("out_of_stock", "stock <= 0", []))   # NULL = unknown: allowed
    if policy.exclude_unlaunched and "launched_at" in have:
        rules.append(("unlaunched", "launched_at > CAST(? AS DATE)", [day]))
    taken = np.zeros(len(skus), dtype=bool)
    for reason, cond, params in rules:
        found = [str(r[0]) for r in engine.fetchall(
            f"SELECT sku FROM products WHERE sku IS NOT NULL AND ({cond})", params)]
        cols = skus.get_indexer(pd.Index(found))
        cols = cols[cols >= 0]
        fresh = cols[~taken[cols]]
        taken[cols] = True
        counts[reason] = len(fresh)
        out.append(fresh.astype(np.int64))
    items = np.unique(np.concatenate(out)) if out else np.empty(0, dtype=np.int64)
    return items.astype(np.int64), counts


def _bought(engine: Engine, skus: pd.Index, day: date, repeat: tuple[str, ...],
            members: Sequence[str] | None) -> tuple[sp.csr_matrix, pd.Index]:
    """Member × column matrix of SKUs bought before `day`, repeat categories left out."""
    if not (engine.table_exists("orders") and engine.table_exists("order_items")):
        return sp.csr_matrix((0, len(skus)), dtype=np.float32), pd.Index([], dtype=object)
    sql = f"SELECT DISTINCT b.member_id, b.sku FROM ({_purchases_sql(day)}) b"
    if repeat and engine.table_exists("products"):
        sql += (" LEFT JOIN products p ON p.sku = b.sku WHERE p.category IS NULL "
                f"OR NOT list_contains({sql_value(repeat)}, p.category)")
    if members is not None:
        sql = (f"SELECT * FROM ({sql}) WHERE "
               f"list_contains({sql_value([str(m) for m in members])}, member_id)")
    pairs = engine.fetch_arrow(sql).to_pandas()
    ids = pd.Index(pd.unique(pairs["member_id"].astype(str)))
    rows = ids.get_indexer(pd.Index(pairs["member_id"].astype(str)))
    cols = skus.get_indexer(pd.Index(pairs["sku"].astype(str)))
    ok = cols >= 0
    matrix = sp.csr_matrix((np.ones(int(ok.sum()), dtype=np.float32), (rows[ok], cols[ok])),
                           shape=(len(ids), len(skus)), dtype=np.float32)
    return matrix, ids


def resolve_exclusions(engine: Engine, policy: ExclusionPolicy, skus: Sequence[str]
                       | npt.NDArray[np.object_], as_of: date,
                       members: Sequence[str] | None = None) -> Exclusions:
    """The policy on this warehouse as of `as_of`, in the column order of `skus`.

    Parameters
    ----------
    skus
        The recommender's columns (``Interactions.skus``).
    as_of
        Purchases before it count as bought; SKUs launched after it are not offered.
    members
        Only these members' purchases are read (a single-member lookup); None reads all.
    """
    day = _day(as_of)
    index = pd.Index(np.asarray(skus, dtype=object).astype(str))
    items, counts = _global_items(engine, policy, index, day)
    repeat: tuple[str, ...] = ()
    if policy.exclude_bought:
        repeat = repeat_categories(engine, policy, day)
        bought, ids = _bought(engine, index, day, repeat, members)
    else:
        bought, ids = sp.csr_matrix((0, len(index)), dtype=np.float32), pd.Index([],
                                                                                dtype=object)
    return Exclusions(items=items, bought=bought, bought_members=ids,
                      repeat_categories=repeat, counts=counts)
