"""The one interface every recommender keeps, and the containers it trades in.

Recommenders work in index space (rows = members, columns = SKUs of one
:class:`Interactions`); ids are mapped at the edges. Scoring is batched so a
million members never need a dense members × SKUs matrix.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from ..errors import MemberlensError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

BATCH_ROWS = 1024


class RecommendError(MemberlensError):
    """A recommender was asked for something it cannot give (unknown SKU, not fitted)."""


@dataclass(frozen=True)
class Interactions:
    """Member × SKU weights (CSR, float32) with the ids of its rows and columns.

    ``weights`` already blends purchases, carts and views; ``skus`` holds every
    SKU that may be recommended, including ones no member touched yet.
    """

    matrix: sp.csr_matrix
    member_ids: npt.NDArray[np.object_]
    skus: npt.NDArray[np.object_]
    _member_pos: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    _sku_pos: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.matrix.shape != (len(self.member_ids), len(self.skus)):
            raise ValueError(f"matrix {self.matrix.shape} does not match "
                             f"{len(self.member_ids)} members × {len(self.skus)} SKUs")

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, skus: Sequence[str] | None = None,
        member_ids: Sequence[str] | None = None,
    ) -> Interactions:
        """Sum ``weight`` per (member_id, sku); extra ids add empty rows / columns."""
        for col in ("member_id", "sku", "weight"):
            if col not in frame.columns:
                raise ValueError(f"interactions need a '{col}' column")
        members = pd.Index(pd.unique(pd.concat(
            [frame["member_id"].astype(str), pd.Series(list(member_ids or ()), dtype=str)])))
        items = pd.Index(pd.unique(pd.concat(
            [frame["sku"].astype(str), pd.Series(list(skus or ()), dtype=str)])))
        rows = members.get_indexer(pd.Index(frame["member_id"].astype(str)))
        cols = items.get_indexer(pd.Index(frame["sku"].astype(str)))
        matrix = sp.csr_matrix(
            (frame["weight"].to_numpy(dtype=np.float32), (rows, cols)),
            shape=(len(members), len(items)), dtype=np.float32)
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        return cls(matrix, members.to_numpy(dtype=object), items.to_numpy(dtype=object))

    @property
    def n_members(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.matrix.shape[1])

    def member_rows(self, member_ids: Sequence[str]) -> IntArray:
        """Row of each member id, -1 for members without interactions (cold start)."""
        if not self._member_pos:
            self._member_pos.update((str(m), i) for i, m in enumerate(self.member_ids))
        return np.array([self._member_pos.get(str(m), -1) for m in member_ids], dtype=np.int64)

    def sku_column(self, sku: str) -> int:
        """Column of one SKU; an unknown SKU is an error naming it."""
        if not self._sku_pos:
            self._sku_pos.update((str(s), i) for i, s in enumerate(self.skus))
        pos = self._sku_pos.get(str(sku))
        if pos is None:
            raise RecommendError(f"商品 {sku} 不在商品目录或交互数据中 / SKU {sku} is unknown")
        return pos


@dataclass(frozen=True)
class TopN:
    """The k best SKU columns per requested row, best first; -1 / NaN pad short lists."""

    items: npt.NDArray[np.int32]
    scores: FloatArray

    @property
    def k(self) -> int:
        return int(self.items.shape[1])


def top_k(scores: npt.NDArray[np.floating], k: int) -> TopN:
    """Best ``k`` columns of each row of a dense score block; -inf means "never"."""
    n, m = scores.shape
    kk = min(k, m)
    items = np.full((n, k), -1, dtype=np.int32)
    out = np.full((n, k), np.nan, dtype=np.float32)
    if n == 0 or kk == 0:
        return TopN(items, out)
    part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    part = np.take_along_axis(part, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    ok = np.isfinite(vals)
    items[:, :kk] = np.where(ok, part, -1)
    out[:, :kk] = np.where(ok, vals, np.nan)
    return TopN(items, out)


def mask_seen(scores: npt.NDArray[np.floating], seen: sp.csr_matrix) -> None:
    """Set the scores of already-interacted columns to -inf, in place."""
    coo = seen.tocoo()
    scores[coo.row, coo.col] = -np.inf


class Recommender(ABC):
    """fit on interactions, recommend for rows, find similar SKUs.

    Subclasses implement :meth:`fit` and :meth:`score_rows` (dense scores for a
    small batch of rows); :meth:`recommend_rows` batches, masks and ranks. A
    subclass with a faster native top-N (``implicit``) overrides it.
    """

    name: str = "base"

    interactions_: Interactions

    @abstractmethod
    def fit(self, interactions: Interactions) -> Self:
        """Learn from ``interactions`` (kept as ``interactions_``)."""

    @abstractmethod
    def score_rows(self, rows: IntArray) -> npt.NDArray[np.float32]:
        """Dense scores (len(rows) × n_items) for a batch of member rows."""

    def item_similarity(self, column: int, k: int) -> TopN:
        """k most similar SKU columns to one column (itself excluded)."""
        raise RecommendError(f"{self.name} 不提供相似商品 / {self.name} has no item similarity")

    def recommend_rows(
        self, rows: IntArray, k: int = 10, *, exclude_seen: bool = True,
        exclude_items: IntArray | None = None,
    ) -> TopN:
        """Top-k columns for each row; rows must be known (>= 0)."""
        self._check_fitted()
        matrix = self.interactions_.matrix
        parts: list[TopN] = []
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start:start + BATCH_ROWS]
            scores = self.score_rows(batch).astype(np.float32, copy=False)
            if exclude_seen:
                mask_seen(scores, matrix[batch])
            if exclude_items is not None and len(exclude_items):
                scores[:, exclude_items] = -np.inf
            parts.append(top_k(scores, k))
        if not parts:
            return TopN(np.empty((0, k), np.int32), np.empty((0, k), np.float32))
        return TopN(np.vstack([p.items for p in parts]), np.vstack([p.scores for p in parts]))

    def recommend(
        self, member_ids: Sequence[str], k: int = 10, *, exclude_seen: bool = True,
    ) -> pd.DataFrame:
        """Long frame (member_id, rank, sku, score) for members with interactions."""
        self._check_fitted()
        rows = self.interactions_.member_rows(member_ids)
        known = rows >= 0
        top = self.recommend_rows(rows[known], k, exclude_seen=exclude_seen)
        return top_frame(self.interactions_, np.asarray(member_ids, dtype=object)[known], top)

    def similar_items(self, sku: str, k: int = 10) -> pd.DataFrame:
        """Frame (rank, sku, score) of the k SKUs most like ``sku``."""
        self._check_fitted()
        top = self.item_similarity(self.interactions_.sku_column(sku), k)
        ok = top.items[0] >= 0
        return pd.DataFrame({
            "rank": np.arange(1, int(ok.sum()) + 1),
            "sku": self.interactions_.skus[top.items[0][ok]],
            "score": top.scores[0][ok],
        })

    def _check_fitted(self) -> None:
        if not hasattr(self, "interactions_"):
            raise RecommendError(f"{self.name} 尚未训练 / {self.name} is not fitted")


def top_frame(
    interactions: Interactions, member_ids: npt.NDArray[np.object_], top: TopN,
) -> pd.DataFrame:
    """TopN in index space → long frame of ids, padding dropped."""
    n, k = top.items.shape
    flat = top.items.reshape(-1)
    ok = flat >= 0
    return pd.DataFrame({
        "member_id": np.repeat(member_ids, k)[ok],
        "rank": np.tile(np.arange(1, k + 1), n)[ok],
        "sku": interactions.skus[flat[ok]],
        "score": top.scores.reshape(-1)[ok],
    })
