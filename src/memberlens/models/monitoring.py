"""Drift between training and now: PSI of features and scores, and the newest holdout AUC.

A baseline (decile edges of each feature and of the score on the training cut-off, and
the shares in each bin) is saved with the model; `psi` bins today's values at the same
edges and compares with `tags.quality.population_stability_index`. Missing values are
a bin of their own, so a feature that stops being filled also shows as drift.

A model is flagged for retraining when any feature or the score moves by PSI > 0.25
(`tags.quality.PSI_SHARP`, the usual cut-off) or the AUC on the newest complete label
window falls more than `AUC_DROP` below the AUC measured at training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine.base import Engine
from ..tags.catalog import Catalog
from ..tags.quality import PSI_SHARP, population_stability_index
from .labels import population

if TYPE_CHECKING:
    from .registry import RegisteredModel

AUC_DROP = 0.05
BINS = 10


def _edges(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return []
    qs = np.unique(np.quantile(finite, np.linspace(0, 1, BINS + 1)[1:-1]))
    return [float(q) for q in qs]


def _shares(values: np.ndarray, edges: list[float]) -> list[float]:
    """Shares per bin: (−∞, e1], …, (ek, ∞), then missing."""
    finite = np.isfinite(values)
    bins = np.searchsorted(np.asarray(edges), values[finite], side="left")
    counts = np.bincount(bins, minlength=len(edges) + 1).astype(float).tolist()
    counts.append(float((~finite).sum()))
    total = sum(counts)
    return [c / total for c in counts] if total else counts


def baseline(matrix: pd.DataFrame, scores: np.ndarray) -> dict[str, Any]:
    """Edges and shares of each feature column and of the score, to store with a model."""
    cols = {}
    for c in matrix.columns:
        v = matrix[c].to_numpy(np.float64)
        e = _edges(v)
        cols[c] = {"edges": e, "shares": _shares(v, e)}
    e = _edges(scores)
    return {"features": cols, "score": {"edges": e, "shares": _shares(scores, e)}}


def _psi(ref: dict[str, Any], values: np.ndarray) -> float:
    return population_stability_index(ref["shares"], _shares(values, ref["edges"]))


@dataclass
class DriftReport:
    """PSI per feature and of the score, the newest holdout AUC, and whether to retrain."""

    feature_psi: dict[str, float]
    score_psi: float | None
    trained_auc: float | None
    current_auc: float | None = None
    current_cutoff: str | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def retrain(self) -> bool:
        return bool(self.reasons)

    def top_features(self, n: int = 5) -> list[tuple[str, float]]:
        return sorted(self.feature_psi.items(), key=lambda kv: -kv[1])[:n]


def drift(reference: dict[str, Any], matrix: pd.DataFrame, scores: np.ndarray | None,
          trained_auc: float | None = None, current_auc: float | None = None,
          current_cutoff: str | None = None, auc_drop: float = AUC_DROP) -> DriftReport:
    """Compare today's features (and scores) with the training baseline."""
    feature_psi = {c: round(_psi(ref, matrix[c].to_numpy(np.float64)), 4)
                   for c, ref in reference["features"].items() if c in matrix.columns}
    score_psi = (round(_psi(reference["score"], scores), 4) if scores is not None
                 else None)
    reasons = [f"PSI {c} = {v:.2f} > {PSI_SHARP}" for c, v in feature_psi.items()
               if v > PSI_SHARP]
    if score_psi is not None and score_psi > PSI_SHARP:
        reasons.insert(0, f"PSI score = {score_psi:.2f} > {PSI_SHARP}")
    if trained_auc is not None and current_auc is not None \
            and trained_auc - current_auc > auc_drop:
        reasons.insert(0, f"AUC {trained_auc:.3f} → {current_auc:.3f} "
                          f"(drop > {auc_drop})")
    return DriftReport(feature_psi=feature_psi, score_psi=score_psi, trained_auc=trained_auc,
                       current_auc=current_auc, current_cutoff=current_cutoff,
                       reasons=reasons)


def monitor(engine: Engine, model: RegisteredModel, *, as_of: date | None = None,
            catalog: Catalog | None = None, auc_drop: float = AUC_DROP) -> DriftReport:
    """Drift of `model` from its training cut-off to `as_of` (default: the profile date).

    The current AUC is measured on the newest cut-off whose label window is complete
    (the newest data − horizon), with the model as saved.
    """
    from .evaluation import evaluate
    from .features import tag_frame
    from .labels import data_end, training_set
    from .scoring import scoring_date

    spec = model.spec
    as_of = as_of or scoring_date(engine)
    frame = population(engine, spec, as_of, tag_frame(engine, as_of, catalog))
    matrix = model.encoder.transform(frame, as_of)
    scores = model.classifier.predict_proba(matrix)[:, 1]
    newest = data_end(engine) - timedelta(days=spec.horizon_days)
    current_auc = None
    if newest >= date.fromisoformat(model.meta["training_window"]["train_cutoff"]):
        hold = training_set(engine, spec, newest, catalog)
        if hold.y.nunique() == 2:
            p = model.classifier.predict_proba(model.encoder.transform(hold.frame, newest))
            current_auc = evaluate(hold.y, p[:, 1]).roc_auc
    return drift(model.meta["baseline"], matrix, scores,
                 trained_auc=model.meta["metrics"]["roc_auc"], current_auc=current_auc,
                 current_cutoff=newest.isoformat(), auc_drop=auc_drop)
