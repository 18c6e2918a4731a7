"""Arrow columns as numpy arrays, as DuckDB hands them over: in chunks (122,880 rows, a
multiple of 8), with each chunk's validity already packed bits — the layout of a bitmap.
Keys are read as views of the chunk buffers; nothing member-sized is copied that need not be.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from .bitmaps import Bits, pack, padded_length
from .columns import ColumnType, Key, Mask, Space


def _spans(column: pa.ChunkedArray) -> list[tuple[int, int]]:
    out, start = [], 0
    for chunk in column.chunks:
        out.append((start, start + len(chunk)))
        start += len(chunk)
    return out


def present_bits(column: pa.ChunkedArray, n: int) -> Bits:
    """Members with a value, as packed bits over whole containers (zero past `n`)."""
    out = np.zeros(padded_length(n) // 8, dtype=np.uint8)
    spans = _spans(column)
    aligned = all(a % 8 == 0 and c.offset % 8 == 0
                  for (a, _), c in zip(spans, column.chunks, strict=True))
    if not aligned:  # not what DuckDB produces; correct, if slower
        mask = np.zeros(padded_length(n), dtype=np.bool_)
        for (a, b), chunk in zip(spans, column.chunks, strict=True):
            mask[a:b] = np.asarray(chunk.is_valid())
        return pack(mask)
    for (a, b), chunk in zip(spans, column.chunks, strict=True):
        buf = chunk.buffers()[0]
        if chunk.null_count == 0 or buf is None:
            out[a // 8: b // 8] = 0xFF
            if b % 8:
                out[b // 8] |= (1 << (b % 8)) - 1
            continue
        bits = np.frombuffer(buf, dtype=np.uint8)[chunk.offset // 8:]
        nbytes = -(-(b - a) // 8)
        out[a // 8: a // 8 + nbytes] = bits[:nbytes]
        if b % 8:
            out[b // 8] &= (1 << (b % 8)) - 1  # bits past the chunk's last member
    return out


def bits_at(bits: Bits, positions: NDArray[np.integer]) -> Mask:
    """Whether each position's bit is set."""
    got: Mask = ((bits[positions >> 3] >> (positions & 7).astype(np.uint8)) & 1).astype(
        np.bool_)
    return got


def key_chunks(column: pa.ChunkedArray, ctype: ColumnType) -> list[NDArray[Any]]:
    """Each chunk's keys as a view of its buffer: integers, unscaled decimals, days, µs,
    doubles. Values under a null are whatever the producer left there."""
    parts: list[NDArray[Any]] = []
    for chunk in column.chunks:
        data = chunk.buffers()[1]
        lo, hi = chunk.offset, chunk.offset + len(chunk)
        if ctype.space is Space.DECIMAL:
            # decimal128: two's complement, little-endian; the low word is the value
            parts.append(np.frombuffer(data, dtype=np.int64)[2 * lo: 2 * hi: 2])
            continue
        if ctype.space is Space.DATE:
            dtype: Any = np.int32
        elif ctype.space is Space.TIMESTAMP:
            dtype = np.int64
        else:
            dtype = chunk.type.to_pandas_dtype()
        parts.append(np.frombuffer(data, dtype=dtype)[lo:hi])
    return parts


def keys(column: pa.ChunkedArray, ctype: ColumnType) -> Key:
    """All keys in one array (int64, or int32 for days, or float64)."""
    parts = key_chunks(column, ctype)
    if ctype.space is Space.FLOAT:
        return np.concatenate(parts).astype(np.float64, copy=False) if parts else \
            np.zeros(0, dtype=np.float64)
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return out if out.dtype in (np.int32, np.int64) else out.astype(np.int64)


def int_bounds(column: pa.ChunkedArray, ctype: ColumnType) -> tuple[int, int] | None:
    """Smallest and largest integer key over the members with a value."""
    got = pc.min_max(column)
    low, high = got["min"], got["max"]
    if not low.is_valid:
        return None
    if ctype.space is Space.DECIMAL:
        return (int(low.as_py().scaleb(ctype.scale)), int(high.as_py().scaleb(ctype.scale)))
    if ctype.space is Space.DATE:
        return int(low.cast(pa.int32()).as_py()), int(high.cast(pa.int32()).as_py())
    if ctype.space is Space.TIMESTAMP:
        return int(low.cast(pa.int64()).as_py()), int(high.cast(pa.int64()).as_py())
    return int(low.as_py()), int(high.as_py())


def chunk_spans(column: pa.ChunkedArray) -> list[tuple[int, int]]:
    return _spans(column)


@dataclass
class Codes:
    """A text column as codes into `values`, chunk by chunk (anything under a null)."""

    chunks: list[NDArray[np.integer]]
    spans: list[tuple[int, int]]
    present: Bits
    values: list[str]
    has_nulls: bool

    @property
    def codes(self) -> NDArray[np.integer]:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype=np.uint8)


def text_codes(column: pa.ChunkedArray, n: int) -> Codes:
    present = present_bits(column, n)
    nulls = column.null_count > 0
    if pa.types.is_dictionary(column.type):
        dictionary = column.chunks[0].dictionary if column.num_chunks else pa.array([])
        if any(c.dictionary != dictionary for c in column.chunks[1:]):
            column = column.unify_dictionaries()
            dictionary = column.chunks[0].dictionary
        parts = [np.frombuffer(c.indices.buffers()[1], dtype=c.indices.type.to_pandas_dtype())
                 [c.offset:c.offset + len(c)] for c in column.chunks]
        return Codes(parts, _spans(column), present,
                     [str(v) for v in dictionary.to_pylist()], nulls)
    # not read as an ENUM (no values at all): encode here
    encoded = column.dictionary_encode().combine_chunks()
    idx = encoded.indices.fill_null(0).to_numpy().astype(np.int32)
    return Codes([idx], [(0, len(idx))], present,
                 [str(v) for v in encoded.dictionary.to_pylist()], nulls)


