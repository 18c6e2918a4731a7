"""Price sensitivity: how much of a member's buying waits for a discount.

Method (model-free, empirical Bayes): a member's discounted purchases k of n purchases
in the `lookback_days` before the cut-off (an order is discounted when it has a
discount amount or a coupon, as the `on_discount` source column says) are
beta-binomial: each member has a share θ ~ Beta(a, b) of the population. (a, b) are
fitted by maximum likelihood over all buyers, and the score is the posterior mean
(k + a) / (n + a + b): a member with two orders, both discounted, is pulled towards the
population; one with forty keeps their own share. Members without purchases in the
lookback get no score (no evidence about them).

Evaluation (`evaluate_price_sensitivity`): scores as of T against the realised
discount share in the year after T, for members with at least `min_orders` purchases
then — rank correlation (Spearman) and mean squared error, next to the raw share k/n
and the population mean as naive baselines.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Self, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from ..engine.base import Engine
from ..tags.sources import PURCHASE_STATUSES
from .features import ModelError
from .labels import data_end

MODEL = "price_sensitivity"
LOOKBACK_DAYS = 730


def discount_counts(engine: Engine, start: date, end: date) -> pd.DataFrame:
    """Per member with a purchase in ``[start, end)``: ``n`` purchases, ``k`` discounted."""
    frame = engine.frame(f"""
        SELECT member_id, count(*) AS n,
               count(*) FILTER (WHERE coalesce(discount_amount, 0) > 0
                                OR coupon_code IS NOT NULL) AS k
        FROM orders WHERE ordered_at >= TIMESTAMP '{start.isoformat()} 00:00:00'
          AND ordered_at < TIMESTAMP '{end.isoformat()} 00:00:00' AND ({PURCHASE_STATUSES})
        GROUP BY 1""")
    frame = cast(pd.DataFrame, frame)
    frame["member_id"] = frame["member_id"].astype(str)
    return frame.set_index("member_id")[["n", "k"]].astype(float)


class PriceSensitivity:
    """Beta-binomial shrinkage of each member's discounted share of purchases."""

    prior_a_: float
    prior_b_: float

    def fit(self, k: np.ndarray, n: np.ndarray) -> Self:
        from scipy.optimize import minimize
        from scipy.special import betaln

        k, n = np.asarray(k, np.float64), np.asarray(n, np.float64)
        if len(n) == 0 or (n <= 0).any():
            raise ModelError("价格敏感度需要有购买的会员 price sensitivity needs members "
                             "with at least one purchase")

        def nll(log_ab: np.ndarray) -> float:
            a, b = np.exp(log_ab)
            return float(-(betaln(k + a, n - k + b) - betaln(a, b)).sum())

        mean = float(np.clip(k.sum() / n.sum(), 0.01, 0.99))
        start = np.log([mean * 2.0, (1.0 - mean) * 2.0])
        result = minimize(nll, start, method="L-BFGS-B", bounds=[(-6.0, 8.0)] * 2)
        self.prior_a_, self.prior_b_ = (float(v) for v in np.exp(result.x))
        return self

    @property
    def prior_mean(self) -> float:
        return self.prior_a_ / (self.prior_a_ + self.prior_b_)

    def score(self, k: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Posterior mean share of discounted purchases, 0..1."""
        if not hasattr(self, "prior_a_"):
            raise ModelError("价格敏感度模型尚未拟合 the price-sensitivity model is not fitted")
        k, n = np.asarray(k, np.float64), np.asarray(n, np.float64)
        return (k + self.prior_a_) / (n + self.prior_a_ + self.prior_b_)


@dataclass
class PriceSensitivityCheck:
    """Scores as of `cutoff` against the realised discount share of the year after."""

    cutoff: date
    members: int
    prior: dict[str, float]
    spearman: float
    spearman_raw: float
    mse: float
    mse_raw: float
    mse_population: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_price_sensitivity(engine: Engine, *, horizon_days: int = 365,
                               lookback_days: int = LOOKBACK_DAYS,
                               min_orders: int = 2) -> PriceSensitivityCheck:
    """Fit before T = newest data − `horizon_days`, compare with the share after T."""
    from scipy.stats import spearmanr

    cutoff = data_end(engine) - timedelta(days=horizon_days)
    before = discount_counts(engine, cutoff - timedelta(days=lookback_days), cutoff)
    after = discount_counts(engine, cutoff, cutoff + timedelta(days=horizon_days))
    model = PriceSensitivity().fit(before["k"].to_numpy(), before["n"].to_numpy())
    both = before.join(after.add_suffix("_after"), how="inner")
    both = both[both["n_after"] >= min_orders]
    if len(both) < 10:
        raise ModelError(f"评估人数过少 only {len(both)} members bought ≥ {min_orders} times "
                         f"both before and after {cutoff}; too few to evaluate")
    actual = (both["k_after"] / both["n_after"]).to_numpy()
    score = model.score(both["k"].to_numpy(), both["n"].to_numpy())
    raw = (both["k"] / both["n"]).to_numpy()
    return PriceSensitivityCheck(
        cutoff=cutoff, members=len(both),
        prior={"a": model.prior_a_, "b": model.prior_b_, "mean": model.prior_mean},
        spearman=float(spearmanr(score, actual).statistic),
        spearman_raw=float(spearmanr(raw, actual).statistic),
        mse=float(np.mean((score - actual) ** 2)), mse_raw=float(np.mean((raw - actual) ** 2)),
        mse_population=float(np.mean((model.prior_mean - actual) ** 2)))


def price_sensitivity_scores(engine: Engine, as_of: date,
                             lookback_days: int = LOOKBACK_DAYS) -> tuple[pa.Table, str]:
    """(member_id, score) for every buyer in the lookback, and a version string."""
    counts = discount_counts(engine, as_of - timedelta(days=lookback_days), as_of)
    if len(counts) == 0:
        raise ModelError(f"截至 {as_of} 没有购买记录 no purchases in the {lookback_days} days "
                         f"before {as_of}")
    model = PriceSensitivity().fit(counts["k"].to_numpy(), counts["n"].to_numpy())
    score = model.score(counts["k"].to_numpy(), counts["n"].to_numpy())
    version = (f"beta-binomial a={model.prior_a_:.3f} b={model.prior_b_:.3f} "
               f"{as_of.isoformat()}")
    return pa.table({"member_id": counts.index.to_numpy(dtype=str),
                     "score": np.round(score, 4)}), version
