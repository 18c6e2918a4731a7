"""A small generated warehouse with tags and their index, built once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from memberlens.datagen import generate
from memberlens.engine import DuckDBEngine, open_engine
from memberlens.ingest.generated import ingest_generated
from memberlens.settings import Settings
from memberlens.tags import run_tags

MEMBERS, SEED = 2_000, 5


@pytest.fixture(scope="session")
def tagged_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated data → ingest → run_tags, which also builds the index (about 4 s)."""
    root = tmp_path_factory.mktemp("audience_index")
    data = root / "data"
    generate(data, members=MEMBERS, seed=SEED, dirt=0.01)
    path = root / "wh.duckdb"
    engine = open_engine(Settings(warehouse=path))
    try:
        ingest_generated(engine, data)
        run_tags(engine)
    finally:
        engine.close()
    return path


@pytest.fixture
def warehouse_copy(tagged_warehouse: Path, tmp_path: Path) -> Iterator[DuckDBEngine]:
    """A writable copy, for tests that change the profile."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(tagged_warehouse, path)
    engine = open_engine(Settings(warehouse=path))
    yield engine
    engine.close()
