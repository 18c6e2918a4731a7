"""Where data lives and how queries run: DuckDB by default, Spark later."""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .base import SOURCE_DIALECT, Engine
from .duckdb_engine import DuckDBEngine
from .readonly import check_read_only, run_read_only


def open_engine(settings: Settings | None = None, *, path: Path | str | None = None,
                read_only: bool = False) -> DuckDBEngine:
    """Open the warehouse named by the settings (or `path`) and make sure its schema exists."""
    from ..schema import ensure_schema

    settings = settings or Settings()
    engine = DuckDBEngine(path or settings.warehouse, read_only=read_only, settings=settings)
    if not read_only:
        ensure_schema(engine)
    return engine


__all__ = [
    "SOURCE_DIALECT",
    "DuckDBEngine",
    "Engine",
    "check_read_only",
    "open_engine",
    "run_read_only",
]
