"""Train on one cut-off, judge on a later one: the time-split holdout.

The model learns from features as of T1 and labels in ``[T1, T1 + H)``; it is judged
on features as of T2 and labels in ``[T2, T2 + H)``, a window it never saw. By default
T2 is the newest cut-off whose label window is complete (the newest data − H) and
T1 = T2 − H, so the training labels end where the holdout begins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from ..engine.base import Engine
from ..tags.catalog import Catalog, load_catalog
from .classifiers import MemberClassifier
from .evaluation import Evaluation, evaluate
from .features import FeatureEncoder, ModelError
from .labels import LabelSpec, data_end, training_set
from .monitoring import baseline

TIER_SHARES = (0.2, 0.5)
"""Default risk tiers: the top 20 % of holdout scores are high, the next 30 % medium."""


@dataclass
class TrainedModel:
    """A fitted classifier with everything needed to score, explain and monitor it."""

    spec: LabelSpec
    algorithm: str
    encoder: FeatureEncoder
    classifier: MemberClassifier
    train_cutoff: date
    holdout_cutoff: date
    train_members: int
    train_positive_rate: float
    holdout: Evaluation
    tier_thresholds: tuple[float, float]   # probability ≥ first: high; ≥ second: medium
    baseline: dict[str, Any]
    seconds: float
    random_state: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        return list(self.encoder.columns_)

    def config(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "random_state": self.random_state,
                **self.spec.to_json(), "tier_thresholds": list(self.tier_thresholds)}


def default_cutoffs(engine: Engine, spec: LabelSpec) -> tuple[date, date]:
    """(T1, T2): the newest complete label window for the holdout, the one before to train."""
    t2 = data_end(engine) - timedelta(days=spec.horizon_days)
    return t2 - timedelta(days=spec.horizon_days), t2


def tier_thresholds(scores: np.ndarray, shares: tuple[float, float] = TIER_SHARES
                    ) -> tuple[float, float]:
    """Probability cut points so the top `shares[0]` are high and up to `shares[1]` medium."""
    high = float(np.quantile(scores, 1 - shares[0]))
    medium = float(np.quantile(scores, 1 - shares[1]))
    return high, min(medium, high)


def train(engine: Engine, spec: LabelSpec, *, algorithm: str = "lightgbm",
          train_cutoff: date | None = None, holdout_cutoff: date | None = None,
          catalog: Catalog | None = None, random_state: int = 0,
          tier_shares: tuple[float, float] = TIER_SHARES) -> TrainedModel:
    """Fit on `train_cutoff`, evaluate on `holdout_cutoff` (defaults: `default_cutoffs`)."""
    started = time.perf_counter()
    catalog = catalog or load_catalog()
    d1, d2 = default_cutoffs(engine, spec)
    t1, t2 = train_cutoff or d1, holdout_cutoff or d2
    if t1 + timedelta(days=spec.horizon_days) > t2:
        raise ModelError(f"留出截止日过早 the holdout cut-off {t2} must be at least "
                         f"{spec.horizon_days} days after the training cut-off {t1}, so the "
                         "training labels end before the holdout begins")
    train_set = training_set(engine, spec, t1, catalog)
    encoder = FeatureEncoder().fit(train_set.frame, catalog)
    x_train = encoder.transform(train_set.frame, t1)
    clf = MemberClassifier(algorithm, random_state=random_state).fit(x_train, train_set.y)
    hold = training_set(engine, spec, t2, catalog)
    x_hold = encoder.transform(hold.frame, t2)
    hold_scores = clf.predict_proba(x_hold)[:, 1]
    result = evaluate(hold.y, hold_scores)
    train_scores = clf.predict_proba(x_train)[:, 1]
    return TrainedModel(
        spec=spec, algorithm=algorithm, encoder=encoder, classifier=clf, train_cutoff=t1,
        holdout_cutoff=t2, train_members=len(train_set.y),
        train_positive_rate=train_set.positive_rate, holdout=result,
        tier_thresholds=tier_thresholds(hold_scores, tier_shares),
        baseline=baseline(x_train, train_scores), random_state=random_state,
        seconds=round(time.perf_counter() - started, 2),
        extra={"train_scores_mean": float(train_scores.mean())})
