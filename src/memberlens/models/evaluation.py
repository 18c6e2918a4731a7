"""How a response or churn model is judged: AUC, PR AUC, calibration, lift and gains.

Lift and gains are by decile of the score (decile 1 = the highest scores), as a
marketer reads them: "contacting the top 10 % reaches 3× the rate of a random 10 %, and
35 % of all churners".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .features import ModelError


@dataclass
class Evaluation:
    """Metrics of scores against labels of one window."""

    members: int
    positives: int
    positive_rate: float
    roc_auc: float
    pr_auc: float
    brier: float
    top_decile_lift: float
    deciles: list[dict[str, float]] = field(default_factory=list)
    calibration: list[dict[str, float]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def decile_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.deciles).set_index("decile")


def lift_table(y: np.ndarray, score: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per score decile (1 = top): members, positives, rate, lift, cumulative gains, lift."""
    order = np.argsort(-score, kind="stable")
    y_sorted = np.asarray(y, dtype=np.float64)[order]
    groups = np.array_split(np.arange(len(y_sorted)), bins)
    base = y_sorted.mean() if len(y_sorted) else 0.0
    total_pos = y_sorted.sum()
    rows, cum_n, cum_pos = [], 0, 0.0
    for i, idx in enumerate(groups, start=1):
        n, pos = len(idx), float(y_sorted[idx].sum())
        cum_n, cum_pos = cum_n + n, cum_pos + pos
        rate = pos / n if n else 0.0
        rows.append({"decile": i, "members": n, "positives": pos, "rate": rate,
                     "min_score": float(score[order][idx].min()) if n else float("nan"),
                     "lift": rate / base if base else float("nan"),
                     "cumulative_gain": cum_pos / total_pos if total_pos else float("nan"),
                     "cumulative_lift": (cum_pos / cum_n) / base if base and cum_n
                     else float("nan")})
    return pd.DataFrame(rows).set_index("decile")


def evaluate(y: np.ndarray | pd.Series, score: np.ndarray) -> Evaluation:
    """All metrics of `score` (probability of the positive class) against 0/1 `y`."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    labels = np.asarray(y, dtype=np.int64)
    score = np.asarray(score, dtype=np.float64)
    if len(np.unique(labels)) < 2:
        raise ModelError("评估窗口只有一类标签 the evaluation window has one class only; "
                         "AUC is undefined there")
    table = lift_table(labels, score)
    frac_pos, mean_pred = calibration_curve(labels, score, n_bins=10, strategy="quantile")
    return Evaluation(
        members=len(labels), positives=int(labels.sum()), positive_rate=float(labels.mean()),
        roc_auc=float(roc_auc_score(labels, score)),
        pr_auc=float(average_precision_score(labels, score)),
        brier=float(brier_score_loss(labels, score)),
        top_decile_lift=float(table["lift"].iloc[0]),
        deciles=[{"decile": float(i), **{str(k): float(v) for k, v in row.items()}}
                 for i, row in zip(table.index, table.to_dict("records"), strict=True)],
        calibration=[{"predicted": float(p), "observed": float(o)}
                     for p, o in zip(mean_pred, frac_pos, strict=True)])
