"""Top-k of sparse scores: ties at the k-th place go to the lower column, every time."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from memberlens.recommend.itemcf import sparse_top_k


@pytest.mark.parametrize("seed", range(5))
def test_sparse_top_k_matches_a_full_sort_with_many_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random((150, 400)) < 0.25,
                     rng.integers(1, 4, (150, 400)).astype(np.float32), 0)
    scores = sp.csr_matrix(dense)
    for k in (1, 3, 10):
        top = sparse_top_k(scores, k)
        for i in range(scores.shape[0]):
            row = scores[i]
            expected = row.indices[np.lexsort((row.indices, -row.data))[:k]]
            got = top.items[i][top.items[i] >= 0]
            assert got.tolist() == expected.tolist(), (i, k)
