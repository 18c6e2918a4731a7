"""Text, yes/no and list tags: one bitmap per value (per element for lists).

Few values (gender, RFM class, churn risk): one comparison of the codes per value, packed
straight into a bitmap. Many values (city, store): one stable sort of the codes — a radix
sort for small integers — groups the members of every value at once, in position order.
Top-N lists (categories, brands) are read as N code columns, one per place in the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from pyroaring import AbstractBitMap, FrozenBitMap

from ..expression import CompareOp, Scalar
from . import bitmaps as bm
from .arrays import Codes, bool_bits, list_elements, list_slots, text_codes
from .bitmaps import Bits
from .columns import ColumnType, Kind
from .literals import IndexUnsupported
from .ranges import EMPTY, BuiltTag, bitmap_bytes

MASK_VALUES = 48  # up to this many values, one comparison each; more: one sort


def build_text(ctype: ColumnType, column: pa.ChunkedArray, n: int) -> BuiltTag:
    codes = text_codes(column, n)
    parts = [bm.from_bits(codes.present)]
    k = len(codes.values)
    if k and _compare_is_cheaper(codes, k):
        pieces = ((start, [block]) for start, block in bm.blocks(codes.spans, codes.chunks))
        parts += _compared(pieces, codes.present if codes.has_nulls else None, k, n)
    else:
        parts += _grouped(codes.codes, codes.present if codes.has_nulls else None, None,
                          k, n)
    return BuiltTag(ctype, {"values": codes.values}, parts)


def _compare_is_cheaper(codes: Codes, k: int) -> bool:
    """A comparison per value costs ~1 pass over the codes, ~3 more for a value too rare
    to fill bitset containers (its positions must be listed); the sort ~15 passes."""
    if k > MASK_VALUES:
        return False
    sample = np.concatenate([c[::64] for c in codes.chunks])  # every code costs a pass
    counts = np.bincount(sample, minlength=k)[:k]
    rare = int(np.count_nonzero(counts * 16 < len(sample)))
    return k + 3 * rare < 15


def build_bool(ctype: ColumnType, column: pa.ChunkedArray, n: int) -> BuiltTag:
    present, true = bool_bits(column, n)
    false = np.bitwise_and(present, np.invert(true))
    return BuiltTag(ctype, {"values": [False, True]},
                    [bm.from_bits(present), bm.from_bits(false), bm.from_bits(true)])


def build_list(ctype: ColumnType, column: pa.ChunkedArray, n: int) -> BuiltTag:
    slots = list_slots(column, n) if len(column) == n else None
    if slots is not None and len(slots.values) <= MASK_VALUES:
        parts = [bm.from_bits(slots.present)]
        parts += _compared(slots.pieces(), None, len(slots.values), n)
        return BuiltTag(ctype, {"values": slots.values}, parts)
    elements = list_elements(column, n)
    parts = [bm.from_bits(elements.present)]
    parts += _grouped(elements.codes, None, elements.members, len(elements.values), n)
    return BuiltTag(ctype, {"values": elements.values}, parts)


def _compared(pieces: Iterable[tuple[int, list[NDArray[np.integer]]]], present: Bits | None,
              k: int, n: int) -> list[bytes]:
    """Bitmap of each code 0…k-1 found in any of a piece's arrays, block by block."""
    sets = bm.PackedSets(k, n)
    other = np.empty(0, dtype=np.bool_)
    for start, arrays in pieces:
        mask = sets.mask(len(arrays[0]))
        if len(other) < len(mask):
            other = np.empty(len(mask), dtype=np.bool_)
        spare = other[:len(mask)]
        for v in range(k):
            np.equal(arrays[0], v, out=mask)
            for more in arrays[1:]:
                np.equal(more, v, out=spare)
                np.logical_or(mask, spare, out=mask)
            sets.put(v, start, mask)
    out = []
    for bits in sets.rows:
        if present is not None:  # codes under a null mean nothing
            np.bitwise_and(bits, present, out=bits)
        out.append(bm.from_bits(bits))
    return out


def _grouped(codes: NDArray[np.integer], present: Bits | None,
             members: NDArray[np.uint32] | None, k: int, n: int) -> list[bytes]:
    """Bitmaps of every value by one stable sort; `members` maps list elements to
    members (None: element i is member i)."""
    c = codes
    if present is not None:
        wide = next(t for t in (np.uint8, np.uint16, np.uint32) if k < np.iinfo(t).max)
        c = codes.astype(wide)
        c[~bm.unpack(present, n)] = k  # no value: sorted after every real one, dropped
    # Arrow sorts small integers by counting (stable), several times faster than numpy;
    # its uint64 positions are used as they are
    order = pc.array_sort_indices(pa.array(c)).to_numpy()
    ends = np.cumsum(np.bincount(c, minlength=k + 1))[:k]
    starts = np.concatenate(([0], ends[:-1])) if k else ends
    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        at = order[a:b]
        if members is None:
            positions = at
        else:
            positions = members[at]
            if len(positions) > 1:  # a value listed twice in one member's list
                keep = np.empty(len(positions), dtype=np.bool_)
                keep[0] = True
                np.not_equal(positions[1:], positions[:-1], out=keep[1:])
                positions = positions[keep]
        out.append(bm.from_sorted(positions, n))
    return out


@dataclass
class ValueIndex:
    """A loaded text, yes/no or list tag."""

    ctype: ColumnType
    n: int
    present: FrozenBitMap
    values: list[Any]
    maps: list[FrozenBitMap]

    @classmethod
    def load(cls, ctype: ColumnType, n: int, meta: dict[str, Any],
             parts: list[bytes]) -> ValueIndex:
        maps = [bm.load(p) for p in parts]
        return cls(ctype, n, maps[0], list(meta["values"]), maps[1:])

    def __post_init__(self) -> None:
        self._lookup: dict[tuple[type, Any], int] = {
            (type(v), v): i for i, v in enumerate(self.values)}

    def equal(self, value: Scalar) -> AbstractBitMap:
        wanted = bool if self.ctype.kind is Kind.BOOL else str
        if type(value) is not wanted:
            raise IndexUnsupported(f"{value!r} compared with {self.ctype.sql_type}")
        i = self._lookup.get((wanted, value))
        return EMPTY if i is None else self.maps[i]

    def compare(self, op: CompareOp, value: Scalar) -> AbstractBitMap:
        if self.ctype.kind is Kind.LIST or op not in ("=", "!="):
            raise IndexUnsupported(f"{op} on {self.ctype.sql_type}")
        hit = self.equal(value)
        return hit if op == "=" else self.present - hit

    def any_of(self, values: tuple[Scalar, ...]) -> AbstractBitMap:
        if self.ctype.kind is Kind.LIST:
            raise IndexUnsupported(f"in on {self.ctype.sql_type}")
        hits = [self.equal(v) for v in values]
        return hits[0].union(*hits[1:]) if hits else EMPTY

    def contains(self, value: Scalar) -> AbstractBitMap:
        if self.ctype.kind is not Kind.LIST:
            raise IndexUnsupported(f"contains on {self.ctype.sql_type}")
        return self.equal(value)

    @property
    def nbytes(self) -> int:
        return sum(map(bitmap_bytes, [self.present, *self.maps]))
