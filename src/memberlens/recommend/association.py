"""Association rules over baskets: support, confidence, lift, leverage, conviction.

Two engines give the same itemsets and rules: mlxtend's FP-growth on a sparse one-hot
frame (small and medium data, any itemset length) and counting in the warehouse with
DuckDB self-joins (large data, up to triples; see :mod:`.itemsets`). ``method="auto"``
picks by basket count (decision 0017). Both start from the same pruned basket lines and
refuse, before counting, a minimum support low enough to explode the itemset count.

Example
-------
>>> rules = mine_rules(engine, level="category", min_support=0.01)  # doctest: +SKIP
>>> rules.rules.head()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal, get_args

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from ..engine.base import Engine
from ..tags.catalog import Catalog
from .baskets import (
    BasketLines,
    BasketSpec,
    Level,
    MemberGroups,
    RulesError,
    open_lines,
    segment_members,
)
from .itemsets import MAX_SQL_LEN, count_itemsets, estimate, prune, rules_sql, set_min_counts

Method = Literal["auto", "mlxtend", "duckdb"]
METHODS: tuple[str, ...] = get_args(Method)
AUTO_MLXTEND_MAX_BASKETS = 20_000
"""Up to this many baskets ``auto`` uses mlxtend, above it the warehouse (0017)."""
MAX_ITEMSETS = 500_000
"""Refuse when the bound on frequent itemsets passes this (names min_support)."""
RULE_COLUMNS = ("antecedent", "consequent", "antecedent_count", "consequent_count", "count",
                "support", "confidence", "lift", "leverage", "conviction")
_MLX_METRICS = ["antecedent support", "consequent support", "support", "confidence", "lift",
                "leverage", "conviction"]


@dataclass(frozen=True)
class RuleParams:
    """What to mine: thresholds and the longest itemset (items in antecedent + consequent)."""

    min_support: float = 0.01
    min_confidence: float = 0.0
    min_lift: float = 0.0
    max_len: int = 3
    method: Method = "auto"
    max_itemsets: int = MAX_ITEMSETS

    def __post_init__(self) -> None:
        if not 0.0 < self.min_support <= 1.0:
            raise RulesError(f"min_support 应在 (0, 1] 之间 must be in (0, 1], got "
                             f"{self.min_support}（例如 e.g. --min-support 0.01）")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise RulesError(f"min_confidence 应在 [0, 1] 之间 must be in [0, 1], got "
                             f"{self.min_confidence}")
        if self.min_lift < 0:
            raise RulesError(f"min_lift 不能为负 must not be negative, got {self.min_lift}")
        if self.max_len < 2:
            raise RulesError(f"max_len 至少为 2 must be at least 2 (a rule needs two items), "
                             f"got {self.max_len}")
        if self.method not in METHODS:
            raise RulesError(f"未知的计算引擎 unknown method '{self.method}'：请用 use "
                             f"{' | '.join(METHODS)}")

    def min_count(self, baskets: int) -> int:
        """Baskets an itemset must appear in: support ≥ min_support ⇔ count ≥ this."""
        return max(1, math.ceil(self.min_support * baskets - 1e-9))


@dataclass(frozen=True)
class RuleSet:
    """Frequent itemsets and rules, item labels (SKUs or categories) in sorted tuples."""

    itemsets: pd.DataFrame  # items, size, count, support
    rules: pd.DataFrame  # RULE_COLUMNS, strongest lift first
    n_baskets: int
    min_count: int
    method: str
    level: Level
    segment: str | None
    seconds: float


def choose_method(method: Method, baskets: int, max_len: int) -> str:
    """``auto`` → mlxtend up to AUTO_MLXTEND_MAX_BASKETS baskets (or beyond triples)."""
    if method == "duckdb" and max_len > MAX_SQL_LEN:
        raise RulesError(f"DuckDB 引擎最多计算三项集 the duckdb method counts itemsets of up to "
                         f"{MAX_SQL_LEN} items: lower max_len (--max-len) or use --engine mlxtend")
    if method != "auto":
        return method
    return "mlxtend" if baskets <= AUTO_MLXTEND_MAX_BASKETS or max_len > MAX_SQL_LEN \
        else "duckdb"


def mine_rules(
    engine: Engine, params: RuleParams | None = None, *, level: Level = "sku",
    since: date | None = None, until: date | None = None, segment: str | None = None,
    members: pa.Array | None = None, catalog: Catalog | None = None,
) -> RuleSet:
    """Mine frequent itemsets and rules from the warehouse's purchase baskets.

    ``segment`` (a saved segment's name or an audience expression) or ``members`` (ids)
    restricts the baskets to those members' orders.
    """
    params = params or RuleParams()
    spec = BasketSpec(level, since, until)
    groups = None
    label = None
    if segment is not None:
        label, members = segment_members(engine, segment, catalog)
    if members is not None:
        groups = MemberGroups.of({label or "members": members})
    with open_lines(engine, spec, groups) as lines:
        result = rules_from_lines(lines, params)
    return replace(result, segment=label)


def rules_from_lines(lines: BasketLines, params: RuleParams) -> RuleSet:
    """Mine group 0 of an open basket reading (what :func:`mine_rules` does inside)."""
    started = time.perf_counter()
    n = lines.n_baskets
    if n == 0:
        raise RulesError("没有符合条件的购物篮 no baskets match: check the window "
                         "(--since / --until), the segment, or load orders first")
    min_count = params.min_count(n)
    method = choose_method(params.method, n, params.max_len)
    set_min_counts(lines, {0: min_count})
    prune(lines)
    guard(lines, params, min_count)
    if method == "mlxtend":
        itemsets, rules = _mlxtend(lines, n, min_count, params.max_len)
    else:
        itemsets, rules = _duckdb(lines, params.max_len)
    rules = filter_rules(rules, params, n)
    return RuleSet(itemsets, rules, n, min_count, method, lines.spec.level, None,
                   round(time.perf_counter() - started, 3))


def guard(lines: BasketLines, params: RuleParams, min_count: int) -> None:
    """Refuse, before counting, when min_support lets the itemset count explode."""
    est = estimate(lines, params.max_len)
    if est.bound <= params.max_itemsets:
        return
    n = max(lines.n_baskets, 1)
    need = est.min_count_for(params.max_itemsets)
    suggest = min(_round_up(need / n), 1.0)
    raise RulesError(
        f"min_support={params.min_support:g}（即至少 {min_count} 个购物篮）过低：频繁项集可能多达 "
        f"{est.bound:,} 个（上限 {params.max_itemsets:,}）。请把 --min-support 提高到至少 "
        f"{suggest:g}，或把 --max-len 降为 2 / min_support={params.min_support:g} "
        f"(≥ {min_count} baskets) is too low: up to {est.bound:,} frequent itemsets "
        f"(limit {params.max_itemsets:,}). Raise min_support (--min-support) to at least "
        f"{suggest:g} or lower max_len (--max-len) to 2")


def _round_up(x: float) -> float:
    """``x`` rounded up to two significant digits (a support to suggest)."""
    step = 10.0 ** (math.floor(math.log10(x)) - 1)
    return round(math.ceil(x / step - 1e-9) * step, 12)


def filter_rules(rules: pd.DataFrame, params: RuleParams, baskets: int) -> pd.DataFrame:
    """Keep rules meeting the thresholds, judged on integer counts so both engines agree;
    highest lift first, then confidence, then count."""
    if rules.empty:
        return rules
    n = float(baskets)
    confidence = rules["count"] / rules["antecedent_count"]
    lift = rules["count"] * n / (rules["antecedent_count"] * rules["consequent_count"])
    size = rules["antecedent"].map(len) + rules["consequent"].map(len)
    keep = ((confidence >= params.min_confidence - 1e-12) & (lift >= params.min_lift - 1e-12)
            & (size <= params.max_len))
    out = rules[keep].sort_values(["lift", "confidence", "count", "antecedent", "consequent"],
                                  ascending=[False, False, False, True, True], kind="stable")
    return out.reset_index(drop=True)


def _labelled(lines: BasketLines, codes: pd.Series) -> pd.Series:
    """Item-code lists → sorted tuples of labels."""
    names = lines.label_of()
    return codes.map(lambda c: tuple(sorted(names[int(i)] for i in c)))


def _duckdb(lines: BasketLines, max_len: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count in the warehouse, then fetch only the (small) frequent itemsets and rules."""
    count_itemsets(lines, max_len)
    engine = lines.engine
    sets = engine.frame(f"SELECT items, n AS count, n / t.baskets AS support FROM "
                        f"{lines.table('sets')} s JOIN {lines.table('n')} t USING (grp) "
                        f"WHERE s.grp = 0 AND len(items) <= {int(max_len)}")
    rules = engine.frame(f"SELECT * FROM ({rules_sql(lines, max_len)}) WHERE grp = 0")
    return _finish(lines, sets, rules)


def _mlxtend(lines: BasketLines, n: int, min_count: int, max_len: int
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """FP-growth on the pruned baskets as a sparse one-hot frame (baskets × items)."""
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    table = lines.engine.fetch_arrow(
        f"SELECT basket, item FROM {lines.table('pruned')} WHERE grp = 0")
    baskets = table.column("basket").to_numpy()
    _, rows = np.unique(baskets, return_inverse=True)
    codes, cols = np.unique(table.column("item").to_numpy(), return_inverse=True)
    onehot = sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)),
                           shape=(n, len(codes)))
    # columns 0…F-1, as mlxtend wants of a sparse frame (pandas-stubs lacks the accessor)
    frame = pd.DataFrame.sparse.from_spmatrix(onehot)  # type: ignore[attr-defined]
    # (m - 0.5) / n: mlxtend compares floats and takes ceil(min_support · n); this keeps
    # exactly the itemsets seen in at least m baskets
    found = fpgrowth(frame, min_support=(min_count - 0.5) / n, use_colnames=True,
                     max_len=max_len) if len(codes) else pd.DataFrame(
                         {"support": [], "itemsets": []})
    to_codes = lambda s: [int(codes[i]) for i in sorted(s)]  # noqa: E731
    sets = pd.DataFrame({"items": found["itemsets"].map(to_codes),
                         "count": np.rint(found["support"].to_numpy() * n).astype(np.int64),
                         "support": found["support"].to_numpy()})
    if (found["itemsets"].map(len) >= 2).any():
        mined = association_rules(found, num_itemsets=n, metric="confidence",
                                  min_threshold=0.0, return_metrics=_MLX_METRICS)
    else:
        mined = pd.DataFrame(columns=["antecedents", "consequents", *_MLX_METRICS])
    rules = pd.DataFrame({
        "antecedent": mined["antecedents"].map(to_codes),
        "consequent": mined["consequents"].map(to_codes),
        "antecedent_count": np.rint(mined["antecedent support"].to_numpy(float) * n),
        "consequent_count": np.rint(mined["consequent support"].to_numpy(float) * n),
        "count": np.rint(mined["support"].to_numpy(float) * n),
        **{m: mined[m].to_numpy(float) for m in ("support", "confidence", "lift", "leverage",
                                                 "conviction")},
    })
    for col in ("antecedent_count", "consequent_count", "count"):
        rules[col] = rules[col].astype(np.int64)
    return _finish(lines, sets, rules)


