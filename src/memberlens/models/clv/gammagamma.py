"""Gamma-Gamma model of spend: Fader, Hardie and Lee (2005), "RFM and CLV", and
Fader and Hardie's note 025, "The Gamma-Gamma Model of Monetary Value" (2013).

Each transaction's value is Gamma(p, ν) with ν ~ Gamma(q, γ) across members, so a
member's mean spend m_x over x transactions is Gamma(px, νx) (note 025 eq. 1a). Spend is
assumed independent of the purchase process; only members with repeat purchases
(x > 0, m_x = mean repeat-purchase value) carry information and enter the fit.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln

from .estimation import ClvModelError, FloatArray, as_column, distinct_rows, maximise
from .lifetime_value import PurchaseForecaster, lifetime_value


class GammaGammaModel:
    """Gamma-Gamma spend model (scikit-learn style: `fit` returns self, `params_` learned).

    Parameters
    ----------
    penalizer : float
        L2 penalty on (p, q, γ) added to the mean negative log-likelihood, as in
        `lifetimes`; 0 gives the maximum likelihood estimate of the papers.
    tol, max_iter : float, int
        Optimiser tolerance and iteration limit.

    Examples
    --------
    >>> m = GammaGammaModel().fit([1, 2, 3, 1], [20.0, 35.0, 28.0, 90.0])
    >>> sorted(m.params_)
    ['gamma', 'p', 'q']
    """

    name = "Gamma-Gamma"
    param_names = ("p", "q", "gamma")

    params_: dict[str, float]
    log_likelihood_: float
    n_members_: int
    n_iter_: int

    def __init__(self, penalizer: float = 0.0, tol: float = 1e-7, max_iter: int = 2000) -> None:
        self.penalizer = penalizer
        self.tol = tol
        self.max_iter = max_iter

    @staticmethod
    def _log_likelihood(params: FloatArray, x: FloatArray, m: FloatArray) -> FloatArray:
        """Note 025 eq. 1a: the density of m_x given x."""
        p, q, gamma = params
        px = p * x
        out: FloatArray = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
                           + (px - 1) * np.log(m) + px * np.log(x)
                           - (px + q) * np.log(gamma + x * m))
        return out

    @staticmethod
    def _gradient(params: FloatArray, x: FloatArray, m: FloatArray) -> FloatArray:
        p, q, gamma = params
        px = p * x
        psi_all = digamma(px + q)
        log_total = np.log(gamma + x * m)
        return np.column_stack([
            x * (psi_all - digamma(px) + np.log(m) + np.log(x) - log_total),
            psi_all - digamma(q) + np.log(gamma) - log_total,
            q / gamma - (px + q) / (gamma + x * m),
        ])

    def _checked(self, frequency: ArrayLike,
                 monetary: ArrayLike) -> tuple[FloatArray, FloatArray]:
        x = as_column(frequency, "frequency")
        m = as_column(monetary, "monetary_value")
        if len(x) != len(m):
            raise ClvModelError(f"frequency 与 monetary_value 长度不同 frequency and "
                                f"monetary_value differ in length ({len(x)}, {len(m)})")
        bad = (x > 0) & (m <= 0)
        if bad.any():
            row = int(np.argmax(bad))
            raise ClvModelError(f"列 monetary_value 第 {row} 行不是正数 column 'monetary_value' "
                                f"row {row} is {m[row]} for a member with repeat purchases; "
                                "the spend model needs positive mean values (drop refunds-only "
                                "members first)")
        if (x < 0).any():
            row = int(np.argmax(x < 0))
            raise ClvModelError(f"列 frequency 第 {row} 行为负数 column 'frequency' row {row} "
                                "is negative")
        return x, m

    def fit(self, frequency: ArrayLike, monetary: ArrayLike) -> Self:
        """Fit on the members with repeat purchases (x > 0); the others are skipped."""
        x, m = self._checked(frequency, monetary)
        repeat = x > 0
        if not repeat.any():
            raise ClvModelError("没有复购会员，无法拟合消费模型 no member has a repeat purchase: "
                                "the spend model has nothing to learn from")
        rows = distinct_rows(x[repeat], m[repeat])
        dx, dm = rows.columns
        share = rows.weights / rows.weights.sum()
        penalizer = self.penalizer

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            params = np.exp(log_params)
            ll = self._log_likelihood(params, dx, dm)
            value = -float(share @ ll) + penalizer * float(params @ params)
            if not np.isfinite(value):
                return np.inf, np.zeros(3)
            grad = -(share @ self._gradient(params, dx, dm)) * params
            return value, grad + 2 * penalizer * params * params

        # start near the method-of-moments scale of spend, so γ does not have to travel far
        start = np.log(np.array([1.0, 2.0, float(np.median(dm))]))
        result = maximise(objective, start, gradient=True, tol=self.tol,
                          max_iter=self.max_iter, model=self.name)
        fitted = np.exp(result.x)
        self.params_ = {n: float(v) for n, v in zip(self.param_names, fitted, strict=True)}
        self.log_likelihood_ = float(rows.weights @ self._log_likelihood(fitted, dx, dm))
        self.n_members_ = round(float(rows.weights.sum()))
        self.n_iter_ = int(result.nit)
        return self

    def _fitted(self) -> FloatArray:
        if not hasattr(self, "params_"):
            raise ClvModelError(f"{self.name} 尚未拟合 is not fitted yet: call fit() first")
        return np.array([self.params_[n] for n in self.param_names])

    def expected_spend(self, frequency: ArrayLike, monetary: ArrayLike) -> FloatArray:
        """E[mean transaction value | x, m_x] (note 025 eq. 5).

        A weighted average of the population mean γp/(q−1) and the member's own mean,
        the member's weight px/(px+q−1) growing with their number of purchases; members
        without repeats get the population mean. Needs q > 1 (a finite mean).
        """
        p, q, gamma = self._fitted()
        x, m = self._checked(frequency, monetary)
        if q <= 1:
            raise ClvModelError(f"q = {q:.3g} ≤ 1：平均消费无穷大 the fitted spend distribution "
                                "has no finite mean; try a penalizer")
        own = p * x / (p * x + q - 1)
        out: FloatArray = (1 - own) * gamma * p / (q - 1) + own * np.where(x > 0, m, 0.0)
        return out

    def clv(self, purchase_model: PurchaseForecaster, frequency: ArrayLike, recency: ArrayLike,
            T: ArrayLike, monetary: ArrayLike, *, horizon_months: int = 12,
            discount_rate: float = 0.01, periods_per_month: float = 30.0) -> FloatArray:
        """Discounted value of the next `horizon_months` months per member.

        Expected spend per purchase (this model) × expected purchases per month (the
        purchase model), each month discounted at `discount_rate` per month; see
        `lifetime_value`. `periods_per_month` is how many of the data's time units make
        a month: 30 for days (as `lifetimes` counts), 4.345 for weeks.
        """
        spend = self.expected_spend(frequency, monetary)
        return lifetime_value(purchase_model, frequency, recency, T, spend,
                              horizon_months=horizon_months, discount_rate=discount_rate,
                              periods_per_month=periods_per_month)


def sample_spend(p: float, q: float, gamma: float, frequency: ArrayLike,
                 random_state: int | np.random.Generator | None = None) -> FloatArray:
    """Draw each member's mean repeat-purchase value from the Gamma-Gamma model (0 if x = 0)."""
    rng = np.random.default_rng(random_state)
    x = as_column(frequency, "frequency")
    nu = rng.gamma(q, 1.0 / gamma, len(x))
    some = x > 0
    out = np.zeros(len(x))
    out[some] = rng.gamma(p * x[some], 1.0 / (x[some] * nu[some]))
    return out
