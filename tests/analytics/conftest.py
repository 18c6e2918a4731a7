"""Small hand-made tables for the analyses: rows are written straight into the warehouse."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from memberlens.engine import DuckDBEngine

Insert = Callable[[str, Sequence[str], Sequence[Sequence[Any]]], None]


@pytest.fixture
def insert(engine: DuckDBEngine) -> Insert:
    """``insert("orders", ["order_id", ...], [(...), ...])``: plain INSERTs, no cleaning.

    The analyses read canonical tables, so the tests fill those directly and keep the
    ingest rules out of the numbers being checked.
    """

    def _insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        for row in rows:
            engine.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                           list(row))

    return _insert


@pytest.fixture
def history(engine: DuckDBEngine) -> Callable[[Sequence[tuple[str, str, str | None,
                                                                str | None]]], None]:
    """Writes ``(member_id, as_of, activity_status, rfm_class)`` rows as tag snapshots."""

    def _write(rows: Sequence[tuple[str, str, str | None, str | None]]) -> None:
        engine.execute("CREATE TABLE IF NOT EXISTS tag_history (member_id VARCHAR, as_of DATE, "
                       "activity_status VARCHAR, rfm_class VARCHAR, spend_total DECIMAL(18,2))")
        for row in rows:
            engine.execute("INSERT INTO tag_history (member_id, as_of, activity_status, "
                           "rfm_class) VALUES (?, ?, ?, ?)", list(row))

    return _write
