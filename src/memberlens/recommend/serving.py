"""Every member's top-N: fit a recommender on the warehouse, rank, exclude, fall back.

Members with history get the recommender's list; where it has no evidence (a member
whose SKUs co-occur with nothing, a list emptied by exclusions) the member's segment's
best sellers fill the rest, and members without history get that list whole (cold
start). So every member gets ``k`` SKUs when the catalogue allows (decision 0019).

Examples
--------
>>> frame = recommend_for_members(engine, recommender="itemcf", k=10)  # doctest: +SKIP
>>> frame.columns.tolist()  # doctest: +SKIP
['member_id', 'rank', 'sku', 'score', 'reason']
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from ..engine.base import Engine
from ..tags.catalog import Catalog
from ..tags.model_scores import ProfileRefresh
from ..tags.tables import PROFILE
from .base import BATCH_ROWS, Interactions, Recommender, RecommendError, TopN, top_k
from .exclusions import ExclusionPolicy, Exclusions, resolve_exclusions
from .interactions import DEFAULT_WEIGHTS, InteractionWeights, load_interactions
from .popularity import PopularityRecommender
from .similar_store import DEPTH as SIMILAR_DEPTH
from .similar_store import SimilarWrite, write_similar

DEFAULT_RECOMMENDER = "itemcf"
# cold start by gender × age band: both known for members who never bought anything
SEGMENT_TAGS = ("gender", "age_band")
SEGMENT_MIN_MEMBERS = 30

REASONS: dict[str, tuple[str, str]] = {
    "cf": ("协同过滤", "similar members"),
    "content": ("同类偏好", "like your buys"),
    "popular": ("热销", "best seller"),
}
_REASON_OF = {"itemcf": "cf", "als": "cf", "bpr": "cf", "content": "content",
              "popularity": "popular"}
COLUMNS = ["member_id", "rank", "sku", "score", "reason"]


def reason_label(code: str, lang: str = "zh") -> str:
    """`cf` → 协同过滤 / similar members."""
    zh, en = REASONS.get(code, (code, code))
    return zh if lang == "zh" else en


def make(recommender: str | Recommender, params: Mapping[str, Any] | None = None, *,
         engine: Engine | None = None, as_of: date | None = None) -> Recommender:
    """A recommender instance from a registry name (``itemcf``, ``als`` …) or as given.

    ``content`` reads the products and preference tags from `engine`.
    """
    if isinstance(recommender, Recommender):
        return recommender
    if recommender == "content" and engine is not None:
        from .content import ContentRecommender

        return ContentRecommender.from_engine(engine, **{"as_of": as_of, **dict(params or {})})
    from .registry_names import make_recommender

    return make_recommender(recommender, **dict(params or {}))


def reason_of(recommender: Recommender) -> str:
    return _REASON_OF.get(recommender.name, "cf")


def serving_as_of(engine: Engine) -> date:
    """The profile's date (lists land in that profile), else the day after the data."""
    if engine.table_exists(PROFILE):
        value = engine.scalar(f"SELECT max(as_of) FROM {PROFILE}")
        if value is not None:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
    from ..tags.runner import default_as_of

    return default_as_of(engine)


def target_members(engine: Engine, as_of: date) -> list[str]:
    """Who gets a list: the profiled members of `as_of`, else every registered member."""
    if engine.table_exists(PROFILE):
        rows = engine.fetchall(f"SELECT member_id FROM {PROFILE} WHERE as_of = ? "
                               "ORDER BY member_id", [as_of])
        if rows:
            return [str(r[0]) for r in rows]
    if not engine.table_exists("members"):
        return []
    return [str(r[0]) for r in engine.fetchall(
        "SELECT member_id FROM members WHERE registered_at IS NULL OR registered_at < "
        "CAST(? AS TIMESTAMP) ORDER BY member_id", [as_of])]


def member_segments(engine: Engine, tags: Sequence[str] = SEGMENT_TAGS) -> dict[str, str]:
    """member_id → "女·25-29岁" from the profile's tags; {} without a profile or tags."""
    if not tags or not engine.table_exists(PROFILE):
        return {}
    have = {str(r[0]) for r in engine.fetchall(f"DESCRIBE {PROFILE}")}
    missing = [t for t in tags if t not in have]
    if missing:
        raise RecommendError(f"画像中没有标签 {', '.join(missing)} / {PROFILE} has no tag "
                             f"{', '.join(missing)}; pick segment tags among its columns")
    parts = " || '·' || ".join(f"coalesce(CAST(\"{t}\" AS VARCHAR), '?')" for t in tags)
    rows = engine.fetchall(f"SELECT member_id, {parts} FROM {PROFILE} "
                           f"WHERE as_of = (SELECT max(as_of) FROM {PROFILE})")
    return {str(m): str(s) for m, s in rows}


