"""The report contract of the clustering section: one saved cluster run, ready to draw.

Filled by :mod:`memberlens.segments.clusters.report_section` from the latest run;
``ReportData.clusters`` is ``None`` when there is no run, and the page leaves the
section out. Names and descriptions come in both languages (a marketer's edited name
is the same in both); shares are fractions in ``0..1``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ClusterSearchRow(BaseModel):
    """One k tried: the silhouette (None when undefined) and within-cluster spread."""

    model_config = _FROZEN

    k: int
    silhouette: float | None
    inertia: float


class ClusterFeature(BaseModel):
    """A feature the members were clustered on, with its display names."""

    model_config = _FROZEN

    key: str
    label_zh: str
    label_en: str


class ClusterTag(BaseModel):
    """A tag value over-represented in a cluster: its share there and lift."""

    model_config = _FROZEN

    label_zh: str       # the tag's name, e.g. RFM 分层
    label_en: str
    value_zh: str       # the value, e.g. 重要价值客户
    value_en: str
    share: float
    lift: float


class ClusterRow(BaseModel):
    """One cluster: size, revenue, standardised differences and its name."""

    model_config = _FROZEN

    cluster_id: int
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    members: int
    member_share: float
    revenue: float
    revenue_share: float | None
    z: list[float]      # per feature, in ClusterSection.features order
    tags: list[ClusterTag]


class ClusterSection(BaseModel):
    """The latest cluster run: how k was chosen and what each cluster is."""

    model_config = _FROZEN

    run_id: int
    method: str         # kmeans | twostep | som
    as_of: str          # the profile date clustered, 'YYYY-MM-DD'
    population: str     # buyers | all
    members: int
    k: int
    auto_k: bool
    silhouette: float | None
    features: list[ClusterFeature]
    search: list[ClusterSearchRow]
    clusters: list[ClusterRow]
