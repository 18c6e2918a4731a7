"""Every recommender on the same split, the same members and the same excluded SKUs.

:func:`evaluate` fits each recommender on the split's training interactions, asks it
for the top-k of every evaluated member and scores the lists against the truth with
:mod:`memberlens.recommend.metrics`; one frame row per recommender, with the fit and
recommend times. :func:`evaluate_warehouse` does the same from the warehouse's
interaction log (decision 0018).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .base import Recommender, RecommendError
from .metrics import catalogue_coverage, ranking_metrics
from .splits import Split, chrono_split, leave_last_out, random_split, time_split

if TYPE_CHECKING:
    from ..engine.base import Engine
    from .interactions import InteractionWeights

METRIC_COLUMNS = ("precision", "recall", "ndcg", "mrr", "hit_rate", "coverage")
RESULT_COLUMNS = ("recommender", *METRIC_COLUMNS, "fit_seconds", "recommend_seconds",
                  "n_members")
DEFAULT_RECOMMENDERS = ("popularity", "itemcf", "als", "bpr", "content")
SPLITS = ("time", "random", "chrono", "leave_last_out")


@dataclass(frozen=True)
class EvaluationResult:
    """One row per recommender (``RESULT_COLUMNS``) and how the split was made."""

    frame: pd.DataFrame
    dataset: str
    split: str
    k: int
    details: dict[str, Any] = field(default_factory=dict)
    evaluated_at: datetime = field(default_factory=lambda: datetime.now().replace(
        microsecond=0))
    run_id: int | None = None

    def best(self, metric: str) -> str | None:
        """The recommender with the highest ``metric`` (None when all are missing)."""
        values = self.frame[metric].to_numpy(dtype=float)
        if np.isnan(values).all():
            return None
        return str(self.frame["recommender"].iloc[int(np.nanargmax(values))])

    def row(self, recommender: str) -> dict[str, Any]:
        """One recommender's figures as a dict."""
        hit = self.frame[self.frame["recommender"] == recommender]
        if hit.empty:
            raise RecommendError(f"评估结果中没有 {recommender} / {recommender} was not "
                                 "evaluated")
        return dict(hit.iloc[0])


def _instances(
    recommenders: Mapping[str, Recommender] | Sequence[str],
    params: Mapping[str, Mapping[str, Any]] | None,
) -> dict[str, Recommender]:
    """Recommenders by name; names are built by the registry with their parameters."""
    if isinstance(recommenders, Mapping):
        return dict(recommenders)
    from .registry_names import make_recommender

    params = params or {}
    out: dict[str, Recommender] = {}
    for name in recommenders:
        out[name] = make_recommender(name, **dict(params.get(name, {})))
    return out


def evaluate(
    recommenders: Mapping[str, Recommender] | Sequence[str], split: Split, k: int = 10, *,
    sample: int | None = None, random_state: int = 0,
    params: Mapping[str, Mapping[str, Any]] | None = None, dataset: str = "custom",
) -> EvaluationResult:
    """Fit and score every recommender on ``split``.

    Parameters
    ----------
    recommenders
        Fitted-or-not instances by display name, or registry names (``popularity``,
        ``itemcf``, ``als``, ``bpr``, ``content``) built with ``params[name]``.
    sample
        Evaluate at most this many members (chosen with ``random_state``); training
        always uses everything.
    """
    if k < 1:
        raise RecommendError(f"k 须为正整数 / k must be a positive integer, got {k}")
    models = _instances(recommenders, params)
    if not models:
        raise RecommendError("没有要评估的推荐器 / no recommender to evaluate")
    split = split.sample(sample, random_state)
    if split.n_members == 0:
        raise RecommendError("测试期没有可评估的会员（需同时有训练与测试交互）/ no member has "
                             "both training and test interactions; widen the test period")
    rows = []
    for name, model in models.items():
        started = time.perf_counter()
        model.fit(split.train)
        fitted = time.perf_counter()
        top = model.recommend_rows(split.rows, k, exclude_seen=split.exclude_seen)
        done = time.perf_counter()
        rows.append({"recommender": name, **ranking_metrics(top, split.truth, k),
                     "coverage": catalogue_coverage(top, split.train.n_items),
                     "fit_seconds": fitted - started, "recommend_seconds": done - fitted,
                     "n_members": split.n_members})
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    return EvaluationResult(frame, dataset, split.protocol, k, _jsonable(split.info))


def make_split(
    log: pd.DataFrame, protocol: str = "time", *, test_days: int = 30,
    cutoff: pd.Timestamp | str | None = None, test_share: float = 0.25,
    random_state: int = 0, test_kinds: Sequence[str] | None = ("purchase",),
    skus: Sequence[str] | None = None,
) -> Split:
    """One of the three splits by name, with the options that apply to it."""
    if protocol == "time":
        return time_split(log, cutoff=cutoff, test_days=test_days, test_kinds=test_kinds,
                          skus=skus)
    if protocol == "random":
        return random_split(log, test_share=test_share, random_state=random_state,
                            test_kinds=test_kinds, skus=skus)
    if protocol == "chrono":
        return chrono_split(log, test_share=test_share, test_kinds=test_kinds, skus=skus)
    if protocol == "leave_last_out":
        return leave_last_out(log, test_kinds=test_kinds, skus=skus)
    raise RecommendError(f"未知的划分方式 {protocol!r} / unknown split {protocol!r}; use "
                         f"one of {', '.join(SPLITS)}")


def evaluate_warehouse(
    engine: Engine, *, split: str = "time", test_days: int = 30,
    cutoff: pd.Timestamp | str | None = None, test_share: float = 0.25, k: int = 10,
    recommenders: Sequence[str] | Mapping[str, Recommender] = DEFAULT_RECOMMENDERS,
    sample: int | None = None, random_state: int = 0, since: date | None = None,
    weights: InteractionWeights | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None, store: bool = True,
) -> EvaluationResult:
    """Evaluate on the warehouse's interactions; stored in ``recommend_evaluations``.

    The time split trains on everything before the last ``test_days`` days and tests
    on the purchases after; the random split holds out a share of each member's SKUs
    (purchases count as hits). Every product is a column, bought or not.
    """
    from .interactions import DEFAULT_WEIGHTS, interaction_log, products_frame

    log = interaction_log(engine, since=since, weights=weights or DEFAULT_WEIGHTS)
    products = products_frame(engine)
    chosen = make_split(log, split, test_days=test_days, cutoff=cutoff,
                        test_share=test_share, random_state=random_state,
                        skus=products["sku"].astype(str).tolist())
    merged: dict[str, dict[str, Any]] = {n: dict(p) for n, p in (params or {}).items()}
    if not isinstance(recommenders, Mapping) and "content" in recommenders:
        # product attributes only: today's preference tags would know the test period
        content = merged.setdefault("content", {})
        content.setdefault("products", products)
        if "cutoff" in chosen.info:
            content.setdefault("as_of", pd.Timestamp(chosen.info["cutoff"]).date())
    result = evaluate(recommenders, chosen, k, sample=sample, random_state=random_state,
                      params=merged, dataset="warehouse")
    if store:
        from .evaluation_store import store_evaluation

        result = store_evaluation(engine, result)
    return result


def _jsonable(info: Mapping[str, Any]) -> dict[str, Any]:
    """Split details with numpy scalars turned into Python ones (stored as JSON)."""
    out: dict[str, Any] = {}
    for key, value in info.items():
        if isinstance(value, np.generic):
            value = value.item()
        out[key] = value
    return out
