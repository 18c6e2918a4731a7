"""Content top-N through candidates and a proven bound equals the exact full scoring.

A seeded catalogue with the structure the benchmark has (leaves inside departments,
brands mostly inside leaves, price bands, a tenth of SKUs new) and members buying in
a few favourite leaves. Every list is checked against ``score_rows`` (the full
product, best first, ties by lower column): the same items and the same scores, bit
for bit.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import scipy.sparse as sp

from memberlens.recommend.base import Interactions, TopN, mask_seen
from memberlens.recommend.content import ContentRecommender, preference_pairs
from memberlens.recommend.content_rank import BROAD_GROUPS, rank_candidates

SKUS, LEAVES, MEMBERS, EMPTY = 2000, 100, 3000, 60


def _catalogue(rng: np.random.Generator) -> pd.DataFrame:
    leaf = np.sort(rng.integers(0, LEAVES, SKUS))
    launched = np.datetime64("2025-01-01") + np.where(
        rng.random(SKUS) < 0.1, rng.integers(270, 365, SKUS), -rng.integers(30, 900, SKUS))
    return pd.DataFrame({
        "sku": [f"S{i:05d}" for i in range(SKUS)],
        "category": [f"leaf{c:03d}" for c in leaf],
        "category_l1": [f"dept{c // 10:02d}" for c in leaf],
        "brand": [f"brand{(c * 3 + b) % 150:03d}" for c, b in
                  zip(leaf, rng.integers(0, 4, SKUS), strict=True)],
        "price": np.round(np.exp(rng.normal(4.0 + (leaf % 7) * 0.3, 0.6)), 2),
        "launched_at": launched.astype("datetime64[D]"),
    })


def _interactions(rng: np.random.Generator, products: pd.DataFrame) -> Interactions:
    leaf = products["category"].str[4:].astype(int).to_numpy()
    start = np.searchsorted(leaf, np.arange(LEAVES))
    count = np.diff(np.append(start, SKUS))
    fav = rng.integers(0, LEAVES, (MEMBERS, 3))
    sizes = rng.poisson(8, MEMBERS) + 1
    owner = np.repeat(np.arange(MEMBERS), sizes)
    lf = np.where(rng.random(len(owner)) < 0.85, fav[owner, rng.integers(0, 3, len(owner))],
                  rng.integers(0, LEAVES, len(owner)))
    rank = np.minimum((rng.pareto(1.2, len(owner)) * 0.2 * count[lf]).astype(int),
                      count[lf] - 1)
    frame = pd.DataFrame({"member_id": [f"M{m:05d}" for m in owner],
                          "sku": products["sku"].to_numpy()[start[lf] + rank],
                          "weight": rng.choice([1.0, 0.3, 0.1], len(owner))})
    extra = [f"E{i:03d}" for i in range(EMPTY)]  # rows without history (tags only)
    return Interactions.from_frame(frame, skus=list(products["sku"]), member_ids=extra)


def _preferences(rng: np.random.Generator, products: pd.DataFrame,
                 members: npt.NDArray[np.object_]) -> pd.DataFrame:
    leaves, brands = products["category"].unique(), products["brand"].unique()
    chosen = list(rng.choice(members[:-EMPTY], 400, replace=False)) + list(members[-EMPTY:])
    n = len(chosen)
    # price band / early adopter and nothing else: 40 members with history (their
    # candidates often lose to items outside them) and half the members without
    broad_only = (np.arange(n) < 40) | (np.arange(n) >= n - EMPTY // 2)
    return pd.DataFrame({
        "member_id": chosen,
        "top_categories": [None if b else list(rng.choice(leaves, 2)) for b in broad_only],
        "top_category_l1": [None if b else products["category_l1"].iloc[int(i)]
                            for b, i in zip(broad_only, rng.integers(0, SKUS, n), strict=True)],
        "top_brands": [None if b else list(rng.choice(brands, 2)) for b in broad_only],
        "price_band": rng.choice(["大众", "中端", "高端"], n),
        "early_adopter": rng.random(n) < 0.3,
    })


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, Interactions, pd.DataFrame]:
    rng = np.random.default_rng(11)
    products = _catalogue(rng)
    it = _interactions(rng, products)
    return products, it, _preferences(rng, products, it.member_ids)


def _exact(model: ContentRecommender, rows: npt.NDArray[np.int64], k: int, *,
           exclude_seen: bool = True, exclude: npt.NDArray[np.int64] | None = None) -> TopN:
    """The reference: the full dense product of ``score_rows``, positive scores only,
    best first and ties by lower column (a stable sort)."""
    scores = model.score_rows(rows)
    scores[scores <= 0] = -np.inf
    if exclude_seen:
        mask_seen(scores, model.interactions_.matrix[rows])
    if exclude is not None:
        scores[:, exclude] = -np.inf
    best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    vals = np.take_along_axis(scores, best, axis=1)
    ok = np.isfinite(vals)
    return TopN(np.where(ok, best, -1).astype(np.int32), np.where(ok, vals, np.nan))


def _assert_same(fast: TopN, exact: TopN) -> None:
    assert np.array_equal(fast.scores, exact.scores, equal_nan=True)  # bit for bit
    assert np.array_equal(fast.items, exact.items)


@pytest.mark.parametrize("tag_weight", [0.0, 0.3, 0.8])
def test_content_top_n_equals_exact_scoring(
    data: tuple[pd.DataFrame, Interactions, pd.DataFrame], tag_weight: float,
) -> None:
    products, it, prefs = data
    model = ContentRecommender(products, prefs, tag_weight=tag_weight).fit(it)
    assert model.index_.same_order  # specific features sort before broad ones
    rows = np.arange(it.n_members, dtype=np.int64)
    fast = model.recommend_rows(rows, 10)
    _assert_same(fast, _exact(model, rows, 10))
    assert (fast.items[:-EMPTY] >= 0).all()  # members with history get full lists
    # most rows are proven by their candidates; the rest went through the fallback
    sure = rank_candidates(model.profiles_, model.index_, it.matrix, 10, None)[1]
    assert sure[:-EMPTY].mean() > 0.9
    if tag_weight:
        assert not sure[-EMPTY // 2:].any()  # broad-only profiles: no candidates
        assert (fast.items[-EMPTY // 2:, 0] >= 0).all()  # … yet their lists are exact


def test_content_exclusions_follow_exact_scoring(
    data: tuple[pd.DataFrame, Interactions, pd.DataFrame],
) -> None:
    products, it, prefs = data
    model = ContentRecommender(products, prefs).fit(it)
    rows = np.arange(0, it.n_members, 3, dtype=np.int64)
    banned = np.flatnonzero(products["category"].isin(["leaf007", "leaf042"]).to_numpy())
    fast = model.recommend_rows(rows, 15, exclude_items=banned)
    _assert_same(fast, _exact(model, rows, 15, exclude=banned))
    assert not np.isin(fast.items, banned).any()
    kept = model.recommend_rows(rows, 5, exclude_seen=False)
    _assert_same(kept, _exact(model, rows, 5, exclude_seen=False))
    seen = it.matrix[rows]
    assert any(seen[r, c] > 0 for r, c in enumerate(kept.items[:, 0]))


def test_broad_groups_and_candidate_bound(
    data: tuple[pd.DataFrame, Interactions, pd.DataFrame],
) -> None:
    """The combinations are those of department × price band × new, and the bound
    holds: no item outside a member's candidates scores above it."""
    products, it, _ = data
    model = ContentRecommender(products).fit(it)
    index = model.index_
    groups = {model.features_[c].split("=", 1)[0] for c in index.broad_cols}
    assert groups == set(BROAD_GROUPS)
    assert index.n_combos <= products["category_l1"].nunique() * 3 * 2
    rows = np.arange(200, dtype=np.int64)
    scores = model.score_rows(rows)
    candidate = (sp.csr_matrix(model.profiles_[rows] @ index.specific_t).toarray() != 0)
    broad = (model.profiles_[rows] @ index.combos).toarray()
    bound = (broad * index.combo_bound).max(axis=1)
    outside = np.where(candidate, -np.inf, scores).max(axis=1)
    assert (outside <= bound * (1 + 1e-6)).all()
    assert (outside > 0.5 * bound).mean() > 0.5  # and it is not a loose bound


def test_preference_pairs_reads_tags_column_at_a_time() -> None:
    prefs = pd.DataFrame({
        "top_categories": [["面霜", "", "口红"], "面霜", None, np.array(["零食"], dtype=object)],
        "top_category_l1": ["美妆", "", None, "食品"],
        "top_brands": [None, ["雅"], [], ["乐", None]],
        "price_band": ["高端", "x", None, "大众"],
        "early_adopter": [True, 1, None, False],
    })
    got = {(int(r), t, round(float(w), 3)) for r, t, w in
           preference_pairs(prefs).itertuples(index=False)}
    assert got == {
        (0, "category=面霜", 1.0), (0, "category=口红", 0.333), (0, "category_l1=美妆", 1.0),
        (0, "price_band=2", 1.0), (0, "new", 1.0),
        (1, "brand=雅", 1.0), (1, "new", 1.0),
        (3, "category=零食", 1.0), (3, "category_l1=食品", 1.0), (3, "brand=乐", 1.0),
        (3, "price_band=0", 1.0),
    }
    assert preference_pairs(pd.DataFrame({"member_id": ["a"]})).empty
