"""Days to the next purchase while the member keeps buying, and how good that is.

Method (`active_wait_days`): BG/NBD's gamma prior on the purchase rate λ ~ Γ(r, α),
updated with the member's x repeat purchases over their active span t_x (first to last
purchase day), gives λ ~ Γ(r + x, α + t_x); the wait to the next purchase is then
exponential given λ, and the score is the median of that mixture,
(α + t_x)(2^{1/(r+x)} − 1). *Whether* the member buys again is `p_alive`'s job; this
says *when*, if they do. One-time buyers get the population's prior median.

The first version, 365 ÷ E[X(365)] (BG/NBD expected purchases), mixed the two: its
exposure counts the silent time since the last purchase and the chance the member is
gone, so for members who did come back it said ~2× too long (holdout MAE 95 days
against 51 for the naive gap on the 3,000-member test data; docs/decisions/0015).

The check fits BG/NBD on purchases before T = newest data − `horizon_days` and, for
each buyer, compares the prediction with the days from T to their first purchase on
or after T.

Censoring: a member with no purchase in ``[T, T + horizon)`` has an unknown wait longer
than the horizon. They are left out of the error (and counted, ``censored``); the
errors are over members who bought again. Because the observed waits are at most
`horizon_days`, predictions (of the model and the baseline) are capped there too.

Naive baseline: the member's own mean gap between purchase days (recency ÷ repeat
purchases); one-time buyers get the population's median gap.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, cast

import numpy as np
import pandas as pd

from ..analytics.clv_summary import clv_summary
from ..engine.base import Engine
from ..tags.sources import PURCHASE_STATUSES
from .clv import BGNBDModel
from .features import ModelError
from .labels import data_end


@dataclass
class NextPurchaseCheck:
    """MAE of predicted days to the next purchase, model against the naive mean gap."""

    cutoff: date
    horizon_days: int
    buyers: int          # members with a purchase before T
    observed: int        # of them, bought again in the horizon (errors are over these)
    censored: int        # no purchase in the horizon: wait > horizon_days, not scored
    mae: float
    mae_naive: float
    mae_expected_rate: float   # the first method, 365 / E[X(365)], for the record
    median_ae: float
    median_ae_naive: float
    spearman: float      # rank correlation of prediction and actual wait (observed only)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def first_purchase_after(engine: Engine, start: date, end: date) -> pd.Series:
    """Days from `start` to each member's first purchase in ``[start, end)``."""
    frame = cast(pd.DataFrame, engine.frame(
        f"SELECT member_id, min(ordered_at) AS first FROM orders WHERE ordered_at >= "
        f"TIMESTAMP '{start.isoformat()} 00:00:00' AND ordered_at < "
        f"TIMESTAMP '{end.isoformat()} 00:00:00' AND ({PURCHASE_STATUSES}) GROUP BY 1"))
    days = (pd.to_datetime(frame["first"]) - pd.Timestamp(start)).dt.total_seconds() / 86400
    return pd.Series(days.to_numpy(), index=frame["member_id"].astype(str))


def active_wait_days(r: float, alpha: float, x: np.ndarray, t_x: np.ndarray) -> np.ndarray:
    """Median days to the next purchase given the member is still buying (see above).

    >>> active_wait_days(1.0, 10.0, np.array([0.0]), np.array([0.0])).round(2).tolist()
    [10.0]
    """
    x, t_x = np.asarray(x, np.float64), np.asarray(t_x, np.float64)
    return (alpha + t_x) * (np.power(2.0, 1.0 / (r + x)) - 1.0)


def evaluate_next_purchase(engine: Engine, *, horizon_days: int = 365,
                           penalizer: float = 0.001) -> NextPurchaseCheck:
    """Fit BG/NBD before T, compare `active_wait_days` with the observed wait after T."""
    from scipy.stats import spearmanr

    cutoff = data_end(engine) - timedelta(days=horizon_days)
    summary = cast(pd.DataFrame, clv_summary(engine, cutoff))
    if len(summary) == 0:
        raise ModelError(f"截至 {cutoff} 没有购买记录 no purchases before {cutoff}")
    x = summary["frequency"].to_numpy(np.float64)
    t_x = summary["recency"].to_numpy(np.float64)
    age = np.maximum(summary["T"].to_numpy(np.float64), 1.0)
    model = BGNBDModel(penalizer=penalizer).fit(x, t_x, age)
    predicted = active_wait_days(model.params_["r"], model.params_["alpha"], x, t_x)
    expected = model.expected_purchases(365.0, x, t_x, age)
    by_rate = 365.0 / np.maximum(expected, 1e-9)
    gaps = np.where(x > 0, t_x / np.maximum(x, 1.0), np.nan)
    naive = np.where(np.isnan(gaps), np.nanmedian(gaps) if (x > 0).any() else 365.0, gaps)
    wait = first_purchase_after(engine, cutoff, cutoff + timedelta(days=horizon_days))
    actual = wait.reindex(summary["member_id"].astype(str)).to_numpy(np.float64)
    seen = ~np.isnan(actual)
    if seen.sum() < 10:
        raise ModelError(f"复购人数过少 only {int(seen.sum())} members bought again after "
                         f"{cutoff}; too few to evaluate")
    cap = float(horizon_days)
    err = np.abs(np.minimum(predicted, cap) - actual)[seen]
    err_naive = np.abs(np.minimum(naive, cap) - actual)[seen]
    err_rate = np.abs(np.minimum(by_rate, cap) - actual)[seen]
    return NextPurchaseCheck(
        cutoff=cutoff, horizon_days=horizon_days, buyers=len(summary),
        observed=int(seen.sum()), censored=int((~seen).sum()),
        mae=float(err.mean()), mae_naive=float(err_naive.mean()),
        mae_expected_rate=float(err_rate.mean()),
        median_ae=float(np.median(err)), median_ae_naive=float(np.median(err_naive)),
        spearman=float(spearmanr(np.minimum(predicted, cap)[seen], actual[seen]).statistic))
