"""Matrix factorisation for implicit feedback: ALS (Hu, Koren & Volinsky 2008) and BPR
(Rendle et al. 2009), both from the ``implicit`` library's CPU code.

We pass ALS the confidence ``c = 1 + α·w`` ourselves: implicit's solver reads the
stored value as the confidence of a positive (1 for every unobserved pair), so a raw
view weight of 0.1 would count *less* than silence. BPR learns from positives only
(entries of at least ``min_weight``). OpenBLAS is held to one thread while fitting,
as implicit asks (its own threads do the work; nested BLAS threads slow ALS ~10x);
implicit is imported with this module so its BLAS is loaded before the limit is set.
ALS is deterministic for a ``random_state`` whatever ``num_threads``; BPR's Hogwild
updates are only with ``num_threads=1`` (its default here).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
from implicit.cpu.bpr import BayesianPersonalizedRanking
from threadpoolctl import threadpool_limits

from .base import IntArray, Interactions, Recommender, RecommendError, TopN

_FLOOR = -1e30  # implicit reports filtered items with a huge negative score


class _ImplicitRecommender(Recommender):
    """Shared plumbing: fit under one BLAS thread, batched native top-N."""

    num_threads: int
    model_: Any

    @abstractmethod
    def _build(self) -> Any:
        """A fresh, unfitted implicit model with this object's hyperparameters."""

    @abstractmethod
    def _training_matrix(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        """What implicit's ``fit`` is given (members × items)."""

    def fit(self, interactions: Interactions) -> Self:
        self.interactions_ = interactions
        with threadpool_limits(1, "blas"):
            model = self._build()
            model.fit(self._training_matrix(interactions.matrix), show_progress=False)
        self.model_ = model
        return self

    def score_rows(self, rows: IntArray) -> npt.NDArray[np.float32]:
        self._check_fitted()
        users = np.asarray(self.model_.user_factors[rows], dtype=np.float32)
        return users @ np.asarray(self.model_.item_factors, dtype=np.float32).T

    def recommend_rows(
        self, rows: IntArray, k: int = 10, *, exclude_seen: bool = True,
        exclude_items: IntArray | None = None,
    ) -> TopN:
        """implicit's batched top-N (multi-threaded C++), padded to our TopN shape."""
        self._check_fitted()
        n = len(rows)
        items = np.full((n, k), -1, dtype=np.int32)
        scores = np.full((n, k), np.nan, dtype=np.float32)
        if n == 0:
            return TopN(items, scores)
        banned = None if exclude_items is None or not len(exclude_items) \
            else np.asarray(exclude_items, dtype=np.int32)
        with threadpool_limits(1, "blas"):
            ids, vals = self.model_.recommend(
                np.asarray(rows, dtype=np.int32), self.interactions_.matrix[rows], N=k,
                filter_already_liked_items=exclude_seen, filter_items=banned)
        ids = np.asarray(ids).reshape(n, -1)
        vals = np.asarray(vals, dtype=np.float32).reshape(n, -1)
        ok = (ids >= 0) & np.isfinite(vals) & (vals > _FLOOR)
        kk = ids.shape[1]
        items[:, :kk] = np.where(ok, ids, -1)
        scores[:, :kk] = np.where(ok, vals, np.nan)
        return TopN(items, scores)

    def item_similarity(self, column: int, k: int) -> TopN:
        """Cosine of item factors (implicit's ``similar_items``), the item itself left out."""
        self._check_fitted()
        ids, vals = self.model_.similar_items(column, N=k + 1)
        ids, vals = np.asarray(ids), np.asarray(vals, dtype=np.float32)
        keep = ids != column
        ids, vals = ids[keep][:k], vals[keep][:k]
        items = np.full((1, k), -1, dtype=np.int32)
        scores = np.full((1, k), np.nan, dtype=np.float32)
        items[0, :len(ids)] = ids
        scores[0, :len(ids)] = vals
        return TopN(items, scores)


class ALSRecommender(_ImplicitRecommender):
    """Weighted ALS on confidence ``1 + alpha · weight``.

    Parameters
    ----------
    factors, regularization, iterations : as in implicit's AlternatingLeastSquares.
    alpha : how much one unit of interaction weight raises the confidence.
    num_threads : implicit's threads (0 = all cores); results do not depend on it.
    """

    name = "als"

    def __init__(
        self, factors: int = 64, regularization: float = 0.05, alpha: float = 10.0,
        iterations: int = 15, random_state: int | None = 0, num_threads: int = 0,
    ) -> None:
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.random_state = random_state
        self.num_threads = num_threads

    def _build(self) -> Any:
        if self.factors < 1 or self.iterations < 1 or self.alpha < 0:
            raise RecommendError("ALS 参数无效 / ALS needs factors >= 1, iterations >= 1 and "
                                 f"alpha >= 0 (got {self.factors}, {self.iterations}, "
                                 f"{self.alpha})")
        return AlternatingLeastSquares(
            factors=self.factors, regularization=self.regularization, alpha=1.0,
            iterations=self.iterations, random_state=self.random_state,
            num_threads=self.num_threads)

    def _training_matrix(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        conf = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
        conf.eliminate_zeros()
        conf.data = (1.0 + self.alpha * conf.data).astype(np.float32)
        return conf


class BPRRecommender(_ImplicitRecommender):
    """Bayesian personalised ranking: learns that taken items rank above untaken ones.

    Parameters
    ----------
    min_weight : entries with at least this summed weight are positives (0.1 keeps
        every view; 1.0 keeps only purchases with the default weights).
    num_threads : 1 (default) keeps the fit reproducible; more is faster but not.
    """

    name = "bpr"

    def __init__(
        self, factors: int = 64, learning_rate: float = 0.05, regularization: float = 0.01,
        iterations: int = 100, min_weight: float = 0.0, random_state: int | None = 0,
        num_threads: int = 1,
    ) -> None:
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.min_weight = min_weight
        self.random_state = random_state
        self.num_threads = num_threads

    def _build(self) -> Any:
        if self.factors < 1 or self.iterations < 1 or self.learning_rate <= 0:
            raise RecommendError("BPR 参数无效 / BPR needs factors >= 1, iterations >= 1 and "
                                 f"learning_rate > 0 (got {self.factors}, {self.iterations}, "
                                 f"{self.learning_rate})")
        return BayesianPersonalizedRanking(
            factors=self.factors, learning_rate=self.learning_rate,
            regularization=self.regularization, iterations=self.iterations,
            random_state=self.random_state, num_threads=self.num_threads)

    def _training_matrix(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        pos = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
        pos.data = np.where(pos.data >= max(self.min_weight, 1e-12), 1.0, 0.0).astype(
            np.float32)
        pos.eliminate_zeros()
        return pos
