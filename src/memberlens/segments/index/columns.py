"""Tag columns of member_profile as numpy arrays, in the profile's row order.

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
from enum import StrEnum
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from ...engine.base import Engine
from ...tags.runner import PROFILE

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


def read_columns(engine: Engine, columns: Sequence[ColumnType],
                 table: str = PROFILE) -> pa.Table:
    """One scan of the profile for these columns, in row order."""
    values = distinct_texts(engine, columns, table)
    return engine.fetch_arrow(f"SELECT {select_list(columns, values)} FROM {table}")


# --- Arrow → numpy -----------------------------------------------------------------

def _bits(buf: pa.Buffer | None, offset: int, length: int) -> Mask | None:
    if buf is None:
        return None
    packed = np.frombuffer(buf, dtype=np.uint8)
    return np.unpackbits(packed, count=offset + length, bitorder="little")[offset:].view(
        np.bool_)


def validity(column: pa.ChunkedArray) -> Mask | None:
    """Which members have a value (None: all of them)."""
    if column.null_count == 0:
        return None
    parts = []
    for chunk in column.chunks:
        bits = _bits(chunk.buffers()[0], chunk.offset, len(chunk)) if chunk.null_count \
            else None
        parts.append(np.ones(len(chunk), dtype=np.bool_) if bits is None else bits)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.bool_)


def keys(column: pa.ChunkedArray, ctype: ColumnType) -> Key:
    """Order-preserving numbers: integers, unscaled decimals, days, µs, doubles.

    Read straight from the Arrow buffers; values under a null are whatever the producer
    left there, so callers mask them.
    """
    parts: list[NDArray[np.generic]] = []
    for chunk in column.chunks:
        data = chunk.buffers()[1]
        if ctype.space is Space.DECIMAL:
            # decimal128: two's complement, little-endian; the low word is the value
            words = np.frombuffer(data, dtype=np.int64)
            parts.append(words[2 * chunk.offset: 2 * (chunk.offset + len(chunk)): 2])
            continue
        if ctype.space is Space.DATE:
            dtype: type[np.generic] = np.int32
        elif ctype.space is Space.TIMESTAMP:
            dtype = np.int64
        else:
            dtype = chunk.type.to_pandas_dtype()
        parts.append(np.frombuffer(data, dtype=dtype)[chunk.offset: chunk.offset + len(chunk)])
    if ctype.space is Space.FLOAT:
        return np.concatenate(parts).astype(np.float64, copy=False) if parts else \
            np.zeros(0, dtype=np.float64)
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return out if out.dtype in (np.int32, np.int64) else out.astype(np.int64)


@dataclass
class Codes:
    """A text or yes/no column as codes into `values` (-1 for no value)."""

    codes: NDArray[np.integer]
    valid: Mask | None
    values: list[str] | list[bool]


def text_codes(column: pa.ChunkedArray) -> Codes:
    valid = validity(column)
    if pa.types.is_dictionary(column.type):
        dictionary = column.chunks[0].dictionary if column.num_chunks else pa.array([])
        if any(c.dictionary != dictionary for c in column.chunks[1:]):
            column = column.unify_dictionaries()
            dictionary = column.chunks[0].dictionary
        parts = [np.frombuffer(c.indices.buffers()[1],
                               dtype=c.indices.type.to_pandas_dtype())[c.offset:c.offset + len(c)]
                 for c in column.chunks]
        codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
        return Codes(codes, valid, [str(v) for v in dictionary.to_pylist()])
    # not read as an ENUM (no values at all, or an older reader): encode here
    encoded = column.dictionary_encode().combine_chunks()
    idx = encoded.indices.fill_null(0).to_numpy().astype(np.int32)
    return Codes(idx, valid, [str(v) for v in encoded.dictionary.to_pylist()])


def bool_codes(column: pa.ChunkedArray) -> Codes:
    """true → 1, false → 0, under the values ``[False, True]``."""
    parts = []
    for chunk in column.chunks:
        bits = _bits(chunk.buffers()[1], chunk.offset, len(chunk))
        parts.append(bits if bits is not None else np.zeros(len(chunk), dtype=np.bool_))
    values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.bool_)
    return Codes(values.view(np.uint8), validity(column), [False, True])


@dataclass
class ListElements:
    """A list column flattened: element codes, the position of each element's member,
    and which members have a non-empty list (an empty list counts as no value)."""

    codes: NDArray[np.integer]
    members: NDArray[np.uint32]
    nonempty: Mask
    values: list[str]


def list_elements(column: pa.ChunkedArray) -> ListElements:
    codes_parts, member_parts, nonempty_parts = [], [], []
    values: list[str] | None = None
    base = 0
    for chunk in column.chunks:
        offsets = chunk.offsets.to_numpy()
        lengths = np.diff(offsets)
        valid = _bits(chunk.buffers()[0], chunk.offset, len(chunk)) if chunk.null_count \
            else None
        has = lengths > 0 if valid is None else (lengths > 0) & valid
        nonempty_parts.append(has)
        child = chunk.values.slice(offsets[0], offsets[-1] - offsets[0])
        member = np.repeat(np.arange(base, base + len(chunk), dtype=np.uint32), lengths)
        keep = np.repeat(has, lengths)
        if child.null_count:
            keep &= np.asarray(child.is_valid())
        if pa.types.is_dictionary(child.type):
            if values is None:
                values = [str(v) for v in child.dictionary.to_pylist()]
            elif child.dictionary.to_pylist() != values:
                raise ValueError("list elements read with different dictionaries")
            codes = child.indices.fill_null(0).to_numpy()
        else:
            enc = child.dictionary_encode()
            remap = {str(v): i for i, v in enumerate(values or [])}
            for v in enc.dictionary.to_pylist():
                remap.setdefault(str(v), len(remap))
            values = list(remap)
            table = np.array([remap[str(v)] for v in enc.dictionary.to_pylist()],
                             dtype=np.int64)
            codes = table[enc.indices.fill_null(0).to_numpy()] if len(table) else \
                np.zeros(len(child), dtype=np.int64)
        codes_parts.append(codes[keep])
        member_parts.append(member[keep])
        base += len(chunk)
    return ListElements(
        np.concatenate(codes_parts) if codes_parts else np.zeros(0, dtype=np.int64),
        np.concatenate(member_parts) if member_parts else np.zeros(0, dtype=np.uint32),
        np.concatenate(nonempty_parts) if nonempty_parts else np.zeros(0, dtype=np.bool_),
        values or [])
