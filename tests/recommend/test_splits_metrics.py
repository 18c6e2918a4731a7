"""Splits keep time and members apart; the metrics give hand-computed values and agree
with the implicit library where the definitions agree."""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import scipy.sparse as sp

from memberlens.recommend.base import Interactions, Recommender, RecommendError, TopN
from memberlens.recommend.metrics import catalogue_coverage, hits_matrix, ranking_metrics
from memberlens.recommend.splits import chrono_split, leave_last_out, random_split, time_split


def _log(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "member_id": [r[0] for r in rows], "sku": [r[1] for r in rows],
        "at": pd.to_datetime([r[2] for r in rows]), "kind": [r[3] for r in rows],
        "weight": 1.0})


# --- metrics, by hand --------------------------------------------------------------


def _top(items: list[list[int]]) -> TopN:
    arr = np.array(items, dtype=np.int32)
    return TopN(arr, np.where(arr >= 0, 1.0, np.nan).astype(np.float32))


def _truth(rows: list[list[int]], n_items: int) -> sp.csr_matrix:
    r = [i for i, cols in enumerate(rows) for _ in cols]
    c = [j for cols in rows for j in cols]
    return sp.csr_matrix((np.ones(len(c), np.float32), (r, c)), shape=(len(rows), n_items))


def test_ranking_metrics_by_hand() -> None:
    # row 0: hit at rank 2 of {1, 9}; row 1: hit at rank 1 of {5} (list padded with -1);
    # row 2: no test SKU, so it is left out of every mean
    top = _top([[3, 1, 7], [5, 2, -1], [0, 4, 6]])
    truth = _truth([[1, 9], [5], []], n_items=10)
    m = ranking_metrics(top, truth)
    d2 = 1 / np.log2(3)
    assert m["precision"] == pytest.approx((1 / 3 + 1 / 3) / 2)
    assert m["recall"] == pytest.approx((1 / 2 + 1) / 2)
    # ideal DCG of row 0 has min(k=3, |rel|=2) = 2 hits: 1 + 1/log2(3)
    assert m["ndcg"] == pytest.approx((d2 / (1 + d2) + 1.0) / 2)
    assert m["mrr"] == pytest.approx((1 / 2 + 1) / 2)
    assert m["hit_rate"] == 1.0
    assert catalogue_coverage(top, 10) == pytest.approx(8 / 10)  # 0..7 shown, -1 not


def test_ranking_metrics_cut_below_list_length() -> None:
    top = _top([[3, 1, 7], [5, 2, 8]])
    truth = _truth([[1, 9], [5]], n_items=10)
    m = ranking_metrics(top, truth, k=1)
    assert m["precision"] == pytest.approx(0.5)   # row 1 hits at 1, row 0 does not
    assert m["recall"] == pytest.approx(0.5)
    assert m["ndcg"] == pytest.approx(0.5)        # ideal of one slot is 1
    assert m["mrr"] == pytest.approx(0.5)
    assert m["hit_rate"] == pytest.approx(0.5)


def test_ranking_metrics_without_any_test_sku_is_nan() -> None:
    m = ranking_metrics(_top([[1, 2]]), _truth([[]], 4))
    assert all(np.isnan(v) for v in m.values())
    with pytest.raises(ValueError, match="truth rows"):
        ranking_metrics(_top([[1, 2]]), _truth([[1], [2]], 4))


# --- splits ------------------------------------------------------------------------

LOG = _log([
    ("a", "s1", "2025-01-01", "purchase"), ("a", "s2", "2025-01-02", "view"),
    ("a", "s3", "2025-02-10", "purchase"), ("a", "s1", "2025-02-11", "purchase"),
    ("a", "s9", "2025-02-12", "purchase"),              # s9 is not in the catalogue
    ("b", "s1", "2025-02-10", "purchase"),              # b has nothing before the cut-off
    ("c", "s2", "2025-01-05", "view"), ("c", "s3", "2025-02-12", "cart"),
    ("d", "s2", "2025-01-20", "purchase"), ("d", "s4", "2025-02-20", "purchase"),
])
CATALOGUE = ["s1", "s2", "s3", "s4", "s5"]


