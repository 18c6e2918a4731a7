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


class ReportError(MemberlensError):
    """The member report cannot be built, written or opened in a browser.

    Lives beside the contract so the renderer and the browser helper share one leaf
    module; the message says what failed and what to do.
    """

    http_status = 500
