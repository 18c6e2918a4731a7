"""The fit every model of the purchase process shares (BG/NBD, Pareto/NBD).

A subclass gives the per-history log-likelihood (and, where it is cheap, its gradient)
in the parameters; this class checks the inputs, counts repeated histories once,
rescales time, runs the optimiser and keeps what was learned, scikit-learn style:
`__init__` only stores hyperparameters, `fit` returns `self`, learned values end in `_`.
"""

from __future__ import annotations

from typing import ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike

from .estimation import (
    ClvModelError,
    FloatArray,
    check_history,
    distinct_rows,
    maximise,
    member_weights,
)


class PurchaseModel:
    """Base of the buy-till-you-die purchase models; not used on its own.

    Parameters
    ----------
    penalizer : float
        L2 penalty on the parameters (time rescaled so the longest age is 1), added to
        the mean negative log-likelihood, as in `lifetimes`; 0 gives the maximum
        likelihood estimate the papers report.
    tol : float
        Gradient tolerance of the optimiser.
    max_iter : int
        Iteration limit of the optimiser.
    """

    name: ClassVar[str] = "purchase model"
    param_names: ClassVar[tuple[str, ...]] = ()
    #: parameters measured in units of time (gamma rates' inverse): rescaled with time
    time_params: ClassVar[tuple[str, ...]] = ()
    analytic_gradient: ClassVar[bool] = False

    params_: dict[str, float]
    log_likelihood_: float
    n_members_: int
    n_histories_: int
    n_iter_: int

    def __init__(self, penalizer: float = 0.0, tol: float = 1e-7, max_iter: int = 2000) -> None:
        self.penalizer = penalizer
        self.tol = tol
        self.max_iter = max_iter

    # --- to be given by a model ----------------------------------------------------------

    def _log_likelihood(self, params: FloatArray, x: FloatArray, t_x: FloatArray,
                        T: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _log_likelihood_and_gradient(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray,
    ) -> tuple[FloatArray, FloatArray]:
        """Per-history log-likelihood and its (n, k) gradient in the parameters."""
        raise NotImplementedError

    # --- fit -----------------------------------------------------------------------------

    def fit(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike,
            weights: ArrayLike | None = None) -> Self:
        """Maximum (penalised) likelihood estimate of the parameters.

        `frequency` is the number of repeat purchases x, `recency` the time t_x from the
        first to the last purchase, `T` the time from the first purchase to the end of
        the calibration period, all in one unit; `weights` counts members per row when
        the histories come already grouped.
        """
        x, t_x, age = check_history(frequency, recency, T)
        w = member_weights(weights, len(x))
        if len(x) == 0 or w.sum() <= 0:
            raise ClvModelError("没有可拟合的会员 no members to fit on")
        rows = distinct_rows(x, t_x, age, weights=w)
        dx, dt_x, dage = rows.columns
        scale = 1.0 / float(age.max())
        scaled_t_x, scaled_age = dt_x * scale, dage * scale
        share = rows.weights / rows.weights.sum()
        k = len(self.param_names)
        penalizer = self.penalizer

        def objective(log_params: FloatArray) -> float | tuple[float, FloatArray]:
            params = np.exp(log_params)
            if self.analytic_gradient:
                ll, grad = self._log_likelihood_and_gradient(params, dx, scaled_t_x,
                                                             scaled_age)
                value = -float(share @ ll) + penalizer * float(params @ params)
                g = -(share @ grad) * params + 2 * penalizer * params * params
                if not np.isfinite(value):
                    return np.inf, np.zeros(k)
                return value, g
            ll = self._log_likelihood(params, dx, scaled_t_x, scaled_age)
            value = -float(share @ ll) + penalizer * float(params @ params)
            return value if np.isfinite(value) else np.inf

        result = maximise(objective, np.zeros(k), gradient=self.analytic_gradient,
                          tol=self.tol, max_iter=self.max_iter, model=self.name)
        fitted = np.exp(result.x)
        for i, p in enumerate(self.param_names):
            if p in self.time_params:
                fitted[i] /= scale
        self.params_ = {p: float(v) for p, v in zip(self.param_names, fitted, strict=True)}
        with np.errstate(divide="ignore", invalid="ignore"):
            self.log_likelihood_ = float(rows.weights @ self._log_likelihood(fitted, dx, dt_x,
                                                                               dage))
        self.n_members_ = round(float(rows.weights.sum()))
        self.n_histories_ = len(dx)
        self.n_iter_ = int(result.nit)
        return self

    # --- shared by the predictions -------------------------------------------------------

    def _fitted(self) -> FloatArray:
        if not hasattr(self, "params_"):
            raise ClvModelError(f"{self.name} 尚未拟合 is not fitted yet: call fit() first")
        return np.array([self.params_[p] for p in self.param_names])

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike,
                       T: ArrayLike) -> FloatArray:
        """Each member's log-likelihood under the fitted parameters."""
        x, t_x, age = check_history(frequency, recency, T)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._log_likelihood(self._fitted(), x, t_x, age)
