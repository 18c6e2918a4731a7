"""The composite index run: entities → indicators → weights → scores → classes.

>>> cfg = parse_config({"zh": "示例", "data": {"source": "file", "id": "id"},
...                     "indicators": [{"key": "x", "zh": "x", "weight": 1}]})
>>> cfg.weighting.method
'hand'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from ...engine.base import Engine
from .classes import classify
from .config import CompositeConfig, parse_config
from .data import Entities, indicator_values, load_entities
from .scoring import Scores, fill_missing, score_entities
from .weights import WeightReport, derive_weights

__all__ = ["CompositeResult", "compute_weights", "parse_config", "score_composite"]


@dataclass
class CompositeResult:
    """Everything a run produced; `table` is sorted by rank."""

    config: CompositeConfig
    as_of: date
    source: str
    weights: WeightReport
    table: pd.DataFrame            # entity_id, entity_label, score, rank, percentile,
    #                                classes, group scores, raw indicator values
    standardised: pd.DataFrame     # by entity_id × indicator key
    points: pd.DataFrame           # score points above the average entity
    data: pd.DataFrame = field(default_factory=pd.DataFrame)  # every column rules could see
    filled: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def strengths(self, entity_id: str, k: int = 2) -> list[str]:
        """The indicators lifting this entity's score most above the average (keys)."""
        values = self._points_of(entity_id)
        order = np.argsort(-values, kind="stable")
        return [str(self.points.columns[j]) for j in order if values[j] > 1e-9][:k]

    def weaknesses(self, entity_id: str, k: int = 1) -> list[str]:
        """The indicators pulling this entity's score most below the average (keys)."""
        values = self._points_of(entity_id)
        order = np.argsort(values, kind="stable")
        return [str(self.points.columns[j]) for j in order if values[j] < -1e-9][:k]

    @cached_property
    def _points_matrix(self) -> tuple[dict[str, int], npt.NDArray[np.float64]]:
        rows = {str(e): k for k, e in enumerate(self.points.index)}
        return rows, self.points.to_numpy(dtype=np.float64)

    def _points_of(self, entity_id: str) -> npt.NDArray[np.float64]:
        rows, matrix = self._points_matrix
        return np.asarray(matrix[rows[str(entity_id)]], dtype=np.float64)

    def class_counts(self, key: str, lang: str = "zh") -> pd.DataFrame:
        """Per class of one classification: entities, share and mean score, in rule order."""
        classification = next(c for c in self.config.classifications if c.key == key)
        total = len(self.table)
        rows = []
        for code, label in classification.labels().items():
            part = self.table[self.table[key] == code]
            rows.append({"code": code, "label": label.label(lang), "count": len(part),
                         "share": len(part) / total if total else 0.0,
                         "mean_score": float(part["score"].mean()) if len(part) else np.nan})
        return pd.DataFrame(rows)


def _load(cfg: CompositeConfig, engine: Engine, data: Path | None, as_of: date | None
          ) -> tuple[Entities, pd.DataFrame]:
    entities = load_entities(cfg, engine, data=data, as_of=as_of)
    return entities, indicator_values(cfg, entities, engine)


def compute_weights(cfg: CompositeConfig, engine: Engine | None = None, *,
                    data: Path | None = None, as_of: date | None = None) -> WeightReport:
    """The weights alone; the data is read only when the method needs it (entropy)."""
    if cfg.weighting.method not in ("entropy", "combined"):
        return derive_weights(cfg)
    if engine is None:
        raise ValueError("熵权法需要数据 the entropy method needs the data (an engine)")
    entities, values = _load(cfg, engine, data, as_of)
    x, _ = fill_missing(values, cfg.indicators, origin=cfg.origin, source=entities.source)
    return derive_weights(cfg, x)


def score_composite(cfg: CompositeConfig, engine: Engine, *, data: Path | None = None,
                    as_of: date | None = None) -> CompositeResult:
    """Score, rank and classify every entity the definition reads."""
    entities, values = _load(cfg, engine, data, as_of)
    x, filled = fill_missing(values, cfg.indicators, origin=cfg.origin,
                             source=entities.source)
    report = derive_weights(cfg, x)
    scores = score_entities(cfg, x, report.weights)
    keys = [i.key for i in cfg.indicators]
    ids = entities.frame["entity_id"].to_numpy()
    scored = _scored_table(cfg, entities, values, scores)
    classified = classify(cfg, scored, engine, entities.as_of)
    front = ["entity_id", "entity_label", "score", "rank", "percentile",
             *(c.key for c in cfg.classifications), *(g.key for g in cfg.groups), *keys]
    table = classified[front].sort_values(["rank", "entity_id"], kind="stable") \
        .reset_index(drop=True)
    warnings = [f"{i.key}: 所有对象取值相同，不区分对象 the same for every entity: it moves no "
                "one against another" for j, i in enumerate(cfg.indicators)
                if np.ptp(x[:, j]) <= 0]
    warnings += [f"{k}: {n} 个缺失值已按{_FILL[_missing(cfg, k)][0]}填补 missing values "
                 f"filled with {_FILL[_missing(cfg, k)][1]}" for k, n in filled.items()]
    return CompositeResult(
        config=cfg, as_of=entities.as_of, source=entities.source, weights=report,
        table=table,
        standardised=pd.DataFrame(scores.standardised, index=ids, columns=keys),
        points=pd.DataFrame(scores.points, index=ids, columns=keys),
        data=classified, filled=filled, warnings=warnings)


_FILL = {"median": ("中位数", "the median"), "mean": ("均值", "the mean"),
         "zero": ("0", "0"), "worst": ("最差值", "the worst value")}


def _missing(cfg: CompositeConfig, key: str) -> str:
    return next(i.missing for i in cfg.indicators if i.key == key)


def _scored_table(cfg: CompositeConfig, entities: Entities, values: pd.DataFrame,
                  scores: Scores) -> pd.DataFrame:
    """Data columns, raw indicator values (missing stays missing), group scores, score."""
    frame = entities.frame.copy()
    ours = {i.key for i in cfg.indicators} | {g.key for g in cfg.groups} | \
        {c.key for c in cfg.classifications} | {"score", "rank", "percentile"}
    frame = frame.drop(columns=[c for c in frame.columns if c in ours])
    for key in values.columns:
        frame[key] = values[key].to_numpy()
    for g, s in scores.group_scores.items():
        frame[g] = s
    frame["score"] = scores.score
    frame["rank"] = scores.rank
    frame["percentile"] = scores.percentile
    return frame
