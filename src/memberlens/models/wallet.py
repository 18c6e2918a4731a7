"""Wallet estimate: the largest yearly spend a member is likely to reach.

Method: quantile regression — LightGBM with ``objective='quantile'``, ``alpha=0.9`` —
of the net spend in the 365 days after a cut-off on the point-in-time features as of
the cut-off (`features.tag_frame`). The 0.9 quantile reads as "in nine years of ten
this member spends at most this much": a ceiling to size offers and credit against,
not an expectation (that is `clv_12m`).

Evaluation (`evaluate_wallet`): trained on T1 = T2 − 365 with labels in [T1, T2),
judged at T2 = newest data − 365 on the year after T2 by the pinball (quantile) loss
and the coverage (share of members whose actual spend is at or below the estimate;
0.9 is right). Naive baselines: one constant (the training year's 0.9 quantile) for
everyone, and "the member spends what they spent last year".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Self, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from ..engine.base import Engine
from ..tags.catalog import Catalog, load_catalog
from ..tags.sources import PURCHASE_STATUSES
from .features import FeatureEncoder, ModelError, tag_frame
from .labels import data_end

MODEL = "wallet"
ALPHA = 0.9
YEAR = 365
PARAMS: dict[str, Any] = {"objective": "quantile", "learning_rate": 0.05, "num_leaves": 15,
                          "min_data_in_leaf": 40, "lambda_l2": 1.0, "verbose": -1}
ROUNDS = 200


def net_spend(engine: Engine, start: date, end: date) -> pd.Series:
    """Paid minus refunded per member in ``[start, end)`` (members who bought only)."""
    frame = cast(pd.DataFrame, engine.frame(
        f"SELECT member_id, sum(paid_amount - coalesce(refund_amount, 0)) AS s FROM orders "
        f"WHERE ordered_at >= TIMESTAMP '{start.isoformat()} 00:00:00' AND ordered_at < "
        f"TIMESTAMP '{end.isoformat()} 00:00:00' AND ({PURCHASE_STATUSES}) GROUP BY 1"))
    return pd.Series(frame["s"].astype(float).to_numpy(),
                     index=frame["member_id"].astype(str))


def pinball(actual: np.ndarray, predicted: np.ndarray, alpha: float = ALPHA) -> float:
    """Mean quantile loss: under-estimates cost `alpha`, over-estimates 1 − `alpha`.

    >>> pinball(np.array([10.0]), np.array([0.0]), 0.9)
    9.0
    """
    diff = np.asarray(actual, np.float64) - np.asarray(predicted, np.float64)
    return float(np.mean(np.maximum(alpha * diff, (alpha - 1.0) * diff)))


class WalletModel:
    """The `alpha` quantile of next-year spend from the feature matrix (LightGBM)."""

    booster_: Any
    feature_names_: list[str]

    def __init__(self, alpha: float = ALPHA, random_state: int = 0) -> None:
        self.alpha = alpha
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: pd.Series) -> Self:
        import lightgbm as lgb

        self.feature_names_ = list(X.columns)
        params = dict(PARAMS, alpha=self.alpha, seed=self.random_state)
        data = lgb.Dataset(X.to_numpy(np.float64), y.to_numpy(np.float64),
                           feature_name=self.feature_names_)
        self.booster_ = lgb.train(params, data, num_boost_round=ROUNDS)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "booster_"):
            raise ModelError("钱包模型尚未训练 the wallet model is not trained")
        p = np.asarray(self.booster_.predict(X[self.feature_names_].to_numpy(np.float64)))
        return np.asarray(np.maximum(p, 0.0), dtype=np.float64)


def _year_set(engine: Engine, cutoff: date, catalog: Catalog
              ) -> tuple[pd.DataFrame, pd.Series]:
    """Features as of `cutoff` and net spend in the year after it (0 without purchases)."""
    frame = tag_frame(engine, cutoff, catalog)
    spend = net_spend(engine, cutoff, cutoff + timedelta(days=YEAR))
    return frame, spend.reindex(frame.index).fillna(0.0)


def fit_wallet(engine: Engine, label_end: date, catalog: Catalog | None = None
               ) -> tuple[WalletModel, FeatureEncoder]:
    """Fit on features as of `label_end` − 365 and the spend of the year to `label_end`."""
    catalog = catalog or load_catalog()
    cutoff = label_end - timedelta(days=YEAR)
    frame, y = _year_set(engine, cutoff, catalog)
    encoder = FeatureEncoder().fit(frame, catalog)
    return WalletModel().fit(encoder.transform(frame, cutoff), y), encoder


@dataclass
class WalletCheck:
    """The 0.9-quantile estimate against the holdout year, with naive baselines."""

    cutoff: date
    members: int
    pinball: float
    coverage: float
    pinball_constant: float
    coverage_constant: float
    pinball_last_year: float
    coverage_last_year: float
    buyers_coverage: float       # coverage among members who bought in the holdout year

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_wallet(engine: Engine, catalog: Catalog | None = None) -> WalletCheck:
    """Train on the year before T2, judge on the year after T2 = newest data − 365."""
    catalog = catalog or load_catalog()
    t2 = data_end(engine) - timedelta(days=YEAR)
    model, encoder = fit_wallet(engine, t2, catalog)
    train_spend = net_spend(engine, t2 - timedelta(days=YEAR), t2)
    frame, actual = _year_set(engine, t2, catalog)
    predicted = model.predict(encoder.transform(frame, t2))
    train_y = train_spend.reindex(tag_frame(engine, t2 - timedelta(days=YEAR), catalog).index)
    constant = float(np.quantile(train_y.fillna(0.0), ALPHA))
    last_year = train_spend.reindex(frame.index).fillna(0.0).to_numpy()
    a = actual.to_numpy()
    buyers = a > 0
    return WalletCheck(
        cutoff=t2, members=len(a), pinball=pinball(a, predicted),
        coverage=float(np.mean(a <= predicted)),
        pinball_constant=pinball(a, np.full_like(a, constant)),
        coverage_constant=float(np.mean(a <= constant)),
        pinball_last_year=pinball(a, last_year),
        coverage_last_year=float(np.mean(a <= last_year)),
        buyers_coverage=float(np.mean(a[buyers] <= predicted[buyers])) if buyers.any()
        else float("nan"))


def wallet_scores(engine: Engine, as_of: date, catalog: Catalog | None = None
                  ) -> tuple[pa.Table, str]:
    """(member_id, estimate) for every member as of `as_of`, fitted on the year before."""
    catalog = catalog or load_catalog()
    model, encoder = fit_wallet(engine, as_of, catalog)
    frame = tag_frame(engine, as_of, catalog)
    estimate = model.predict(encoder.transform(frame, as_of))
    return (pa.table({"member_id": frame.index.to_numpy(dtype=str),
                      "estimate": np.round(estimate, 2)}),
            f"lightgbm quantile {ALPHA} {as_of.isoformat()}")
