"""Tag columns of member_profile as the index reads them: their types, and one scan.

A member's position in the index is its row number in a plain scan of member_profile
(DuckDB keeps insertion order), so nothing is sorted while building; `members` maps
positions back through the member_id column read the same way.

What a tag can be compared with follows its column's type in the warehouse (that is what
the SQL answer compares), not its catalog declaration. Text is read as an ENUM, which
DuckDB hands over dictionary-encoded: one small integer code per member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from ...engine.base import Engine
from ...tags.tables import PROFILE

Key = NDArray[Any]  # int64 or int32 (integer keys) or float64
Mask = NDArray[np.bool_]
SKIPPED = frozenset({"member_id", "as_of"})


class Space(StrEnum):
    """How a numeric key compares: integers, scaled decimals, doubles, days, microseconds."""

    INT = "int"
    DECIMAL = "decimal"
    FLOAT = "float"
    DATE = "date"
    TIMESTAMP = "timestamp"


class Kind(StrEnum):
    STRING = "string"
    BOOL = "bool"
    LIST = "list"
    RANGE = "range"


@dataclass(frozen=True)
class ColumnType:
    """One indexable profile column: its name, SQL type and how the index keeps it."""

    name: str
    sql_type: str
    kind: Kind
    space: Space | None = None
    scale: int = 0  # decimal places of a DECIMAL

    @property
    def integral(self) -> bool:
        return self.space is not Space.FLOAT


_INTS = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                   "UINTEGER"})


def column_type(name: str, sql_type: str) -> ColumnType | None:
    """How to index a column of this type, or None when the index leaves it to SQL."""
    t = sql_type.upper()
    if t in _INTS:
        return ColumnType(name, t, Kind.RANGE, Space.INT)
    if t == "DOUBLE":
        return ColumnType(name, t, Kind.RANGE, Space.FLOAT)
    if t == "DATE":
        return ColumnType(name, t, Kind.RANGE, Space.DATE)
    if t == "TIMESTAMP":
        return ColumnType(name, t, Kind.RANGE, Space.TIMESTAMP)
    if t.startswith("DECIMAL(") and t.endswith(")"):
        width, scale = (int(x) for x in t[8:-1].split(","))
        if width <= 18:  # fits an int64 of the unscaled value
            return ColumnType(name, t, Kind.RANGE, Space.DECIMAL, scale)
        return None
    if t == "VARCHAR":
        return ColumnType(name, t, Kind.STRING)
    if t == "BOOLEAN":
        return ColumnType(name, t, Kind.BOOL)
    if t == "VARCHAR[]":
        return ColumnType(name, t, Kind.LIST)
    return None  # FLOAT (single precision), HUGEINT, intervals, …: answered by SQL


def profile_columns(engine: Engine, table: str = PROFILE) -> list[ColumnType]:
    """The indexable tag columns of the profile, in table order."""
    rows = engine.fetchall("SELECT column_name, data_type FROM information_schema.columns "
                           "WHERE table_name = ? ORDER BY ordinal_position", [table])
    found = (column_type(str(n), str(t)) for n, t in rows if n not in SKIPPED)
    return [c for c in found if c is not None]


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def distinct_texts(engine: Engine, columns: Sequence[ColumnType],
                   table: str = PROFILE) -> dict[str, list[str]]:
    """Every value of the text and list columns: the ENUM each is read as."""
    out: dict[str, list[str]] = {}
    plain = [c for c in columns if c.kind is Kind.STRING]
    if plain:
        picks = ", ".join(f"list(DISTINCT {ident(c.name)}) FILTER "
                          f"(WHERE {ident(c.name)} IS NOT NULL)" for c in plain)
        row = engine.fetchall(f"SELECT {picks} FROM {table}")[0]
        out.update({c.name: sorted(v or []) for c, v in zip(plain, row, strict=True)})
    for c in columns:
        if c.kind is Kind.LIST:
            got = engine.scalar(f"SELECT list(DISTINCT e) FILTER (WHERE e IS NOT NULL) FROM "
                                f"(SELECT unnest({ident(c.name)}) AS e FROM {table})")
            out[c.name] = sorted(got or [])
    return out


def select_list(columns: Sequence[ColumnType], values: dict[str, list[str]]) -> str:
    """The scan's select list: text as ENUM codes, everything else as stored."""
    picks = []
    for c in columns:
        col = ident(c.name)
        texts = values.get(c.name)
        if c.kind in (Kind.STRING, Kind.LIST) and texts:
            enum = "ENUM(" + ", ".join(_literal(v) for v in texts) + ")"
            suffix = "[]" if c.kind is Kind.LIST else ""
            picks.append(f"CAST({col} AS {enum}{suffix}) AS {col}")
        else:
            picks.append(col)
    return ", ".join(picks)


@dataclass
class ProfileColumns:
    """Columns as read for the index: the Arrow table, and the smallest and largest key
    of each integer-keyed column (None when it has no values)."""

    table: pa.Table
    bounds: dict[str, tuple[int, int] | None]


def read_columns(engine: Engine, columns: Sequence[ColumnType],
                 table: str = PROFILE) -> ProfileColumns:
    """One scan of the profile for these columns, in row order, with their bounds."""
    values = distinct_texts(engine, columns, table)
    data = engine.fetch_arrow(f"SELECT {select_list(columns, values)} FROM {table}")
    return ProfileColumns(data, key_bounds(engine, columns, table))


def key_bounds(engine: Engine, columns: Sequence[ColumnType],
               table: str = PROFILE) -> dict[str, tuple[int, int] | None]:
    """min and max of the integer-keyed columns, in key units (DuckDB often answers
    these from its column statistics)."""
    cols = [c for c in columns if c.kind is Kind.RANGE and c.integral]
    if not cols:
        return {}
    picks = ", ".join(f"min({ident(c.name)}), max({ident(c.name)})" for c in cols)
    row = engine.fetchall(f"SELECT {picks} FROM {table}")[0]
    out: dict[str, tuple[int, int] | None] = {}
    for i, c in enumerate(cols):
        low, high = row[2 * i], row[2 * i + 1]
        out[c.name] = None if low is None else (key_of(c, low), key_of(c, high))
    return out


def key_of(ctype: ColumnType, value: Any) -> int:
    """A value DuckDB returned, in the column's integer key units."""
    if ctype.space is Space.DECIMAL:
        return int(value.scaleb(ctype.scale))
    if ctype.space is Space.TIMESTAMP:
        return (value - _EPOCH) // timedelta(microseconds=1)  # type: ignore[no-any-return]
    if ctype.space is Space.DATE:
        return (value - _EPOCH.date()).days  # type: ignore[no-any-return]
    return int(value)


_EPOCH = datetime(1970, 1, 1)
