"""A small generated warehouse (datagen → ingest) shared by the predictive-model tests.

Built once per session; tests that change data or write scores copy the file first.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memberlens.datagen import generate
from memberlens.engine import DuckDBEngine, open_engine
from memberlens.ingest.generated import ingest_generated
from memberlens.settings import Settings

MEMBERS = 3000
TABLES = frozenset({"members", "products", "stores", "orders", "order_items"})


def _build(root: Path, tables: frozenset[str]) -> Path:
    """Generate `tables` for MEMBERS members (seed 7) and load them into a warehouse."""
    data = root / "data"
    generate(data, members=MEMBERS, seed=7, dirt=0.0, include=tables)
    warehouse = root / "wh.duckdb"
    settings = Settings(warehouse=warehouse)
    engine = open_engine(settings)
    try:
        ingest_generated(engine, data, timezone=settings.timezone)
    finally:
        engine.close()
    return warehouse


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 generated members with orders (2023–2025), loaded; no tags run yet."""
    return _build(tmp_path_factory.mktemp("models_demo"), TABLES)


@pytest.fixture
def demo_copy(demo_warehouse: Path, tmp_path: Path) -> Callable[[], Path]:
    """A private copy of the demo warehouse, for tests that write to it."""
    def _copy() -> Path:
        target = tmp_path / "wh.duckdb"
        shutil.copy(demo_warehouse, target)
        return target
    return _copy


@pytest.fixture
def demo_engine(demo_copy: Callable[[], Path]) -> Iterator[DuckDBEngine]:
    engine = open_engine(Settings(warehouse=demo_copy()))
    yield engine
    engine.close()



@pytest.fixture(scope="session")
def events_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same 3,000 members with behaviour events too (engagement needs them)."""
    return _build(tmp_path_factory.mktemp("models_events"), TABLES | {"events"})
