"""Evaluation runs kept in the warehouse (``recommend_evaluations``) and read back.

One row per recommender per run; the report shows the newest run of each dataset, so
a marketer sees the last measured quality without running anything.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..schema.system_tables import SYSTEM_TABLES
from .evaluation import DEFAULT_RECOMMENDERS, RESULT_COLUMNS, EvaluationResult

if TYPE_CHECKING:
    from ..engine.base import Engine
    from ..reports.recommend_data import EvaluationRun, RecommendSection

TABLE = "recommend_evaluations"
_STORED = ("run_id", "evaluated_at", "dataset", "split", "k", *RESULT_COLUMNS, "details")


def store_evaluation(engine: Engine, result: EvaluationResult) -> EvaluationResult:
    """Append the run (a new run id) and return the result carrying that id."""
    engine.execute(SYSTEM_TABLES[TABLE])  # warehouses made before the table existed
    with engine.transaction():
        run_id = int(engine.scalar(f"SELECT coalesce(max(run_id), 0) + 1 FROM {TABLE}"))
        details = json.dumps(result.details, ensure_ascii=False, default=str)
        for rec in result.frame.to_dict("records"):
            values = [run_id, result.evaluated_at, result.dataset, result.split, result.k,
                      *(_value(rec[c]) for c in RESULT_COLUMNS), details]
            cols = ", ".join(f'"{c}"' for c in _STORED)
            marks = ", ".join("?" for _ in _STORED)
            engine.execute(f"INSERT INTO {TABLE} ({cols}) VALUES ({marks})", values)
    return EvaluationResult(result.frame, result.dataset, result.split, result.k,
                            result.details, result.evaluated_at, run_id)


def _value(v: object) -> object:
    """NaN (no member with a test SKU) is stored as NULL; numpy scalars as Python."""
    if isinstance(v, float) and v != v:
        return None
    item = getattr(v, "item", None)
    return item() if callable(item) else v


def _order(name: str) -> tuple[int, str]:
    """Registry order first (popularity … content), then other names alphabetically."""
    known = DEFAULT_RECOMMENDERS.index(name) if name in DEFAULT_RECOMMENDERS else 99
    return known, name


def latest_evaluations(engine: Engine) -> list[EvaluationResult]:
    """The newest run of each dataset, the warehouse's first; empty without runs."""
    if not engine.table_exists(TABLE):
        return []
    cols = ", ".join(f'"{c}"' for c in _STORED)
    frame: pd.DataFrame = engine.frame(
        f"SELECT {cols} FROM {TABLE} WHERE run_id IN (SELECT max(run_id) FROM {TABLE} "
        "GROUP BY dataset) ORDER BY dataset <> 'warehouse', dataset, run_id")
    out = []
    for run_id, run in frame.groupby("run_id", sort=False):
        run = run.iloc[sorted(range(len(run)), key=lambda i: _order(run["recommender"].iloc[i]))]
        first = run.iloc[0]
        details = json.loads(first["details"]) if isinstance(first["details"], str) else {}
        out.append(EvaluationResult(
            run[list(RESULT_COLUMNS)].reset_index(drop=True), str(first["dataset"]),
            str(first["split"]), int(first["k"]), details,
            pd.Timestamp(first["evaluated_at"]).to_pydatetime(), int(str(run_id))))
    return out


def evaluation_run(result: EvaluationResult) -> EvaluationRun:
    """One result in the report's terms (metrics missing for no member become None)."""
    from ..reports.recommend_data import EvaluationRun, RecommenderRow

    def num(v: Any) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    rows = [RecommenderRow(
        recommender=str(r["recommender"]), precision=num(r["precision"]),
        recall=num(r["recall"]), ndcg=num(r["ndcg"]), mrr=num(r["mrr"]),
        hit_rate=num(r["hit_rate"]), coverage=num(r["coverage"]),
        fit_seconds=num(r["fit_seconds"]), recommend_seconds=num(r["recommend_seconds"]),
        n_members=int(r["n_members"] or 0)) for r in result.frame.to_dict("records")]
    d = result.details
    return EvaluationRun(
        run_id=result.run_id, evaluated_at=f"{result.evaluated_at:%Y-%m-%d %H:%M}",
        dataset=result.dataset, split=result.split, k=result.k,
        cutoff=str(d["cutoff"]) if d.get("cutoff") else None,
        test_days=int(d["test_days"]) if d.get("test_days") else None,
        test_share=float(d["test_share"]) if d.get("test_share") else None, rows=rows)


def recommend_section(engine: Engine) -> RecommendSection | None:
    """The report's section: the newest run of each dataset; None without any run."""
    from ..reports.recommend_data import RecommendSection

    runs = latest_evaluations(engine)
    return RecommendSection(runs=[evaluation_run(r) for r in runs]) if runs else None
