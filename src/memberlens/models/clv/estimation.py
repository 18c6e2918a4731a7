"""What the buy-till-you-die estimators share: checked inputs, repeated histories, the fit.

Why this shape:

- Many members share one history (x, t_x, T) — most have bought once on a day, and
  recency and age are whole days — so the likelihood is evaluated once per distinct
  history and weighted by its count (Fader and Hardie fit CDNOW the same way). At a
  million members this cuts the work by an order of magnitude.
- Time is rescaled so the longest age is 1 before fitting (as `lifetimes` does): the
  optimiser then sees parameters of similar size whatever the unit (days or weeks),
  and a penalizer means the same thing in either unit.
- Parameters are optimised on the log scale, so they stay positive without bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

from ...errors import MemberlensError

FloatArray = NDArray[np.float64]
Objective = Callable[[FloatArray], "float | tuple[float, FloatArray]"]


class ClvModelError(MemberlensError):
    """The histories given to a lifetime-value model are unusable, or the fit failed."""

    http_status = 422


def as_column(values: ArrayLike, name: str) -> FloatArray:
    """One finite float per member; the message names the column and the first bad row."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        array = array.reshape(-1)
    bad = ~np.isfinite(array)
    if bad.any():
        row = int(np.argmax(bad))
        raise ClvModelError(f"列 {name} 第 {row} 行不是有限数值 column {name!r} row {row} is "
                            f"not a finite number ({array[row]}); drop or fill it first")
    return array


def _first(mask: NDArray[np.bool_]) -> int:
    return int(np.argmax(mask))


def check_history(frequency: ArrayLike, recency: ArrayLike,
                  T: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The (x, t_x, T) arrays as floats, checked the way the models need them."""
    x = as_column(frequency, "frequency")
    t_x = as_column(recency, "recency")
    age = as_column(T, "T")
    if not (len(x) == len(t_x) == len(age)):
        raise ClvModelError(f"frequency、recency、T 长度不同 frequency, recency and T differ in "
                            f"length ({len(x)}, {len(t_x)}, {len(age)})")
    checks = (
        (x < 0, "frequency", "负数 is negative"),
        (x != np.round(x), "frequency", "不是整数 is not a whole number of repeat purchases"),
        (t_x < 0, "recency", "负数 is negative"),
        (t_x > age, "recency", "大于 T is larger than T"),
        ((x == 0) & (t_x != 0), "recency", "在无复购时应为 0 must be 0 when frequency is 0"),
        (age <= 0, "T", "必须大于 0 must be positive (a member observed for no time at all)"),
    )
    for mask, name, what in checks:
        if mask.any():
            row = _first(mask)
            raise ClvModelError(f"列 {name} 第 {row} 行 {what} (column {name!r}, row {row}: "
                                f"frequency={x[row]}, recency={t_x[row]}, T={age[row]})")
    return x, t_x, age


@dataclass(frozen=True)
class DistinctRows:
    """Distinct rows of some columns and how much weight each carries."""

    columns: tuple[FloatArray, ...]
    weights: FloatArray
    #: for each input row, the position of its distinct row
    row_index: NDArray[np.intp]


def _packed(columns: tuple[FloatArray, ...]) -> NDArray[np.int64] | None:
    """Whole, non-negative columns (days, counts) packed into one sortable int64 key.

    Sorting one integer key is several times faster than a lexicographic sort of
    floats, and orders the rows the same way; None when the values do not allow it.
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for c in columns:
        top = float(c.max())
        if c.min() < 0 or top >= 2**20 or not np.array_equal(c, np.floor(c)):
            return None
        span *= int(top) + 1
        if span >= 2**62:
            return None
        key = key * (int(top) + 1) + c.astype(np.int64)
    return key


def distinct_rows(*columns: FloatArray, weights: FloatArray | None = None) -> DistinctRows:
    """Collapse identical rows, summing their weights (a sort, then run boundaries)."""
    n = len(columns[0])
    w = np.ones(n) if weights is None else weights
    if n == 0:
        return DistinctRows(columns, w, np.zeros(0, dtype=np.intp))
    order = np.argsort(key, kind="stable") if (key := _packed(columns)) is not None \
        else np.lexsort(columns[::-1])
    sorted_cols = [c[order] for c in columns]
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for c in sorted_cols:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    summed = np.add.reduceat(w[order], starts)
    row_index = np.empty(n, dtype=np.intp)
    row_index[order] = np.cumsum(new) - 1
    return DistinctRows(tuple(c[starts] for c in sorted_cols), summed, row_index)


def horizon_column(t: ArrayLike | float, n: int) -> FloatArray:
    """A forecast horizon per member: one number for all, or one each."""
    horizon = as_column(np.atleast_1d(np.asarray(t, dtype=np.float64)), "t")
    if (horizon < 0).any():
        raise ClvModelError(f"预测时长 t 不能为负 the horizon t must not be negative ({t!r})")
    if len(horizon) not in (1, n):
        raise ClvModelError(f"t 须为一个数或每位会员一个 t must be one number or one per member "
                            f"({len(horizon)} given for {n} members)")
    return np.broadcast_to(horizon, (n,)).astype(np.float64)


def distinct_values(x: FloatArray) -> tuple[FloatArray, NDArray[np.intp]]:
    """The distinct values of `x` and, per row, the index of its value.

    Special functions of the frequency alone (gammaln(r+x), digamma(b+x), …) are then
    computed once per distinct frequency — a few dozen — instead of once per row. The
    histories `distinct_rows` returns are sorted by frequency, which takes a fast path.
    """
    if len(x) and bool(np.all(x[1:] >= x[:-1])):
        starts = np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))
        index = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(x))))
        return x[starts], index
    values, index = np.unique(x, return_inverse=True)
    return values, index


def member_weights(weights: ArrayLike | None, n: int) -> FloatArray:
    """Per-row counts of members (1 each unless given), checked."""
    if weights is None:
        return np.ones(n)
    w = as_column(weights, "weights")
    if len(w) != n or (w < 0).any():
        raise ClvModelError("weights 必须与数据同长且非负 "
                            "weights must be non-negative, one per row")
    return w


def maximise(objective: Objective, start: FloatArray, *, gradient: bool, tol: float,
             max_iter: int, model: str) -> Any:
    """Minimise a negative mean log-likelihood over log-parameters (L-BFGS-B).

    Without an analytic gradient the quasi-Newton run can stop early on a flat ridge,
    so it is followed by a Nelder-Mead polish from where it stopped.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = minimize(objective, start, jac=gradient, method="L-BFGS-B",
                          options={"maxiter": max_iter, "ftol": tol * 1e-3, "gtol": tol})
        if not gradient:
            result = minimize(objective, result.x, method="Nelder-Mead",
                              options={"maxiter": max_iter, "xatol": tol, "fatol": tol * 1e-3})
    if not np.isfinite(result.fun) or not np.all(np.isfinite(result.x)):
        raise ClvModelError(f"{model} 拟合失败 fit failed ({result.message}); try a penalizer "
                            "such as 0.001, or check for members with implausible histories")
    return result
