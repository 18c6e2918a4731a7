"""Loading a `memberlens datagen` directory: every file of its manifest, in load order.

The demo, the benchmarks and many tests start from generated data; they share this
instead of each walking the manifest (and each remembering to skip alternatives).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..engine.base import Engine
from .load import ingest_file
from .summary import LoadResult


def generated_files(data_dir: Path) -> list[tuple[str, Path]]:
    """(table, file) to load, in the manifest's order; a file that holds the same rows
    as another one (orders.csv beside orders.parquet) is left out."""
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    return [(f["table"], data_dir / f["path"]) for f in manifest["files"]
            if not f.get("alternative_of")]


def ingest_generated(
    engine: Engine, data_dir: Path, *, timezone: str = "Asia/Shanghai",
    progress: Callable[[str, int, int], None] | None = None,
) -> list[LoadResult]:
    """Ingest every generated file into the warehouse; one LoadResult per file."""
    files = generated_files(data_dir)
    loads = []
    for i, (table, path) in enumerate(files):
        if progress:
            progress(f"ingest:{table}", i, len(files))
        loads.append(ingest_file(engine, table, path, timezone=timezone))
    if progress:
        progress("ingest:done", len(files), len(files))
    return loads
