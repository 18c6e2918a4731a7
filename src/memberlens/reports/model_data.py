"""The report contract of the predictive-models section: registered models and CLV scores.

Filled by :mod:`memberlens.models.report_section`; ``ReportData.models`` is ``None``
when no model is registered and no CLV scores exist, and the page leaves the section
out. Shares and probabilities are fractions in ``0..1``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class DecileRow(BaseModel):
    """One score decile of the holdout (1 = the highest scores)."""

    model_config = _FROZEN

    decile: int
    members: int
    rate: float
    lift: float
    cumulative_gain: float


class CalibrationPoint(BaseModel):
    model_config = _FROZEN

    predicted: float
    observed: float


class ImportanceRow(BaseModel):
    """A feature's share of the model's total importance (gain for LightGBM)."""

    model_config = _FROZEN

    feature: str
    label_zh: str
    label_en: str
    share: float


class TierRow(BaseModel):
    """Members of one churn risk tier in the latest scoring, with the suggested action."""

    model_config = _FROZEN

    tier: str
    label_zh: str
    label_en: str
    members: int
    mean_probability: float
    action_zh: str
    action_en: str


class ModelSummary(BaseModel):
    """The newest registered model of one target: holdout metrics and what drives it."""

    model_config = _FROZEN

    model_id: str
    model: str            # churn | purchase_30d | engagement_30d …
    target: str
    algorithm: str
    train_cutoff: str
    holdout_cutoff: str
    horizon_days: int
    members: int          # holdout members
    positive_rate: float
    roc_auc: float
    pr_auc: float
    top_decile_lift: float
    deciles: list[DecileRow]
    calibration: list[CalibrationPoint]
    importance: list[ImportanceRow]
    tiers: list[TierRow]  # churn only, from the latest scores; empty when not scored
    scored_as_of: str | None = None


class Histogram(BaseModel):
    """Counts in equal-width bins; `edges` has one more entry than `counts`."""

    model_config = _FROZEN

    edges: list[float]
    counts: list[int]


class ClvSummary(BaseModel):
    """The latest CLV scores: distribution of clv_12m and p_alive."""

    model_config = _FROZEN

    as_of: str
    members: int
    clv_total: float
    clv_mean: float
    clv_median: float
    p_alive_mean: float
    clv_12m: Histogram
    p_alive: Histogram


class ModelSection(BaseModel):
    model_config = _FROZEN

    models: list[ModelSummary]
    clv: ClvSummary | None = None
