"""Pareto/NBD: Schmittlein, Morrison and Colombo (1987), "Counting Your Customers".

While active a member buys as a Poisson process with rate λ ~ Gamma(r, α) and stays
active for an exponential time with rate μ ~ Gamma(s, β). Likelihood, P(alive) and the
conditional expectation follow Fader and Hardie's note 009, "Deriving the Conditional
PMF of the Pareto/NBD Model" / "A Note on Deriving the Pareto/NBD Model and Related
Expressions" (2005), eqs. 18–20, 36–37 and 41.

Numerics: the A0 term is a difference of two Gauss hypergeometric functions whose
first argument r+s+x grows with frequency. Each is rewritten with Pfaff's
transformation, 2F1(a, b; a+1; z) = (1−z)^(−b) 2F1(1, b; a+1; z/(z−1)), where the new
function lies in (0, 1] for every history, and the difference is taken in logs
(log(e^u − e^v) = u + log(−expm1(v − u))) — no overflow for heavy buyers, no sign
juggling.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, gammaln, hyp2f1

from .estimation import FloatArray, as_column, check_history, horizon_column
from .purchase_model import PurchaseModel


def log_a0(params: FloatArray, x: FloatArray, t_x: FloatArray,
           T: FloatArray) -> FloatArray:
    """log A0 of note 009 (eqs. 19–20); −inf when t_x = T."""
    r, alpha, s, beta = params
    big, small = max(alpha, beta), min(alpha, beta)
    gap = big - small
    a1 = r + s + x
    b1 = np.full_like(x, s + 1.0) if alpha >= beta else r + x

    def log_term(u: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            pfaff = np.log(hyp2f1(1.0, b1, a1 + 1.0, -gap / (small + u)))
            out: FloatArray = (pfaff - b1 * np.log((small + u) / (big + u))
                               - a1 * np.log(big + u))
            bad = ~np.isfinite(out)
            if bad.any():  # where SciPy fails on the transformed form, the direct one
                out[bad] = (np.log(hyp2f1(a1[bad], b1[bad], a1[bad] + 1.0,
                                          gap / (big + u[bad])))
                            - a1[bad] * np.log(big + u[bad]))
        return out

    at_last, at_end = log_term(t_x), log_term(T)
    with np.errstate(divide="ignore"):
        out: FloatArray = at_last + np.log(-np.expm1(np.minimum(at_end - at_last, 0.0)))
    return out


class ParetoNBDModel(PurchaseModel):
    """Pareto/NBD model of repeat purchasing.

    Examples
    --------
    >>> m = ParetoNBDModel().fit([2, 1, 0, 0], [30.4, 1.7, 0.0, 0.0], [38.9] * 4)
    >>> sorted(m.params_)
    ['alpha', 'beta', 'r', 's']
    """

    name: ClassVar[str] = "Pareto/NBD"
    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")
    time_params: ClassVar[tuple[str, ...]] = ("alpha", "beta")

    def _log_likelihood(self, params: FloatArray, x: FloatArray, t_x: FloatArray,
                        T: FloatArray) -> FloatArray:
        """Note 009 eq. 18: alive at T, or gone somewhere in (t_x, T]."""
        r, alpha, s, beta = params
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        gone = np.log(s) - np.log(r + s + x) + log_a0(params, x, t_x, T)
        out: FloatArray = common + np.logaddexp(alive, gone)
        return out

    def _log_odds_gone(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
        r, alpha, s, beta = params = self._fitted()
        out: FloatArray = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + age)
                           + s * np.log(beta + age) + log_a0(params, x, t_x, age))
        return out

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike,
                T: ArrayLike) -> FloatArray:
        """P(still active at T | x, t_x, T) (note 009 eqs. 36–37)."""
        x, t_x, age = check_history(frequency, recency, T)
        out: FloatArray = expit(-self._log_odds_gone(x, t_x, age))
        return out

    def expected_purchases(self, t: ArrayLike | float, frequency: ArrayLike,
                           recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """E[purchases in (T, T+t] | x, t_x, T] (note 009 eq. 41) = P(alive) × E[Y(t) | alive]."""
        r, alpha, s, beta = self._fitted()
        x, t_x, age = check_history(frequency, recency, T)
        horizon = horizon_column(t, len(x))
        out: FloatArray = (self.p_alive(x, t_x, age) * (r + x) * (beta + age) / (alpha + age)
                           * _survival_integral(s, np.log((beta + age) / (beta + age + horizon))))
        return out

    def expected_purchases_new(self, t: ArrayLike | float) -> FloatArray:
        """E[repeat purchases in (0, t]] for a member who just made a first purchase (eq. 27)."""
        r, alpha, s, beta = self._fitted()
        horizon = as_column(np.atleast_1d(np.asarray(t, dtype=np.float64)), "t")
        out: FloatArray = r * beta / alpha * _survival_integral(s, np.log(beta / (beta + horizon)))
        return out


def _survival_integral(s: float, log_ratio: FloatArray) -> FloatArray:
    """(1 − ratio^(s−1)) / (s − 1), and its limit −log(ratio) at s = 1."""
    if abs(s - 1.0) < 1e-9:
        return -log_ratio
    out: FloatArray = -np.expm1((s - 1.0) * log_ratio) / (s - 1.0)
    return out


def sample_histories(r: float, alpha: float, s: float, beta: float, T: ArrayLike,
                     random_state: int | np.random.Generator | None = None,
                     ) -> tuple[FloatArray, FloatArray]:
    """Draw (frequency, recency) for members observed for T each, from the Pareto/NBD process."""
    rng = np.random.default_rng(random_state)
    age = as_column(T, "T")
    lam = rng.gamma(r, 1.0 / alpha, len(age))
    active = np.minimum(rng.exponential(1.0 / rng.gamma(s, 1.0 / beta, len(age))), age)
    x = rng.poisson(lam * active)
    t_x = np.zeros(len(age))
    some = x > 0
    t_x[some] = active[some] * rng.beta(x[some], 1)
    return x.astype(np.float64), t_x
