"""Bundle suggestions per segment, ranked by the add-on revenue they are expected to bring.

A bundle is an anchor item plus one or two add-ons that a segment's baskets already
hold together. Its **attach rate** is, among the segment's baskets with the anchor, the
share that also hold every add-on (the rule's confidence). ``expected_value`` =
attach rate × the add-ons' list price: the extra revenue one anchor basket brings if
offering the bundle keeps the rate seen so far (decision 0017). ``lift_vs_all``
compares the segment's attach rate with the same rule over all baskets, which tells a
bundle that is this segment's own from one that every segment shares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

import numpy as np
import pandas as pd

from ..engine.base import Engine
from ..tags.catalog import Catalog
from .baskets import (
    BasketLines,
    BasketSpec,
    Level,
    MemberGroups,
    RulesError,
    open_lines,
    price_sql,
    segment_members,
    tag_groups,
)
from .itemsets import count_itemsets, estimate, prune, rules_sql, set_min_counts

MAX_BUNDLE_ITEMSETS = 2_000_000
COLUMNS = ("segment", "rank", "anchor", "addons", "items", "size", "segment_baskets",
           "anchor_baskets", "bundle_baskets", "attach_rate", "support", "lift",
           "attach_rate_all", "lift_vs_all", "anchor_price", "addon_price", "bundle_price",
           "expected_value")


@dataclass(frozen=True)
class BundleParams:
    """How many bundles per segment, how big, and how much evidence each needs."""

    top: int = 3
    max_size: int = 3  # items in a bundle: 2 or 3
    min_count: int = 5  # the segment's baskets holding the whole bundle
    min_support: float = 0.0  # …and as a share of the segment's baskets
    min_lift: float = 1.0  # rule lift within the segment must exceed it
    level: Level = "sku"

    def __post_init__(self) -> None:
        if self.top < 1:
            raise RulesError(f"top 至少为 1 must be at least 1, got {self.top}")
        if self.max_size not in (2, 3):
            raise RulesError(f"捆绑商品数应为 2 或 3 max_size must be 2 or 3, got "
                             f"{self.max_size}")
        if self.min_count < 1:
            raise RulesError(f"min_count 至少为 1 must be at least 1, got {self.min_count}")
        if not 0.0 <= self.min_support <= 1.0:
            raise RulesError(f"min_support 应在 [0, 1] 之间 must be in [0, 1], got "
                             f"{self.min_support}")


def bundles_by_tag(
    engine: Engine, tag: str, params: BundleParams | None = None, *,
    values: Sequence[str] | None = None, since: date | None = None, until: date | None = None,
) -> pd.DataFrame:
    """Best bundles for each value of a profile tag (rfm_class, member_tier, cluster_name)."""
    return suggest_bundles(engine, tag_groups(engine, tag, values), params, since=since,
                           until=until)


def bundles_for_segments(
    engine: Engine, segments: Sequence[str], params: BundleParams | None = None, *,
    catalog: Catalog | None = None, since: date | None = None, until: date | None = None,
) -> pd.DataFrame:
    """Best bundles for saved segments or audience expressions (one group each)."""
    if not segments:
        raise RulesError("请至少给出一个分群 give at least one segment (--segment NAME)")
    resolved = dict(segment_members(engine, s, catalog) for s in segments)
    return suggest_bundles(engine, MemberGroups.of(resolved), params, since=since,
                           until=until)


def suggest_bundles(
    engine: Engine, groups: MemberGroups, params: BundleParams | None = None, *,
    since: date | None = None, until: date | None = None,
) -> pd.DataFrame:
    """The top bundles of every group, columns :data:`COLUMNS`, groups in label order."""
    params = params or BundleParams()
    spec = BasketSpec(params.level, since, until)
    with open_lines(engine, spec, groups, with_all=True) as lines:
        if not any(n for g, n in lines.baskets.items() if g > 0):
            raise RulesError("这些分群没有购物篮 the segments have no baskets: check the tag "
                             "values, the window (--since / --until) or run tags first")
        floor = params.min_count
        mins = {g: floor if g == 0 else max(floor, math.ceil(params.min_support * n - 1e-9))
                for g, n in lines.baskets.items()}
        set_min_counts(lines, mins)
        prune(lines)
        _guard(lines, params)
        count_itemsets(lines, params.max_size)
        scored = _segment_rules(lines, params.max_size)
        prices = engine.frame(price_sql(params.level))
        return _rank(scored, lines, groups.labels, params,
                     dict(zip(prices["label"].astype(str), prices["price"].astype(float),
                              strict=True)))


def _guard(lines: BasketLines, params: BundleParams) -> None:
    """Refuse before counting when min_count lets itemsets explode across segments."""
    est = estimate(lines, params.max_size)
    if est.bound > MAX_BUNDLE_ITEMSETS:
        raise RulesError(
            f"min_count={params.min_count} 过低：各分群频繁项集可能多达 {est.bound:,} 个。请把 "
            f"--min-count 提高到至少 {est.min_count_for(MAX_BUNDLE_ITEMSETS)}，或用 --size 2 / "
            f"min_count={params.min_count} is too low: up to {est.bound:,} itemsets over the "
            f"segments. Raise min_count (--min-count) to at least "
            f"{est.min_count_for(MAX_BUNDLE_ITEMSETS)} or use --size 2")


def _segment_rules(lines: BasketLines, max_size: int) -> pd.DataFrame:
    """One-anchor rules of every segment beside the same rule over all baskets."""
    engine = lines.engine
    table = lines.table("rules")
    engine.execute(f"CREATE TEMP TABLE {table} AS "
                   f"{rules_sql(lines, max_size, single_antecedent=True)}")
    return cast(pd.DataFrame, engine.frame(f"""
        SELECT s.grp, s.antecedent, s.consequent, s.baskets AS segment_baskets,
               s.antecedent_count AS anchor_baskets, s.consequent_count AS addon_baskets,
               s.count AS bundle_baskets,
               s.confidence AS attach_rate, s.support, s.lift,
               a.confidence AS attach_rate_all
        FROM {table} s JOIN {table} a ON a.grp = 0 AND a.antecedent = s.antecedent
                                     AND a.consequent = s.consequent
        WHERE s.grp > 0"""))


def _rank(scored: pd.DataFrame, lines: BasketLines, labels: tuple[str, ...],
          params: BundleParams, prices: dict[str, float]) -> pd.DataFrame:
    """Labels and prices in, one anchor per bundle, best expected value first."""
    # better than min_lift, judged on counts: n·N > min_lift · anchor · add-ons
    above = (scored["bundle_baskets"] * scored["segment_baskets"]
             > params.min_lift * scored["anchor_baskets"] * scored["addon_baskets"])
    scored = scored[above]
    if scored.empty:
        return pd.DataFrame({c: [] for c in COLUMNS})
    codes = sorted({int(c) for col in ("antecedent", "consequent") for v in scored[col]
                    for c in v})
    name = dict(zip(codes, lines.item_labels(codes), strict=True))
    out = pd.DataFrame({
        "segment": [labels[int(g) - 1] for g in scored["grp"]],
        "anchor": [name[int(v[0])] for v in scored["antecedent"]],
        "addons": [tuple(sorted(name[int(c)] for c in v)) for v in scored["consequent"]],
    })
    out["items"] = [tuple(sorted((a, *b))) for a, b in zip(out["anchor"], out["addons"],
                                                           strict=True)]
    out["size"] = out["items"].map(len)
    for col in ("segment_baskets", "anchor_baskets", "bundle_baskets", "attach_rate",
                "support", "lift", "attach_rate_all"):
        out[col] = scored[col].to_numpy()
    out["lift_vs_all"] = out["attach_rate"] / out["attach_rate_all"]
    out["anchor_price"] = out["anchor"].map(lambda s: prices.get(s, np.nan))
    out["addon_price"] = out["addons"].map(lambda t: sum(prices.get(s, np.nan) for s in t))
    out["bundle_price"] = out["anchor_price"] + out["addon_price"]
    out["expected_value"] = out["attach_rate"] * out["addon_price"]
    out = out.sort_values(["segment", "expected_value", "bundle_baskets", "items", "anchor"],
                          ascending=[True, False, False, True, True], na_position="last",
                          kind="stable")
    out = out.drop_duplicates(["segment", "items"])  # the best anchor of each bundle
    out["rank"] = out.groupby("segment").cumcount() + 1
    out = out[out["rank"] <= params.top]
    order = {label: i for i, label in enumerate(labels)}
    out = out.sort_values(["segment", "rank"], key=lambda s: s.map(order)
                          if s.name == "segment" else s, kind="stable")
    return out[list(COLUMNS)].reset_index(drop=True)
