"""Pareto/NBD against the published CDNOW estimates, lifetimes, and quadrature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad

from memberlens.models.clv import ParetoNBDModel
from memberlens.models.clv.paretonbd import log_a0, sample_histories


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> ParetoNBDModel:
    return ParetoNBDModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_published_parameters(fitted: ParetoNBDModel) -> None:
    published = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    for name, value in published.items():
        assert fitted.params_[name] == pytest.approx(value, rel=1e-3), name
    assert fitted.log_likelihood_ == pytest.approx(-9595.0, abs=0.1)


def test_predictions_equal_lifetimes(cdnow: pd.DataFrame) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    theirs = lifetimes.ParetoNBDFitter()
    theirs.params_ = pd.Series({"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669})
    ours = ParetoNBDModel()
    ours.params_ = {k: float(v) for k, v in theirs.params_.items()}
    x, t_x, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    for t in (1.0, 39.0):
        np.testing.assert_allclose(
            ours.expected_purchases(t, x, t_x, age),
            theirs.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age),
            rtol=1e-9)
    np.testing.assert_allclose(ours.p_alive(x, t_x, age),
                               theirs.conditional_probability_alive(x, t_x, age), rtol=1e-9)
    np.testing.assert_allclose(ours.expected_purchases_new([39.0, 78.0]),
                               theirs.expected_number_of_purchases_up_to_time(
                                   np.array([39.0, 78.0])), rtol=1e-9)


@pytest.mark.parametrize("params", [(0.55, 10.6, 0.6, 11.7), (0.55, 0.01, 0.6, 50.0),
                                    (2.0, 50.0, 0.3, 0.02), (0.5, 3.0, 0.5, 3.0)])
@pytest.mark.parametrize(("x", "t_x", "age"), [(0, 0, 39), (1, 5, 39), (50, 30, 39),
                                              (300, 200, 365), (2000, 700, 730),
                                              (5, 38.9, 39)])
def test_a0_equals_its_integral(params: tuple[float, float, float, float], x: int,
                                t_x: float, age: float) -> None:
    """A0 = (r+s+x) ∫_{t_x}^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ, even for heavy buyers."""
    r, alpha, s, beta = params
    log_value = log_a0(np.array(params), np.array([float(x)]), np.array([float(t_x)]),
                       np.array([float(age)]))[0]

    def scaled(u: float) -> float:
        return float(np.exp(np.log(r + s + x) - (r + x) * np.log(alpha + u)
                            - (s + 1) * np.log(beta + u) - log_value))

    integral, _ = quad(scaled, t_x, age, epsabs=0, epsrel=1e-12, limit=500)
    assert integral == pytest.approx(1.0, rel=1e-9)


@pytest.mark.slow
def test_recovers_parameters_from_simulated_members() -> None:
    truth = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
    rng = np.random.default_rng(5)
    age = rng.uniform(20.0, 80.0, 100_000)
    x, t_x = sample_histories(**truth, T=age, random_state=rng)
    fitted = ParetoNBDModel().fit(x, t_x, age)
    for name, value in truth.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.15), name
