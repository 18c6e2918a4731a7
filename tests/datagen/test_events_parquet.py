"""Events as Parquet (for the benchmark's 50M events) hold what the JSON lines hold."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from memberlens.datagen import generate
from memberlens.engine import DuckDBEngine
from memberlens.ingest import ingest_file


def test_events_parquet_matches_jsonl_and_loads(tmp_path: Path, engine: DuckDBEngine) -> None:
    generate(tmp_path / "j", members=400, seed=3, dirt=0.0,
             include=frozenset({"members", "events"}))
    generate(tmp_path / "p", members=400, seed=3, dirt=0.0,
             include=frozenset({"members", "events"}), events_format="parquet")
    lines = (tmp_path / "j" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    table = pq.read_table(tmp_path / "p" / "events.parquet")
    assert table.num_rows == len(lines) > 0
    first = json.loads(lines[0])
    assert set(first) <= set(table.column_names)
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f["table"] == "events")
    assert entry["path"] == "events.parquet" and entry["rows"] == table.num_rows
    result = ingest_file(engine, "events", tmp_path / "p" / "events.parquet")
    assert result.rejected == 0 and result.loaded + result.duplicates == table.num_rows
