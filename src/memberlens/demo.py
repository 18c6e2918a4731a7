"""The whole first loop on generated data: datagen → ingest → profile → cluster → models →
recommendations → report."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .analytics.report_data import collect_report_data
from .engine import open_engine
from .engine.base import Engine
from .ingest import LoadResult
from .ingest.generated import ingest_generated
from .reports import render_report
from .segments.clusters import ClusterRun, run_clustering
from .settings import Settings
from .tags import Catalog, TagRunResult, default_as_of, load_catalog, run_tags

if TYPE_CHECKING:
    from .recommend.serving import ServingSummary

Progress = Callable[[str, int, int], None]
HISTORY_MONTHS = 6
# K-Means picks k on this many buyers; every buyer is then assigned (about a second)
CLUSTER_SAMPLE = 5_000


def monthly_as_of_dates(last: date, months: int) -> list[date]:
    """The first day of each of the `months` months before `last`'s month, oldest first."""
    out: list[date] = []
    year, month = last.year, last.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(date(year, month, 1))
    return sorted(d for d in out if d < last)


@dataclass
class DemoResult:
    data_dir: Path
    warehouse: Path
    report: Path
    loads: list[LoadResult] = field(default_factory=list)
    tags: TagRunResult | None = None
    clusters: ClusterRun | None = None
    churn_model: str = ""
    recommendations: ServingSummary | None = None
    sample_member: str = ""


def _churn_and_clv(engine: Engine, warehouse: Path) -> str:
    """Train, register and score a churn model; score CLV (a few seconds at 20,000)."""
    from .models.labels import LabelSpec
    from .models.registry import default_models_dir, load, save
    from .models.scoring import score, score_lifetime_value
    from .models.training import train

    models_dir = default_models_dir(warehouse)
    model_id = save(engine, train(engine, LabelSpec("churn", horizon_days=90)), models_dir)
    score(engine, load(engine, model_id, models_dir))
    score_lifetime_value(engine, penalizer=0.001)
    return model_id


def _recommendations(engine: Engine, catalog: Catalog) -> ServingSummary:
    """Recommenders compared on held-out purchases; every member's item-CF top 10 into
    the profile."""
    from .recommend.evaluation import evaluate_warehouse
    from .recommend.serving import serve

    # every recommender on the last 30 days first, so the report can compare them
    # (about 5 s at 20,000 members)
    evaluate_warehouse(engine, split="time", test_days=30, k=10)
    return serve(engine, recommender="itemcf", k=10, catalog=catalog).summary


def run_demo(directory: Path, *, members: int = 20_000, seed: int = 42, dirt: float = 0.02,
             settings: Settings | None = None, progress: Progress | None = None,
             lang: str = "zh") -> DemoResult:
    """Generate a dataset in `directory`, load it into a fresh warehouse, profile, report."""
    from .datagen import generate

    settings = settings or Settings()
    data_dir = directory / "data"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    warehouse = directory / "memberlens.duckdb"
    for stale in (warehouse, warehouse.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    # models registered by an earlier demo run belong to the warehouse just removed
    shutil.rmtree(directory / "models", ignore_errors=True)

    generate(data_dir, members=members, seed=seed, dirt=dirt,
             progress=(lambda stage, done, total: progress(f"datagen:{stage}", done, total))
             if progress else None)
    result = DemoResult(data_dir=data_dir, warehouse=warehouse,
                        report=directory / "memberlens-report.html")
    engine = open_engine(settings, path=warehouse)
    catalog = load_catalog(settings.tag_dirs)
    try:
        result.loads = ingest_generated(engine, data_dir, timezone=settings.timezone,
                                        progress=progress)
        # monthly snapshots first, so trends and migrations have a history to read
        as_ofs = monthly_as_of_dates(default_as_of(engine), HISTORY_MONTHS)
        for i, as_of in enumerate(as_ofs):
            if progress:
                progress("tags", i, len(as_ofs) + 1)
            run_tags(engine, as_of=as_of, catalog=catalog)
        if progress:
            progress("tags", len(as_ofs), len(as_ofs) + 1)
        result.tags = run_tags(engine, catalog=catalog)
        # a member worth looking at: the most valuable one
        result.sample_member = str(engine.scalar(
            "SELECT member_id FROM member_profile WHERE rfm_class = '重要价值客户' "
            "ORDER BY spend_total DESC LIMIT 1") or "")
        if progress:
            progress("tags", len(as_ofs) + 1, len(as_ofs) + 1)
            progress("clusters", 0, 1)
        result.clusters = run_clustering(engine, catalog, method="kmeans",
                                         sample_size=CLUSTER_SAMPLE, seed=seed, lang=lang)
        if progress:
            progress("clusters", 1, 1)
            progress("models", 0, 1)
        result.churn_model = _churn_and_clv(engine, warehouse)
        if progress:
            progress("models", 1, 1)
            progress("recommend", 0, 1)
        result.recommendations = _recommendations(engine, catalog)
        if progress:
            progress("recommend", 1, 1)
            progress("report", 0, 1)
        data = collect_report_data(engine, warehouse=str(warehouse),
                                   title="会员画像报告（演示数据）" if lang == "zh"
                                   else "Member report (demo data)")
        render_report(data, result.report, lang=lang)
        if progress:
            progress("report", 1, 1)
    finally:
        engine.close()
    return result