def bool_bits(column: pa.ChunkedArray, n: int) -> tuple[Bits, Bits]:
    """(members with a value, members whose value is true) as packed bits."""
    present = present_bits(column, n)
    mask = np.zeros(padded_length(n), dtype=np.bool_)
    for (a, b), chunk in zip(_spans(column), column.chunks, strict=True):
        packed = np.frombuffer(chunk.buffers()[1], dtype=np.uint8)
        mask[a:b] = np.unpackbits(packed, count=chunk.offset + len(chunk),
                                  bitorder="little")[chunk.offset:].view(np.bool_)
    true = pack(mask)
    np.bitwise_and(true, present, out=true)
    return present, true


@dataclass
class ListSlots:
    """A list column as code arrays, one per place in the list, chunk by chunk
    (`len(values)` where a member's list is shorter or the element is null), and who
    has a non-empty list."""

    spans: list[tuple[int, int]]
    column: pa.ChunkedArray
    longest: int
    present: Bits
    values: list[str]

    def pieces(self) -> Iterator[tuple[int, list[NDArray[np.integer]]]]:
        """(first position, [codes of place 0, place 1, …]) per chunk, made as needed."""
        k = len(self.values)
        dtype = np.uint8 if k < 255 else np.uint16
        for (a, _), chunk in zip(self.spans, self.column.chunks, strict=True):
            offsets = chunk.offsets.to_numpy()
            lengths = np.diff(offsets)
            if chunk.null_count:
                lengths = np.where(np.asarray(chunk.is_valid()), lengths, 0)
            indices = chunk.values.indices
            # one sentinel element at the end stands for "no j-th element"
            codes = np.empty(len(indices) + 1, dtype=dtype)
            codes[-1] = k
            if indices.null_count:
                codes[:-1] = indices.fill_null(k).to_numpy()
            else:
                raw = np.frombuffer(indices.buffers()[1], dtype=indices.type.to_pandas_dtype())
                codes[:-1] = raw[indices.offset:indices.offset + len(indices)]
            none, starts = len(codes) - 1, offsets[:-1]
            yield a, [np.take(codes, np.where(lengths > j, starts + j, none))
                      for j in range(self.longest)]


MAX_SLOTS = 8


def list_slots(column: pa.ChunkedArray, n: int) -> ListSlots | None:
    """None when lists are long, their elements not read as an ENUM, or the chunks do
    not start on whole bytes (then the elements are grouped by a sort, `list_elements`)."""
    if not pa.types.is_dictionary(column.type.value_type) or column.num_chunks == 0:
        return None
    values = [str(v) for v in column.chunks[0].values.dictionary.to_pylist()]
    spans = _spans(column)
    if len(values) >= np.iinfo(np.uint16).max or any(a % 8 for a, _ in spans) or any(
            c.values.dictionary.to_pylist() != values for c in column.chunks[1:]):
        return None
    longest = int(pc.max(pc.list_value_length(column)).as_py() or 0)
    if longest > MAX_SLOTS or longest == 0:
        return None
    nonempty = np.zeros(padded_length(n), dtype=np.bool_)
    for (a, b), chunk in zip(spans, column.chunks, strict=True):
        has = np.diff(chunk.offsets.to_numpy()) > 0
        nonempty[a:b] = has & np.asarray(chunk.is_valid()) if chunk.null_count else has
    return ListSlots(spans, column, longest, pack(nonempty), values)


@dataclass
class ListElements:
    """A list column flattened: element codes, the position of each element's member,
    and who has a non-empty list (an empty list counts as no value)."""

    codes: NDArray[np.integer]
    members: NDArray[np.uint32]
    present: Bits
    values: list[str]


def list_elements(column: pa.ChunkedArray, n: int) -> ListElements:
    codes_parts, member_parts = [], []
    nonempty = np.zeros(padded_length(n), dtype=np.bool_)
    remap: dict[str, int] = {}
    for (a, b), chunk in zip(_spans(column), column.chunks, strict=True):
        offsets = chunk.offsets.to_numpy()
        lengths = np.diff(offsets)
        valid = np.asarray(chunk.is_valid()) if chunk.null_count else None
        has = lengths > 0 if valid is None else (lengths > 0) & valid
        nonempty[a:b] = has
        child = chunk.values.slice(offsets[0], offsets[-1] - offsets[0])
        member = np.repeat(np.arange(a, b, dtype=np.uint32), lengths)
        keep = np.repeat(has, lengths)
        if child.null_count:
            keep &= np.asarray(child.is_valid())
        enc = child.dictionary_encode() if not pa.types.is_dictionary(child.type) else child
        for v in enc.dictionary.to_pylist():
            remap.setdefault(str(v), len(remap))
        table = np.array([remap[str(v)] for v in enc.dictionary.to_pylist()] or [0],
                         dtype=np.int64)
        codes = table[enc.indices.fill_null(0).to_numpy()]
        codes_parts.append(codes[keep])
        member_parts.append(member[keep])
    return ListElements(
        np.concatenate(codes_parts) if codes_parts else np.zeros(0, dtype=np.int64),
        np.concatenate(member_parts) if member_parts else np.zeros(0, dtype=np.uint32),
        pack(nonempty), list(remap))