def test_time_split_trains_before_and_tests_purchases_after() -> None:
    split = time_split(LOG, cutoff="2025-02-01", skus=CATALOGUE)
    assert split.protocol == "time"
    train = split.train
    assert set(train.member_ids) == {"a", "c", "d"}            # b only after the cut-off
    assert list(train.skus) == CATALOGUE                      # columns = the catalogue
    assert train.matrix.sum() == 4                             # four rows before Feb 1
    assert list(split.member_ids) == ["a", "d"]                # c only carted after
    truth = {(split.member_ids[i], train.skus[j]) for i, j in zip(*split.truth.nonzero(),
                                                                 strict=True)}
    assert truth == {("a", "s3"), ("d", "s4")}                # s1 seen, s9 unknown
    assert split.info["dropped_seen"] == 1
    assert split.info["dropped_unknown_sku"] == 1
    assert split.info["dropped_cold_member"] == 1


def test_time_split_options() -> None:
    keep_seen = time_split(LOG, cutoff="2025-02-01", skus=CATALOGUE, exclude_seen=False)
    assert keep_seen.truth.nnz == 3 and not keep_seen.exclude_seen
    carts = time_split(LOG, cutoff="2025-02-01", test_kinds=("cart",), skus=CATALOGUE)
    assert list(carts.member_ids) == ["c"]
    # without the catalogue, s3 (first bought after the cut-off) has no column
    assert time_split(LOG, cutoff="2025-02-01", test_kinds=("cart",)).n_members == 0
    # default cut-off: the last test_days whole days of the log (Feb 20 is the last day)
    last_week = time_split(LOG, test_days=7, skus=CATALOGUE)
    assert last_week.info["cutoff"] == "2025-02-14 00:00:00"
    assert list(last_week.member_ids) == ["d"]
    with pytest.raises(RecommendError, match="no training data"):
        time_split(LOG, cutoff="2024-01-01")
    with pytest.raises(RecommendError, match="'weight'"):
        time_split(LOG.drop(columns="weight"))


def test_random_split_is_per_member_and_seeded() -> None:
    rows = [(f"m{m}", f"s{i}", "2025-01-01", "rating") for m in range(20)
            for i in range(m % 9 + 1)]                       # 1 … 9 SKUs per member
    log = _log(rows)
    skus = [f"s{i}" for i in range(9)]  # s8: only two members have it, both may hold it
    split = random_split(log, test_share=0.25, random_state=3, skus=skus)
    train = split.train
    again = random_split(log, test_share=0.25, random_state=3, skus=skus)
    assert np.array_equal(split.truth.toarray(), again.truth.toarray())
    held = split.truth.toarray() > 0
    for i, row in enumerate(split.rows):
        member = train.member_ids[row]
        n = sum(1 for r in rows if r[0] == member)
        trained = train.matrix[row].toarray()[0] > 0
        assert not (held[i] & trained).any()                  # disjoint per member
        assert held[i].sum() + trained.sum() == n             # together: all of them
        assert held[i].sum() == min(np.floor(n * 0.25 + 0.5), n - 1)
    # members with one SKU only train; everybody else gives at least one
    assert split.n_members == sum(1 for m in range(20) if m % 9 + 1 >= 2)
    assert split.info["dropped_seen"] == 0
    other = random_split(log, test_share=0.25, random_state=4, skus=skus)
    assert not np.array_equal(split.truth.toarray(), other.truth.toarray())
    with pytest.raises(RecommendError, match="test_share"):
        random_split(log, test_share=1.0)


