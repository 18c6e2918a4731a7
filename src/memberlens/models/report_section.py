"""The report's models section from the registry and `model_scores`.

Per target (churn, purchase, engagement …) the newest registered model: its holdout
lift, gains and calibration, the top features by importance, and — for churn — the
risk tiers of its latest scoring with the suggested actions. CLV: the distribution
of the latest `clv_12m` and `p_alive` scores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from ..engine.base import Engine
from ..reports.model_data import (
    CalibrationPoint,
    ClvSummary,
    DecileRow,
    Histogram,
    ImportanceRow,
    ModelSection,
    ModelSummary,
    TierRow,
)
from ..tags.catalog import Catalog, load_catalog
from ..tags.model_scores import TABLE as SCORES
from .churn import ACTIONS, TIER_LABELS, TIERS
from .registry import TABLE as REGISTRY

TOP_FEATURES = 15
BINS = 20


def feature_label(feature: str, catalog: Catalog) -> tuple[str, str]:
    """Display names of an encoded column: the tag's name, ``=value`` for one-hot columns."""
    key, _, value = feature.partition("=")
    suffix = ("", "")
    if not value and key.endswith("_days") and key[:-5] in catalog.tags:
        key, suffix = key[:-5], ("（距今天数）", " (days ago)")
    tag = catalog.tags.get(key)
    if tag is None:
        return feature, feature
    zh, en = tag.name.zh + suffix[0], tag.name.en + suffix[1]
    return (f"{zh}={value}", f"{en}={value}") if value else (zh, en)


def _tiers(engine: Engine, model_id: str) -> tuple[list[TierRow], str | None]:
    rows = engine.fetchall(
        f"""SELECT as_of, max(value) FILTER (WHERE output = 'risk') AS risk,
                   max(value) FILTER (WHERE output = 'probability') AS p
            FROM {SCORES} WHERE model = 'churn' AND model_version = ?
              AND as_of = (SELECT max(as_of) FROM {SCORES}
                           WHERE model = 'churn' AND model_version = ?)
            GROUP BY member_id, as_of""", [model_id, model_id])
    if not rows:
        return [], None
    frame = pd.DataFrame(rows, columns=["as_of", "risk", "p"])
    frame["p"] = pd.to_numeric(frame["p"], errors="coerce")
    out = []
    for tier in TIERS:
        g = frame[frame["risk"] == tier]
        out.append(TierRow(tier=tier, label_zh=TIER_LABELS[tier][0],
                           label_en=TIER_LABELS[tier][1], members=len(g),
                           mean_probability=float(g["p"].mean()) if len(g) else 0.0,
                           action_zh=ACTIONS[tier][0], action_en=ACTIONS[tier][1]))
    return out, str(frame["as_of"].iloc[0])


def _summary(engine: Engine, meta: dict[str, Any], catalog: Catalog) -> ModelSummary:
    m = meta["metrics"]
    importance = list(meta["importance"].items())[:TOP_FEATURES]
    tiers, scored = (_tiers(engine, meta["model_id"]) if meta["spec"]["target"] == "churn"
                     else ([], None))
    return ModelSummary(
        model_id=meta["model_id"], model=meta["model"], target=meta["spec"]["target"],
        algorithm=meta["algorithm"], train_cutoff=meta["training_window"]["train_cutoff"],
        holdout_cutoff=meta["training_window"]["holdout_cutoff"],
        horizon_days=int(meta["training_window"]["horizon_days"]), members=int(m["members"]),
        positive_rate=float(m["positive_rate"]), roc_auc=float(m["roc_auc"]),
        pr_auc=float(m["pr_auc"]), top_decile_lift=float(m["top_decile_lift"]),
        deciles=[DecileRow(decile=int(d["decile"]), members=int(d["members"]),
                           rate=float(d["rate"]), lift=float(d["lift"]),
                           cumulative_gain=float(d["cumulative_gain"])) for d in m["deciles"]],
        calibration=[CalibrationPoint(**c) for c in m["calibration"]],
        importance=[ImportanceRow(feature=k, label_zh=feature_label(k, catalog)[0],
                                  label_en=feature_label(k, catalog)[1], share=float(v))
                    for k, v in importance],
        tiers=tiers, scored_as_of=scored)


def histogram(values: np.ndarray, bins: int = BINS, upper: float | None = None) -> Histogram:
    """Equal-width counts from 0 to `upper` (default: the 99th percentile, tail in the last)."""
    top = float(upper if upper is not None else np.quantile(values, 0.99)) if len(values) \
        else 1.0
    top = top if top > 0 else 1.0
    edges = np.linspace(0.0, top, bins + 1)
    counts, _ = np.histogram(np.clip(values, 0.0, top), bins=edges)
    return Histogram(edges=[round(float(e), 4) for e in edges], counts=counts.tolist())


def _clv(engine: Engine) -> ClvSummary | None:
    if not engine.scalar(f"SELECT count(*) FROM {SCORES} WHERE model = 'clv'"):
        return None
    frame = cast(pd.DataFrame, engine.frame(
        f"""SELECT max(value) FILTER (WHERE output = 'clv_12m') AS clv,
                   max(value) FILTER (WHERE output = 'p_alive') AS p, max(as_of) AS as_of
            FROM {SCORES} WHERE model = 'clv'
              AND as_of = (SELECT max(as_of) FROM {SCORES} WHERE model = 'clv')
            GROUP BY member_id"""))
    clv = pd.to_numeric(frame["clv"], errors="coerce").dropna().to_numpy(np.float64)
    p = pd.to_numeric(frame["p"], errors="coerce").dropna().to_numpy(np.float64)
    if len(clv) == 0:
        return None
    return ClvSummary(as_of=str(frame["as_of"].iloc[0]), members=len(clv),
                      clv_total=float(clv.sum()), clv_mean=float(clv.mean()),
                      clv_median=float(np.median(clv)),
                      p_alive_mean=float(p.mean()) if len(p) else 0.0,
                      clv_12m=histogram(clv), p_alive=histogram(p, upper=1.0))


def model_section(engine: Engine, catalog: Catalog | None = None) -> ModelSection | None:
    """The newest model per target and the CLV distribution; None when there is neither."""
    catalog = catalog or load_catalog()
    summaries = []
    if engine.table_exists(REGISTRY):
        rows = engine.fetchall(f"SELECT model, arg_max(path, created_at) FROM {REGISTRY} "
                               "GROUP BY model ORDER BY model")
        for _, path in rows:
            meta_path = Path(path) / "meta.json"
            if meta_path.exists():
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                summaries.append(_summary(engine, meta, catalog))
    clv = _clv(engine) if engine.table_exists(SCORES) else None
    order = {"churn": 0, "purchase": 1, "engagement": 2}
    summaries.sort(key=lambda s: (order.get(s.target, 9), s.model))
    if not summaries and clv is None:
        return None
    return ModelSection(models=summaries, clv=clv)
