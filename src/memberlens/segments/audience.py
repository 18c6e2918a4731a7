"""Counting and listing the members of an audience: what segments, campaigns and the
console call. Answers come from the bitmap index when it is fresh, else from the engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

import pyarrow as pa

from ..engine.base import Engine
from ..errors import NotFound
from ..tags.catalog import Catalog
from ..tags.tables import PROFILE
from .binding import Audience, compile_audience
from .index import AudienceIndex, IndexUnsupported, current_index
from .sql import count_query, members_query

T = TypeVar("T")


def profile_as_of(engine: Engine) -> date:
    """The date member_profile describes: `within N days` counts back from it."""
    if not engine.table_exists(PROFILE):
        raise NotFound("还没有会员画像，请先运行 `memberlens tags run` "
                       "no member profile yet: run `memberlens tags run` first")
    value = engine.scalar(f"SELECT max(as_of) FROM {PROFILE}")
    if value is None:
        raise NotFound("会员画像为空 the member profile is empty")
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class ProfileValues:
    """Values seen in member_profile for tags the catalog does not enumerate, looked up
    lazily and only for suggestions (`city = "北京"` → did you mean "北京市")."""

    LIMIT = 5000

    def __init__(self, engine: Engine, catalog: Catalog) -> None:
        self.engine, self.catalog = engine, catalog
        self.cache: dict[str, Sequence[str] | None] = {}

    def __call__(self, tag: str) -> Sequence[str] | None:
        if tag not in self.cache:
            self.cache[tag] = self._load(tag)
        return self.cache[tag]

    def _load(self, tag: str) -> Sequence[str] | None:
        column = f'"{self.catalog.get(tag).key}"'  # a catalog key, never user text
        listed = self.catalog.get(tag).type.value == "list"
        source = (f"SELECT DISTINCT unnest({column}) AS v FROM {PROFILE}" if listed
                  else f"SELECT DISTINCT {column} AS v FROM {PROFILE}")
        rows = self.engine.fetchall(
            f"SELECT v FROM ({source}) WHERE v IS NOT NULL LIMIT {self.LIMIT + 1}")
        if len(rows) > self.LIMIT:
            return None  # too many to be a vocabulary: no suggestions
        return [str(r[0]) for r in rows]


def compile_for(engine: Engine, text: str, catalog: Catalog) -> Audience:
    """Check `text` against the catalog and, for suggestions, the values in the data."""
    values = ProfileValues(engine, catalog) if engine.table_exists(PROFILE) else None
    return compile_audience(text, catalog, values)


def fresh_index(engine: Engine, audience: Audience) -> AudienceIndex | None:
    """The loaded bitmap index if it is fresh and holds every tag the audience reads."""
    index = current_index(engine)
    return index if index is not None and index.covers(audience) else None


def _from_index(engine: Engine, audience: Audience,
                answer: Callable[[AudienceIndex, Audience], T]) -> T | None:
    index = fresh_index(engine, audience)
    if index is None:
        return None
    try:
        return answer(index, audience)
    except IndexUnsupported:
        return None  # a value the index cannot compare exactly as SQL does: SQL answers


def count(engine: Engine, audience: Audience, *, use_index: bool = True) -> int:
    """Members in the audience; `use_index=False` always asks the engine."""
    if use_index and (n := _from_index(engine, audience, AudienceIndex.count)) is not None:
        return n
    as_of = profile_as_of(engine)
    return int(engine.scalar(engine.to_sql(count_query(audience, as_of))))


def member_ids(engine: Engine, audience: Audience, *, use_index: bool = True) -> pa.Array:
    """Member ids in id order."""
    if use_index and (ids := _from_index(engine, audience,
                                         AudienceIndex.members)) is not None:
        return ids
    as_of = profile_as_of(engine)
    table = engine.fetch_arrow(engine.to_sql(members_query(audience, as_of)))
    return table.column("member_id").combine_chunks()
