"""Numeric, date and time tags: range-encoded bitmaps over buckets, exact at the edges.

Bucket edges e_0 < e_1 < … are quantiles of a sample of the values (a value many members
share gets a bucket of its own); stored bitmap k holds the members with x <= e_k. So
`x <= t` is one stored bitmap when t is an edge. Otherwise t falls inside one bucket,
and that bucket is split finer the first time it is needed: its members' raw values
(read from member_profile) are grouped into sub-ranges with a range bitmap at each
sub-edge, so the answer is that bitmap plus the members of one small group whose value
is <= t. Exact — ties, nulls, NaN, decimals — while only about 1/64 of the members is
ever compared, and only 7 bitmaps per tag are built and stored (docs/decisions/0010).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray
from pyroaring import AbstractBitMap, FrozenBitMap

from ..expression import CompareOp, Scalar
from . import bitmaps as bm
from .arrays import bits_at, chunk_spans, key_chunks
from .arrays import present_bits as column_present
from .bitmaps import Bits
from .columns import ColumnType, Key, Space
from .literals import at_most, below, exact_key, float_key

BUCKETS = 8        # stored range bitmaps per tag: BUCKETS - 1
SUB_BUCKETS = 8    # a bucket is split into this many on first use
SAMPLE = 1 << 14  # values the quantile edges are taken from
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


# --- building -----------------------------------------------------------------------

def build_range(ctype: ColumnType, column: pa.ChunkedArray, n: int,
                buckets: int = BUCKETS, bounds: tuple[int, int] | None = None) -> BuiltTag:
    """Edges from a sample, then the keys compared with every edge block by block (see
    `bitmaps.blocks`), each comparison packed straight into its bitmap's bits. `bounds`
    are an integer-keyed column's min and max (`columns.key_bounds`; None: no values)."""
    present = column_present(column, n)
    spans = chunk_spans(column)
    arrays = key_chunks(column, ctype)
    low, high = bounds if ctype.integral and bounds is not None else (None, None)
    sample = _sample(arrays, spans, present, n)
    sample = sample.astype(np.int64) if ctype.integral else sample[~np.isnan(sample)]
    edges = _edges(sample, buckets, ctype.integral, low, high).tolist()
    sets = bm.PackedSets(len(edges), n)
    dense = np.empty(0, dtype=arrays[0].dtype if arrays else np.int64)
    for start, block in bm.blocks(spans, arrays):
        if not block.flags.c_contiguous:  # decimals: every other word; gather them once
            if len(dense) < len(block):
                dense = np.empty(len(block), dtype=block.dtype)
            np.copyto(dense[:len(block)], block)
            block = dense[:len(block)]
        mask = sets.mask(len(block))
        for i, e in enumerate(edges):  # a Python number keeps the block's own type
            np.less_equal(block, e, out=mask)
            sets.put(i, start, mask)
    parts = [bm.from_bits(present)]
    for bits in sets.rows:
        if column.null_count:  # keys under a null mean nothing
            np.bitwise_and(bits, present, out=bits)
        parts.append(bm.from_bits(bits))
    dtype = "float64" if not ctype.integral else \
        "int32" if ctype.space is Space.DATE else "int64"
    return BuiltTag(ctype, {"edges": edges, "dtype": dtype, "low": low, "high": high},
                    parts)


def _sample(arrays: list[NDArray[Any]], spans: list[tuple[int, int]], present: Bits,
            n: int) -> NDArray[Any]:
    """Up to SAMPLE values of members with a value, drawn the same way every build."""
    if n == 0:
        return arrays[0][:0] if arrays else np.zeros(0)
    pick = np.sort(np.random.default_rng(0).integers(0, n, size=min(n, SAMPLE)))
    pick = pick[bits_at(present, pick)]
    cuts = np.searchsorted(pick, [a for a, _ in spans] + [n])  # picks per chunk
    out = [arr[pick[cuts[i]:cuts[i + 1]] - a]
           for i, ((a, _), arr) in enumerate(zip(spans, arrays, strict=True))]
    return np.concatenate(out)