@dataclass(frozen=True)
class Fitted:
    """What ranking needs: the recommender, its fallback and the exclusions, one column space."""

    recommender: Recommender
    popularity: PopularityRecommender
    exclusions: Exclusions
    segments: Mapping[str, str]
    as_of: date

    @property
    def interactions(self) -> Interactions:
        return self.recommender.interactions_


def fit_for_serving(
    engine: Engine, *, recommender: str | Recommender = DEFAULT_RECOMMENDER,
    params: Mapping[str, Any] | None = None, as_of: date | None = None,
    policy: ExclusionPolicy | None = None, window_days: int | None = None,
    weights: InteractionWeights = DEFAULT_WEIGHTS, segment_tags: Sequence[str] = SEGMENT_TAGS,
    segment_min_members: int = SEGMENT_MIN_MEMBERS, members: Sequence[str] | None = None,
) -> Fitted:
    """Fit `recommender` (unless already fitted) and the segment popularity on interactions
    before `as_of`, and resolve the exclusion policy in the same SKU columns.

    `members` limits the purchases read for exclusions (a single-member lookup).
    """
    day = as_of or serving_as_of(engine)
    rec = make(recommender, params, engine=engine, as_of=day)
    if not hasattr(rec, "interactions_"):
        since = day - timedelta(days=window_days) if window_days else None
        rec.fit(load_interactions(engine, since=since, until=day, weights=weights))
    inter = rec.interactions_
    segments = member_segments(engine, segment_tags)
    pop = PopularityRecommender(segments, min_segment_members=segment_min_members).fit(inter)
    if isinstance(rec, PopularityRecommender) and not rec.segment_of:
        rec = pop   # "popularity" by name: the segment lists, as for cold start
    exclusions = resolve_exclusions(engine, policy or ExclusionPolicy(), inter.skus, day,
                                    members)
    return Fitted(rec, pop, exclusions, segments, day)


def _segment_rows(fitted: Fitted, member_ids: Sequence[str]) -> npt.NDArray[np.int64]:
    pos = {s: i for i, s in enumerate(fitted.popularity.segments_)}
    return np.array([pos.get(fitted.segments.get(str(m), ""), -1) for m in member_ids],
                    dtype=np.int64)


