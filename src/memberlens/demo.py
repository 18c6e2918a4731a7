"""The whole first loop on generated data: datagen → ingest → profile → report."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .analytics.report_data import collect_report_data
from .engine import open_engine
from .ingest import LoadResult, ingest_file
from .reports import render_report
from .settings import Settings
from .tags import TagRunResult, run_tags

Progress = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    data_dir: Path
    warehouse: Path
    report: Path
    loads: list[LoadResult] = field(default_factory=list)
    tags: TagRunResult | None = None
    sample_member: str = ""


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

    generate(data_dir, members=members, seed=seed, dirt=dirt,
             progress=(lambda stage, done, total: progress(f"datagen:{stage}", done, total))
             if progress else None)
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    # an alternative of another file (orders.csv beside orders.parquet) holds the same rows
    files = [f for f in manifest["files"] if not f.get("alternative_of")]
    result = DemoResult(data_dir=data_dir, warehouse=warehouse,
                        report=directory / "memberlens-report.html")
    engine = open_engine(settings, path=warehouse)
    try:
        for i, entry in enumerate(files):
            if progress:
                progress(f"ingest:{entry['table']}", i, len(files))
            result.loads.append(ingest_file(engine, entry["table"], data_dir / entry["path"],
                                            timezone=settings.timezone))
        if progress:
            progress("ingest:done", len(files), len(files))
            progress("tags", 0, 1)
        result.tags = run_tags(engine)
        # a member worth looking at: the most valuable one
        result.sample_member = str(engine.scalar(
            "SELECT member_id FROM member_profile WHERE rfm_class = '重要价值客户' "
            "ORDER BY spend_total DESC LIMIT 1") or "")
        if progress:
            progress("tags", 1, 1)
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
