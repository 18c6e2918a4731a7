"""One member's list and the SKUs like one SKU, with product details: what the
``recommend member`` and ``recommend similar`` commands (and later the API) show.

An id that does not exist is an error that names the closest ids (edit distance in
DuckDB, one scan), so a typo costs one more try, not a search.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..engine.base import Engine
from ..errors import NotFound
from ..tags.tables import PROFILE
from .base import RecommendError
from .exclusions import ExclusionPolicy, resolve_exclusions
from .interactions import load_interactions
from .serving import (
    DEFAULT_RECOMMENDER,
    SEGMENT_MIN_MEMBERS,
    fit_for_serving,
    make,
    rank_members,
    serving_as_of,
)
from .similar_store import read_similar
from .store import DETAIL_COLUMNS, product_details, stored_list

SIMILAR_RECOMMENDERS = ("itemcf", "content", "als", "bpr", "popularity")


@dataclass(frozen=True)
class MemberList:
    """A member's recommendations with product details, and where they came from."""

    member_id: str
    frame: pd.DataFrame     # rank, sku, name, category_l1, category, brand, price, stock,
    #                         score, reason
    source: str             # "stored" (written by `recommend run`) or "computed"
    recommender: str        # the model version for stored lists
    as_of: date | None


def nearest_members(engine: Engine, text: str, n: int = 3) -> list[str]:
    """Member ids closest to `text` by edit distance (ties: shorter id first)."""
    table = "members" if engine.table_exists("members") else PROFILE
    if not engine.table_exists(table):
        return []
    rows = engine.fetchall(
        f"SELECT DISTINCT member_id, levenshtein(member_id, ?) AS d FROM {table} "
        "WHERE member_id IS NOT NULL ORDER BY d, length(member_id), member_id LIMIT ?",
        [text, n])
    return [str(r[0]) for r in rows]


def nearest_skus(engine: Engine, text: str, n: int = 3) -> list[str]:
    """SKUs whose code is closest to `text`, or whose name contains it ("SKU 名称")."""
    if not engine.table_exists("products"):
        return []
    rows = engine.fetchall(
        "SELECT sku, name FROM products WHERE sku IS NOT NULL ORDER BY "
        "CASE WHEN contains(coalesce(name, ''), ?) THEN 0 ELSE 1 END, "
        "levenshtein(sku, ?), sku LIMIT ?", [text, text, n])
    return [f"{r[0]} {r[1] or ''}".strip() for r in rows]


def _check_member(engine: Engine, member_id: str) -> None:
    known = any(engine.table_exists(t) and engine.scalar(
        f"SELECT count(*) FROM {t} WHERE member_id = ?", [member_id])
        for t in ("members", PROFILE))
    if not known:
        close = nearest_members(engine, member_id)
        hint = f"；相近的会员 / closest ids: {', '.join(close)}" if close else ""
        raise NotFound(f"找不到会员 {member_id} / member {member_id} not found{hint}")


def _detailed(engine: Engine, ranked: pd.DataFrame) -> pd.DataFrame:
    details = product_details(engine, ranked["sku"].tolist())
    out = details.assign(rank=ranked["rank"].to_numpy(), score=ranked["score"].to_numpy(),
                         reason=ranked["reason"].to_numpy())
    return out[["rank", *DETAIL_COLUMNS, "score", "reason"]]


def member_recommendations(
    engine: Engine, member_id: str, *, k: int = 10, recommender: str | None = None,
    policy: ExclusionPolicy | None = None, params: Mapping[str, Any] | None = None,
    segment_min_members: int = SEGMENT_MIN_MEMBERS,
) -> MemberList:
    """The member's stored list (first `k`), or one computed now.

    With `recommender` given the list is always computed with it; without, the stored
    list is read and only a member without one gets an itemcf list computed on the fly.
    """
    member_id = str(member_id)
    _check_member(engine, member_id)
    if recommender is None:
        stored, version, day = stored_list(engine, member_id)
        if len(stored):
            return MemberList(member_id, _detailed(engine, stored.head(k)), "stored",
                              version or "", day)
    fitted = fit_for_serving(engine, recommender=recommender or DEFAULT_RECOMMENDER,
                             params=params, policy=policy, members=[member_id],
                             segment_min_members=segment_min_members)
    ranked = rank_members(fitted, [member_id], k)
    return MemberList(member_id, _detailed(engine, ranked), "computed",
                      fitted.recommender.name, fitted.as_of)


@dataclass(frozen=True)
class SimilarList:
    """The SKUs like one SKU with product details, and where they came from."""

    sku: str
    frame: pd.DataFrame     # rank, sku, name, category_l1, category, brand, price, stock,
    #                         score
    source: str             # "stored" (sku_similar, written by `recommend run`) or
    #                         "computed" (fitted now)
    recommender: str        # the model version for stored lists, the name otherwise
    as_of: date | None      # the day the stored rows were written, or the data's date