def _edges(sample: NDArray[Any], buckets: int, integral: bool, low: Number | None,
           high: Number | None) -> NDArray[Any]:
    """Quantile edges; a value held by more than 1/buckets of the sample gets a bucket of
    its own (an edge at it and one just below it)."""
    if len(sample) == 0:
        return sample[:0]
    values, counts = np.unique(sample, return_counts=True)
    if len(values) <= buckets:
        cand = np.concatenate([values, values - 1]) if integral else values
    else:
        s = np.sort(sample)
        quantiles = s[(np.arange(1, buckets) * len(s)) // buckets]
        heavy = values[counts * buckets > len(s)]
        before = heavy - 1 if integral else np.nextafter(heavy, -np.inf)
        cand = np.concatenate([quantiles, heavy, before])
    cand = np.unique(cand)
    keep = np.ones(len(cand), dtype=np.bool_)
    if low is not None:
        keep &= cand >= low
    if high is not None:
        keep &= cand < high  # x <= high is simply "has a value"
    return cand[keep]


# --- a bucket split on first use ----------------------------------------------------

@dataclass
class _Split:
    """One bucket's members grouped by sub-range: group j holds values in
    (edges[j-1], edges[j]]; `at_most[j]` are all members (any bucket) with x <= edges[j]."""

    edges: NDArray[Any]
    at_most: list[AbstractBitMap]
    starts: NDArray[np.int64]
    positions: NDArray[np.uint32]
    values: NDArray[Any]
    lows: list[Number | None]
    highs: list[Number | None]  # None: empty group, or NaN in it


def _split(below_bucket: AbstractBitMap, positions: NDArray[np.uint32],
           values: NDArray[Any], integral: bool, n: int) -> _Split:
    floats = values.dtype.kind == "f"
    sample = values if len(values) <= SAMPLE else \
        values[np.random.default_rng(1).integers(0, len(values), SAMPLE)]
    if floats:
        sample = sample[~np.isnan(sample)]
    edges = _edges(sample, SUB_BUCKETS, integral, None, None)
    # group = how many edges the value is above; NaN is above them all
    group = np.full(len(values), len(edges), dtype=np.uint8)
    for e in edges:
        group -= values <= e
    order = np.argsort(group, kind="stable")
    grouped_pos, grouped_val = positions[order], values[order]
    counts = np.bincount(group, minlength=len(edges) + 1)
    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    lows: list[Number | None] = []
    highs: list[Number | None] = []
    for j in range(len(edges) + 1):
        vals = grouped_val[starts[j]:starts[j + 1]]
        if len(vals) == 0 or (floats and bool(np.isnan(vals).any())):
            lows.append(float(np.nanmin(vals)) if len(vals) and not np.isnan(vals).all()
                        else None)
            highs.append(None)
        else:
            lows.append(vals.min().item())
            highs.append(vals.max().item())
    at_most: list[AbstractBitMap] = []
    acc = below_bucket
    for j in range(len(edges)):
        acc = acc | bm.bitmap_of_sorted(grouped_pos[starts[j]:starts[j + 1]], n)
        at_most.append(acc)
    return _Split(edges, at_most, starts, grouped_pos, grouped_val, lows, highs)


# --- answering ------------------------------------------------------------------------

Base = tuple[int, int]  # (bucket, sub-range): a cached set of all members with x <= edge


@dataclass
class RangeIndex:
    """A loaded numeric/date/time tag; `raw()` reads its values when a bucket is split."""

    ctype: ColumnType
    n: int
    present: FrozenBitMap
    edges: NDArray[Any]
    at_most_edge: list[FrozenBitMap]
    low: Number | None   # exact bounds of the values when known (integer keys)
    high: Number | None
    raw: Callable[[], Key]
    _splits: dict[int, _Split] = field(default_factory=dict)
    _above: dict[Base, AbstractBitMap] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, ctype: ColumnType, n: int, meta: dict[str, Any], parts: list[bytes],
             raw: Callable[[], Key]) -> RangeIndex:
        maps = [bm.load(p) for p in parts]
        edges = np.array(meta["edges"], dtype=meta["dtype"])
        return cls(ctype, n, maps[0], edges, maps[1:], meta["low"], meta["high"], raw)

    def compare(self, op: CompareOp, value: Scalar) -> AbstractBitMap:
        if op in ("<=", ">"):
            return self._side(*self._at_most_key(value), strict=False, above=op == ">")
        if op in ("<", ">="):
            return self._side(*self._below_key(value), above=op == ">=")
        hit = self.equal(value)
        return hit if op == "=" else self.present - hit

    def between(self, low: Scalar, high: Scalar) -> AbstractBitMap:
        return self.at_most(high) - self.below(low)

    def at_most(self, value: Scalar) -> AbstractBitMap:
        return self._side(*self._at_most_key(value), strict=False, above=False)

    def below(self, value: Scalar) -> AbstractBitMap:
        return self._side(*self._below_key(value), above=False)

    def equal(self, value: Scalar) -> AbstractBitMap:
        if self.ctype.integral:
            q = exact_key(self.ctype, value)
            return self._equal(int(q)) if q.denominator == 1 else EMPTY
        return self._equal(float_key(self.ctype, value))

    def _at_most_key(self, value: Scalar) -> tuple[Number]:
        if self.ctype.integral:
            return (at_most(exact_key(self.ctype, value)),)
        return (float_key(self.ctype, value),)

    def _below_key(self, value: Scalar) -> tuple[Number, bool]:
        """x < value: for integers x <= ceil(value) - 1, for doubles strictly below."""
        if self.ctype.integral:
            return below(exact_key(self.ctype, value)), False
        return float_key(self.ctype, value), True

    # --- the bucket of t, and inside it -------------------------------------------

    def _side(self, t: Number, strict: bool, above: bool) -> AbstractBitMap:
        """Members with x <= t (x < t when strict), or with `above` the others that have
        a value (x > t, or x >= t) — NaN among them, as DuckDB orders it."""
        base, extra = self._cut(t, strict)
        if above:
            rest = self._complement(base)
            return rest - bm.bitmap_of_sorted(extra, self.n) if len(extra) else rest
        got = self._base(base)
        return got | bm.bitmap_of_sorted(extra, self.n) if len(extra) else got

    def _cut(self, t: Number, strict: bool) -> tuple[Base, NDArray[np.uint32]]:
        """{x <= t} as a cached set (bucket k, sub-range j) plus a few sorted positions."""
        none = np.zeros(0, dtype=np.uint32)
        top = len(self.edges)
        if not self.present or (self.low is not None and (
                t < self.low or (strict and t == self.low))):
            return (-1, 0), none
        if self.high is not None and (t > self.high or (not strict and t == self.high)):
            return (top, 0), none
        k = int(np.searchsorted(self.edges, t, side="left"))
        first, last = self._span(k)
        if _covers(last, t, strict):
            return (k, 0), none
        if _misses(first, t, strict):
            return (k - 1, 0), none
        split = self._split(k)
        j = int(np.searchsorted(split.edges, t, side="left"))
        lower: Base = (k, j) if j > 0 else (k - 1, 0)
        if _covers(split.highs[j], t, strict):
            return ((k, j + 1) if j < len(split.edges) else (k, 0)), none
        if split.lows[j] is None or _misses(split.lows[j], t, strict):
            return lower, none
        a, b = int(split.starts[j]), int(split.starts[j + 1])
        vals = split.values[a:b]
        inside = vals < t if strict else vals <= t
        return lower, np.compress(inside, split.positions[a:b])

    def _base(self, base: Base) -> AbstractBitMap:
        """(k, 0): members with x <= e_k (k = -1: none; k = len(edges): all with a
        value); (k, j): with x <= the j-th sub-edge of bucket k (j counts from 1)."""
        k, j = base
        if j:
            return self._splits[k].at_most[j - 1]
        if k < 0:
            return EMPTY
        return self.at_most_edge[k] if k < len(self.edges) else self.present

    def _complement(self, base: Base) -> AbstractBitMap:
        got = self._above.get(base)
        if got is None:  # kept: `x > t` then costs what `x <= t` does
            got = self._above[base] = self.present - self._base(base)
        return got

    def _equal(self, t: Number) -> AbstractBitMap:
        if not self.present or (self.low is not None and t < self.low) or (
                self.high is not None and t > self.high):
            return EMPTY
        k = int(np.searchsorted(self.edges, t, side="left"))
        first, last = self._span(k)
        if first is not None and first == last == t:
            return self._upper(k) - self._lower(k)
        if _misses(first, t, strict=False):
            return EMPTY
        split = self._split(k)
        j = int(np.searchsorted(split.edges, t, side="left"))
        a, b = int(split.starts[j]), int(split.starts[j + 1])
        hit = np.compress(split.values[a:b] == t, split.positions[a:b])
        return bm.bitmap_of_sorted(hit, self.n)

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

    def _split(self, k: int) -> _Split:
        """Bucket k split into sub-ranges, built on first need and kept."""
        got = self._splits.get(k)
        if got is not None:
            return got
        with self._lock:
            got = self._splits.get(k)
            if got is None:
                # the column is read for this and dropped: a later split reads it again,
                # rather than every tag keeping 8 bytes per member for good
                values = self.raw()
                positions = bm.positions_of(self._upper(k) - self._lower(k))
                got = _split(self._lower(k), positions, values[positions],
                             self.ctype.integral, self.n)
                self._splits[k] = got
            return got

    @property
    def nbytes(self) -> int:
        """Memory held: stored bitmaps, and what splitting buckets added."""
        size = sum(map(bitmap_bytes, [self.present, *self.at_most_edge,
                                      *self._above.values()]))
        for s in self._splits.values():
            size += s.positions.nbytes + s.values.nbytes + sum(map(bitmap_bytes, s.at_most))
        return size


def _covers(last: Number | None, t: Number, strict: bool) -> bool:
    """Every value <= last satisfies x <= t (x < t)."""
    return last is not None and (last < t or (not strict and last == t))


def _misses(first: Number | None, t: Number, strict: bool) -> bool:
    """No value >= first satisfies x <= t (x < t)."""
    return first is not None and (t < first or (strict and t == first))


def bitmap_bytes(bitmap: AbstractBitMap) -> int:
    stats = bitmap.get_statistics()
    return (stats["n_bytes_array_containers"] + stats["n_bytes_bitset_containers"]
            + stats["n_bytes_run_containers"])
