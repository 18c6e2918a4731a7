"""Numeric, date and time tags: range-encoded bitmaps over buckets, exact at the edges.

Bucket edges e_0 < e_1 < … are quantiles of a sample of the values (a value held by
many members gets a bucket of its own); bitmap k holds the members with x <= e_k. So
`x <= t` is one stored bitmap when t is an edge, and otherwise the bitmap below t's
bucket plus the members of that one bucket whose value is <= t. Those are found in the
raw values, read from member_profile on first need and kept per bucket (positions and
values side by side), so the answer is exact — ties, nulls, NaN and decimals included —
while only one bucket (about 1/32 of the members) is ever scanned.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pyroaring import AbstractBitMap, FrozenBitMap

from ..expression import CompareOp, Scalar
from . import bitmaps as bm
from .columns import ColumnType, Key, Mask, Space
from .literals import at_most, below, exact_key, float_key

BUCKETS = 32
SAMPLE = 1 << 16
EMPTY = FrozenBitMap()
Number = int | float


@dataclass(frozen=True)
class BuiltTag:
    """A tag's index as stored: JSON-able facts and serialised bitmaps (part 0: the
    members with a value)."""

    ctype: ColumnType
    meta: dict[str, Any]
    parts: list[bytes]

    @property
    def nbytes(self) -> int:
        return sum(len(p) for p in self.parts)


def valid_bits(valid: Mask | None, n: int) -> NDArray[np.uint8]:
    mask = np.zeros(bm.padded_length(n), dtype=np.bool_)
    mask[:n] = True if valid is None else valid
    return bm.pack(mask)


def build_range(ctype: ColumnType, key: Key, valid: Mask | None, n: int,
                buckets: int = BUCKETS) -> BuiltTag:
    """Edges from a sample, then one comparison and one packed bitmap per edge."""
    present = valid_bits(valid, n)
    floats = ctype.space is Space.FLOAT
    usable = valid
    if floats:
        nan = np.isnan(key)
        has_nan = bool(nan.any() if valid is None else (nan & valid).any())
        if has_nan:  # DuckDB sorts NaN above every number; kept out of edges and bounds
            usable = ~nan if valid is None else valid & ~nan
    else:
        has_nan = False
    low, high = _bounds(key, usable, floats)
    rng = np.random.default_rng(0)
    pick = rng.integers(0, n, size=min(n, SAMPLE)) if n else np.zeros(0, dtype=np.int64)
    sample = key[pick] if usable is None else key[pick][usable[pick]]
    edges = _edges(sample, buckets, ctype.integral, low, high)
    parts = [bm.from_bits(present)]
    mask = np.zeros(bm.padded_length(n), dtype=np.bool_)
    for e in edges:
        np.less_equal(key, e, out=mask[:n])
        bits = bm.pack(mask)
        if valid is not None:
            np.bitwise_and(bits, present, out=bits)
        parts.append(bm.from_bits(bits))
    meta = {"edges": edges.tolist(), "dtype": str(key.dtype),
            "low": _json(low), "high": None if has_nan else _json(high)}
    return BuiltTag(ctype, meta, parts)


def _json(value: Number | None) -> Number | None:
    return None if value is None else value.item() if isinstance(value, np.generic) \
        else value


def _bounds(key: Key, usable: Mask | None, floats: bool) -> tuple[Number | None,
                                                                   Number | None]:
    if len(key) == 0 or (usable is not None and not usable.any()):
        return None, None
    if floats:
        lo = np.fmin.reduce(key, where=usable, initial=np.inf) if usable is not None \
            else np.fmin.reduce(key)
        hi = np.fmax.reduce(key, where=usable, initial=-np.inf) if usable is not None \
            else np.fmax.reduce(key)
        return float(lo), float(hi)
    info = np.iinfo(key.dtype.type)
    if usable is None:
        return int(key.min()), int(key.max())
    return (int(np.min(key, where=usable, initial=info.max)),
            int(np.max(key, where=usable, initial=info.min)))


def _edges(sample: Key, buckets: int, integral: bool, low: Number | None,
           high: Number | None) -> Key:
    if len(sample) == 0 or low is None:
        return sample[:0]
    values, counts = np.unique(sample, return_counts=True)
    if len(values) <= buckets:
        cand = np.concatenate([values, values - 1]) if integral else values
    else:
        s = np.sort(sample)
        quantiles = s[(np.arange(1, buckets) * len(s)) // buckets]
        heavy = values[counts * buckets > len(s)]  # each gets a bucket of its own
        before = heavy - 1 if integral else np.nextafter(heavy, -np.inf)
        cand = np.concatenate([quantiles, heavy, before])
    cand = np.unique(cand)
    keep = cand >= low
    if high is not None:
        keep &= cand < high  # x <= high is simply "has a value"
    return cand[keep]


@dataclass
class RangeIndex:
    """A loaded numeric/date/time tag; `raw()` reads its values when a bucket is split."""

    ctype: ColumnType
    n: int
    present: FrozenBitMap
    edges: Key
    at_most_edge: list[FrozenBitMap]
    low: Number | None
    high: Number | None
    raw: Callable[[], Key]
    _layouts: dict[int, tuple[NDArray[np.uint32], Key]] = field(default_factory=dict)
    _values: Key | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, ctype: ColumnType, n: int, meta: dict[str, Any], parts: list[bytes],
             raw: Callable[[], Key]) -> RangeIndex:
        maps = [bm.load(p) for p in parts]
        edges = np.array(meta["edges"], dtype=meta["dtype"])
        return cls(ctype, n, maps[0], edges, maps[1:], meta["low"], meta["high"], raw)

    # --- conditions ---------------------------------------------------------------

    def compare(self, op: CompareOp, value: Scalar) -> AbstractBitMap:
        if op == "<=":
            return self.at_most(value)
        if op == "<":
            return self.below(value)
        if op == ">":
            return self.present - self.at_most(value)
        if op == ">=":
            return self.present - self.below(value)
        if op == "=":
            return self.equal(value)
        return self.present - self.equal(value)

    def between(self, low: Scalar, high: Scalar) -> AbstractBitMap:
        return self.at_most(high) - self.below(low)

    def at_most(self, value: Scalar) -> AbstractBitMap:
        if self.ctype.integral:
            return self._prefix(at_most(exact_key(self.ctype, value)), strict=False)
        return self._prefix(float_key(self.ctype, value), strict=False)

    def below(self, value: Scalar) -> AbstractBitMap:
        if self.ctype.integral:
            return self._prefix(below(exact_key(self.ctype, value)), strict=False)
        return self._prefix(float_key(self.ctype, value), strict=True)

    def equal(self, value: Scalar) -> AbstractBitMap:
        if self.ctype.integral:
            q = exact_key(self.ctype, value)
            if q.denominator != 1:
                return EMPTY
            return self._equal(int(q))
        return self._equal(float_key(self.ctype, value))

    # --- buckets ------------------------------------------------------------------

    def _prefix(self, t: Number, strict: bool) -> AbstractBitMap:
        """Members with x <= t (x < t when strict)."""
        if self.low is None or t < self.low or (strict and t == self.low):
            return EMPTY
        if self.high is not None and (t > self.high or (not strict and t == self.high)):
            return self.present
        k = int(np.searchsorted(self.edges, t, side="left"))
        first, last = self._span(k)
        if last is not None and (last < t or (not strict and last == t)):
            return self._upper(k)
        if first is not None and (t < first or (strict and t == first)):
            return self._lower(k)
        positions, values = self._layout(k)
        inside = values < t if strict else values <= t
        if np.count_nonzero(inside) * 2 <= len(inside):
            return self._lower(k) | bm.bitmap_of_sorted(positions[inside], self.n)
        return self._upper(k) - bm.bitmap_of_sorted(positions[~inside], self.n)

    def _equal(self, t: Number) -> AbstractBitMap:
        if self.low is None or t < self.low or (self.high is not None and t > self.high):
            return EMPTY
        k = int(np.searchsorted(self.edges, t, side="left"))
        first, last = self._span(k)
        if first is not None and first == last == t:
            return self._upper(k) - self._lower(k)
        if first is not None and t < first:
            return EMPTY
        positions, values = self._layout(k)
        return bm.bitmap_of_sorted(positions[values == t], self.n)

    def _span(self, k: int) -> tuple[Number | None, Number | None]:
        """Bounds every value of bucket k lies within (None: not known)."""
        if k > 0:
            e = self.edges[k - 1]
            first: Number | None = int(e) + 1 if self.ctype.integral else \
                float(np.nextafter(e, np.inf))
        else:
            first = self.low
        last = self.edges[k].item() if k < len(self.edges) else self.high
        return first, last

    def _upper(self, k: int) -> FrozenBitMap:
        return self.at_most_edge[k] if k < len(self.edges) else self.present

    def _lower(self, k: int) -> FrozenBitMap:
        return self.at_most_edge[k - 1] if k > 0 else EMPTY

    def _layout(self, k: int) -> tuple[NDArray[np.uint32], Key]:
        """Positions and values of bucket k, kept once built (about n/32 of each)."""
        with self._lock:
            got = self._layouts.get(k)
            if got is None:
                if self._values is None:
                    self._values = self.raw()
                positions = bm.positions_of(self._upper(k) - self._lower(k))
                got = (positions, self._values[positions])
                self._layouts[k] = got
            return got

    @property
    def nbytes(self) -> int:
        """Memory held: bitmaps, and raw values and buckets once read."""
        size = sum(map(bitmap_bytes, [self.present, *self.at_most_edge]))
        size += sum(p.nbytes + v.nbytes for p, v in self._layouts.values())
        return size + (self._values.nbytes if self._values is not None else 0)


def bitmap_bytes(bitmap: AbstractBitMap) -> int:
    stats = bitmap.get_statistics()
    return (stats["n_bytes_array_containers"] + stats["n_bytes_bitset_containers"]
            + stats["n_bytes_run_containers"])
