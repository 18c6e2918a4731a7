"""The canonical data model and its validation rules."""

from __future__ import annotations

from .ddl import create_table_sql, ensure_schema
from .model import Column, CrossCheck, Kind, Table
from .tables import CANONICAL_TABLES

__all__ = ["CANONICAL_TABLES", "Column", "CrossCheck", "Kind", "Table", "create_table_sql",
           "ensure_schema"]