def _in_seen(seen: sp.csr_matrix, items: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
    """Which entries of `items` (rows × candidates, -1 pads) the row's member bought."""
    n, c = items.shape
    out = np.zeros(n * c, dtype=bool)
    if seen.nnz == 0 or c == 0:
        return out.reshape(n, c)
    rows = np.repeat(np.arange(n), c)
    cols = items.reshape(-1).astype(np.int64)
    ok = cols >= 0
    out[ok] = np.asarray(seen[rows[ok], cols[ok]]).reshape(-1) > 0
    return out.reshape(n, c)


def _first(items: npt.NDArray[np.int32], scores: npt.NDArray[np.float32],
           valid: npt.NDArray[np.bool_], m: int,
           ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """The first `m` valid entries of each row, in order; -1 / NaN pad."""
    order = np.argsort(~valid, axis=1, kind="stable")[:, :m]
    ok = np.take_along_axis(valid, order, axis=1)
    return (np.where(ok, np.take_along_axis(items, order, axis=1), -1).astype(np.int32),
            np.where(ok, np.take_along_axis(scores, order, axis=1), np.nan).astype(
                np.float32), ok)


def _popular_order(fitted: Fitted, depth: int) -> TopN:
    """Each segment's SKUs best first (row 0: everyone), globally excluded ones left out."""
    pop = fitted.popularity
    vectors = np.vstack([pop.overall_, pop.segment_scores_]).astype(np.float32)
    if len(fitted.exclusions.items):
        vectors[:, fitted.exclusions.items] = -np.inf
    return top_k(vectors, min(depth, vectors.shape[1]))


def _rank_batch(fitted: Fitted, ids: Sequence[str], k: int, popular: TopN,
                ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32],
                           npt.NDArray[np.bool_]]:
    """Columns, scores and "personal" flags (k per member, -1 pads) for one batch.

    Lists are asked for ``k`` + the most SKUs any member of the batch bought, so
    dropping the bought ones still leaves ``k``; recommenders rank natively (sparse
    item-CF, implicit's C++), never a dense batch × catalogue block here.
    """
    seen = fitted.exclusions.seen(ids)
    pad = int(np.diff(seen.indptr).max()) if seen.nnz else 0
    items = np.full((len(ids), k), -1, dtype=np.int32)
    scores = np.full((len(ids), k), np.nan, dtype=np.float32)
    personal = np.zeros((len(ids), k), dtype=bool)
    rows = fitted.interactions.member_rows(ids)
    warm = np.flatnonzero(rows >= 0)
    if len(warm):
        own = fitted.recommender.recommend_rows(
            rows[warm], k + pad, exclude_seen=False, exclude_items=fitted.exclusions.items)
        # a score of 0 means nothing points there (item-CF, content): not evidence
        valid = ((own.items >= 0) & np.isfinite(own.scores) & (own.scores != 0)
                 & ~_in_seen(seen[warm], own.items))
        items[warm], scores[warm], personal[warm] = _first(own.items, own.scores, valid, k)
    # the segment's best sellers: the cold-start list, and the filler of short lists
    segs = _segment_rows(fitted, ids) + 1
    width = min(2 * k + pad, popular.k)
    cand, cand_scores = popular.items[segs, :width], popular.scores[segs, :width]
    dup = (cand[:, :, None] == items[:, None, :]).any(axis=2)
    fill, fill_scores, _ = _first(cand, cand_scores,
                                  (cand >= 0) & ~dup & ~_in_seen(seen, cand), 2 * k)
    merged = np.hstack([items, fill])
    order = np.argsort(merged < 0, axis=1, kind="stable")[:, :k]
    return (np.take_along_axis(merged, order, axis=1),
            np.take_along_axis(np.hstack([scores, fill_scores]), order, axis=1),
            np.take_along_axis(np.hstack([personal, np.zeros_like(fill, dtype=bool)]), order,
                               axis=1))


def rank_members(fitted: Fitted, member_ids: Sequence[str], k: int = 10) -> pd.DataFrame:
    """The long frame (member_id, rank, sku, score, reason) for these members."""
    if k < 1:
        raise RecommendError(f"k 至少为 1 / k must be at least 1 (got {k})")
    ids = [str(m) for m in member_ids]
    parts: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.float32],
                      npt.NDArray[np.bool_]]] = []
    bought = fitted.exclusions.bought
    popular = _popular_order(fitted, 2 * k + (int(np.diff(bought.indptr).max())
                                              if bought.nnz else 0))
    for start in range(0, len(ids), BATCH_ROWS):
        parts.append(_rank_batch(fitted, ids[start:start + BATCH_ROWS], k, popular))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    items = np.vstack([p[0] for p in parts]).reshape(-1)
    scores = np.vstack([p[1] for p in parts]).reshape(-1)
    personal = np.vstack([p[2] for p in parts]).reshape(-1)
    ok = items >= 0
    reasons = np.where(personal, reason_of(fitted.recommender), "popular")
    return pd.DataFrame({
        "member_id": np.repeat(np.asarray(ids, dtype=object), k)[ok],
        "rank": np.tile(np.arange(1, k + 1), len(ids))[ok],
        "sku": fitted.interactions.skus[items[ok]],
        "score": scores[ok],
        "reason": reasons[ok],   # pads are last in each row, so ranks stay 1, 2, …
    })


def recommend_for_members(
    engine: Engine, *, recommender: str | Recommender = DEFAULT_RECOMMENDER, k: int = 10,
    as_of: date | None = None, policy: ExclusionPolicy | None = None,
    member_ids: Sequence[str] | None = None, params: Mapping[str, Any] | None = None,
    window_days: int | None = None, weights: InteractionWeights = DEFAULT_WEIGHTS,
    segment_tags: Sequence[str] = SEGMENT_TAGS,
    segment_min_members: int = SEGMENT_MIN_MEMBERS,
) -> pd.DataFrame:
    """Top-`k` SKUs for every member (or `member_ids`): member_id, rank, sku, score, reason.

    Parameters
    ----------
    recommender
        A registry name or an instance (fitted instances are used as they are).
    as_of
        Interactions before it train the model and count as bought; default: the
        profile's date.
    policy
        What is never offered (:class:`ExclusionPolicy`; default: bought outside repeat
        categories, out of stock, not launched yet).
    window_days
        Only interactions of the last `window_days` days before `as_of` (default: all).
    segment_tags
        Profile tags whose combined value is a member's cold-start segment.
    """
    day = as_of or serving_as_of(engine)
    members = list(member_ids) if member_ids is not None else target_members(engine, day)
    fitted = fit_for_serving(
        engine, recommender=recommender, params=params, as_of=day, policy=policy,
        window_days=window_days, weights=weights, segment_tags=segment_tags,
        segment_min_members=segment_min_members,
        members=members if member_ids is not None and len(members) <= 1000 else None)
    return rank_members(fitted, members, k)


