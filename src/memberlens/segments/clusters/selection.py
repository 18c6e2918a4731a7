"""How many clusters: the silhouette on a sample picks k, the elbow curve shows it.

Every method is searched the same way, so runs can be compared: for each k in the
range, label a sample of members, score the labelling by its mean silhouette (how much
nearer a member is to its own cluster than to the next one, −1…1) on a smaller random
subset — the silhouette needs all pairwise distances, so it is never computed on a
million members — and keep the within-cluster sum of squares for the elbow chart.
The k with the highest silhouette wins.

Examples
--------
>>> best_k([KScore(3, 0.41, 900.0), KScore(4, 0.55, 600.0), KScore(5, 0.50, 550.0)])
4
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import pairwise_distances_argmin, silhouette_score
from threadpoolctl import threadpool_limits

from .errors import ClusterError

Array = np.ndarray[Any, np.dtype[Any]]

# fewer than three groups tell a marketer little; more than eight are hard to act on
K_RANGE: tuple[int, int] = (3, 8)
SAMPLE_SIZE = 20_000      # members a method is trained or searched on
SILHOUETTE_SIZE = 3_000   # members the silhouette is computed on (O(n²) distances)


@dataclass(frozen=True)
class KScore:
    """One k tried: its silhouette (None when undefined) and within-cluster spread."""

    k: int
    silhouette: float | None
    inertia: float


def check_k(n_clusters: int | str, k_range: tuple[int, int]) -> int | None:
    """The fixed k, or None for "auto"; refuses what cannot be clustered."""
    low, high = k_range
    if not 2 <= low <= high:
        raise ClusterError(f"k 的范围无效 invalid k range {low}–{high}: needs 2 ≤ low ≤ high")
    if n_clusters == "auto":
        return None
    if isinstance(n_clusters, str) or n_clusters < 2:
        raise ClusterError(f"k 应为 auto 或不小于 2 的整数 k must be 'auto' or an integer "
                           f"≥ 2, got {n_clusters!r} (--k)")
    return int(n_clusters)


def check_rows(X: Any, k: int) -> Array:
    """X as a 2-D float array with at least k rows and no missing values."""
    values = np.asarray(X, dtype="float64")
    if values.ndim != 2 or values.shape[0] == 0:
        raise ClusterError(f"需要二维特征矩阵 clustering needs a 2-D feature matrix, got "
                           f"shape {values.shape}")
    if not np.isfinite(values).all():
        raise ClusterError("特征中有缺失或无穷值 the features hold NaN or infinite values; "
                           "prepare them with ProfileScaler")
    if values.shape[0] < k:
        raise ClusterError(f"会员太少 {values.shape[0]} members cannot form {k} clusters")
    return values


def sample_rows(n: int, size: int, rng: np.random.Generator) -> Array:
    """Sorted indices of at most `size` of `n` rows, drawn without replacement."""
    if n <= size:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))


def within_ss(X: Array, labels: Array) -> float:
    """Sum of squared distances of every row to its cluster's mean (k-means' inertia)."""
    k = int(labels.max()) + 1
    counts = np.bincount(labels, minlength=k).astype("float64")
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, labels, X)
    used = counts > 0
    return float((X ** 2).sum() - ((sums[used] ** 2).sum(axis=1) / counts[used]).sum())


def mean_silhouette(X: Array, labels: Array, rows: Array) -> float | None:
    """The mean silhouette of `rows`; None when they fall into fewer than two clusters."""
    picked = labels[rows]
    if len(np.unique(picked)) < 2 or len(np.unique(picked)) >= len(rows):
        return None
    return float(silhouette_score(X[rows], picked))


def search_k(X: Array, labels_for: Callable[[int], Array], k_range: tuple[int, int],
             rng: np.random.Generator, silhouette_size: int = SILHOUETTE_SIZE
             ) -> list[KScore]:
    """Score ``labels_for(k)`` (labels of the rows of X) for every k in the range."""
    rows = sample_rows(len(X), silhouette_size, rng)
    out = []
    # one thread: the sample's fits are too small to gain from more, and OpenMP threads
    # on a busy machine spin against each other (20× slower with the load at 2 per core)
    with threadpool_limits(1):
        for k in range(k_range[0], k_range[1] + 1):
            labels = labels_for(k)
            out.append(KScore(k, mean_silhouette(X, labels, rows), within_ss(X, labels)))
    return out


def best_k(scores: Sequence[KScore]) -> int:
    """The k with the highest silhouette (the smaller k on a tie)."""
    scored = [s for s in scores if s.silhouette is not None]
    if not scored:
        raise ClusterError("无法选择 k no k in the range gave two or more clusters; "
                           "give --k or use more members")
    return max(scored, key=lambda s: (s.silhouette, -s.k)).k


def nearest(X: Array, centers: Array) -> Array:
    """Index of the nearest center for every row (chunked: fine for millions of rows)."""
    return np.asarray(pairwise_distances_argmin(X, centers), dtype="int64")
