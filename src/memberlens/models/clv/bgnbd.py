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

from .estimation import FloatArray, as_column, check_history, horizon_column
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
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        still = betaln(a, b + x) - (r + x) * np.log(alpha + T)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = np.where(x > 0, betaln(a + 1, b + np.maximum(x, 1) - 1)
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
        r, alpha, a, b = params
        common, still, left = self._terms(params, x, t_x, T)
        total = np.logaddexp(still, left)
        w_left = np.exp(left - total)          # share of the "left after t_x" branch
        w_still = 1.0 - w_left
        psi_ab, psi_abx = digamma(a + b), digamma(a + b + x)
        psi_b = digamma(b)
        d_r = (digamma(r + x) - digamma(r) + np.log(alpha)
               - w_still * np.log(alpha + T) - w_left * np.log(alpha + t_x))
        d_alpha = r / alpha - (r + x) * (w_still / (alpha + T) + w_left / (alpha + t_x))
        d_a = (w_still * (psi_ab - psi_abx)
               + w_left * (digamma(a + 1) - digamma(a) + psi_ab - psi_abx))
        d_b = (w_still * (digamma(b + x) - psi_b + psi_ab - psi_abx)
               + w_left * (digamma(b + np.maximum(x, 1) - 1) - psi_b + psi_ab - psi_abx))
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
        """E[purchases in (T, T+t] | x, t_x, T] (paper eq. 10).

        The hypergeometric factor is taken through Pfaff's transformation,
        ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))
        = 2F1(r+x, a−1; a+b+x−1; −t/(α+T)), which never overflows for large x.
        """
        r, alpha, a, b = self._fitted()
        x, t_x, age = check_history(frequency, recency, T)
        horizon = horizon_column(t, len(x))
        c = a + b + x - 1
        alive_share = 1.0 - hyp2f1(r + x, a - 1, c, -horizon / (alpha + age))
        out: FloatArray = c / (a - 1) * alive_share * self.p_alive(x, t_x, age)
        return out

    def expected_purchases_new(self, t: ArrayLike | float) -> FloatArray:
        """E[repeat purchases in (0, t]] for a member who just made a first purchase (eq. 9)."""
        r, alpha, a, b = self._fitted()
        horizon = np.atleast_1d(np.asarray(t, dtype=np.float64))
        out: FloatArray = (a + b - 1) / (a - 1) * (1.0 - hyp2f1(r, a - 1, a + b - 1,
                                                                -horizon / alpha))
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
