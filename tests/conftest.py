"""Shared fixtures: an empty warehouse and a writer for small source files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memberlens.engine import DuckDBEngine, open_engine
from memberlens.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "wh.duckdb")


@pytest.fixture
def engine(settings: Settings) -> Iterator[DuckDBEngine]:
    eng = open_engine(settings)
    yield eng
    eng.close()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(text.lstrip("\n"), encoding=encoding)
        return path
    return _write


SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture
def snapshot() -> Callable[[str, str, str], None]:
    """Compare compiled SQL with tests/snapshots/<name>/<dialect>/out.sql.

    A missing file is written (review it in the diff); MEMBERLENS_UPDATE_SNAPSHOTS=1
    rewrites them after an intended change.
    """
    import os

    def check(name: str, dialect: str, text: str) -> None:
        path = SNAPSHOTS / name / dialect / "out.sql"
        if os.environ.get("MEMBERLENS_UPDATE_SNAPSHOTS") == "1" or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
        assert path.read_text(encoding="utf-8") == text + "\n", f"snapshot {name}/{dialect}"
    return check
