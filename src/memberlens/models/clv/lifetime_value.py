"""Customer lifetime value from a purchase model and an expected spend per purchase.

CLV over H months = Σ_{i=1..H} spend × (E[purchases by month i] − E[purchases by month
i−1]) / (1 + d)^i — the discounted-cash-flow sum of Fader, Hardie and Lee's "RFM and
CLV" (2005) taken month by month, as `lifetimes.utils._customer_lifetime_value` does,
so the numbers compare with it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from .estimation import ClvModelError, FloatArray, as_column, check_history, distinct_rows


class PurchaseForecaster(Protocol):
    """What CLV needs of a purchase model (BG/NBD and Pareto/NBD both have it)."""

    def expected_purchases(self, t: ArrayLike | float, frequency: ArrayLike,
                           recency: ArrayLike, T: ArrayLike) -> FloatArray:
        ...


def lifetime_value(purchase_model: PurchaseForecaster, frequency: ArrayLike,
                   recency: ArrayLike, T: ArrayLike, spend: ArrayLike, *,
                   horizon_months: int = 12, discount_rate: float = 0.01,
                   periods_per_month: float = 30.0) -> FloatArray:
    """Discounted expected spend of each member over the next `horizon_months` months.

    Parameters
    ----------
    purchase_model : a fitted BGNBDModel or ParetoNBDModel.
    frequency, recency, T : the calibration histories, in the model's time unit.
    spend : expected value per purchase (e.g. `GammaGammaModel.expected_spend`).
    horizon_months : whole months ahead.
    discount_rate : per month (0.01 a month ≈ 12.7 % a year).
    periods_per_month : the model's time units in a month (30 for days, 4.345 for weeks).
    """
    x, t_x, age = check_history(frequency, recency, T)
    value_per_purchase = as_column(spend, "spend")
    if horizon_months < 1 or discount_rate <= -1 or periods_per_month <= 0:
        raise ClvModelError(f"CLV 参数无效 invalid CLV settings: horizon_months={horizon_months} "
                            f"(≥ 1), discount_rate={discount_rate} (> −1), "
                            f"periods_per_month={periods_per_month} (> 0)")
    if len(value_per_purchase) != len(x):
        raise ClvModelError(f"spend 长度不同 spend has {len(value_per_purchase)} values for "
                            f"{len(x)} members")
    # the discounted purchase count depends on the history only: once per distinct one
    rows = distinct_rows(x, t_x, age)
    dx, dt_x, dage = rows.columns
    discounted = np.zeros(len(dx))
    before = np.zeros(len(dx))
    for month in range(1, horizon_months + 1):
        by_now = purchase_model.expected_purchases(month * periods_per_month, dx, dt_x, dage)
        discounted += (by_now - before) / (1.0 + discount_rate) ** month
        before = by_now
    out: FloatArray = value_per_purchase * discounted[rows.row_index]
    return out
