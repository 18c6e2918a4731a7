"""Fixtures over the tiny warehouse of tiny_warehouse.py (stories and windows there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tiny_warehouse import AS_OF, load_tiny, read_profile

from memberlens.engine import DuckDBEngine, open_engine
from memberlens.settings import Settings
from memberlens.tags import run_tags


@pytest.fixture
def tiny(engine: DuckDBEngine) -> DuckDBEngine:
    """A fresh warehouse holding the tiny data set (for tests that change it)."""
    return load_tiny(engine)


@pytest.fixture(scope="session")
def tiny_profile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """Every built-in tag of every member as of 2024-07-01 (computed once per session)."""
    path: Path = tmp_path_factory.mktemp("tiny") / "wh.duckdb"
    eng = open_engine(Settings(warehouse=path))
    try:
        run_tags(load_tiny(eng), as_of=AS_OF)
        yield read_profile(eng)
    finally:
        eng.close()
