"""A loaded audience index: counts and member lists from bitmaps, tags loaded on first use.

Long-lived processes (API, console) keep one loaded index per engine: `current_index`
asks the warehouse one small question per call (which generation is stored, and does the
profile still match it) and reloads only the tags a rebuild changed. A CLI command loads
just the tags its expression reads.

Examples
--------
>>> index = current_index(engine)  # doctest: +SKIP
>>> audience = compile_for(engine, 'city_tier = "一线城市" and age < 30', catalog)
>>> index.count(audience) if index else count_by_sql(audience)  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from pyroaring import AbstractBitMap, FrozenBitMap

from ...engine.base import Engine
from ...tags.tables import PROFILE
from ..binding import Audience
from ..expression import tags_used
from . import bitmaps as bm
from . import warehouse
from .arrays import keys
from .columns import Key, Kind, ident
from .evaluate import TagIndex, count, evaluate
from .literals import IndexUnsupported
from .ranges import RangeIndex
from .values import ValueIndex


class IndexStale(IndexUnsupported):
    """The profile changed after this index was loaded."""


class AudienceIndex:
    """The stored index of one warehouse, as of one build (generation)."""

    def __init__(self, engine: Engine, info: warehouse.BuildInfo,
                 previous: AudienceIndex | None = None) -> None:
        # weakly: the per-engine cache below must not keep its own key alive
        self._engine = weakref.ref(engine)
        self.info = info
        self.generation = info.generation
        self.n = info.signature.members
        self.as_of: date = info.signature.as_of or date.today()
        self.universe: FrozenBitMap = bm.universe(self.n)
        self._tags: dict[str, TagIndex] = {}
        self._ids: pa.ChunkedArray | None = None
        self._ids_sorted = False
        self._raw_read: dict[str, Key] = {}  # within one answer: `between` splits twice
        self._lock = threading.Lock()
        if previous is not None and previous.info.signature == info.signature:
            for key, tag in previous._tags.items():  # unchanged tags stay loaded
                entry, old = info.tags.get(key), previous.info.tags.get(key)
                if entry is not None and old is not None and entry.generation == old.generation:
                    if isinstance(tag, RangeIndex):  # its raw values now come through us
                        tag.raw = self._raw_reader(key, entry)
                    self._tags[key] = tag

    @property
    def engine(self) -> Engine:
        engine = self._engine()
        if engine is None:
            raise IndexStale("the warehouse connection of this index was closed")
        return engine

    # --- answers --------------------------------------------------------------------

    def covers(self, audience: Audience) -> bool:
        return all(t in self.info.tags for t in tags_used(audience.node))

    def bitmap(self, audience: Audience) -> AbstractBitMap:
        try:
            return evaluate(self, audience.node)
        finally:
            self._raw_read.clear()  # columns read to split buckets are not kept

    def count(self, audience: Audience) -> int:
        try:
            return count(self, audience.node)
        finally:
            self._raw_read.clear()

    def positions(self, audience: Audience) -> NDArray[np.uint32]:
        return bm.positions_of(self.bitmap(audience))

    def members(self, audience: Audience) -> pa.Array:
        """Member ids in id order, like the SQL answer."""
        positions = self.positions(audience)
        ids, ordered = self._member_ids()
        out = ids.take(pa.array(positions)).combine_chunks()
        return out if ordered else out.take(pc.sort_indices(out))

    # --- loading --------------------------------------------------------------------

    def tag(self, key: str) -> TagIndex:
        got = self._tags.get(key)
        if got is not None:
            return got
        entry = self.info.tags.get(key)
        if entry is None:
            raise IndexUnsupported(f"tag {key} is not in the audience index")
        with self._lock:
            got = self._tags.get(key)
            if got is None:
                got = self._load(key, entry)
                self._tags[key] = got
        return got

    def load_tags(self, keys_: list[str] | None = None) -> None:
        """Load tags now rather than on first use (a server warming up)."""
        for key in keys_ if keys_ is not None else list(self.info.tags):
            self.tag(key)

    def _load(self, key: str, entry: warehouse.TagEntry) -> TagIndex:
        parts = warehouse.read_parts(self.engine, key)
        if len(parts) != 1 + _expected_parts(entry):
            raise IndexStale(f"index of {key} is incomplete; rebuild it")
        if entry.ctype.kind is Kind.RANGE:
            return RangeIndex.load(entry.ctype, self.n, entry.meta, parts,
                                   raw=self._raw_reader(key, entry))
        return ValueIndex.load(entry.ctype, self.n, entry.meta, parts)

    def _raw_reader(self, key: str, entry: warehouse.TagEntry) -> Callable[[], Key]:
        return lambda: self._raw(key, entry)

    def _raw(self, key: str, entry: warehouse.TagEntry) -> Key:
        """A tag's values, in position order, for splitting a bucket."""
        got = self._raw_read.get(key)
        if got is not None:
            return got
        self._check_fresh()
        column = self.engine.fetch_arrow(f"SELECT {ident(key)} FROM {PROFILE}").column(0)
        values = keys(column, entry.ctype)
        if len(values) != self.n:
            raise IndexStale("member_profile changed since the index was built")
        self._raw_read[key] = values
        return values

    def _member_ids(self) -> tuple[pa.ChunkedArray, bool]:
        with self._lock:
            if self._ids is None:
                self._check_fresh()
                ids = self.engine.fetch_arrow(f"SELECT member_id FROM {PROFILE}").column(0)
                if len(ids) != self.n:
                    raise IndexStale("member_profile changed since the index was built")
                self._ids = ids
                self._ids_sorted = len(ids) < 2 or bool(pc.all(pc.less(
                    ids.slice(0, len(ids) - 1), ids.slice(1))).as_py())
            return self._ids, self._ids_sorted

    def _check_fresh(self) -> None:
        if warehouse.check(self.engine) != (self.generation, True):
            raise IndexStale("member_profile or its index changed since it was loaded")

    @property
    def nbytes(self) -> int:
        """Memory of the loaded tags (bitmaps, and raw values read for boundaries)."""
        return sum(t.nbytes for t in self._tags.values()) + \
            (self._ids.nbytes if self._ids is not None else 0)


def _expected_parts(entry: warehouse.TagEntry) -> int:
    if entry.ctype.kind is Kind.RANGE:
        return len(entry.meta["edges"])
    return len(entry.meta["values"])


# --- one loaded index per engine ----------------------------------------------------------

_loaded: weakref.WeakKeyDictionary[Engine, AudienceIndex] = weakref.WeakKeyDictionary()
_loaded_lock = threading.Lock()


def current_index(engine: Engine) -> AudienceIndex | None:
    """The engine's index if it is fresh, loaded once and kept while it stays fresh;
    None when there is none or the profile changed since it was built."""
    state = warehouse.check(engine)
    if state is None or not state[1]:
        return None
    generation = state[0]
    with _loaded_lock:
        cached = _loaded.get(engine)
        if cached is not None and cached.generation == generation:
            return cached
    info = warehouse.read_build(engine)
    if info is None:
        return None
    fresh = AudienceIndex(engine, info, previous=cached)
    with _loaded_lock:
        _loaded[engine] = fresh
    return fresh


def forget(engine: Engine) -> None:
    """Drop the engine's loaded index (after the warehouse was replaced)."""
    with _loaded_lock:
        _loaded.pop(engine, None)
