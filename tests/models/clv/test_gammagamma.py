"""Gamma-Gamma against Fader and Hardie's note 025 on CDNOW, and against lifetimes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberlens.models.clv import BGNBDModel, ClvModelError, GammaGammaModel
from memberlens.models.clv.gammagamma import sample_spend


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> GammaGammaModel:
    return GammaGammaModel().fit(cdnow["frequency"], cdnow["monetary_value"])


def test_published_parameters(fitted: GammaGammaModel) -> None:
    """946 customers with repeats; m_x = mean value of their repeat purchase days."""
    assert fitted.n_members_ == 946
    assert fitted.params_["p"] == pytest.approx(6.25, abs=0.005)
    assert fitted.params_["q"] == pytest.approx(3.74, abs=0.005)
    assert fitted.params_["gamma"] == pytest.approx(15.44, rel=1e-3)


def test_predictions_equal_lifetimes(cdnow: pd.DataFrame, fitted: GammaGammaModel) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    repeat = cdnow[cdnow["frequency"] > 0]
    theirs = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    for ours_name, their_name in (("p", "p"), ("q", "q"), ("gamma", "v")):
        assert fitted.params_[ours_name] == pytest.approx(theirs.params_[their_name], rel=1e-5)
    ours = GammaGammaModel()
    ours.params_ = dict(zip(("p", "q", "gamma"), map(float, theirs.params_.values), strict=True))
    x, m = cdnow["frequency"], cdnow["monetary_value"]
    np.testing.assert_allclose(ours.expected_spend(x, m),
                               theirs.conditional_expected_average_profit(x, m), rtol=1e-12)

    bg_theirs = lifetimes.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    bg = BGNBDModel()
    bg.params_ = {k: float(v) for k, v in bg_theirs.params_.items()}
    ours_clv = ours.clv(bg, x, cdnow["recency"], cdnow["T"], m, horizon_months=12,
                        discount_rate=0.01, periods_per_month=4.345)
    their_clv = theirs.customer_lifetime_value(bg_theirs, x, cdnow["recency"], cdnow["T"], m,
                                               time=12, discount_rate=0.01, freq="W")
    np.testing.assert_allclose(ours_clv, their_clv.to_numpy(), rtol=1e-9)


def test_clv_discounting(cdnow: pd.DataFrame, fitted: GammaGammaModel) -> None:
    bg = BGNBDModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    args = (bg, cdnow["frequency"], cdnow["recency"], cdnow["T"], cdnow["monetary_value"])
    flat = fitted.clv(*args, discount_rate=0.0, periods_per_month=4.345)
    discounted = fitted.clv(*args, discount_rate=0.01, periods_per_month=4.345)
    spend = fitted.expected_spend(cdnow["frequency"], cdnow["monetary_value"])
    # undiscounted CLV is spend × expected purchases over the whole horizon
    np.testing.assert_allclose(flat, spend * bg.expected_purchases(
        12 * 4.345, cdnow["frequency"], cdnow["recency"], cdnow["T"]), rtol=1e-12)
    assert np.all(discounted < flat)


def test_members_without_repeats_get_population_mean(fitted: GammaGammaModel) -> None:
    p, q, gamma = (fitted.params_[k] for k in ("p", "q", "gamma"))
    assert fitted.expected_spend([0], [0.0])[0] == pytest.approx(gamma * p / (q - 1))


def test_inputs_are_checked() -> None:
    with pytest.raises(ClvModelError, match="monetary_value"):
        GammaGammaModel().fit([1, 2], [10.0, -3.0])
    with pytest.raises(ClvModelError, match="repeat"):
        GammaGammaModel().fit([0, 0], [0.0, 0.0])


def test_recovers_parameters_from_simulated_spend() -> None:
    truth = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    rng = np.random.default_rng(3)
    x = rng.integers(1, 10, 100_000).astype(float)
    fitted = GammaGammaModel().fit(x, sample_spend(**truth, frequency=x, random_state=rng))
    for name, value in truth.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.1), name
