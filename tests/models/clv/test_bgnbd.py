"""BG/NBD against Fader, Hardie and Lee (2005) on CDNOW, and against lifetimes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberlens.models.clv import BGNBDModel, ClvModelError
from memberlens.models.clv.bgnbd import sample_histories


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> BGNBDModel:
    return BGNBDModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_published_parameters(fitted: BGNBDModel) -> None:
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert fitted.params_[name] == pytest.approx(value, abs=1e-3), name
    assert fitted.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert fitted.n_members_ == 2357
    assert fitted.n_histories_ < 2357  # identical histories are counted once


def test_predictions_equal_lifetimes(cdnow: pd.DataFrame, fitted: BGNBDModel) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    theirs = lifetimes.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    ours = BGNBDModel()
    ours.params_ = {k: float(v) for k, v in theirs.params_.items()}  # same parameters
    x, t_x, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    for t in (1.0, 39.0, 104.0):
        np.testing.assert_allclose(
            ours.expected_purchases(t, x, t_x, age),
            theirs.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age),
            rtol=1e-9)
    np.testing.assert_allclose(ours.p_alive(x, t_x, age),
                               theirs.conditional_probability_alive(x, t_x, age), rtol=1e-9)
    np.testing.assert_allclose(ours.expected_purchases_new([1.0, 39.0, 78.0]),
                               theirs.expected_number_of_purchases_up_to_time(
                                   np.array([1.0, 39.0, 78.0])), rtol=1e-9)
    # and the fits agree
    for name in ("r", "alpha", "a", "b"):
        assert fitted.params_[name] == pytest.approx(theirs.params_[name], rel=1e-4)


def test_heavy_buyers_stay_finite(fitted: BGNBDModel) -> None:
    """Pfaff's form of eq. 10 does not overflow where the direct 2F1 does."""
    x = np.array([200.0, 1000.0, 3000.0])
    e = fitted.expected_purchases(52.0, x, np.array([100.0, 300.0, 364.0]),
                                  np.array([104.0, 365.0, 365.0]))
    assert np.all(np.isfinite(e)) and np.all(e > 0)
    assert np.all(fitted.p_alive(x, [100.0, 300.0, 364.0], [104.0, 365.0, 365.0]) <= 1)


def test_weights_equal_repeated_rows(cdnow: pd.DataFrame) -> None:
    grouped = cdnow.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    by_weight = BGNBDModel().fit(grouped["frequency"], grouped["recency"], grouped["T"],
                                 weights=grouped["n"])
    by_row = BGNBDModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for name in by_row.params_:
        assert by_weight.params_[name] == pytest.approx(by_row.params_[name], rel=1e-6)


def test_penalizer_shrinks(cdnow: pd.DataFrame, fitted: BGNBDModel) -> None:
    shrunk = BGNBDModel(penalizer=0.1).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert shrunk.params_["b"] < fitted.params_["b"]
    assert shrunk.log_likelihood_ < fitted.log_likelihood_


def test_inputs_are_checked() -> None:
    with pytest.raises(ClvModelError, match="recency"):
        BGNBDModel().fit([1, 0], [5.0, 0.0], [4.0, 3.0])
    with pytest.raises(ClvModelError, match="frequency"):
        BGNBDModel().fit([1.5], [1.0], [3.0])
    with pytest.raises(ClvModelError, match="not fitted"):
        BGNBDModel().p_alive([1], [1.0], [2.0])


def test_recovers_parameters_from_simulated_members() -> None:
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(11)
    age = rng.uniform(10.0, 60.0, 200_000)
    x, t_x = sample_histories(**truth, T=age, random_state=rng)
    fitted = BGNBDModel().fit(x, t_x, age)
    for name, value in truth.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.1), name


def test_boundary_parameters_fall_back_to_the_direct_form() -> None:
    """a → 0, b → ∞ (nobody leaves): SciPy cannot evaluate Pfaff's form at arguments
    below −1 there; the direct form gives what lifetimes gives."""
    lifetimes = pytest.importorskip("lifetimes")
    params = {"r": 0.4726, "alpha": 104.49, "a": 0.000906, "b": 787.04}
    ours = BGNBDModel()
    ours.params_ = params
    theirs = lifetimes.BetaGeoFitter()
    theirs.params_ = pd.Series(params)
    x = np.array([0.0, 1.0, 3.0, 7.0, 0.0, 7.0])
    t_x = np.array([0.0, 10.0, 1.0, 60.0, 0.0, 300.0])
    age = np.array([1.0, 66.0, 1.0, 66.0, 365.0, 365.0])
    ours_e = ours.expected_purchases(360.0, x, t_x, age)
    assert np.all(np.isfinite(ours_e))
    np.testing.assert_allclose(
        ours_e, theirs.conditional_expected_number_of_purchases_up_to_time(360.0, x, t_x, age),
        rtol=1e-9)
