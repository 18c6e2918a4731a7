"""Two-step clustering: BIRCH sub-clusters, merged agglomeratively (issue 4 §4).

Step one (BIRCH) summarises the members in one pass into at most a few hundred small,
tight sub-clusters; step two merges their centroids bottom-up (Ward: each merge is the
one that adds the least within-cluster variance) until k remain. Ward must weigh a
sub-cluster by its members, or a sparse fringe split into many small sub-clusters
outvotes a dense core; scikit-learn's agglomeration takes no weights, so each centroid
enters as copies in proportion to its members (identical copies merge first, at no
cost). k is chosen like
every method here: the silhouette of the members on a sample (selection.py) — one
criterion for all methods, so their runs can be compared. A member belongs to the
cluster of its nearest sub-cluster, which keeps shapes that are not round.

Examples
--------
>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs(n_samples=600, centers=4, random_state=1)
>>> TwoStep(random_state=0).fit(X).n_clusters_
4
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import AgglomerativeClustering, Birch

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

# points step two agglomerates at most (about; O(n²) memory): the weighted centroids
WEIGHT_POINTS = 2_000


class TwoStep(BaseEstimator, ClusterMixin):  # type: ignore[misc]
    """BIRCH then Ward agglomeration of the sub-cluster centroids.

    Parameters
    ----------
    n_clusters
        ``"auto"`` or a fixed k.
    k_range
        The k tried by the search (inclusive).
    threshold
        BIRCH's starting radius (default 0.5·√features, about a tenth of the spread of
        standardised data); raised by a quarter until at most `max_subclusters` remain.
    max_subclusters
        How many sub-clusters step two merges at most.
    sample_size, silhouette_size, random_state
        As in :class:`~memberlens.segments.clusters.kmeans.AutoKMeans`.

    Attributes
    ----------
    subcluster_centers_
        Step one's sub-cluster centroids.
    subcluster_labels_
        The cluster each sub-cluster was merged into.
    n_clusters_, labels_, cluster_centers_, search_
        The result for the rows fitted.
    """

    def __init__(self, n_clusters: int | str = "auto", k_range: tuple[int, int] = K_RANGE,
                 threshold: float | None = None, max_subclusters: int = 300,
                 sample_size: int = SAMPLE_SIZE, silhouette_size: int = SILHOUETTE_SIZE,
                 random_state: int = 0) -> None:
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.threshold = threshold
        self.max_subclusters = max_subclusters
        self.sample_size = sample_size
        self.silhouette_size = silhouette_size
        self.random_state = random_state

    def _subclusters(self, sample: Array) -> Array:
        threshold = self.threshold or 0.5 * np.sqrt(sample.shape[1])
        while True:
            birch = Birch(threshold=threshold, n_clusters=None).fit(sample)
            centers = np.asarray(birch.subcluster_centers_)
            if len(centers) <= self.max_subclusters:
                self.threshold_ = threshold
                return centers
            threshold *= 1.25

    def fit(self, X: Any, y: Any = None) -> TwoStep:
        fixed = check_k(self.n_clusters, self.k_range)
        values = check_rows(X, fixed or self.k_range[0])
        rng = np.random.default_rng(self.random_state)
        sample = values[sample_rows(len(values), self.sample_size, rng)]
        centers = self._subclusters(sample)
        if len(centers) < (fixed or self.k_range[0]):
            # the members are too few or too alike for BIRCH to split: every row its own
            centers = np.unique(sample, axis=0)
        sub_of_sample = nearest(sample, centers)
        sizes = np.bincount(sub_of_sample, minlength=len(centers))
        copies = np.maximum(1, np.round(sizes * WEIGHT_POINTS / len(sample))).astype(int)
        weighted = np.repeat(centers, copies, axis=0)
        first_copy = np.concatenate([[0], np.cumsum(copies)[:-1]])
        merged: dict[int, Array] = {}

        def labels_for(k: int) -> Array:
            agg = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(weighted)
            merged[k] = np.asarray(agg.labels_, dtype="int64")[first_copy]
            return merged[k][sub_of_sample]

        top = min(self.k_range[1], len(centers))
        k_range = (fixed, fixed) if fixed else (self.k_range[0], top)
        self.search_: list[KScore] = search_k(sample, labels_for, k_range, rng,
                                              self.silhouette_size)
        k = fixed or best_k(self.search_)
        self.subcluster_centers_ = centers
        self.subcluster_labels_ = merged[k]
        self.n_clusters_ = k
        self.labels_ = self.predict(values)
        self.cluster_centers_ = np.vstack([values[self.labels_ == c].mean(axis=0)
                                           if (self.labels_ == c).any()
                                           else centers[self.subcluster_labels_ == c].mean(0)
                                           for c in range(k)])
        return self

    def predict(self, X: Any) -> Array:
        """The cluster of every row's nearest sub-cluster."""
        return np.asarray(self.subcluster_labels_[nearest(check_rows(X, 1),
                                                          self.subcluster_centers_)])