def _check_sku(engine: Engine, sku: str) -> None:
    known = engine.table_exists("products") and engine.scalar(
        "SELECT count(*) FROM products WHERE sku = ?", [sku])
    if not known:
        close = nearest_skus(engine, sku)
        hint = f"；相近的商品 / closest: {'; '.join(close)}" if close else ""
        raise NotFound(f"找不到商品 {sku} / SKU {sku} not found{hint}")


def _from_store(engine: Engine, sku: str, k: int, recommender: str,
                rules: ExclusionPolicy) -> SimilarList | None:
    """The stored neighbours less today's exclusions, or None when they cannot answer:
    nothing stored for `recommender`, or exclusions cut a truncated list below `k`."""
    stored = read_similar(engine, sku, recommender)
    if stored is None:
        return None
    ranked = stored.frame
    if len(ranked):
        blocked = resolve_exclusions(engine, rules, ranked["sku"].astype(str).to_numpy(),
                                     serving_as_of(engine), []).items
        ranked = ranked.drop(index=ranked.index[blocked]).reset_index(drop=True)
    if len(ranked) < k and len(stored.frame) >= stored.depth:
        return None   # the run kept only `depth` neighbours: the rest are not stored
    ranked = ranked.head(k).assign(rank=lambda f: np.arange(1, len(f) + 1))
    return SimilarList(sku, _with_details(engine, ranked), "stored", stored.model_version,
                       stored.computed_at.date())


def _with_details(engine: Engine, ranked: pd.DataFrame) -> pd.DataFrame:
    details = product_details(engine, ranked["sku"].astype(str).tolist())
    return details.assign(rank=ranked["rank"].to_numpy(dtype=np.int64),
                          score=ranked["score"].to_numpy(dtype=np.float64),
                          )[["rank", *DETAIL_COLUMNS, "score"]]


def similar_list(
    engine: Engine, sku: str, *, k: int = 10, recommender: str = "itemcf",
    policy: ExclusionPolicy | None = None, params: Mapping[str, Any] | None = None,
    stored: bool = True,
) -> SimilarList:
    """The `k` SKUs most like `sku`, from ``sku_similar`` when the last `recommend run`
    stored them for `recommender`, else from a recommender fitted now.

    Out-of-stock, not-yet-launched and filtered SKUs are left out as for members (on
    the stored rows too, at read time); what the member bought does not apply here.
    `params` or ``stored=False`` always compute (the stored rows are one model's).
    """
    if recommender not in SIMILAR_RECOMMENDERS:
        raise RecommendError(f"推荐算法 {recommender} 不提供相似商品 / {recommender} has no "
                             f"similar items; use one of {', '.join(SIMILAR_RECOMMENDERS)}")
    if k < 1:
        raise RecommendError(f"k 至少为 1 / k must be at least 1 (got {k})")
    sku = str(sku)
    _check_sku(engine, sku)
    rules = (policy or ExclusionPolicy()).model_copy(update={"exclude_bought": False})
    if stored and not params:
        found = _from_store(engine, sku, k, recommender, rules)
        if found is not None:
            return found
    day = serving_as_of(engine)
    rec = make(recommender, params, engine=engine, as_of=day)
    rec.fit(load_interactions(engine, until=day))
    inter = rec.interactions_
    blocked = set(resolve_exclusions(engine, rules, inter.skus, day, []).items.tolist())
    top = rec.item_similarity(inter.sku_column(sku), k + len(blocked))
    pairs = [(int(c), float(s)) for c, s in zip(top.items[0], top.scores[0], strict=True)
             if c >= 0 and int(c) not in blocked and s != 0][:k]
    ranked = pd.DataFrame({"rank": range(1, len(pairs) + 1),
                           "sku": [str(inter.skus[c]) for c, _ in pairs],
                           "score": [s for _, s in pairs]})
    return SimilarList(sku, _with_details(engine, ranked), "computed", rec.name, day)


def similar_skus(
    engine: Engine, sku: str, *, k: int = 10, recommender: str = "itemcf",
    policy: ExclusionPolicy | None = None, params: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The `k` SKUs most like `sku` (rank, product details, score); see :func:`similar_list`.

    ``frame.attrs`` says where they came from: ``source`` (stored / computed),
    ``model_version`` and ``as_of``.
    """
    found = similar_list(engine, sku, k=k, recommender=recommender, policy=policy,
                         params=params)
    frame = found.frame
    frame.attrs.update(source=found.source, model_version=found.recommender,
                       as_of=found.as_of)
    return frame