@dataclass(frozen=True)
class ServingSummary:
    """What a serving run produced, for the CLI and the run log."""

    members: int            # members asked for
    served: int             # members with at least one SKU
    personalised: int       # members with at least one SKU from the recommender itself
    cold_start: int         # members served only from their segment's best sellers
    skus_recommended: int   # distinct SKUs in any list
    skus_available: int     # SKUs that could be offered (catalogue minus global exclusions)
    mean_length: float
    excluded: dict[str, int]
    repeat_categories: tuple[str, ...]
    seconds: float

    @property
    def coverage(self) -> float:
        """Share of offerable SKUs that appear in some member's list."""
        return self.skus_recommended / self.skus_available if self.skus_available else 0.0

    @property
    def cold_start_share(self) -> float:
        return self.cold_start / self.served if self.served else 0.0


def summarize(frame: pd.DataFrame, fitted: Fitted, members: int,
              seconds: float) -> ServingSummary:
    """Counts over a frame from :func:`rank_members`."""
    served = int(frame["member_id"].nunique()) if len(frame) else 0
    personal = (int(frame.loc[frame["reason"] != "popular", "member_id"].nunique())
                if len(frame) else 0)
    return ServingSummary(
        members=members, served=served, personalised=personal, cold_start=served - personal,
        skus_recommended=int(frame["sku"].nunique()) if len(frame) else 0,
        skus_available=fitted.interactions.n_items - len(fitted.exclusions.items),
        mean_length=float(len(frame) / served) if served else 0.0,
        excluded=dict(fitted.exclusions.counts),
        repeat_categories=fitted.exclusions.repeat_categories, seconds=round(seconds, 2))


@dataclass(frozen=True)
class ServingRun:
    """One `recommend run`: the lists, their summary and what the profile refresh changed."""

    frame: pd.DataFrame
    summary: ServingSummary
    model_version: str
    as_of: date
    refresh: ProfileRefresh | None = None
    similar: SimilarWrite | None = None   # what went into sku_similar


def serve(
    engine: Engine, *, recommender: str | Recommender = DEFAULT_RECOMMENDER, k: int = 10,
    as_of: date | None = None, policy: ExclusionPolicy | None = None,
    params: Mapping[str, Any] | None = None, window_days: int | None = None,
    weights: InteractionWeights = DEFAULT_WEIGHTS, segment_tags: Sequence[str] = SEGMENT_TAGS,
    segment_min_members: int = SEGMENT_MIN_MEMBERS, write: bool = True,
    catalog: Catalog | None = None, similar_depth: int = SIMILAR_DEPTH,
) -> ServingRun:
    """Fit on the warehouse, rank every profiled member, write the lists to the profile,
    and every SKU's top-`similar_depth` similar SKUs to ``sku_similar`` (0: not).

    What ``memberlens recommend run`` and the demo call; `write=False` only ranks.
    """
    from .store import write_recommendations

    started = time.perf_counter()
    day = as_of or serving_as_of(engine)
    members = target_members(engine, day)
    fitted = fit_for_serving(
        engine, recommender=recommender, params=params, as_of=day, policy=policy,
        window_days=window_days, weights=weights, segment_tags=segment_tags,
        segment_min_members=segment_min_members)
    frame = rank_members(fitted, members, k)
    version = f"{fitted.recommender.name}-k{k}-{datetime.now():%Y%m%d%H%M%S}"
    refresh = (write_recommendations(engine, frame, model_version=version, as_of=day,
                                     members=members, catalog=catalog) if write else None)
    similar = (write_similar(engine, fitted.recommender, version, similar_depth)
               if write and similar_depth > 0 else None)
    summary = summarize(frame, fitted, len(members), time.perf_counter() - started)
    return ServingRun(frame, summary, version, day, refresh, similar)
