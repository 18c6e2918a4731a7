"""The data contract between the analytics and the report renderer.

The analytics fill a :class:`ReportData`; the renderer only reads it. Keeping the
contract as plain frozen models means the renderer can be tested with a generated
fixture and the analytics can be tested without a browser.

Shares are fractions in ``0..1`` (the renderer formats them as percentages), money is in
yuan, dates are ISO strings already formatted by the analytics (``YYYY-MM-DD``).

Examples
--------
>>> point = ParetoPoint(member_share=0.2, revenue_share=0.74)
>>> point.revenue_share
0.74
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from memberlens.errors import MemberlensError
from memberlens.reports.cluster_data import ClusterSection
from memberlens.reports.model_data import ModelSection
from memberlens.reports.recommend_data import RecommendSection

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class RfmClassRow(BaseModel):
    """One RFM class (e.g. 重要价值客户) with its member and revenue shares."""

    model_config = _FROZEN

    code: str
    label_zh: str
    label_en: str
    members: int
    member_share: float
    revenue: float
    revenue_share: float


class ParetoPoint(BaseModel):
    """One point of the cumulative curve, members sorted by revenue descending, 0..1."""

    model_config = _FROZEN

    member_share: float
    revenue_share: float


class MonthRow(BaseModel):
    """Sales, orders and active (buying) members in one calendar month."""

    model_config = _FROZEN

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")  # 'YYYY-MM'
    sales: float
    orders: int
    active_members: int


class CleaningRow(BaseModel):
    """What one load did to one source file: counts and reject reasons."""

    model_config = _FROZEN

    run_id: int
    table: str
    file: str
    rows_in: int
    loaded: int
    rejected: int
    duplicates: int
    flagged: int
    cleared: int
    reasons: dict[str, int]  # reason code -> count


class Totals(BaseModel):
    """Headline numbers for the KPI cards."""

    model_config = _FROZEN

    members: int
    buyers: int
    orders: int
    revenue: float
    first_order: str
    last_order: str
    as_of: str


class StateLabel(BaseModel):
    """One value of a tag (e.g. 活跃) as the report names it in each language."""

    model_config = _FROZEN

    key: str  # the stored value; '' for an empty one (e.g. no RFM class yet)
    label_zh: str
    label_en: str


class SnapshotCounts(BaseModel):
    """Members per state on one snapshot date, in the section's `states` order."""

    model_config = _FROZEN

    as_of: str  # 'YYYY-MM-DD'
    counts: list[int]


class MigrationMatrix(BaseModel):
    """Members by state on `date_from` (rows) and `date_to` (columns).

    Only members present on both dates are in `counts`; those first seen on `date_to`
    are in `new`, by their state then.
    """

    model_config = _FROZEN

    tag: str
    date_from: str
    date_to: str
    states: list[StateLabel]
    counts: list[list[int]]
    new: list[int]


class ActivitySection(BaseModel):
    """活跃 / 沉默 / 流失 per snapshot, and the latest month's moves between them."""

    model_config = _FROZEN

    states: list[StateLabel]
    snapshots: list[SnapshotCounts]
    migration: MigrationMatrix | None = None


class CohortRow(BaseModel):
    """One registration month: its size and buyers in month 0, 1, … after registering."""

    model_config = _FROZEN

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    members: int
    buyers: list[int]
    shares: list[float]


class CohortSection(BaseModel):
    """Retention of the latest cohorts, observed through `through` ('YYYY-MM')."""

    model_config = _FROZEN

    through: str
    cohorts: list[CohortRow]
    mean_shares: list[float | None]  # pooled over the cohorts observed that long


class FunnelRow(BaseModel):
    """Members who viewed, then carted, then ordered in one channel ('' = all)."""

    model_config = _FROZEN

    channel: str
    label_zh: str
    label_en: str
    viewed: int
    carted: int
    ordered: int


class FunnelSection(BaseModel):
    """The funnel of views on days ``start <= day < end``, window `days` from the view."""

    model_config = _FROZEN

    start: str
    end: str
    days: int
    channels: list[FunnelRow]
    total: FunnelRow


class TrendRow(BaseModel):
    """One month of purchases: net sales, orders, buyers and how many bought first."""

    model_config = _FROZEN

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    sales: float
    orders: int
    buyers: int
    new_buyers: int


class ReportData(BaseModel):
    """Everything the member report shows; filled by the analytics, read by the renderer."""

    model_config = _FROZEN

    title: str
    generated_at: str
    warehouse: str
    totals: Totals
    rfm: list[RfmClassRow]
    pareto: list[ParetoPoint]
    pareto_headline: tuple[float, float]  # (member share, revenue share), e.g. (0.2, 0.74)
    monthly: list[MonthRow]
    cleaning: list[CleaningRow]
    # The analyses: optional, so a warehouse without tag snapshots, members or events
    # still gets a report (the sections then say there is no data).
    trend: list[TrendRow] = Field(default_factory=list)
    activity: ActivitySection | None = None
    rfm_migration: MigrationMatrix | None = None
    cohorts: CohortSection | None = None
    funnel: FunnelSection | None = None
    clusters: ClusterSection | None = None  # the latest cluster run, if any
    models: ModelSection | None = None  # registered models and CLV scores, if any
    recommend: RecommendSection | None = None  # newest recommender evaluations, if any


class ReportError(MemberlensError):
    """The member report cannot be built, written or opened in a browser.

    Lives beside the contract so the renderer and the browser helper share one leaf
    module; the message says what failed and what to do.
    """

    http_status = 500
