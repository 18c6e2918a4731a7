"""Top-N ranking metrics as the recommender-systems field defines them.

Binary relevance: a recommended SKU is a hit when the member interacted with it
in the test period. Averages are over members with at least one test item
(members with nothing to find say nothing about a ranking).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .base import TopN

METRICS = ("precision", "recall", "ndcg", "mrr", "hit_rate")


def hits_matrix(top: TopN, truth: sp.csr_matrix) -> npt.NDArray[np.bool_]:
    """hits[i, j]: is the j-th recommendation of row i in row i's test items."""
    n, k = top.items.shape
    hits = np.zeros((n, k), dtype=bool)
    indptr, indices = truth.indptr, truth.indices
    for i in range(n):
        relevant = indices[indptr[i]:indptr[i + 1]]
        if len(relevant):
            hits[i] = np.isin(top.items[i], relevant) & (top.items[i] >= 0)
    return hits


def ranking_metrics(top: TopN, truth: sp.csr_matrix, k: int | None = None) -> dict[str, float]:
    """precision, recall, NDCG, MRR and hit rate at k, averaged over rows with test items.

    ``truth`` has one row per row of ``top`` (same order) and a column per SKU.
    Recall is hits / |test items| (as in most published tables, not capped at k);
    NDCG divides by the ideal DCG of min(k, |test items|) hits.
    """
    k = top.k if k is None else k
    if truth.shape[0] != top.items.shape[0]:
        raise ValueError(f"{truth.shape[0]} truth rows for {top.items.shape[0]} ranked rows")
    top = TopN(top.items[:, :k], top.scores[:, :k])
    n_relevant = np.diff(truth.indptr)
    rows = n_relevant > 0
    if not rows.any():
        return {name: float("nan") for name in METRICS}
    hits = hits_matrix(top, truth)[rows]
    n_rel = n_relevant[rows].astype(np.float64)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discounts).sum(axis=1)
    ideal = np.cumsum(discounts)[np.minimum(n_rel, k).astype(np.int64) - 1]
    first = np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, 0)
    rr = np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0)
    n_hits = hits.sum(axis=1)
    return {
        "precision": float((n_hits / k).mean()),
        "recall": float((n_hits / n_rel).mean()),
        "ndcg": float((dcg / ideal).mean()),
        "mrr": float(rr.mean()),
        "hit_rate": float((n_hits > 0).mean()),
    }


def catalogue_coverage(top: TopN, n_items: int) -> float:
    """Share of the catalogue that appears in at least one list."""
    shown = np.unique(top.items[top.items >= 0])
    return float(len(shown) / n_items) if n_items else float("nan")
