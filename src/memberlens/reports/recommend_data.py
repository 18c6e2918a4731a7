"""The report contract of the recommendation-quality section: the newest evaluation runs.

Filled from ``recommend_evaluations`` by
:func:`memberlens.recommend.evaluation_store.recommend_section`; ``ReportData.recommend``
is ``None`` until ``memberlens recommend evaluate`` has run once, and the page leaves
the section out. Metrics are fractions in ``0..1`` (means over the members evaluated).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class RecommenderRow(BaseModel):
    """One recommender's figures in one run."""

    model_config = _FROZEN

    recommender: str       # popularity, itemcf, als, bpr, content, …
    precision: float | None
    recall: float | None
    ndcg: float | None
    mrr: float | None
    hit_rate: float | None
    coverage: float | None
    fit_seconds: float | None
    recommend_seconds: float | None
    n_members: int


class EvaluationRun(BaseModel):
    """All recommenders on one split of one dataset."""

    model_config = _FROZEN

    run_id: int | None
    evaluated_at: str      # 'YYYY-MM-DD HH:MM'
    dataset: str           # warehouse | movielens
    split: str             # time | random | chrono | leave_last_out
    k: int
    cutoff: str | None = None       # time split: first day of the test period
    test_days: int | None = None
    test_share: float | None = None  # random / chrono splits
    rows: list[RecommenderRow]


class RecommendSection(BaseModel):
    model_config = _FROZEN

    runs: list[EvaluationRun]
