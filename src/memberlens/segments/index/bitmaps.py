"""Roaring bitmaps made from numpy arrays without adding members one by one.

A bit mask (one bit per member position) or a sorted array of positions is written
straight into the portable roaring format (https://github.com/RoaringBitmap/RoaringFormatSpec)
and handed to pyroaring's ``deserialize``. For ten million members this takes about a
millisecond per bitmap, where ``BitMap(positions)`` takes tens: the index build is
dominated by numpy comparisons, not by bitmap construction (docs/decisions/0010).

The bytes are also what the warehouse stores, so a built bitmap is never serialised twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pyroaring import AbstractBitMap, FrozenBitMap

CHUNK = 1 << 16                  # members per roaring container
CHUNK_BYTES = CHUNK // 8         # a bitset container: 1024 64-bit words
ARRAY_MAX = 4096                 # a container with more members is a bitset
_COOKIE_NO_RUN = 12346           # portable format without run containers

Bits = NDArray[np.uint8]
Positions = NDArray[np.uint32]


def padded_length(n: int) -> int:
    """Members rounded up to whole containers: masks are allocated this long."""
    return -(-n // CHUNK) * CHUNK


def pack(mask: NDArray[np.bool_]) -> Bits:
    """A boolean mask of padded length → little-endian packed bits (bit i = member i)."""
    if len(mask) % CHUNK:
        raise ValueError("mask length must be a multiple of 65536 (see padded_length)")
    return np.packbits(mask, bitorder="little")


def unpack(bits: Bits, n: int) -> NDArray[np.bool_]:
    """Packed bits → a boolean mask of the first `n` members."""
    return np.unpackbits(bits, count=n, bitorder="little").view(np.bool_)


# --- many sets, block by block ---------------------------------------------------------
# Building is bound by memory bandwidth: a comparison over ten million keys, its boolean
# result and the packing each stream through main memory. Done block by block, a block
# of keys is read once for all the bitmaps it feeds and the booleans never leave the cache.

BLOCK_BYTES = 1 << 19  # keys per block: half a megabyte, about a core's L2


def blocks(spans: Sequence[tuple[int, int]], arrays: Sequence[NDArray[Any]]
           ) -> Iterator[tuple[int, NDArray[Any]]]:
    """(first position, keys) pieces covering every member in order; each piece starts at
    a multiple of 8 so its packed bits fill whole bytes."""
    if not all(a % 8 == 0 for a, _ in spans):
        arrays = [np.concatenate(arrays)] if arrays else []
        spans = [(0, len(arrays[0]))] if arrays else []
    for (a, b), arr in zip(spans, arrays, strict=True):
        step = max(1 << 17, BLOCK_BYTES // max(1, arr.dtype.itemsize) // 8 * 8)
        for s in range(0, b - a, step):
            yield a + s, arr[s:s + step]


class PackedSets:
    """Packed bits of `count` member sets, filled block by block."""

    def __init__(self, count: int, n: int) -> None:
        self.rows: Bits = np.zeros((count, padded_length(n) // 8), dtype=np.uint8)
        self._mask = np.empty(BLOCK_BYTES, dtype=np.bool_)

    def mask(self, size: int) -> NDArray[np.bool_]:
        """A scratch boolean block (reused: it stays in the cache)."""
        if size > len(self._mask):
            self._mask = np.empty(size, dtype=np.bool_)
        return self._mask[:size]

    def put(self, row: int, start: int, mask: NDArray[np.bool_]) -> None:
        packed = np.packbits(mask, bitorder="little")
        self.rows[row, start // 8: start // 8 + len(packed)] = packed


def empty_bytes() -> bytes:
    return np.array([_COOKIE_NO_RUN, 0], dtype="<u4").tobytes()


def from_bits(bits: Bits) -> bytes:
    """Serialised roaring bitmap of packed bits (whole containers; bits past the last
    member must be zero)."""
    if len(bits) % CHUNK_BYTES:
        raise ValueError("packed bits must cover whole containers (8192 bytes each)")
    rows = bits.reshape(-1, CHUNK_BYTES)
    cards = np.bitwise_count(rows.view(np.uint64)).sum(axis=1, dtype=np.int64)
    keys = np.flatnonzero(cards)
    if len(keys) == 0:
        return empty_bytes()
    card = cards[keys]
    sparse = card <= ARRAY_MAX
    if not sparse.any():
        if len(keys) == len(rows):  # every container a bitset: the bits as they are
            return _assemble(keys, card, [bits.data])
        return _assemble(keys, card, [rows[k].data for k in keys.tolist()])
    sparse_keys = keys[sparse]
    low16 = _set_bits(rows[sparse_keys])
    ends = np.cumsum(card[sparse]).tolist()
    payload: list[bytes | memoryview] = []
    i = 0
    for k, is_sparse in zip(keys.tolist(), sparse.tolist(), strict=True):
        if is_sparse:
            payload.append(low16[ends[i] - int(cards[k]): ends[i]].data)
            i += 1
        else:
            payload.append(rows[k].data)
    return _assemble(keys, card, payload)


def _set_bits(rows: Bits) -> NDArray[np.uint16]:
    """Low 16 bits of every set bit of whole containers, container after container."""
    words = rows.view(np.uint64).ravel()
    nonzero = np.flatnonzero(words)
    if len(nonzero) * 8 > len(words):  # many words hold a member: unpack everything
        flat = np.unpackbits(rows, bitorder="little").view(np.bool_)
        every: NDArray[np.uint16] = np.flatnonzero(flat).astype("<u2")  # row dropped by cast
        return every
    bits = np.flatnonzero(np.unpackbits(words[nonzero].view(np.uint8), bitorder="little"))
    lows: NDArray[np.uint16] = ((nonzero[bits >> 6] << 6) + (bits & 63)).astype("<u2")
    return lows


def from_sorted(positions: NDArray[np.unsignedinteger], n_members: int) -> bytes:
    """Serialised roaring bitmap of strictly increasing positions."""
    if len(positions) == 0:
        return empty_bytes()
    if len(positions) * 16 > n_members:  # dense: a mask is cheaper than per-container work
        mask = np.zeros(padded_length(n_members), dtype=np.bool_)
        mask[positions] = True
        return from_bits(pack(mask))
    n_chunks = max(1, padded_length(n_members) // CHUNK)
    bounds = np.searchsorted(positions >> 16, np.arange(n_chunks + 1, dtype=positions.dtype))
    cards_all = np.diff(bounds)
    keys = np.flatnonzero(cards_all)
    card = cards_all[keys]
    low16 = (positions & 0xFFFF).astype("<u2")
    dense = np.flatnonzero(card > ARRAY_MAX)
    if len(dense) == 0:  # array containers only: the low halves, in order, are the payload
        return _assemble(keys, card, [low16.data])
    payload: list[bytes | memoryview] = []
    done = 0  # low16 consumed so far
    for d in dense.tolist():
        k = int(keys[d])
        a, b = int(bounds[k]), int(bounds[k + 1])
        payload.append(low16[done:a].data)
        chunk = np.zeros(CHUNK, dtype=np.bool_)
        chunk[low16[a:b]] = True
        payload.append(np.packbits(chunk, bitorder="little").tobytes())
        done = b
    payload.append(low16[done:].data)
    return _assemble(keys, card, payload)


def _assemble(keys: NDArray[np.intp], card: NDArray[np.int64],
              payload: list[bytes | memoryview]) -> bytes:
    n = len(keys)
    desc = np.empty((n, 2), dtype="<u2")
    desc[:, 0] = keys
    desc[:, 1] = card - 1
    sizes = np.where(card > ARRAY_MAX, CHUNK_BYTES, 2 * card)
    offsets = 8 + 8 * n + np.concatenate(([0], np.cumsum(sizes)[:-1]))
    head = np.array([_COOKIE_NO_RUN, n], dtype="<u4").tobytes()
    return b"".join([head, desc.tobytes(), offsets.astype("<u4").tobytes(), *payload])


def load(data: bytes) -> FrozenBitMap:
    return FrozenBitMap.deserialize(data)


def bitmap_of_mask(mask: NDArray[np.bool_]) -> FrozenBitMap:
    """Convenience for small masks (tests, boundary results): any length."""
    padded = np.zeros(padded_length(len(mask)) or CHUNK, dtype=np.bool_)
    padded[: len(mask)] = mask
    return load(from_bits(pack(padded)))


def bitmap_of_sorted(positions: NDArray[np.unsignedinteger], n_members: int) -> FrozenBitMap:
    return load(from_sorted(positions, n_members))


def positions_of(bitmap: AbstractBitMap) -> Positions:
    """The members of a bitmap as a sorted uint32 array (no copy beyond pyroaring's)."""
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32)


def universe(n: int) -> FrozenBitMap:
    """All members: one run per container, a few bytes however many members."""
    return FrozenBitMap(range(n))
