"""Building the index from member_profile: read the tag columns, build bitmaps in
parallel, store them. `rebuild_index` runs after every tag run that replaced the
profile, and after anything else that writes profile columns (clustering, model scores).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa

from ...engine.base import Engine
from ...errors import NotFound
from . import warehouse
from .arrays import int_bounds
from .columns import ColumnType, Kind, ProfileColumns, profile_columns, read_columns
from .ranges import BUCKETS, BuiltTag, build_range
from .values import build_bool, build_list, build_text

READ_GROUP = 8  # columns per scan: bounds the Arrow data held while bitmaps are built


@dataclass(frozen=True)
class IndexBuild:
    """What a rebuild did, for logs and the benchmark."""

    generation: int
    members: int
    tags: tuple[str, ...]
    nbytes: int
    read_seconds: float
    build_seconds: float
    write_seconds: float

    @property
    def seconds(self) -> float:
        return self.read_seconds + self.build_seconds + self.write_seconds


def build_tag(ctype: ColumnType, column: pa.ChunkedArray, n: int,
              buckets: int = BUCKETS, bounds: tuple[int, int] | bool | None = True
              ) -> BuiltTag:
    """One tag's bitmaps from its column (any thread: numpy releases the GIL). `bounds`:
    the integer keys' min and max as `read_columns` found them (True: find them here)."""
    if ctype.kind is Kind.RANGE:
        if bounds is True or bounds is False:
            bounds = int_bounds(column, ctype) if ctype.integral else None
        return build_range(ctype, column, n, buckets, bounds)
    if ctype.kind is Kind.STRING:
        return build_text(ctype, column, n)
    if ctype.kind is Kind.BOOL:
        return build_bool(ctype, column, n)
    return build_list(ctype, column, n)


def build_tags(read: ProfileColumns, columns: Sequence[ColumnType], *,
               threads: int | None = None, buckets: int = BUCKETS) -> list[BuiltTag]:
    """Bitmaps of every column of an already-read table, `threads` tags at a time."""
    n = read.table.num_rows
    with ThreadPoolExecutor(max_workers=threads or os.cpu_count() or 1) as pool:
        futures = [pool.submit(build_tag, c, read.table.column(c.name), n, buckets,
                               read.bounds.get(c.name)) for c in columns]
        return [f.result() for f in futures]


def rebuild_index(engine: Engine, *, tags: Sequence[str] | None = None,
                  threads: int | None = None, buckets: int = BUCKETS,
                  atomic: bool = True) -> IndexBuild:
    """Build the audience index of member_profile and store it in the warehouse.

    `tags` rebuilds only those columns (after an update of some profile columns); the
    whole index is rebuilt instead when the profile's rows changed since the last build.
    `atomic=False` writes inside the caller's transaction.
    """
    signature = warehouse.profile_signature(engine)
    if signature is None:
        raise NotFound("还没有会员画像，无法建立人群索引 no member profile to index: run "
                       "`memberlens tags run` first")
    columns = profile_columns(engine)
    partial = False
    if tags is not None:
        info = warehouse.read_build(engine)
        if info is not None and info.signature == signature:
            wanted = set(tags)
            columns = [c for c in columns if c.name in wanted]
            partial = True
    read_s = 0.0
    started = time.perf_counter()
    built: list[BuiltTag] = []
    with ThreadPoolExecutor(max_workers=threads or os.cpu_count() or 1) as pool:
        pending: list[Future[BuiltTag]] = []
        for i in range(0, len(columns), READ_GROUP):
            group = columns[i:i + READ_GROUP]
            t = time.perf_counter()
            read = read_columns(engine, group)
            read_s += time.perf_counter() - t
            n = read.table.num_rows
            if n != signature.members:
                raise NotFound("member_profile changed while the index was being built")
            pending += [pool.submit(build_tag, c, read.table.column(c.name), n, buckets,
                                    read.bounds.get(c.name)) for c in group]
        built = [f.result() for f in pending]
    build_s = time.perf_counter() - started - read_s
    t = time.perf_counter()
    generation = warehouse.write(engine, signature, built, replace_all=not partial,
                                 atomic=atomic)
    write_s = time.perf_counter() - t
    return IndexBuild(generation, signature.members, tuple(b.ctype.name for b in built),
                      sum(b.nbytes for b in built), round(read_s, 3), round(build_s, 3),
                      round(write_s, 3))
