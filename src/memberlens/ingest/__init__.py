"""Readers, column mapping (incl. Chinese headers), cleaning, quarantine and load."""

from __future__ import annotations

from .load import ingest_file
from .mapping import MappingFile, load_mapping_file, normalise_header, suggest_for
from .readers import detect_format, open_source
from .summary import REASON_LABELS, LoadResult, reason_label

__all__ = [
    "REASON_LABELS",
    "LoadResult",
    "MappingFile",
    "detect_format",
    "ingest_file",
    "load_mapping_file",
    "normalise_header",
    "open_source",
    "reason_label",
    "suggest_for",
]
