"""Our calibration/holdout split of the raw CDNOW log equals the published summary."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_summary_matches_fader_hardie(cdnow: pd.DataFrame,
                                      cdnow_published_summary: pd.DataFrame) -> None:
    ref = cdnow_published_summary.loc[cdnow.index]
    assert len(cdnow) == 2357
    np.testing.assert_array_equal(cdnow["frequency"], ref["x"])
    # the published file rounds to 2 decimals
    np.testing.assert_allclose(cdnow["recency"], ref["t_x"], atol=0.005)
    np.testing.assert_allclose(cdnow["T"], ref["T"], atol=0.005)
    np.testing.assert_allclose(cdnow["monetary_value"], ref["zbar"], atol=0.0051)


def test_counts(cdnow: pd.DataFrame) -> None:
    assert cdnow["frequency"].sum() == 2457          # repeat purchases, weeks 1-39
    assert cdnow["frequency_holdout"].sum() == 1882  # purchase days, weeks 40-78
    assert (cdnow["frequency"] > 0).sum() == 946     # the Gamma-Gamma sample
    assert (cdnow["duration_holdout"] == 39).all()