def _finish(lines: BasketLines, sets: pd.DataFrame, rules: pd.DataFrame
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes → label tuples, fixed columns and dtypes, a stable order."""
    sets = sets.copy()
    sets["items"] = _labelled(lines, sets["items"]) if len(sets) else sets["items"]
    sets["size"] = sets["items"].map(len).astype(np.int64)
    sets["count"] = sets["count"].astype(np.int64)
    sets["support"] = sets["support"].astype(float)
    sets = sets[["items", "size", "count", "support"]].sort_values(
        ["size", "count", "items"], ascending=[True, False, True], kind="stable")
    rules = rules.copy()
    for col in ("antecedent", "consequent"):
        rules[col] = _labelled(lines, rules[col]) if len(rules) else rules[col]
    for col in ("antecedent_count", "consequent_count", "count"):
        rules[col] = rules[col].astype(np.int64)
    return sets.reset_index(drop=True), rules[list(RULE_COLUMNS)].reset_index(drop=True)


def rules_export(result: RuleSet, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rules as flat text columns for a CSV: items joined with " + ", names beside SKUs."""
    names = names or {}
    out = result.rules.copy()
    for col in ("antecedent", "consequent"):
        items = out[col]
        out[col] = items.map(" + ".join)
        if names:
            out[f"{col}_names"] = items.map(lambda t: " + ".join(names.get(i, "") for i in t))
    front = ["antecedent", *(["antecedent_names"] if names else []), "consequent",
             *(["consequent_names"] if names else [])]
    return out[front + [c for c in RULE_COLUMNS if c not in ("antecedent", "consequent")]]
