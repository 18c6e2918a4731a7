"""What most members take, overall or within the member's segment: the baseline and the
cold-start answer.

Popularity counts distinct members, not units or weight, so one bulk buyer cannot
make an item "popular"; summed weight only breaks ties. Recency, when wanted, is a
property of the interactions (``InteractionWeights(half_life_days=…)``) and enters
through ``by="weight"``. Members with no history get their segment's list
(:meth:`PopularityRecommender.recommend_cold`), or the overall one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from ..engine.base import Engine
from ..tags.tables import PROFILE
from .base import (
    IntArray,
    Interactions,
    Recommender,
    RecommendError,
    TopN,
    top_frame,
    top_k,
)

_CHUNK = 8192


class PopularityRecommender(Recommender):
    """Most popular SKUs, per segment when ``segment_of`` maps member_id → segment.

    Parameters
    ----------
    segment_of : member_id → segment (e.g. from :func:`segments_from_profile`); members
        not in it, and segments with fewer than ``min_segment_members`` members in the
        training data, use the overall list.
    by : "members" ranks by distinct members (summed weight breaks ties); "weight"
        ranks by summed weight (decayed weights give a recency-aware popularity).
    """

    name = "popularity"

    def __init__(
        self, segment_of: Mapping[str, str] | None = None, *,
        by: Literal["members", "weight"] = "members", min_segment_members: int = 30,
    ) -> None:
        self.segment_of = segment_of
        self.by = by
        self.min_segment_members = min_segment_members

    def fit(self, interactions: Interactions) -> Self:
        if self.by not in ("members", "weight"):
            raise RecommendError(f"by={self.by!r} 无效，应为 members 或 weight / "
                                 "by must be 'members' or 'weight'")
        self.interactions_ = interactions
        self.overall_ = self._scores(np.arange(interactions.n_members))
        codes, names = self._segment_codes(interactions.member_ids, None)
        counts = np.bincount(codes[codes >= 0], minlength=len(names))
        kept = [i for i in range(len(names)) if counts[i] >= self.min_segment_members]
        self.segments_: list[str] = [str(names[i]) for i in kept]
        self.segment_scores_ = np.vstack(
            [self._scores(np.flatnonzero(codes == i)) for i in kept]
        ) if kept else np.empty((0, interactions.n_items), dtype=np.float64)
        remap = np.full(len(names) + 1, -1, dtype=np.int64)
        remap[kept] = np.arange(len(kept))
        self.row_segment_: IntArray = remap[codes]  # code -1 maps to the last slot: -1
        return self

    def _segment_codes(
        self, member_ids: Sequence[str] | npt.NDArray[np.object_],
        segment_of: Mapping[str, str] | None,
    ) -> tuple[IntArray, pd.Index]:
        """Segment code of each member (-1: none) and the segment names, via pandas."""
        lookup = segment_of if segment_of is not None else self.segment_of
        ids = pd.Series(np.asarray(member_ids, dtype=object)).astype(str)
        if not lookup:
            return np.full(len(ids), -1, dtype=np.int64), pd.Index([])
        values = ids.map(pd.Series({str(k): str(v) for k, v in lookup.items()}, dtype=object))
        codes, names = pd.factorize(values, sort=True)
        return codes.astype(np.int64), pd.Index(names)

    def _scores(self, rows: IntArray) -> npt.NDArray[np.float64]:
        """Popularity of every SKU among the given rows; larger is better."""
        sub = self.interactions_.matrix[rows]
        weight = np.asarray(sub.sum(axis=0), dtype=np.float64).ravel()
        if self.by == "weight":
            return weight
        members = np.bincount(sub.indices, minlength=sub.shape[1]).astype(np.float64)
        # tie-break inside one member count: weight scaled into [0, 0.5)
        top = weight.max() if len(weight) and weight.max() > 0 else 1.0
        return members + 0.5 * weight / (top * 1.000001)  # float64: ties survive at 1M

    def _segment_vector(self, segment: int) -> npt.NDArray[np.float64]:
        return self.overall_ if segment < 0 else self.segment_scores_[segment]

    def score_rows(self, rows: IntArray) -> npt.NDArray[np.float32]:
        self._check_fitted()
        out = np.empty((len(rows), self.interactions_.n_items), dtype=np.float32)
        segs = self.row_segment_[rows]
        for seg in np.unique(segs):
            out[segs == seg] = self._segment_vector(int(seg))
        return out

    def recommend_rows(
        self, rows: IntArray, k: int = 10, *, exclude_seen: bool = True,
        exclude_items: IntArray | None = None,
    ) -> TopN:
        """Walk each segment's ranked list, skipping what a member has seen: no member
        × SKU score matrix, so a million members take seconds."""
        self._check_fitted()
        seen = self.interactions_.matrix[rows] if exclude_seen else None
        return self._rank_lists(self.row_segment_[rows], k, exclude_items, seen)

    def _rank_lists(
        self, segments: IntArray, k: int, exclude_items: IntArray | None,
        seen: sp.csr_matrix | None,
    ) -> TopN:
        n, n_items = len(segments), self.interactions_.n_items
        items = np.full((n, k), -1, dtype=np.int32)
        scores = np.full((n, k), np.nan, dtype=np.float32)
        for seg in np.unique(segments):
            vec = self._segment_vector(int(seg))
            cand = np.argsort(-vec, kind="stable")
            if exclude_items is not None and len(exclude_items):
                cand = cand[~np.isin(cand, exclude_items)]
            mine = np.flatnonzero(segments == seg)
            for start in range(0, len(mine), _CHUNK):
                part = mine[start:start + _CHUNK]
                sub = seen[part] if seen is not None else None
                most = int(np.diff(sub.indptr).max()) if sub is not None and len(part) else 0
                head = cand[:k + most]
                hit = np.zeros((len(part), len(head)), dtype=bool)
                if sub is not None and sub.nnz:
                    local = np.arange(len(part), dtype=np.int64)
                    keys = np.repeat(local, np.diff(sub.indptr)) * n_items + sub.indices
                    hit = np.isin(local[:, None] * n_items + head[None, :], keys)
                pos = np.argsort(hit, axis=1, kind="stable")[:, :k]
                kk = pos.shape[1]
                chosen = head[pos]
                ok = ~np.take_along_axis(hit, pos, axis=1)
                items[part, :kk] = np.where(ok, chosen, -1)
                scores[part, :kk] = np.where(ok, vec[chosen], np.nan)
        return TopN(items, scores)

    def item_similarity(self, column: int, k: int) -> TopN:
        """Most popular SKUs other than ``column`` (what a page of bestsellers shows)."""
        self._check_fitted()
        vec = self.overall_.copy()[None, :]
        vec[0, column] = -np.inf  # top_k reports float32 scores
        return top_k(vec, k)

    def recommend_cold(
        self, member_ids: Sequence[str], k: int = 10,
        segment_of: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """Lists for any members, history or not: their segment's list (from ``segment_of``
        or the one given at construction), else the overall list; nothing is excluded."""
        self._check_fitted()
        codes, names = self._segment_codes(member_ids, segment_of)
        pos = {s: i for i, s in enumerate(self.segments_)}
        remap = np.array([pos.get(str(n), -1) for n in names] + [-1], dtype=np.int64)
        top = self._rank_lists(remap[codes], k, None, None)
        return top_frame(self.interactions_, np.asarray(member_ids, dtype=object), top)


def segments_from_profile(engine: Engine, tag: str) -> dict[str, str]:
    """member_id → the member's value of one profile tag (e.g. ``city_tier``, ``age_band``);
    members where the tag is empty are left out."""
    if not engine.table_exists(PROFILE):
        raise RecommendError(f"没有会员画像表 {PROFILE} / {PROFILE} does not exist; "
                             "run the tags first (memberlens tags run)")
    columns = {str(r[0]) for r in engine.fetchall(f"DESCRIBE {PROFILE}")}
    if tag not in columns:
        raise RecommendError(f"画像中没有标签 {tag} / {PROFILE} has no tag '{tag}'; "
                             "pick one of its columns (memberlens tags list)")
    rows = engine.fetchall(
        f'SELECT member_id, CAST("{tag}" AS VARCHAR) FROM {PROFILE} '
        f'WHERE "{tag}" IS NOT NULL')
    return {str(m): str(v) for m, v in rows}
