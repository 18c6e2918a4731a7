"""Recommenders by name, so the CLI, the evaluation runner and settings can say
``"itemcf"`` and a parameter dict instead of importing classes.

Example
-------
>>> make_recommender("itemcf", shrinkage=20, neighbours=100).name
'itemcf'
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

from .base import Recommender, RecommendError
from .content import ContentRecommender
from .factorization import ALSRecommender, BPRRecommender
from .itemcf import ItemCFRecommender
from .popularity import PopularityRecommender

RECOMMENDERS: dict[str, type[Recommender]] = {
    "popularity": PopularityRecommender,
    "itemcf": ItemCFRecommender,
    "als": ALSRecommender,
    "bpr": BPRRecommender,
    "content": ContentRecommender,
}

NAMES_ZH: dict[str, str] = {
    "popularity": "热销",
    "itemcf": "物品协同过滤",
    "als": "矩阵分解 ALS",
    "bpr": "矩阵分解 BPR",
    "content": "基于内容",
}


def make_recommender(name: str, **params: Any) -> Recommender:
    """A new, unfitted recommender; ``params`` go to its constructor.

    The content recommender needs ``products=products_frame(engine)`` (and optionally
    ``preferences=preferences_frame(engine)``) before it can be fitted.
    """
    cls = RECOMMENDERS.get(name)
    if cls is None:
        near = get_close_matches(name, list(RECOMMENDERS), n=1)
        hint = f"（是否想用 / did you mean {near[0]!r}?）" if near else ""
        raise RecommendError(f"未知的推荐器 {name!r} / unknown recommender {name!r}{hint}; use "
                             f"one of {', '.join(RECOMMENDERS)}")
    try:
        return cls(**params)
    except TypeError as e:
        raise RecommendError(f"推荐器 {name} 的参数有误 / bad parameters for {name}: {e}") from e
