"""What sets each cluster apart, so a marketer can name it (issue 4 §4).

Per cluster: its size and share of the clustered members, its revenue and revenue
share; every feature's mean against the population's and the standardised difference
(the cluster's mean of the prepared feature — population mean 0, SD 1 — so +1.2 on
spend means "1.2 standard deviations above the other members", skew removed); and the
values of categorical tags (RFM class, activity, favourite category, …) that are most
over-represented in it (lift = share in the cluster ÷ share in the population).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from ...tags import TagDefinition
from .features import MemberFeatures
from .naming import name_clusters

_FROZEN = ConfigDict(frozen=True, extra="forbid")
MIN_LIFT = 1.2          # a value must be this much more common in the cluster …
MIN_SHARE = 0.10        # … and hold at least this share of it, to describe the cluster
MAX_LIFTS = 5


class FeatureContrast(BaseModel):
    """One feature in one cluster against all clustered members."""

    model_config = _FROZEN

    key: str
    mean: float | None               # raw tag values, missing ones left out
    population_mean: float | None
    z: float                         # standardised difference (see module docstring)


class TagLift(BaseModel):
    """A categorical tag value more common in the cluster than in the population."""

    model_config = _FROZEN

    key: str
    value: str
    share: float
    population_share: float
    lift: float


class ClusterFacts(BaseModel):
    """One cluster's numbers: size, value, and what sets it apart."""

    model_config = _FROZEN

    cluster_id: int                  # 1 = the largest
    size: int
    share: float
    revenue: float
    revenue_share: float | None      # None when the clustered members spent nothing
    features: tuple[FeatureContrast, ...]
    lifts: tuple[TagLift, ...]

    def distinguishing(self, threshold: float = 0.5) -> list[FeatureContrast]:
        """Features at least `threshold` SD from the population, strongest first."""
        return sorted((f for f in self.features if abs(f.z) >= threshold),
                      key=lambda f: -abs(f.z))


class ClusterProfile(ClusterFacts):
    """A cluster's facts with its name and description, suggested and as edited."""

    name: str                        # the tag value; the suggestion until renamed
    description: str
    suggested_name_zh: str
    suggested_name_en: str
    suggested_description_zh: str
    suggested_description_en: str
    edited: bool = False

    def display_name(self, lang: str) -> str:
        """The marketer's name once edited, else the suggestion in `lang`."""
        if self.edited:
            return self.name
        return self.suggested_name_zh if lang == "zh" else self.suggested_name_en

    def display_description(self, lang: str) -> str:
        if self.edited:
            return self.description
        return self.suggested_description_zh if lang == "zh" else self.suggested_description_en


def _mean(values: pd.Series) -> float | None:
    m = values.mean()
    return None if m is None or (isinstance(m, float) and math.isnan(m)) else float(m)


def _lifts(categories: pd.DataFrame, in_cluster: np.ndarray[Any, Any]) -> list[TagLift]:
    out = []
    for key in categories.columns:
        column = categories[key]
        # shares of all members, those without a value included, inside and out
        population = column.value_counts(dropna=True) / len(column)
        inside = column[in_cluster].value_counts(dropna=True)
        if inside.empty:
            continue
        share = inside / int(in_cluster.sum())
        lift = share / population.reindex(share.index)
        ok = lift[(lift >= MIN_LIFT) & (share >= MIN_SHARE)]
        if ok.empty:
            continue
        value = str(ok.idxmax())
        out.append(TagLift(key=str(key), value=value, share=float(share[value]),
                           population_share=float(population[value]),
                           lift=float(lift[value])))
    return sorted(out, key=lambda t: -t.lift)[:MAX_LIFTS]


def build_profiles(members: MemberFeatures, prepared: np.ndarray[Any, Any],
                   labels: np.ndarray[Any, Any], *, tags: Mapping[str, TagDefinition],
                   lang: str = "zh") -> list[ClusterProfile]:
    """Profiles of clusters ``1 … labels.max()`` (labels count from 1).

    `tags` (the catalog's) give names, types and units to the suggested names and
    descriptions; the name written as the tag value is the suggestion in `lang`.
    """
    n = len(labels)
    total_revenue = float(members.revenue.sum())
    population = {k: _mean(members.values[k]) for k in members.features}
    drafts = []
    for cluster in range(1, int(labels.max()) + 1):
        inside = labels == cluster
        size = int(inside.sum())
        revenue = float(members.revenue[inside].sum())
        z = prepared[inside].mean(axis=0) if size else np.zeros(prepared.shape[1])
        features = tuple(FeatureContrast(key=k, mean=_mean(members.values[k][inside]),
                                         population_mean=population[k], z=float(z[i]))
                         for i, k in enumerate(members.features))
        drafts.append(ClusterFacts(
            cluster_id=cluster, size=size, share=size / n, revenue=revenue,
            revenue_share=revenue / total_revenue if total_revenue else None,
            features=features, lifts=tuple(_lifts(members.categories, inside))))
    out = []
    for facts, text in zip(drafts, name_clusters(drafts, tags), strict=True):
        out.append(ClusterProfile(
            **dict(facts), name=text.name_zh if lang == "zh" else text.name_en,
            description=text.description_zh if lang == "zh" else text.description_en,
            suggested_name_zh=text.name_zh, suggested_name_en=text.name_en,
            suggested_description_zh=text.description_zh,
            suggested_description_en=text.description_en))
    return out
