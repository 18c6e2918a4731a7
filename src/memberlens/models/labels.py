"""Labels from the window after a cut-off, and the point-in-time training set.

Features come from `features.tag_frame` (data strictly before the cut-off); labels only
from purchases in ``[cut-off, cut-off + horizon)``. A label window that runs past the
newest data is incomplete (members would look churned for lack of data), so it is
refused.

Targets:

- ``churn``: members who bought in the `active_days` before the cut-off (the ones a
  retention action can still reach) and make no purchase in the next `horizon_days`.
- ``purchase``: every member registered before the cut-off who buys in the next
  `horizon_days` (30 by default) — overall, or in one `category` (level-1 or leaf
  category name).
- ``engagement``: every member registered before the cut-off who clicks, logs in or
  opens a message (`ENGAGEMENT_EVENTS`) in the next `horizon_days` (30 by default) —
  the response that sets how often to contact them (`models.engagement`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal, cast

import pandas as pd
from sqlglot import exp

from ..engine.base import SOURCE_DIALECT, Engine
from ..tags.catalog import Catalog
from ..tags.runner import default_as_of
from ..tags.sources import PURCHASE_STATUSES
from .features import ModelError, tag_frame

Target = Literal["churn", "purchase", "engagement"]
TARGETS = ("churn", "purchase", "engagement")
ENGAGEMENT_EVENTS = ("click", "login", "open")
"""Events that count as engaging: a reaction to a message or a visit, not a page view."""


@dataclass(frozen=True)
class LabelSpec:
    """What is predicted: the target, its window and population."""

    target: Target = "churn"
    horizon_days: int = 90
    active_days: int = 180
    category: str | None = None

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ModelError(f"未知的预测目标 unknown target '{self.target}': "
                             f"{' | '.join(TARGETS)}")
        if self.horizon_days < 1 or self.active_days < 1:
            raise ModelError(f"窗口须为正 horizon_days={self.horizon_days} and "
                             f"active_days={self.active_days} must be ≥ 1")
        if self.category and self.target != "purchase":
            raise ModelError("品类只用于购买倾向 a category applies to target=purchase only")

    @property
    def model_name(self) -> str:
        """The `model_scores` model the scores go to (what predictive tags read)."""
        if self.target == "churn":
            return "churn"
        if self.target == "engagement":
            return f"engagement_{self.horizon_days}d"
        base = f"purchase_{self.horizon_days}d"
        return f"{base}:{self.category}" if self.category else base

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def data_end(engine: Engine) -> date:
    """The day after the newest order or event: the first day without data."""
    return default_as_of(engine)


def _day(d: date) -> str:
    return f"TIMESTAMP '{d.isoformat()} 00:00:00'"


def purchase_counts(engine: Engine, start: date, end: date,
                    category: str | None = None) -> pd.Series:
    """Purchases per member in ``[start, end)`` (completed or partly refunded orders)."""
    where = f"o.ordered_at >= {_day(start)} AND o.ordered_at < {_day(end)} " \
            f"AND ({PURCHASE_STATUSES.replace('status', 'o.status')})"
    if category:
        name = exp.Literal.string(category).sql(SOURCE_DIALECT)
        sql = f"""SELECT o.member_id, count(DISTINCT o.order_id) AS n FROM orders o
                  JOIN order_items i ON i.order_id = o.order_id
                  JOIN products p ON p.sku = i.sku
                  WHERE {where} AND (p.category_l1 = {name} OR p.category = {name})
                  GROUP BY 1"""
        frame = engine.frame(sql)
    else:
        frame = engine.frame(f"SELECT o.member_id, count(*) AS n FROM orders o "
                             f"WHERE {where} GROUP BY 1")
    frame = cast(pd.DataFrame, frame)
    return pd.Series(frame["n"].to_numpy(), index=frame["member_id"].astype(str), dtype=float)


def engagement_counts(engine: Engine, start: date, end: date) -> pd.Series:
    """Engaging events (`ENGAGEMENT_EVENTS`) per member in ``[start, end)``."""
    if not engine.table_exists("events"):
        raise ModelError("仓库中没有行为事件 the warehouse has no events table: engagement "
                         "needs click/login/open events (memberlens load events.csv)")
    kinds = ", ".join(f"'{k}'" for k in ENGAGEMENT_EVENTS)
    frame = cast(pd.DataFrame, engine.frame(
        f"SELECT member_id, count(*) AS n FROM events WHERE member_id IS NOT NULL "
        f"AND event_type IN ({kinds}) AND occurred_at >= {_day(start)} "
        f"AND occurred_at < {_day(end)} GROUP BY 1"))
    return pd.Series(frame["n"].to_numpy(), index=frame["member_id"].astype(str), dtype=float)


@dataclass
class TrainingSet:
    """Features as of `cutoff` and labels from the window after it, one row per member."""

    cutoff: date
    spec: LabelSpec
    frame: pd.DataFrame   # feature tags, index member_id
    y: pd.Series          # 0/1, same index

    @property
    def positive_rate(self) -> float:
        return float(self.y.mean()) if len(self.y) else 0.0


def population(engine: Engine, spec: LabelSpec, cutoff: date,
               frame: pd.DataFrame) -> pd.DataFrame:
    """The members `spec` makes predictions for, as of `cutoff` (features only)."""
    if spec.target == "churn":
        recent = purchase_counts(engine, cutoff - timedelta(days=spec.active_days), cutoff)
        return frame.loc[frame.index.isin(recent.index[recent > 0])]
    return frame


def label_window_complete(engine: Engine, spec: LabelSpec, cutoff: date) -> bool:
    return cutoff + timedelta(days=spec.horizon_days) <= data_end(engine)


def labels(engine: Engine, spec: LabelSpec, cutoff: date, members: pd.Index) -> pd.Series:
    """0/1 labels for `members` from purchases in ``[cutoff, cutoff + horizon)`` only."""
    if not label_window_complete(engine, spec, cutoff):
        raise ModelError(
            f"标签窗口不完整 the label window {cutoff} + {spec.horizon_days} days runs past "
            f"the newest data ({data_end(engine)}); choose a cut-off on or before "
            f"{data_end(engine) - timedelta(days=spec.horizon_days)}")
    end = cutoff + timedelta(days=spec.horizon_days)
    if spec.target == "engagement":
        engaged = engagement_counts(engine, cutoff, end)
        return pd.Series(members.isin(engaged.index[engaged > 0]), index=members).astype(int)
    bought = purchase_counts(engine, cutoff, end, spec.category)
    buys = pd.Series(members.isin(bought.index[bought > 0]), index=members)
    y = ~buys if spec.target == "churn" else buys
    return y.astype(int)


def training_set(engine: Engine, spec: LabelSpec, cutoff: date,
                 catalog: Catalog | None = None) -> TrainingSet:
    """Features before `cutoff`, labels after it, for the target's population."""
    frame = population(engine, spec, cutoff, tag_frame(engine, cutoff, catalog))
    if len(frame) == 0:
        raise ModelError(f"截至 {cutoff} 没有可训练的会员 no members to train on as of {cutoff} "
                         f"(target {spec.target})")
    return TrainingSet(cutoff=cutoff, spec=spec, frame=frame,
                       y=labels(engine, spec, cutoff, frame.index))
