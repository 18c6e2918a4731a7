"""Exact content top-N without the near-dense member × catalogue product.

Content scores are cosines of a member profile ``P`` and L2-normalised item vectors
``V``. A few tokens (department, price band, "new") are each shared by a large share
of the catalogue, so ``P @ Vᵀ`` has a nonzero for almost every (member, item) pair:
7–13 s and 1.7 GB for 20k members × 5k SKUs, hours for 1M × 50k. The features are
split by group:

* *specific* ones (leaf category, brand) give the candidates — the items sharing one
  with the member, a sparse product — and the first terms of their scores; the
  *broad* terms (``BROAD_GROUPS``) are looked up and added in feature order, as the
  full product adds them, so a candidate's score is the full product's bit for bit;
* an item that is not a candidate scores its broad part alone, which depends only on
  its *combination* of broad features and its norm. One small members × combinations
  product, with the smallest norm of each combination, bounds all of them.

A member's list is final when its k-th candidate beats that bound by a relative margin
well above float32 rounding. Members whose list is not proven that way — a short
candidate list after exclusions, a profile of broad tags only — are scored against the
whole catalogue in small batches. Ties go to the lower column, at the cut too, so a
list is one function of the scores: the exact top-N either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .base import IntArray, TopN
from .itemcf import sparse_top_k

BROAD_GROUPS = ("category_l1", "new", "price_band")  # few values, on many items each
MARGIN = 1e-4  # relative: the k-th candidate must beat the bound by this much
CELLS = 1 << 23  # bound on batch rows × combinations (the dense broad part)
MAX_BATCH = 8192
CANDIDATES = 1 << 23  # bound on the candidate pairs of one batch
BLOCK = 1 << 16  # rows whose candidate counts are bounded at once
FALLBACK_CELLS = 1 << 23  # bound on batch rows × items for the exact fallback
_SEEN = np.float32(1e30)


@dataclass(frozen=True)
class ContentIndex:
    """Item side of the split scoring (see the module docstring).

    ``specific_t``: features × items, the specific features' rows of ``Vᵀ``.
    ``broad_cols``: the broad features; ``slot_cols`` / ``slot_vals`` (items × slots):
    each item's broad features (positions in ``broad_cols``, ascending; padding points
    one past the end) and their values in ``V``. ``combos``: features × combinations,
    ``scale`` of each broad feature of a combination; ``combo_bound``: the largest
    ``1/‖item‖`` in a combination. ``same_order``: every specific feature comes
    before every broad one, so candidate sums are added in the order of the full
    product and come out bit for bit the same.
    """

    specific_t: sp.csr_matrix
    broad_cols: IntArray
    slot_cols: npt.NDArray[np.int64]
    slot_vals: npt.NDArray[np.float32]
    combos: sp.csr_matrix
    combo_bound: npt.NDArray[np.float64]
    same_order: bool

    @property
    def n_combos(self) -> int:
        return int(self.combos.shape[1])


def build_index(
    item_vectors: sp.csr_matrix, scale: npt.NDArray[np.float32], features: list[str],
    broad_groups: tuple[str, ...] = BROAD_GROUPS,
) -> ContentIndex:
    """Split the features (``group=value`` names) of normalised ``item_vectors``."""
    v = sp.csr_matrix(item_vectors, dtype=np.float32)
    v.sort_indices()
    n_items, n_features = v.shape
    broad = np.array([f.split("=", 1)[0] in broad_groups for f in features], dtype=bool)
    broad_cols = np.flatnonzero(broad)
    specific = sp.csr_matrix(sp.diags((~broad).astype(np.float32)) @ sp.csr_matrix(v.T))
    specific.eliminate_zeros()
    # each item's broad features, ascending, padded with a column of zeros
    vb = sp.csr_matrix(v[:, broad_cols])
    vb.sort_indices()
    counts = np.diff(vb.indptr)
    width = max(int(counts.max()) if n_items else 0, 1)
    slot = np.arange(vb.nnz) - np.repeat(vb.indptr[:-1], counts)
    owner = np.repeat(np.arange(n_items), counts)
    slot_cols = np.full((n_items, width), len(broad_cols), dtype=np.int64)
    slot_vals = np.zeros((n_items, width), dtype=np.float32)
    slot_cols[owner, slot], slot_vals[owner, slot] = vb.indices, vb.data
    # combinations of broad features, and the smallest item norm in each
    scale64 = np.asarray(scale, dtype=np.float64)
    every = np.repeat(np.arange(n_items), np.diff(v.indptr))
    norms = np.sqrt(np.bincount(every, weights=scale64[v.indices] ** 2, minlength=n_items))
    norms[norms == 0] = 1.0
    unique, combo_of_item = np.unique(slot_cols, axis=0, return_inverse=True)
    combo_of_item = np.asarray(combo_of_item).ravel()
    combo, at = np.nonzero(unique < len(broad_cols))
    feat = broad_cols[unique[combo, at]]
    combos = sp.csr_matrix((scale64[feat].astype(np.float32), (feat, combo)),
                           shape=(n_features, len(unique)), dtype=np.float32)
    combo_bound = np.zeros(len(unique))
    np.maximum.at(combo_bound, combo_of_item, 1.0 / norms)
    specific_cols = np.flatnonzero(~broad)
    same_order = not (len(broad_cols) and len(specific_cols)) or \
        bool(specific_cols.max() < broad_cols.min())
    return ContentIndex(specific, broad_cols, slot_cols, slot_vals, combos, combo_bound,
                        same_order)


def rank_content(
    profiles: sp.csr_matrix, index: ContentIndex, items_t: sp.csr_matrix,
    seen: sp.csr_matrix, rows: IntArray, k: int, *, exclude_seen: bool = True,
    exclude_items: IntArray | None = None,
) -> TopN:
    """Exact top-k of ``profiles[rows] @ items_t`` (positive scores only, ties by lower
    column), what :func:`~memberlens.recommend.itemcf.rank_sparse` ranks from the full
    product."""
    n_items = int(items_t.shape[1])
    items = np.full((len(rows), k), -1, dtype=np.int32)
    scores = np.full((len(rows), k), np.nan, dtype=np.float32)
    if k <= 0 or len(rows) == 0:
        return TopN(items, scores)
    banned = None
    if exclude_items is not None and len(exclude_items):
        banned = np.zeros(n_items, dtype=bool)
        banned[exclude_items] = True
    most = int(np.clip(CELLS // max(index.n_combos, 1), 1, MAX_BATCH))
    unsure: list[IntArray] = []
    for block in range(0, len(rows), BLOCK):
        block_rows = rows[block:block + BLOCK]
        for start, end in _batches(_row_cost(profiles[block_rows], index), CANDIDATES, most):
            part = block_rows[start:end]
            top, sure = rank_candidates(profiles[part], index, seen[part] if exclude_seen
                                        else None, k, banned)
            done = slice(block + start, block + end)
            items[done], scores[done] = top.items, top.scores
            unsure.append(block + start + np.flatnonzero(~sure))
    redo = np.concatenate(unsure)
    step = max(1, FALLBACK_CELLS // max(n_items, 1))
    for start in range(0, len(redo), step):
        at = redo[start:start + step]
        full = sp.csr_matrix(profiles[rows[at]] @ items_t, dtype=np.float32)
        if exclude_seen:
            full = _without_seen(full, seen[rows[at]])
        keep = full.data > 0
        if banned is not None:
            keep &= ~banned[full.indices]
        exact = top_k_by_column(full, k, keep)
        items[at], scores[at] = exact.items, exact.scores
    return TopN(items, scores)


def rank_candidates(
    prof: sp.csr_matrix, index: ContentIndex, seen: sp.csr_matrix | None, k: int,
    banned: npt.NDArray[np.bool_] | None,
) -> tuple[TopN, npt.NDArray[np.bool_]]:
    """Top-k among the candidates of one batch of profiles, and for which rows that
    top-k is proven to be the top-k of the whole catalogue."""
    cand = sp.csr_matrix(prof @ index.specific_t, dtype=np.float32)
    if seen is not None:
        cand = _without_seen(cand, seen)
    owner = np.repeat(np.arange(cand.shape[0]), np.diff(cand.indptr))
    cols = cand.indices
    nb = len(index.broad_cols) + 1  # broad terms added in feature order, as the product does
    dense = np.zeros((cand.shape[0], nb), dtype=np.float32)
    dense[:, :-1] = prof[:, index.broad_cols].toarray()
    flat = dense.ravel()
    base = owner * nb
    for j in range(index.slot_cols.shape[1]):
        cand.data += flat[base + index.slot_cols[cols, j]] * index.slot_vals[cols, j]
    broad = np.asarray(sp.csr_matrix(prof @ index.combos).toarray(), dtype=np.float64)
    keep = cand.data > 0
    if banned is not None:
        keep &= ~banned[cols]
    top = top_k_by_column(cand, k, keep)
    bound = (broad * index.combo_bound).max(axis=1, initial=0.0)
    kth = top.scores[:, k - 1].astype(np.float64)
    with np.errstate(invalid="ignore"):
        sure = (bound <= 0) | (kth > bound * (1 + MARGIN))
    return top, sure


def top_k_by_column(scores: sp.csr_matrix, k: int, keep: npt.NDArray[np.bool_]) -> TopN:
    """Best ``k`` kept entries per row, ties broken by lower column — at the cut too.

    :func:`~memberlens.recommend.itemcf.sparse_top_k` orders ties by column inside the
    list, but which of several items tied at the k-th score makes the list depends on
    the storage order; rows with such a tie are re-ranked here so the list is one
    function of the scores (items sharing all their attributes tie often).
    """
    top = sparse_top_k(scores, k, keep=keep)
    n = scores.shape[0]
    owner = np.repeat(np.arange(n), np.diff(scores.indptr))
    kth = top.scores[:, k - 1]
    with np.errstate(invalid="ignore"):
        tied = np.bincount(owner[keep & (scores.data == kth[owner])], minlength=n)
        listed = (top.scores == kth[:, None]).sum(axis=1)
        redo = tied > listed
        pick = keep & redo[owner] & (scores.data >= kth[owner])
    if not pick.any():
        return top
    row, col, val = owner[pick], scores.indices[pick], scores.data[pick]
    order = np.lexsort((col, -val, row))
    row, col, val = row[order], col[order], val[order]
    rank = np.arange(len(row)) - np.searchsorted(row, row)
    first = rank < k
    top.items[row[first], rank[first]] = col[first]
    top.scores[row[first], rank[first]] = val[first]
    return top


def _without_seen(scores: sp.csr_matrix, seen: sp.csr_matrix) -> sp.csr_matrix:
    """Seen entries pushed far below 0 (a sparse add, in C); other values unchanged."""
    if not seen.nnz:
        return scores
    return sp.csr_matrix(scores + sp.csr_matrix(
        (np.full(seen.nnz, -_SEEN, np.float32), seen.indices, seen.indptr),
        shape=seen.shape))


def _row_cost(profiles: sp.csr_matrix, index: ContentIndex) -> npt.NDArray[np.float64]:
    """Bound on each row's candidates: the items of its specific features, summed."""
    items_of = np.diff(index.specific_t.indptr).astype(np.float64)
    pattern = sp.csr_matrix((np.ones(profiles.nnz), profiles.indices, profiles.indptr),
                            shape=profiles.shape)
    return np.asarray(pattern @ items_of, dtype=np.float64)


def _batches(cost: npt.NDArray[np.float64], budget: float, most: int
             ) -> list[tuple[int, int]]:
    """Consecutive ranges of rows whose summed cost stays under ``budget`` (≥ 1 row each,
    at most ``most``)."""
    total = np.concatenate([[0.0], np.cumsum(cost)])
    out: list[tuple[int, int]] = []
    start = 0
    while start < len(cost):
        end = int(np.searchsorted(total, total[start] + budget, side="right")) - 1
        end = min(max(end, start + 1), start + most, len(cost))
        out.append((start, end))
        start = end
    return out
