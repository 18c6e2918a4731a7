"""BG/NBD: Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way".

While active a member buys as a Poisson process with rate λ ~ Gamma(r, α); after each
repeat purchase they leave for good with probability p ~ Beta(a, b). Everything here is
closed form (paper eq. 6 for the likelihood, eq. 10 for the conditional expectation,
Fader-Hardie note 021 for P(alive)), vectorised over members.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from .estimation import FloatArray, as_column, check_history, distinct_values, horizon_column
from .purchase_model import PurchaseModel


class BGNBDModel(PurchaseModel):
    """Beta-geometric/NBD model of repeat purchasing.

    Examples
    --------
    >>> m = BGNBDModel().fit([2, 1, 0, 0], [30.4, 1.7, 0.0, 0.0], [38.9, 38.9, 38.9, 38.9])
    >>> sorted(m.params_)
    ['a', 'alpha', 'b', 'r']
    """

    name: ClassVar[str] = "BG/NBD"
    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    time_params: ClassVar[tuple[str, ...]] = ("alpha",)
    analytic_gradient: ClassVar[bool] = True

    @staticmethod
    def _terms(params: FloatArray, x: FloatArray, t_x: FloatArray,
               T: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Eq. 6 as A + log(e^B1 + δ(x>0) e^B2), each part in logs."""
        r, alpha, a, b = params
        u, at = distinct_values(x)
        common = (gammaln(r + u) - betaln(a, b))[at] - gammaln(r) + r * np.log(alpha)
        still = betaln(a, b + u)[at] - (r + x) * np.log(alpha + T)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = np.where(x > 0, betaln(a + 1, b + np.maximum(u, 1) - 1)[at]
                            - (r + x) * np.log(alpha + t_x), -np.inf)
        return common, still, left

    def _log_likelihood(self, params: FloatArray, x: FloatArray, t_x: FloatArray,
                        T: FloatArray) -> FloatArray:
        common, still, left = self._terms(params, x, t_x, T)
        out: FloatArray = common + np.logaddexp(still, left)
        return out

    def _log_likelihood_and_gradient(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray,
    ) -> tuple[FloatArray, FloatArray]:
        """Eq. 6 and its gradient: digamma terms per distinct frequency, mixed per row by
        the weight of the "left after t_x" branch."""
        r, alpha, a, b = params
        common, still, left = self._terms(params, x, t_x, T)
        total = np.logaddexp(still, left)
        w_left = np.exp(left - total)
        w_still = 1.0 - w_left
        u, at = distinct_values(x)
        to_abx = digamma(a + b) - digamma(a + b + u)      # d/da of both branches, in part
        d_r = ((digamma(r + u) - digamma(r))[at] + np.log(alpha)
               - w_still * np.log(alpha + T) - w_left * np.log(alpha + t_x))
        d_alpha = r / alpha - (r + x) * (w_still / (alpha + T) + w_left / (alpha + t_x))
        d_a = to_abx[at] + w_left * (digamma(a + 1) - digamma(a))
        d_b = (w_still * (digamma(b + u) - digamma(b) + to_abx)[at]
               + w_left * (digamma(b + np.maximum(u, 1) - 1) - digamma(b) + to_abx)[at])
        return common + total, np.column_stack([d_r, d_alpha, d_a, d_b])

    # --- predictions -------------------------------------------------------------------

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike,
                T: ArrayLike) -> FloatArray:
        """P(still active at T | x, t_x, T) (note 021); 1 for members without repeats."""
        r, alpha, a, b = self._fitted()
        x, t_x, age = check_history(frequency, recency, T)
        log_odds_gone = (np.log(a / (b + np.maximum(x, 1) - 1))
                         + (r + x) * np.log((alpha + age) / (alpha + t_x)))
        out: FloatArray = np.where(x > 0, expit(-log_odds_gone), 1.0)
        return out

    def expected_purchases(self, t: ArrayLike | float, frequency: ArrayLike,
                           recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """E[purchases in (T, T+t] | x, t_x, T] (paper eq. 10)."""
        r, alpha, a, b = self._fitted()
        x, t_x, age = check_history(frequency, recency, T)
        horizon = horizon_column(t, len(x))
        alive_share = 1.0 - discounted_hyp2f1(r, alpha, a, b, x, age, horizon)
        out: FloatArray = (a + b + x - 1) / (a - 1) * alive_share * self.p_alive(x, t_x, age)
        return out

    def expected_purchases_new(self, t: ArrayLike | float) -> FloatArray:
        """E[repeat purchases in (0, t]] for a member who just made a first purchase (eq. 9)."""
        r, alpha, a, b = self._fitted()
        horizon = as_column(np.atleast_1d(np.asarray(t, dtype=np.float64)), "t")
        zero = np.zeros(len(horizon))
        out: FloatArray = (a + b - 1) / (a - 1) * (
            1.0 - discounted_hyp2f1(r, alpha, a, b, zero, zero, horizon))
        return out


def discounted_hyp2f1(r: float, alpha: float, a: float, b: float, x: FloatArray,
                      age: FloatArray, t: FloatArray) -> FloatArray:
    """((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t)) of eqs. 9–10.

    First by Pfaff's transformation, 2F1(r+x, a−1; a+b+x−1; −t/(α+T)), which never
    overflows for heavy buyers; where SciPy cannot evaluate that (argument below −1 with
    some parameters), the direct form, then Euler's transformation (as `lifetimes` does).
    """
    c = a + b + x - 1
    out = np.asarray(hyp2f1(r + x, a - 1, c, -t / (alpha + age)), dtype=np.float64)
    bad = ~np.isfinite(out)
    if bad.any():
        xb, cb = x[bad], c[bad]
        log_keep = np.log((alpha + age[bad]) / (alpha + age[bad] + t[bad]))
        z = t[bad] / (alpha + age[bad] + t[bad])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            direct = hyp2f1(r + xb, b + xb, cb, z) * np.exp((r + xb) * log_keep)
            euler = hyp2f1(a + b - 1 - r, a - 1, cb, z) * np.exp((xb + a - 1) * log_keep)
        out[bad] = np.where(np.isfinite(direct), direct, euler)
    return out


def sample_histories(r: float, alpha: float, a: float, b: float, T: ArrayLike,
                     random_state: int | np.random.Generator | None = None,
                     ) -> tuple[FloatArray, FloatArray]:
    """Draw (frequency, recency) for members observed for T each, from the BG/NBD process.

    Vectorised: N ~ Poisson(λT) purchases would happen if the member stayed; they leave
    after the J-th repeat purchase, J ~ Geometric(p); x = min(N, J), and the x-th of N
    uniform purchase times on (0, T) is T · Beta(x, N − x + 1).
    """
    rng = np.random.default_rng(random_state)
    age = as_column(T, "T")
    lam = rng.gamma(r, 1.0 / alpha, len(age))
    p = rng.beta(a, b, len(age))
    n = rng.poisson(lam * age)
    x = np.minimum(n, rng.geometric(p))
    t_x = np.zeros(len(age))
    some = x > 0
    t_x[some] = age[some] * rng.beta(x[some], n[some] - x[some] + 1)
    return x.astype(np.float64), t_x
