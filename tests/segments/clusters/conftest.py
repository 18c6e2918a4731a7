"""A small generated warehouse with tags, built once and copied for each test."""

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

MEMBERS = 800


@pytest.fixture(scope="session")
def profiled_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """datagen → ingest → tags, as the demo does; the file is never changed."""
    root = tmp_path_factory.mktemp("clusters")
    generate(root / "data", members=MEMBERS, seed=11, dirt=0.0)
    path = root / "profiled.duckdb"
    engine = open_engine(Settings(warehouse=path))
    try:
        ingest_generated(engine, root / "data")
        run_tags(engine)
    finally:
        engine.close()
    return path


@pytest.fixture
def warehouse(profiled_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the profiled warehouse for a test that writes to it."""
    path = tmp_path / "wh.duckdb"
    shutil.copy(profiled_warehouse, path)
    return path


@pytest.fixture
def wh(warehouse: Path) -> Iterator[DuckDBEngine]:
    engine = open_engine(Settings(warehouse=warehouse))
    yield engine
    engine.close()
