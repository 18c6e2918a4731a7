"""Standardise, weight, score 0–100 and rank.

Min-max puts every indicator on 0–1 with 1 the best value (cost indicators reversed),
so the weighted sum × 100 is already a 0–100 score that says how close an entity is
to the best on every indicator. Z-scores (sample standard deviation, as SPSS writes
them) are unbounded, so their weighted sum is rescaled to 0–100 over the entities.
An indicator that is the same for everyone carries no information: min-max gives it
0.5 and z gives it 0, so it moves no entity against another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from .config import CompositeConfig, Indicator
from .data import CompositeDataError
from .weights import FloatArray, minmax_columns


@dataclass
class Scores:
    """Per-entity numbers, rows in the order of the entities."""

    standardised: FloatArray   # entities × indicators
    score: FloatArray          # 0–100
    rank: npt.NDArray[np.int64]  # 1 = best; ties share the better rank
    percentile: FloatArray     # share of the others scoring lower (best = 1)
    points: FloatArray         # entities × indicators: score points above the average entity
    group_scores: dict[str, FloatArray]


def fill_missing(values: pd.DataFrame, indicators: tuple[Indicator, ...], *, origin: str,
                 source: str) -> tuple[FloatArray, dict[str, int]]:
    """Missing values filled as each indicator says; how many were filled per indicator."""
    x = values.to_numpy(dtype=np.float64, copy=True)
    filled: dict[str, int] = {}
    for j, ind in enumerate(indicators):
        col = x[:, j]
        gaps = ~np.isfinite(col)
        if not gaps.any():
            continue
        known = col[~gaps]
        if ind.missing == "error" or known.size == 0:
            first = str(values.index[int(np.flatnonzero(gaps)[0])])
            why = "全部缺失 every value is missing" if known.size == 0 else \
                f"{int(gaps.sum())} 个缺失 values missing, e.g. entity '{first}'"
            raise CompositeDataError(
                f"指标 '{ind.key}' {why}; 可设置 set indicators[{ind.key}].missing to median, "
                f"mean, zero or worst (数据 data={source}, 文件 file={origin})")
        if ind.missing == "median":
            fill = float(np.median(known))
        elif ind.missing == "mean":
            fill = float(known.mean())
        elif ind.missing == "zero":
            fill = 0.0
        else:  # worst
            fill = float(known.min() if ind.direction == "benefit" else known.max())
        col[gaps] = fill
        filled[ind.key] = int(gaps.sum())
    return x, filled


def standardise(x: FloatArray, cost: list[bool], method: str) -> FloatArray:
    """Min-max to 0–1 (best = 1) or z-scores (better = higher), column by column.

    >>> standardise(np.array([[1.0, 5.0], [3.0, 5.0]]), [True, False], "minmax").tolist()
    [[1.0, 0.5], [0.0, 0.5]]
    """
    if method == "minmax":
        return minmax_columns(x, cost, constant=0.5)
    n = x.shape[0]
    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=1) if n > 1 else np.zeros(x.shape[1])
    z = np.where(sd > 0, (x - mean) / np.where(sd > 0, sd, 1.0), 0.0)
    z[:, np.asarray(cost, dtype=bool)] *= -1
    return np.asarray(z, dtype=np.float64)


def _to_100(c: FloatArray) -> tuple[FloatArray, float]:
    """Rescale to 0–100 over the entities; the factor converts composite units to points."""
    lo, hi = float(c.min()), float(c.max())
    if hi - lo <= 1e-12:
        return np.full_like(c, 50.0), 0.0
    return (c - lo) / (hi - lo) * 100.0, 100.0 / (hi - lo)


def competition_rank(score: FloatArray) -> npt.NDArray[np.int64]:
    """1 for the best; equal scores share the better rank (1, 2, 2, 4)."""
    s = np.round(score, 9)
    return np.array([1 + int((s > v).sum()) for v in s], dtype=np.int64)


def score_entities(cfg: CompositeConfig, x: FloatArray, weights: FloatArray) -> Scores:
    """Scores, ranks, percentiles, per-indicator points and group scores."""
    cost = [i.direction == "cost" for i in cfg.indicators]
    s = standardise(x, cost, cfg.standardise)
    composite = s @ weights
    if cfg.standardise == "minmax":
        score, factor = composite * 100.0, 100.0
    else:
        score, factor = _to_100(composite)
    n = len(score)
    rank = competition_rank(score)
    rounded = np.round(score, 9)
    percentile = np.array([(rounded < v).sum() / (n - 1) if n > 1 else 1.0 for v in rounded])
    points = factor * weights[None, :] * (s - s.mean(axis=0)[None, :])
    groups: dict[str, FloatArray] = {}
    for g in cfg.groups:
        idx = [k for k, i in enumerate(cfg.indicators) if i.group == g.key]
        w = weights[idx]
        if w.sum() <= 0:
            groups[g.key] = np.full(n, np.nan)
            continue
        part = s[:, idx] @ (w / w.sum())
        groups[g.key] = part * 100.0 if cfg.standardise == "minmax" else _to_100(part)[0]
    return Scores(standardised=s, score=score, rank=rank, percentile=percentile,
                  points=points, group_scores=groups)
