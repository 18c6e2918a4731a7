"""The manifest: what was generated, with which parameters, and every injected defect.

The ingest side reads it to load the files in order and to check that cleaning
found what was planted.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

# canonical table of every file, in load order (members before the facts about them)
FILES: tuple[tuple[str, str, str], ...] = (
    ("members.csv", "members", "csv"),
    ("products.csv", "products", "csv"),
    ("stores.csv", "stores", "csv"),
    ("orders.parquet", "orders", "parquet"),
    ("orders.csv", "orders", "csv"),
    ("orders_pos.csv", "orders", "csv"),
    ("order_items.parquet", "order_items", "parquet"),
    ("events.jsonl", "events", "jsonl"),
    ("events.parquet", "events", "parquet"),
    ("feedback.csv", "feedback", "csv"),
)


class FileEntry(BaseModel):
    """One written file."""

    model_config = ConfigDict(frozen=True)

    path: str
    table: str
    rows: int
    format: Literal["csv", "parquet", "jsonl"]
    header_language: Literal["en", "zh"] = "en"
    # set when the file holds the same rows as another one (orders.csv = orders.parquet):
    # load one of the two
    alternative_of: str | None = None


class DirtReport(BaseModel):
    """Exact numbers of injected defects."""

    share: float
    total: int
    by_kind: dict[str, int]
    by_file: dict[str, dict[str, int]]


class Manifest(BaseModel):
    """Written to ``out_dir/manifest.json``; files are listed in load order."""

    generator: str = "memberlens.datagen"
    seed: int
    parameters: dict[str, Any]
    generated_at: str
    duration_seconds: float
    files: list[FileEntry]
    dirt: DirtReport
    # facts about the clean data (distinct people, orders by origin) for checks
    stats: dict[str, int]

    def file(self, path: str) -> FileEntry:
        """The entry of ``path``; raises ``KeyError`` if it was not written."""
        for entry in self.files:
            if entry.path == path:
                return entry
        raise KeyError(path)
