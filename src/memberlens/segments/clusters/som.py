"""Kohonen self-organising map, its nodes grouped into clusters (issue 4 §4).

The map (minisom) is a small grid of prototype members trained on a sample; members
who are alike land on the same or neighbouring nodes. The nodes that won members are
then merged by Ward agglomeration into k clusters; a node no sample member chose
(it lies between groups) joins the cluster of the nearest node that did, so no
cluster is empty. A member belongs to the cluster of its best-matching node; k is
chosen by silhouette like every method here (selection.py).

Examples
--------
>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs(n_samples=600, centers=4, random_state=1)
>>> SelfOrganizingMap(random_state=0).fit(X).n_clusters_
4
"""

from __future__ import annotations

from typing import Any

import numpy as np
from minisom import MiniSom
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import AgglomerativeClustering

from .errors import ClusterError
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


def grid_side(n: int) -> int:
    """Side of a square map of about 5·√n nodes (Vesanto's rule), 4 to 12 nodes wide."""
    return int(np.clip(round(np.sqrt(5 * np.sqrt(n))), 4, 12))


class SelfOrganizingMap(BaseEstimator, ClusterMixin):  # type: ignore[misc]
    """A self-organising map whose nodes are grouped into k clusters.

    Parameters
    ----------
    n_clusters
        ``"auto"`` or a fixed k.
    k_range
        The k tried by the search (inclusive).
    grid
        ``(rows, cols)`` of the map; default square, from the sample size.
    sigma
        Starting neighbourhood radius in nodes (default a quarter of the side).
    learning_rate
        Starting learning rate (decays during training).
    iterations
        Training steps (default five per sample member, at most 50,000).
    sample_size, silhouette_size, random_state
        As in :class:`~memberlens.segments.clusters.kmeans.AutoKMeans`.

    Attributes
    ----------
    weights_
        The trained map, ``(rows, cols, features)``.
    node_labels_
        The cluster of every node, row by row.
    quantization_error_
        Mean distance of the sample to its best-matching node.
    n_clusters_, labels_, cluster_centers_, search_
        The result for the rows fitted.
    """

    def __init__(self, n_clusters: int | str = "auto", k_range: tuple[int, int] = K_RANGE,
                 grid: tuple[int, int] | None = None, sigma: float | None = None,
                 learning_rate: float = 0.5, iterations: int | None = None,
                 sample_size: int = SAMPLE_SIZE, silhouette_size: int = SILHOUETTE_SIZE,
                 random_state: int = 0) -> None:
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.grid = grid
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.iterations = iterations
        self.sample_size = sample_size
        self.silhouette_size = silhouette_size
        self.random_state = random_state

    def _train(self, sample: Array) -> Array:
        rows, cols = self.grid or (grid_side(len(sample)),) * 2
        som = MiniSom(rows, cols, sample.shape[1],
                      sigma=self.sigma or max(1.0, max(rows, cols) / 4),
                      learning_rate=self.learning_rate, neighborhood_function="gaussian",
                      random_seed=self.random_state)
        som.pca_weights_init(sample)
        som.train(sample, self.iterations or min(50_000, 5 * len(sample)),
                  random_order=True)
        self.grid_ = (rows, cols)
        self.weights_ = np.asarray(som.get_weights())
        return self.weights_.reshape(rows * cols, -1)

    def fit(self, X: Any, y: Any = None) -> SelfOrganizingMap:
        fixed = check_k(self.n_clusters, self.k_range)
        values = check_rows(X, fixed or self.k_range[0])
        rng = np.random.default_rng(self.random_state)
        sample = values[sample_rows(len(values), self.sample_size, rng)]
        nodes = self._train(sample)
        node_of_sample = nearest(sample, nodes)
        self.quantization_error_ = float(np.linalg.norm(
            sample - nodes[node_of_sample], axis=1).mean())
        hit = np.unique(node_of_sample)
        # every node to its nearest node with members (itself when it has some)
        to_hit = hit[nearest(nodes, nodes[hit])]
        grouped: dict[int, Array] = {}

        def labels_for(k: int) -> Array:
            agg = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(nodes[hit])
            labels = np.zeros(len(nodes), dtype="int64")
            labels[hit] = agg.labels_
            grouped[k] = labels[to_hit]
            return grouped[k][node_of_sample]

        if len(hit) < (fixed or self.k_range[0]):
            raise ClusterError(f"自组织映射只有 {len(hit)} 个节点有会员 only {len(hit)} map "
                               "nodes hold members; use fewer clusters or a larger grid")
        k_range = (fixed, fixed) if fixed else (self.k_range[0],
                                                min(self.k_range[1], len(hit)))
        self.search_: list[KScore] = search_k(sample, labels_for, k_range, rng,
                                              self.silhouette_size)
        k = fixed or best_k(self.search_)
        self.node_labels_ = grouped[k]
        self.n_clusters_ = k
        self.labels_ = self.predict(values)
        self.cluster_centers_ = np.vstack([values[self.labels_ == c].mean(axis=0)
                                           if (self.labels_ == c).any()
                                           else nodes[self.node_labels_ == c].mean(axis=0)
                                           for c in range(k)])
        return self

    def predict(self, X: Any) -> Array:
        """The cluster of every row's best-matching node."""
        nodes = self.weights_.reshape(-1, self.weights_.shape[-1])
        return np.asarray(self.node_labels_[nearest(check_rows(X, 1), nodes)])
