"""Content-based recommendations: items described by their attributes, members by the
attributes of what they took and by their preference tags.

An item is a sparse vector of attribute tokens — leaf category, department
(category_l1), brand, price band (terciles of price within the leaf, the same
cheap/mid/premium a member's ``price_band`` tag speaks of) and "new" (launched within
``new_days`` of ``as_of``) — each weighted by a group weight × IDF (a token every item
has says nothing) and L2-normalised. A member's profile is the interaction-weighted
sum of the vectors of what they took, optionally blended with the tokens of their
``member_profile`` tags (top_categories, top_category_l1, top_brands, price_band,
early_adopter). Score = cosine of profile and item. An item nobody bought yet scores
like any other with the same attributes: that is what this recommender is for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from ..engine.base import Engine
from ..tags.tables import PROFILE
from .base import IntArray, Interactions, Recommender, RecommendError, TopN, top_frame
from .content_rank import build_index, rank_content
from .interactions import products_frame
from .itemcf import sparse_top_k

GROUP_WEIGHTS: dict[str, float] = {
    "category": 1.0, "category_l1": 0.4, "brand": 0.8, "price_band": 0.6, "new": 0.3,
}
PRODUCT_COLUMNS = ("sku", "category_l1", "category", "brand", "price", "launched_at")
PREFERENCE_TAGS = ("top_categories", "top_category_l1", "top_brands", "price_band",
                   "early_adopter")
BAND_OF_TAG = {"大众": 0, "中端": 1, "高端": 2}  # the price_band tag's values, low to high


class ContentRecommender(Recommender):
    """Cosine of member attribute profiles and item attribute vectors.

    Parameters
    ----------
    products : one row per SKU with ``PRODUCT_COLUMNS`` (:func:`products_frame`).
    preferences : optional member_profile rows (member_id + ``PREFERENCE_TAGS``),
        see :func:`preferences_frame`.
    tag_weight : share of the preference tags in a member's profile (0 = history only).
    group_weights : weight of each attribute group (``GROUP_WEIGHTS`` by default).
    as_of, new_days : an item is "new" when launched in the ``new_days`` before
        ``as_of`` (default: the latest launch date in ``products``).
    """

    name = "content"

    def __init__(
        self, products: pd.DataFrame | None = None, preferences: pd.DataFrame | None = None,
        *, tag_weight: float = 0.3, group_weights: Mapping[str, float] | None = None,
        as_of: date | None = None, new_days: int = 90,
    ) -> None:
        self.products = products
        self.preferences = preferences
        self.tag_weight = tag_weight
        self.group_weights = group_weights
        self.as_of = as_of
        self.new_days = new_days

    @classmethod
    def from_engine(cls, engine: Engine, **params: Any) -> ContentRecommender:
        """Products and (when a profile exists) preference tags read from the warehouse."""
        return cls(products_frame(engine), preferences_frame(engine), **params)

    def fit(self, interactions: Interactions) -> Self:
        if self.products is None:
            raise RecommendError(
                "内容推荐需要商品属性 / content recommender needs product attributes: "
                "pass products=products_frame(engine) or use ContentRecommender.from_engine")
        if not 0 <= self.tag_weight <= 1:
            raise RecommendError(f"tag_weight 须在 0 与 1 之间 / tag_weight must be in [0, 1], "
                                 f"got {self.tag_weight}")
        self.interactions_ = interactions
        weights = dict(GROUP_WEIGHTS)
        weights.update(self.group_weights or {})
        tokens = item_tokens(self.products, interactions.skus, as_of=self.as_of,
                             new_days=self.new_days)
        self.features_, self.item_vectors_, self.feature_scale_ = _vectorise(tokens, weights)
        history = _normalise_rows(interactions.matrix @ self.item_vectors_)
        self.tag_vectors_: sp.csr_matrix | None = None
        if self.preferences is not None and self.tag_weight > 0 and len(self.preferences):
            self.tag_vectors_ = self._tag_vectors(self.preferences, interactions.member_ids)
            history = (1 - self.tag_weight) * history + self.tag_weight * self.tag_vectors_
        self.profiles_ = _normalise_rows(sp.csr_matrix(history))
        self.profiles_.sort_indices()  # one summation order for every scoring path
        self._items_t = sp.csr_matrix(self.item_vectors_.T)
        self.index_ = build_index(self.item_vectors_, self.feature_scale_, self.features_)
        return self

    def _tag_vectors(self, preferences: pd.DataFrame,
                     member_ids: Sequence[str] | npt.NDArray[np.object_]) -> sp.csr_matrix:
        """Normalised preference-tag vectors for ``member_ids`` (empty rows: no tags)."""
        prefs = preferences.assign(member_id=preferences["member_id"].astype(str))
        prefs = prefs.drop_duplicates("member_id").reset_index(drop=True)
        pairs = preference_pairs(prefs)
        cols = pd.Index(self.features_).get_indexer(pd.Index(pairs["token"]))
        known = cols >= 0
        cols = cols[known]
        vals = pairs["weight"].to_numpy(np.float64)[known] * self.feature_scale_[cols]
        by_pref = sp.csr_matrix(
            (vals.astype(np.float32), (pairs["row"].to_numpy(np.int64)[known], cols)),
            shape=(len(prefs) + 1, len(self.features_)))  # last row: no tags
        pos = pd.Index(prefs["member_id"]).get_indexer(
            pd.Index(np.asarray(member_ids, dtype=object).astype(str)))
        return _normalise_rows(by_pref[np.where(pos < 0, len(prefs), pos)])

    def score_rows(self, rows: IntArray) -> npt.NDArray[np.float32]:
        self._check_fitted()
        return np.asarray((self.profiles_[rows] @ self._items_t).toarray(), dtype=np.float32)

    def recommend_rows(
        self, rows: IntArray, k: int = 10, *, exclude_seen: bool = True,
        exclude_items: IntArray | None = None,
    ) -> TopN:
        self._check_fitted()
        return rank_content(self.profiles_, self.index_, self._items_t,
                            self.interactions_.matrix, rows, k, exclude_seen=exclude_seen,
                            exclude_items=exclude_items)

    def item_similarity(self, column: int, k: int) -> TopN:
        """Attribute cosine: same leaf, brand and price band first."""
        self._check_fitted()
        sims = sp.csr_matrix(self.item_vectors_[column] @ self._items_t)
        keep = sims.indices != column
        return sparse_top_k(sims, k, keep=keep & (sims.data > 0))

    def recommend_cold(self, member_ids: Sequence[str], k: int = 10) -> pd.DataFrame:
        """Lists from preference tags alone, for members without interactions; members
        without tags get no list."""
        self._check_fitted()
        if self.preferences is None:
            raise RecommendError("没有偏好标签，无法冷启动推荐 / no preference tags were given; "
                                 "pass preferences=preferences_frame(engine)")
        tags = self._tag_vectors(self.preferences, list(member_ids))
        top = sparse_top_k(sp.csr_matrix(tags @ self._items_t), k)
        return top_frame(self.interactions_, np.asarray(member_ids, dtype=object), top)


def item_tokens(
    products: pd.DataFrame, skus: npt.NDArray[np.object_], *, as_of: date | None = None,
    new_days: int = 90,
) -> list[list[str]]:
    """Attribute tokens of each SKU of ``skus`` (a SKU missing from products has none)."""
    missing = [c for c in PRODUCT_COLUMNS if c not in products.columns]
    if missing:
        raise RecommendError(f"商品数据缺少列 {missing} / products need columns {missing}")
    frame = products.drop_duplicates("sku").copy()
    frame["sku"] = frame["sku"].astype(str)
    price = pd.to_numeric(frame["price"], errors="coerce")
    pct = price.groupby(frame["category"].fillna("")).rank(pct=True, method="average")
    band = np.minimum(np.ceil(pct.to_numpy() * 3) - 1, 2)
    launched = pd.to_datetime(frame["launched_at"], errors="coerce")
    ref = pd.Timestamp(as_of) if as_of is not None else launched.max()
    new = (launched <= ref) & (launched > ref - pd.Timedelta(days=new_days))
    by_sku: dict[str, list[str]] = {}
    columns = zip(frame["sku"], frame["category"], frame["category_l1"], frame["brand"],
                  band, new.to_numpy(dtype=bool), strict=True)
    for sku, cat, l1, brand, b, is_new in columns:
        tokens = [f"{name}={value}" for name, value in
                  (("category", cat), ("category_l1", l1), ("brand", brand))
                  if isinstance(value, str) and value]
        if np.isfinite(b):
            tokens.append(f"price_band={int(b)}")
        if is_new:
            tokens.append("new")
        by_sku[sku] = tokens
    return [by_sku.get(str(s), []) for s in skus]


def preference_pairs(prefs: pd.DataFrame) -> pd.DataFrame:
    """(row, token, weight) of every preference tag of ``prefs`` (row = position in it);
    earlier favourites weigh more. Column at a time: a loop over a million members' rows
    took 45 s."""
    parts: list[pd.DataFrame] = []
    for tag, group in (("top_categories", "category"), ("top_brands", "brand")):
        if tag not in prefs.columns:
            continue
        lists = prefs[tag].reset_index(drop=True)
        lists = lists[lists.map(lambda v: v is not None and not isinstance(v, str)
                                and hasattr(v, "__len__"))].explode()
        order = lists.groupby(level=0).cumcount().to_numpy()
        ok = lists.map(lambda v: isinstance(v, str) and v != "").to_numpy(dtype=bool)
        parts.append(pd.DataFrame({"row": lists.index[ok], "token": group + "=" + lists[ok],
                                   "weight": 1.0 / (1 + order[ok])}))
    if "top_category_l1" in prefs.columns:
        l1 = prefs["top_category_l1"].reset_index(drop=True)
        l1 = l1[l1.map(lambda v: isinstance(v, str) and v != "").to_numpy(dtype=bool)]
        parts.append(pd.DataFrame({"row": l1.index, "token": "category_l1=" + l1,
                                   "weight": 1.0}))
    if "price_band" in prefs.columns:
        band = prefs["price_band"].reset_index(drop=True).astype(str).map(BAND_OF_TAG)
        band = band.dropna()
        parts.append(pd.DataFrame({"row": band.index, "token": [
            f"price_band={int(b)}" for b in band], "weight": 1.0}))
    if "early_adopter" in prefs.columns:
        early = prefs["early_adopter"].reset_index(drop=True).eq(1).fillna(False)
        parts.append(pd.DataFrame({"row": np.flatnonzero(early.to_numpy(dtype=bool)),
                                   "token": "new", "weight": 1.0}))
    if not parts:
        return pd.DataFrame({"row": np.zeros(0, np.int64), "token": np.zeros(0, object),
                             "weight": np.zeros(0)})
    return pd.concat(parts, ignore_index=True)


def _vectorise(
    tokens: list[list[str]], group_weights: Mapping[str, float],
) -> tuple[list[str], sp.csr_matrix, npt.NDArray[np.float32]]:
    """Token lists → L2-normalised TF-IDF-like item matrix; per-feature scale (group × idf)."""
    features = sorted({t for ts in tokens for t in ts})
    index = {f: i for i, f in enumerate(features)}
    rows = np.repeat(np.arange(len(tokens)), [len(ts) for ts in tokens])
    cols = np.array([index[t] for ts in tokens for t in ts], dtype=np.int64)
    df = np.bincount(cols, minlength=len(features))
    idf = np.log((1 + len(tokens)) / (1 + df)) + 1.0
    group = np.array([group_weights.get(f.split("=", 1)[0], 0.0) for f in features])
    scale = (idf * group).astype(np.float32)
    matrix = sp.csr_matrix((scale[cols], (rows, cols)), shape=(len(tokens), len(features)),
                           dtype=np.float32)
    return features, _normalise_rows(matrix), scale


def _normalise_rows(matrix: sp.spmatrix) -> sp.csr_matrix:
    out = sp.csr_matrix(matrix, dtype=np.float32)
    norms = np.sqrt(np.asarray(out.multiply(out).sum(axis=1), dtype=np.float64).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ out)


def preferences_frame(engine: Engine) -> pd.DataFrame | None:
    """member_id and whichever ``PREFERENCE_TAGS`` the profile has; None without a profile."""
    if not engine.table_exists(PROFILE):
        return None
    columns = {str(r[0]) for r in engine.fetchall(f"DESCRIBE {PROFILE}")}
    tags = [t for t in PREFERENCE_TAGS if t in columns]
    if not tags:
        return None
    select = ", ".join(f'"{t}"' for t in tags)
    frame: pd.DataFrame = engine.fetch_arrow(
        f"SELECT member_id, {select} FROM {PROFILE}").to_pandas()
    return frame

