"""Suggested names and descriptions of clusters, from what sets them apart.

Rule-based, so the name says why: each feature belongs to a dimension a marketer
reads (value, frequency, recency, basket, price, …); the up to three dimensions
furthest from the population (at least half a standard deviation) give the words,
in a fixed reading order — "高价值·高频·近期活跃". Value is read from the revenue
the report shows, not from a feature: revenue share ÷ member share, on a log2 scale
(twice the average revenue per member counts like one SD; 高价值 from about 1.4×).
A feature outside the known dimensions is named after its tag ("入会天数高").
Nothing standing out gives "大众会员". Names are made unique within a run. The
marketer can rename; the suggestion is kept beside the edit.

Examples
--------
>>> words_for("days_since_last_purchase", -1.2, "zh")
'近期活跃'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analytics.snapshots import state_label
from ...tags import TagDefinition, ValueType

if TYPE_CHECKING:
    from .profile import ClusterFacts, FeatureContrast, TagLift

THRESHOLD = 0.5     # standard deviations from the population to count
MAX_WORDS = 3
MAX_FEATURES_TOLD = 3
MAX_LIFTS_TOLD = 2
PLAIN = ("大众会员", "Mainstream members")


@dataclass(frozen=True)
class Dimension:
    """Features that tell the same thing; `keys` map to +1, or −1 when high means low."""

    keys: Mapping[str, int]
    high: tuple[str, str]
    low: tuple[str, str] | None


# in the order the words are read
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension({"spend_total": 1, "spend_365d": 1, "clv_historical": 1, "clv_12m": 1,
               "m_score": 1, "spend_90d": 1}, ("高价值", "High-value"), ("低价值", "Low-value")),
    Dimension({"order_count_total": 1, "order_count_365d": 1, "order_count_90d": 1,
               "order_count_30d": 1, "f_score": 1}, ("高频", "Frequent"), ("低频", "Infrequent")),
    Dimension({"days_since_last_purchase": -1, "r_score": 1},
              ("近期活跃", "Recently active"), ("久未购买", "Lapsed")),
    Dimension({"avg_order_value": 1, "avg_item_price": 1},
              ("高客单", "Big-basket"), ("低客单", "Small-basket")),
    Dimension({"price_sensitivity": 1, "coupon_use_rate": 1},
              ("价格敏感", "Deal-seeking"), ("不看折扣", "Full-price")),
    Dimension({"top_category_share": 1, "top_brand_share": 1},
              ("品类专一", "Category-loyal"), ("多品类", "Broad-basket")),
    Dimension({"event_count_30d": 1, "login_count_30d": 1},
              ("线上活跃", "Engaged online"), ("线上沉寂", "Quiet online")),
    Dimension({"purchase_interval_mean": -1}, ("复购快", "Quick-repeat"),
              ("复购慢", "Slow-repeat")),
    Dimension({"new_product_share": 1}, ("尝新", "Early-adopter"), None),
    Dimension({"weekend_share": 1}, ("周末型", "Weekend"), ("工作日型", "Weekday")),
    Dimension({"refund_rate": 1}, ("退货多", "Frequent-returns"), None),
    Dimension({"tenure_days": 1}, ("老会员", "Long-standing"), ("新会员", "New")),
)
VALUE = 0          # DIMENSIONS[VALUE] is value (read from revenue)
_UNIT_EN = {"天": "days", "元": "yuan", "次": "times"}


@dataclass(frozen=True)
class ClusterText:
    """Suggested name and description in both languages."""

    name_zh: str
    name_en: str
    description_zh: str
    description_en: str


def _dimension(key: str) -> tuple[int, Dimension | None]:
    for i, dim in enumerate(DIMENSIONS):
        if key in dim.keys:
            return i, dim
    return len(DIMENSIONS), None


def words_for(key: str, z: float, lang: str, label: tuple[str, str] | None = None
              ) -> str | None:
    """The word for `key` being `z` SD from the population, or None when there is none."""
    _, dim = _dimension(key)
    zh_en: tuple[str, str] | None
    if dim is None:
        zh, en = label or (key, key)
        zh_en = (f"{zh}高", f"High {en.lower()}") if z > 0 else (f"{zh}低", f"Low {en.lower()}")
    else:
        zh_en = dim.high if z * dim.keys[key] > 0 else dim.low
    if zh_en is None:
        return None
    return zh_en[0] if lang == "zh" else zh_en[1]


def _value_index(c: ClusterFacts) -> float | None:
    """log2(revenue share ÷ member share): +1 is twice the average revenue per member."""
    if c.revenue_share is None or not c.share:
        return None
    return max(-3.0, math.log2(c.revenue_share / c.share)) if c.revenue_share else -3.0


def _candidates(c: ClusterFacts, tags: Mapping[str, TagDefinition]
                ) -> list[tuple[int, str, str]]:
    """(reading order, zh, en) per dimension that stands out, strongest first."""
    best: dict[int | str, tuple[float, int, str, str]] = {}
    value = _value_index(c)
    if value is not None and abs(value) >= THRESHOLD:
        high_zh, high_en = DIMENSIONS[VALUE].high if value > 0 else (
            DIMENSIONS[VALUE].low or PLAIN)
        best[VALUE] = (abs(value), VALUE, high_zh, high_en)
    for f in c.features:
        if abs(f.z) < THRESHOLD:
            continue
        order, dim = _dimension(f.key)
        if order == VALUE and value is not None:
            continue
        tag = tags.get(f.key)
        label = (tag.name.zh, tag.name.en) if tag else None
        word_zh, word_en = (words_for(f.key, f.z, lang, label) for lang in ("zh", "en"))
        if word_zh is None or word_en is None:
            continue
        slot = order if dim is not None else f.key
        if slot not in best or abs(f.z) > best[slot][0]:
            best[slot] = (abs(f.z), order, word_zh, word_en)
    ranked = sorted(best.values(), key=lambda c: -c[0])
    return [(order, zh, en) for _, order, zh, en in ranked]


def _name(words: Sequence[tuple[int, str, str]]) -> tuple[str, str]:
    if not words:
        return PLAIN
    ordered = sorted(words)
    return "·".join(w[1] for w in ordered), " · ".join(w[2] for w in ordered)


def _fmt(value: float | None, tag: TagDefinition | None, lang: str, unit_share: bool) -> str:
    if value is None:
        return "—"
    if tag is not None and tag.type == ValueType.MONEY:
        return f"¥{value:,.0f}"
    if tag is not None and tag.unit:
        unit = tag.unit if lang == "zh" else _UNIT_EN.get(tag.unit, tag.unit)
        return f"{value:,.0f} {unit}"
    if unit_share or (tag is not None and tag.type == ValueType.BOOL):
        return f"{value:.0%}"
    return f"{value:,.1f}"


def _told(f: FeatureContrast, tags: Mapping[str, TagDefinition], lang: str) -> str:
    tag = tags.get(f.key)
    share = (tag is not None and tag.type == ValueType.FLOAT and not tag.unit
             and all(v is None or abs(v) <= 1 for v in (f.mean, f.population_mean)))
    mean, population = (_fmt(v, tag, lang, share) for v in (f.mean, f.population_mean))
    if lang == "zh":
        return f"{tag.name.zh if tag else f.key} {mean}（总体 {population}）"
    return f"{tag.name.en if tag else f.key} {mean} (all: {population})"


def _lift(t: TagLift, tags: Mapping[str, TagDefinition], lang: str) -> str:
    tag = tags.get(t.key)
    if lang == "zh":
        return (f"{tag.name.zh if tag else t.key}为“{t.value}”的占 {t.share:.0%}"
                f"（总体的 {t.lift:.1f} 倍）")
    return (f"{t.share:.0%} have {tag.name.en if tag else t.key} "
            f"“{state_label(t.key, t.value, 'en')}” ({t.lift:.1f}× the population)")


def describe(facts: ClusterFacts, tags: Mapping[str, TagDefinition], lang: str) -> str:
    """Size and value, the features that set it apart, the over-represented tags."""
    revenue = "—" if facts.revenue_share is None else f"{facts.revenue_share:.1%}"
    told = [_told(f, tags, lang) for f in facts.distinguishing(THRESHOLD)[:MAX_FEATURES_TOLD]]
    lifts = [_lift(t, tags, lang) for t in facts.lifts[:MAX_LIFTS_TOLD]]
    if lang == "zh":
        text = f"{facts.size:,} 位会员（占 {facts.share:.1%}），贡献 {revenue} 的销售额。"
        text += "平均" + "；".join(told) + "。" if told else "各项特征接近总体。"
        return text + ("；".join(lifts) + "。" if lifts else "")
    text = f"{facts.size:,} members ({facts.share:.1%}) bringing {revenue} of revenue. "
    text += "On average: " + "; ".join(told) + "." if told else \
        "Close to the population on every feature."
    return text + (" " + "; ".join(lifts) + "." if lifts else "")


def name_clusters(clusters: Sequence[ClusterFacts], tags: Mapping[str, TagDefinition]
                  ) -> list[ClusterText]:
    """A distinct suggested name and a description for every cluster of a run."""
    candidates = [_candidates(c, tags) for c in clusters]
    used = [min(MAX_WORDS, len(c)) for c in candidates]
    names = [_name(c[:n]) for c, n in zip(candidates, used, strict=True)]
    # a name two clusters share takes their next-strongest words until they differ
    for _ in range(len(DIMENSIONS)):
        clash = {i for i, n in enumerate(names) if names.count(n) > 1}
        grow = [i for i in clash if used[i] < len(candidates[i])]
        if not grow:
            break
        for i in grow:
            used[i] += 1
            names[i] = _name(candidates[i][:used[i]])
    seen: dict[tuple[str, str], int] = {}
    out = []
    for c, (zh, en) in zip(clusters, names, strict=True):
        seen[(zh, en)] = seen.get((zh, en), 0) + 1
        if names.count((zh, en)) > 1:   # still alike: number them
            zh, en = f"{zh}（{seen[(zh, en)]}）", f"{en} ({seen[(zh, en)]})"
        out.append(ClusterText(zh, en, describe(c, tags, "zh"), describe(c, tags, "en")))
    return out
