"""CDNOW, built here from the raw file that ships inside the `lifetimes` wheel.

The 2,357-customer sample of Fader and Hardie: weeks as the unit, calibration weeks 1–39
(1997-01-01 … 1997-09-30), holdout weeks 40–78 (… 1998-06-30), purchases on one day
merged. `lifetimes` is a dev dependency; without it these tests are skipped.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from memberlens.models.clv import calibration_and_holdout

CALIBRATION_END = date(1997, 9, 30)
OBSERVATION_END = date(1998, 6, 30)


def _lifetimes_datasets() -> Path:
    lifetimes = pytest.importorskip(
        "lifetimes", reason="the CDNOW raw files come with the lifetimes dev dependency "
                            "(pip install -e '.[dev]')")
    return Path(lifetimes.__file__).parent / "datasets"


@pytest.fixture(scope="session")
def cdnow_transactions() -> pd.DataFrame:
    """One row per CDNOW purchase: customer (1…2357), date, CDs bought, dollars."""
    raw = pd.read_csv(_lifetimes_datasets() / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "customer", "date", "cds", "value"],
                      dtype={"date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw


@pytest.fixture(scope="session")
def cdnow(cdnow_transactions: pd.DataFrame) -> pd.DataFrame:
    """Calibration summary and holdout counts per customer, in weeks."""
    return calibration_and_holdout(cdnow_transactions, customer="customer", when="date",
                                   amount="value", calibration_end=CALIBRATION_END,
                                   observation_end=OBSERVATION_END, days_per_period=7.0)


@pytest.fixture(scope="session")
def cdnow_published_summary() -> pd.DataFrame:
    """Fader and Hardie's own summary (x, t_x, T, mean repeat value), 2 decimals."""
    return pd.read_csv(_lifetimes_datasets() / "cdnow_customers_summary_with_transactions.csv",
                       index_col="ID")
