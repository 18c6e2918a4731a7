"""Text, yes/no and list tags: one bitmap per value (per element for lists).

Few values (gender, RFM class, churn risk): one comparison of the codes per value, packed
into a bitmap. Many values (city, store, list elements): one stable sort of the codes —
a radix sort for small integers — groups the members of every value at once, already in
position order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pyroaring import AbstractBitMap, FrozenBitMap

from ..expression import CompareOp, Scalar
from . import bitmaps as bm
from .columns import Codes, ColumnType, Kind, ListElements, Mask
from .literals import IndexUnsupported
from .ranges import EMPTY, BuiltTag, valid_bits

MASK_VALUES = 16  # up to this many values, one comparison each; more: one sort


def build_values(ctype: ColumnType, codes: Codes, n: int) -> BuiltTag:
    present = valid_bits(codes.valid, n)
    parts = [bm.from_bits(present)]
    k = len(codes.values)
    if k <= MASK_VALUES:
        mask = np.zeros(bm.padded_length(n), dtype=np.bool_)
        for v in range(k):
            np.equal(codes.codes, v, out=mask[:n])
            bits = bm.pack(mask)
            if codes.valid is not None:
                np.bitwise_and(bits, present, out=bits)
            parts.append(bm.from_bits(bits))
    else:
        parts += _grouped(codes.codes, codes.valid, None, k, n)
    return BuiltTag(ctype, {"values": list(codes.values)}, parts)


def build_list(ctype: ColumnType, elements: ListElements, n: int) -> BuiltTag:
    present = valid_bits(elements.nonempty, n)
    parts = [bm.from_bits(present)]
    parts += _grouped(elements.codes, None, elements.members, len(elements.values), n)
    return BuiltTag(ctype, {"values": list(elements.values)}, parts)


def _grouped(codes: NDArray[np.integer], valid: Mask | None,
             members: NDArray[np.uint32] | None, k: int, n: int) -> list[bytes]:
    """Bitmaps of every value by one stable sort; `members` maps list elements to
    members (None: element i is member i)."""
    wide = np.uint16 if k < np.iinfo(np.uint16).max else np.uint32
    c = codes.astype(wide)
    if valid is not None:
        c[~valid] = k  # no value: sorted after every real one, then dropped
    order = np.argsort(c, kind="stable")
    ends = np.cumsum(np.bincount(c, minlength=k + 1))[:k]
    starts = np.concatenate(([0], ends[:-1])) if k else ends
    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        at = order[a:b]
        if members is None:
            positions = at.astype(np.uint32)
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
        from .ranges import bitmap_bytes

        return sum(map(bitmap_bytes, [self.present, *self.maps]))
