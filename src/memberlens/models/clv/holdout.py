"""Calibration/holdout split of a transaction log, and the holdout check of a purchase model.

The check is the one Fader, Hardie and Lee report for CDNOW (BG/NBD paper, fig. 5 and
the total): fit on the calibration period, forecast each member's repeat purchases over
the holdout period, and compare with what they actually did — in total and grouped by
the number of repeat purchases in calibration (0, 1, …, 7+).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .estimation import ClvModelError, FloatArray
from .lifetime_value import PurchaseForecaster


class CohortForecaster(PurchaseForecaster, Protocol):
    """A purchase model that also forecasts a member who just made a first purchase."""

    def expected_purchases_new(self, t: ArrayLike | float) -> FloatArray:
        ...


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ClvModelError(f"{what} 缺少列 is missing column(s) {missing}; "
                            f"it has {list(frame.columns)}")


def calibration_and_holdout(transactions: pd.DataFrame, *, customer: str, when: str,
                            amount: str | None, calibration_end: date, observation_end: date,
                            days_per_period: float = 1.0) -> pd.DataFrame:
    """Per member who bought by `calibration_end`: the calibration summary and holdout counts.

    Purchases on the same day are one purchase (their amounts summed). The calibration
    period ends with the day `calibration_end`, the holdout with `observation_end`;
    times are in days divided by `days_per_period` (7 for weeks). Columns: frequency,
    recency, T, monetary_value (mean repeat-day value, 0 without repeats),
    frequency_holdout, monetary_holdout (mean holdout-day value, 0 without purchases),
    duration_holdout — the same definitions as `lifetimes.utils.calibration_and_holdout_data`
    and `memberlens.analytics.clv_summary`.
    """
    _require(transactions, [customer, when] + ([amount] if amount else []), "transactions")
    cal_end, obs_end = pd.Timestamp(calibration_end), pd.Timestamp(observation_end)
    if obs_end <= cal_end:
        raise ClvModelError(f"观察结束日须晚于校准结束日 observation_end {observation_end} must "
                            f"be after calibration_end {calibration_end}")
    day = pd.to_datetime(transactions[when]).dt.normalize()
    value = (transactions[amount].astype(float) if amount
             else pd.Series(0.0, index=transactions.index))
    daily = (pd.DataFrame({"customer": transactions[customer], "day": day, "value": value})
             .loc[lambda f: f["day"] <= obs_end]
             .groupby(["customer", "day"], as_index=False)["value"].sum())
    cal = daily[daily["day"] <= cal_end].sort_values(["customer", "day"])
    first = cal.groupby("customer")["day"].transform("min")
    cal = cal.assign(repeat=cal["day"] > first)
    g = cal.groupby("customer")
    summary = pd.DataFrame({
        "frequency": g["repeat"].sum().astype(float),
        "recency": (g["day"].max() - g["day"].min()).dt.days / days_per_period,
        "T": (cal_end - g["day"].min()).dt.days / days_per_period,
        "monetary_value": cal[cal["repeat"]].groupby("customer")["value"].mean(),
    })
    hold = daily[daily["day"] > cal_end].groupby("customer")["value"].agg(["size", "mean"])
    summary["monetary_value"] = summary["monetary_value"].fillna(0.0)
    summary["frequency_holdout"] = hold["size"].reindex(summary.index).fillna(0).astype(float)
    summary["monetary_holdout"] = hold["mean"].reindex(summary.index).fillna(0.0)
    summary["duration_holdout"] = (obs_end - cal_end).days / days_per_period
    summary.index.name = customer
    return summary


def holdout_table(model: PurchaseForecaster, summary: pd.DataFrame, *,
                  max_frequency: int = 7) -> pd.DataFrame:
    """Predicted against actual holdout purchases, by calibration frequency, with a total.

    One row per calibration frequency 0 … max_frequency−1, one for `max_frequency+`
    and a `total` row; columns: members, actual and predicted repeat purchases (sums),
    their means per member (the paper's conditional expectations), and the relative
    error of the prediction. `summary` is `calibration_and_holdout`'s output.
    """
    _require(summary, ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"],
             "summary")
    predicted = model.expected_purchases(summary["duration_holdout"].to_numpy(),
                                         summary["frequency"], summary["recency"], summary["T"])
    capped = np.minimum(summary["frequency"].to_numpy(), max_frequency).astype(int)
    labels = [str(i) for i in range(max_frequency)] + [f"{max_frequency}+"]
    buckets = pd.Categorical.from_codes(capped, categories=pd.Index(labels))
    frame = pd.DataFrame({"bucket": buckets,
                          "actual": summary["frequency_holdout"].to_numpy(),
                          "predicted": predicted})
    table = frame.groupby("bucket", observed=False).agg(
        members=("actual", "size"), actual=("actual", "sum"), predicted=("predicted", "sum"))
    table.loc["total"] = table.sum()
    table.index.name = "calibration_frequency"
    table["members"] = table["members"].astype(int)
    table["actual_mean"] = table["actual"] / table["members"]
    table["predicted_mean"] = table["predicted"] / table["members"]
    table["relative_error"] = table["predicted"] / table["actual"] - 1
    return table


def period_totals(model: CohortForecaster, summary: pd.DataFrame) -> pd.DataFrame:
    """Repeat purchases of the whole cohort per period, as the papers' tracking plots sum them.

    Unlike `holdout_table` this forecast does not look at each member's history: it is
    Σ E[X(T_i)] for the calibration period and Σ E[X(T_i + t*)] − E[X(T_i)] for the
    holdout (BG/NBD eq. 9, Pareto/NBD note 009 eq. 27), each member counted from their
    first purchase. Rows calibration, holdout, total; columns actual, predicted,
    relative_error.
    """
    _require(summary, ["frequency", "T", "frequency_holdout", "duration_holdout"], "summary")
    age = summary["T"].to_numpy(dtype=np.float64)
    horizon = summary["duration_holdout"].to_numpy(dtype=np.float64)
    by_end = model.expected_purchases_new(age)
    after = model.expected_purchases_new(age + horizon)
    table = pd.DataFrame(
        {"actual": [summary["frequency"].sum(), summary["frequency_holdout"].sum()],
         "predicted": [by_end.sum(), (after - by_end).sum()]},
        index=pd.Index(["calibration", "holdout"], name="period"), dtype=np.float64)
    table.loc["total"] = table.sum()
    table["relative_error"] = table["predicted"] / table["actual"] - 1
    return table
