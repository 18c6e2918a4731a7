"""A small generated warehouse (stores, members, orders, feedback) shared by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from memberlens.datagen import generate
from memberlens.engine import DuckDBEngine, open_engine
from memberlens.ingest.generated import ingest_generated
from memberlens.settings import Settings

MEMBERS, SEED = 12_000, 0  # 40 stores: enough for every store class


@pytest.fixture(scope="session")
def store_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file loaded from generated data (about 1.5 s, once per session)."""
    root = tmp_path_factory.mktemp("composite")
    data = root / "data"
    generate(data, members=MEMBERS, seed=SEED, dirt=0.0,
             include=frozenset({"members", "stores", "orders", "feedback"}))
    path = root / "wh.duckdb"
    engine = open_engine(Settings(warehouse=path))
    try:
        ingest_generated(engine, data)
    finally:
        engine.close()
    return path


@pytest.fixture
def store_engine(store_warehouse: Path) -> Iterator[DuckDBEngine]:
    engine = open_engine(Settings(warehouse=store_warehouse), read_only=True)
    yield engine
    engine.close()
