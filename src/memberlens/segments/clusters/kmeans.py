"""K-Means with the number of clusters chosen by silhouette (issue 4 §4).

The search fits K-Means for every k of the range on a sample of members; the chosen
k is then fitted on all of them, started from the sample's centers, so a million
members cost one full fit rather than one per k.

Examples
--------
>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs(n_samples=600, centers=4, random_state=1)
>>> AutoKMeans(random_state=0).fit(X).n_clusters_
4
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans

from .selection import (
    K_RANGE,
    SAMPLE_SIZE,
    SILHOUETTE_SIZE,
    Array,
    KScore,
    best_k,
    check_k,
    check_rows,
    nearest,
    sample_rows,
    search_k,
)


class AutoKMeans(BaseEstimator, ClusterMixin):  # type: ignore[misc]
    """K-Means; ``n_clusters="auto"`` picks k in `k_range` by silhouette.

    Parameters
    ----------
    n_clusters
        ``"auto"`` or a fixed k.
    k_range
        The k tried by the search (inclusive).
    sample_size
        Members the search fits on.
    silhouette_size
        Members the silhouette is computed on.
    n_init
        K-Means restarts per k in the search.
    random_state
        Seed for sampling and initialisation.

    Attributes
    ----------
    n_clusters_, labels_, cluster_centers_, inertia_
        The fit on all rows.
    search_
        One :class:`KScore` per k tried (the fixed k only when one was given).
    """

    def __init__(self, n_clusters: int | str = "auto", k_range: tuple[int, int] = K_RANGE,
                 sample_size: int = SAMPLE_SIZE, silhouette_size: int = SILHOUETTE_SIZE,
                 n_init: int = 4, random_state: int = 0) -> None:
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.sample_size = sample_size
        self.silhouette_size = silhouette_size
        self.n_init = n_init
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> AutoKMeans:
        fixed = check_k(self.n_clusters, self.k_range)
        values = check_rows(X, fixed or self.k_range[0])
        rng = np.random.default_rng(self.random_state)
        sample = values[sample_rows(len(values), self.sample_size, rng)]
        k_range = (fixed, fixed) if fixed else (self.k_range[0],
                                                min(self.k_range[1], len(sample) - 1))
        fits: dict[int, KMeans] = {}

        def labels_for(k: int) -> Array:
            fits[k] = KMeans(n_clusters=k, n_init=self.n_init,
                             random_state=self.random_state).fit(sample)
            return np.asarray(fits[k].labels_)

        self.search_: list[KScore] = search_k(sample, labels_for, k_range, rng,
                                              self.silhouette_size)
        k = fixed or best_k(self.search_)
        final = KMeans(n_clusters=k, init=fits[k].cluster_centers_, n_init=1,
                       random_state=self.random_state).fit(values)
        self.n_clusters_ = k
        self.cluster_centers_ = final.cluster_centers_
        self.labels_ = np.asarray(final.labels_, dtype="int64")
        self.inertia_ = float(final.inertia_)
        return self

    def predict(self, X: Any) -> Array:
        """The nearest center of every row."""
        return nearest(check_rows(X, 1), self.cluster_centers_)