def test_leave_last_out_holds_the_last_purchase() -> None:
    split = leave_last_out(LOG, skus=CATALOGUE)
    truth = {(split.member_ids[i], split.train.skus[j])
             for i, j in zip(*split.truth.nonzero(), strict=True)}
    # a's last purchase is s9 (not in the catalogue): dropped; d's is s4; b has no past
    assert truth == {("d", "s4")}
    d = split.train.member_rows(["d"])[0]
    assert split.train.matrix[d].sum() == 1                   # s4 left d's training rows


def test_split_sample_is_seeded_subset() -> None:
    rows = [(f"m{m}", f"s{i}", "2025-01-01", "rating") for m in range(50) for i in range(4)]
    split = random_split(_log(rows), random_state=0)
    part = split.sample(10, random_state=1)
    assert part.n_members == 10
    assert set(part.rows) <= set(split.rows)
    assert np.array_equal(part.rows, split.sample(10, random_state=1).rows)
    assert split.sample(None) is split


# --- cross-check against implicit --------------------------------------------------


class _ImplicitALS(Recommender):
    """implicit's own ALS behind our interface, so both evaluators see the same model."""

    name = "implicit-als"

    def fit(self, interactions: Interactions) -> Self:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit warns about a threaded BLAS
            self.model_ = AlternatingLeastSquares(factors=16, iterations=8, random_state=0,
                                                  num_threads=1)
            self.model_.fit(interactions.matrix, show_progress=False)
        self.interactions_ = interactions
        return self

    def score_rows(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        return np.asarray(self.model_.user_factors[rows] @ self.model_.item_factors.T,
                          dtype=np.float32)


def test_metrics_against_implicit_evaluation() -> None:
    from implicit.evaluation import ranking_metrics_at_k

    rng = np.random.default_rng(0)
    n_members, n_items = 300, 120
    taste = rng.integers(0, 3, n_members)
    rows = []
    for m in range(n_members):
        items = rng.choice(np.arange(taste[m] * 40, taste[m] * 40 + 40), size=12,
                           replace=False)
        rows += [(f"m{m}", f"s{i}", "2025-01-01", "rating") for i in items]
    split = random_split(_log(rows), test_share=0.25, random_state=0)
    model = _ImplicitALS().fit(split.train)
    k = 10
    top = model.recommend_rows(split.rows, k)
    ours = ranking_metrics(top, split.truth, k)
    test_full = sp.csr_matrix(split.train.matrix.shape, dtype=np.float32)
    test_full = sp.vstack([split.truth[np.searchsorted(split.rows, r)] if r in split.rows
                           else sp.csr_matrix((1, n_items), dtype=np.float32)
                           for r in range(split.train.n_members)]).tocsr()
    theirs = ranking_metrics_at_k(model.model_, split.train.matrix, test_full, K=k,
                                  show_progress=False, num_threads=1)
    # NDCG: both cut the ideal at min(k, |test items|) and average over members
    assert ours["ndcg"] == pytest.approx(theirs["ndcg"], rel=1e-5)
    # precision: implicit pools hits and divides by Σ min(k, |test items|); ours is the
    # mean of hits / k. The same hits give both:
    hits = hits_matrix(top, split.truth).sum(axis=1)
    n_rel = np.diff(split.truth.indptr)
    assert theirs["precision"] == pytest.approx(hits.sum() / np.minimum(k, n_rel).sum())
    assert ours["precision"] == pytest.approx(hits.sum() / (k * len(hits)))
    assert ours["precision"] <= theirs["precision"]
    # the tastes are learnable: 3 of ~31 unseen SKUs of one's group, 0.1 at random
    assert ours["hit_rate"] > 0.6


def test_chrono_split_holds_each_members_latest() -> None:
    rows = [(f"m{m}", f"s{i}", f"2025-01-{i + 1:02d}", "rating") for m in range(3)
            for i in range(8)]
    split = chrono_split(_log(rows), test_share=0.25, skus=[f"s{i}" for i in range(8)])
    assert split.protocol == "chrono" and split.n_members == 3
    for i in range(3):
        held = sorted(split.train.skus[split.truth[i].indices])
        assert held == ["s6", "s7"]                             # the two latest of eight
