"""Point-in-time features: the tag catalog compiled as of a cut-off, as a numeric matrix.

The tag compiler reads only records strictly before its as-of date (tags/sources.py),
so compiling the catalog as of a cut-off gives features that cannot see the label
window after it. The frame is computed in memory (no `tag_history` snapshot written),
so training on past cut-offs leaves the warehouse as it was.

Predictive tags (and any tag read from `model_scores`) are left out: a model must not
learn from another model's, or its own, earlier output.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self, cast

import numpy as np
import pandas as pd

from ..engine.base import Engine
from ..errors import MemberlensError
from ..tags.catalog import Catalog, load_catalog
from ..tags.definition import Category, ModelCompute, TagDefinition, ValueType
from ..tags.runner import compile_for

NUMERIC = {ValueType.INT, ValueType.FLOAT, ValueType.MONEY, ValueType.BOOL}
TIMES = {ValueType.DATE, ValueType.TIMESTAMP}
MAX_LEVELS = 12
"""A string tag with more distinct values than this (city, store) is not one-hot encoded."""


class ModelError(MemberlensError):
    """A model cannot be trained, evaluated, saved or scored; the message says why."""

    http_status = 422


def feature_tags(catalog: Catalog) -> list[TagDefinition]:
    """Tags usable as features: not predictive, not model output, not lists."""
    return [t for t in catalog
            if t.category != Category.PREDICTIVE and not isinstance(t.compute, ModelCompute)
            and t.type != ValueType.LIST]


def tag_frame(engine: Engine, as_of: date, catalog: Catalog | None = None) -> pd.DataFrame:
    """Every member's feature tags as of `as_of` (data strictly before it), by member_id."""
    catalog = catalog or load_catalog()
    if not engine.table_exists("orders"):
        raise ModelError("仓库中没有订单 the warehouse has no orders: load data first "
                         "(memberlens load)")
    keys = [t.key for t in feature_tags(catalog)]
    sql = compile_for(engine, catalog, as_of)
    cols = ", ".join(f'"{k}"' for k in keys)
    frame = cast(pd.DataFrame, engine.frame(f"SELECT member_id, {cols} FROM ({sql}) t "
                                            "ORDER BY member_id"))
    frame["member_id"] = frame["member_id"].astype(str)
    return frame.set_index("member_id")


class FeatureEncoder:
    """Tag frame → float matrix with a fixed column list, learned on the training frame.

    Numbers and booleans pass through (missing stays NaN); dates become days before the
    cut-off; string tags with at most `max_levels` values (declared or seen) become
    one-hot columns ``key=value``; other strings are dropped. Fitted state is plain
    data (``columns_``, ``levels_``), saved as JSON with the model.
    """

    columns_: list[str]
    levels_: dict[str, list[str]]
    numeric_: list[str]
    times_: list[str]

    def __init__(self, max_levels: int = MAX_LEVELS) -> None:
        self.max_levels = max_levels

    def fit(self, frame: pd.DataFrame, catalog: Catalog | None = None) -> Self:
        catalog = catalog or load_catalog()
        self.numeric_, self.times_, self.levels_ = [], [], {}
        for tag in feature_tags(catalog):
            if tag.key not in frame.columns:
                continue
            if tag.type in NUMERIC:
                self.numeric_.append(tag.key)
            elif tag.type in TIMES:
                self.times_.append(tag.key)
            elif tag.type == ValueType.STRING:
                seen = sorted(frame[tag.key].dropna().astype(str).unique())
                levels = list(tag.values) if tag.values else seen
                if 0 < len(levels) <= self.max_levels:
                    self.levels_[tag.key] = levels
        self.columns_ = (self.numeric_ + [f"{k}_days" for k in self.times_]
                         + [f"{k}={v}" for k, vs in self.levels_.items() for v in vs])
        return self

    def transform(self, frame: pd.DataFrame, as_of: date) -> pd.DataFrame:
        """The matrix for `frame` (computed as of `as_of`), columns as fitted."""
        if not hasattr(self, "columns_"):
            raise ModelError("特征编码器尚未拟合 the feature encoder is not fitted")
        missing = [k for k in self.numeric_ + self.times_ + list(self.levels_)
                   if k not in frame.columns]
        if missing:
            raise ModelError(f"特征缺少标签列 the features miss tag column(s) {missing}: "
                             "the catalog changed since the model was trained; retrain")
        out: dict[str, Any] = {}
        for k in self.numeric_:
            out[k] = pd.to_numeric(frame[k].astype(object), errors="coerce").astype(float)
        cut = pd.Timestamp(as_of)
        for k in self.times_:
            out[f"{k}_days"] = (cut - pd.to_datetime(frame[k])).dt.total_seconds() / 86400.0
        for k, levels in self.levels_.items():
            values = frame[k].astype(object)
            for v in levels:
                out[f"{k}={v}"] = (values == v).astype(float)
        return pd.DataFrame(out, index=frame.index, columns=self.columns_).astype(np.float64)

    def to_json(self) -> dict[str, Any]:
        return {"max_levels": self.max_levels, "numeric": self.numeric_,
                "times": self.times_, "levels": self.levels_}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureEncoder:
        enc = cls(max_levels=int(data["max_levels"]))
        enc.numeric_, enc.times_ = list(data["numeric"]), list(data["times"])
        enc.levels_ = {k: list(v) for k, v in data["levels"].items()}
        enc.columns_ = (enc.numeric_ + [f"{k}_days" for k in enc.times_]
                        + [f"{k}={v}" for k, vs in enc.levels_.items() for v in vs])
        return enc
