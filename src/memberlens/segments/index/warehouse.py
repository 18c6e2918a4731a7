"""The index stored in the warehouse, next to the profile it was built from.

Schema ``audience_index``: ``build`` (one row: generation, the profile it describes),
``tags`` (one row per tag: type, edges or values, the generation that built it) and one
table of serialised bitmaps per tag (``t_<tag>``). DuckDB reads a BLOB column whole, so
a table per tag is what lets a process load only the tags an expression uses.

Freshness: the index records the profile's date, member count and the tags run that
wrote it (run_log); a profile that no longer matches makes the index stale and audiences
are answered by SQL until `rebuild_index` runs. Writers of member_profile outside
`run_tags` call `rebuild_index(engine, tags=...)` for the columns they changed.
"""

from __future__ import annotations

import json
import weakref
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ...engine.base import Engine
from ...errors import EngineError
from ...tags.tables import PROFILE
from .columns import ColumnType, Kind, Space, ident
from .ranges import BuiltTag

SCHEMA = "audience_index"
BUILD = f"{SCHEMA}.build"
TAGS = f"{SCHEMA}.tags"
FORMAT = 1

DDL = [
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {BUILD} (
        generation BIGINT NOT NULL,
        built_at TIMESTAMP NOT NULL,
        profile_as_of DATE,              -- max(as_of) of member_profile
        profile_run BIGINT,              -- run_log id of the tags run that wrote it
        members BIGINT NOT NULL,         -- rows of member_profile = positions
        format INTEGER NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {TAGS} (
        tag VARCHAR NOT NULL,
        generation BIGINT NOT NULL,
        sql_type VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        space VARCHAR,
        scale INTEGER NOT NULL,
        meta VARCHAR NOT NULL,           -- JSON: values, or bucket edges and bounds
        bytes BIGINT NOT NULL
    )""",
]


@dataclass(frozen=True)
class Signature:
    """What identifies a version of member_profile cheaply (statistics, no scan)."""

    run: int | None
    members: int
    as_of: date | None


@dataclass(frozen=True)
class TagEntry:
    ctype: ColumnType
    generation: int
    meta: dict[str, Any]
    nbytes: int


@dataclass(frozen=True)
class BuildInfo:
    generation: int
    built_at: datetime
    signature: Signature
    tags: dict[str, TagEntry]


def parts_table(tag: str) -> str:
    return f"{SCHEMA}.{ident('t_' + tag)}"


def _present(engine: Engine) -> set[tuple[str, str]]:
    rows = engine.fetchall(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE (table_schema = ? AND table_name = 'build') OR table_name IN (?, 'run_log')",
        [SCHEMA, PROFILE])
    return {(str(s), str(t)) for s, t in rows}


_SIGNATURE = f"""(SELECT max(run_id) FROM run_log WHERE step = 'tags'
                    AND target = '{PROFILE}' AND status = 'ok'),
                 (SELECT count(*) FROM {PROFILE}), (SELECT max(as_of) FROM {PROFILE})"""


def profile_signature(engine: Engine) -> Signature | None:
    """The current profile's signature; None when there is no profile."""
    present = {t for _, t in _present(engine)}
    if PROFILE not in present:
        return None
    sql = f"SELECT {_SIGNATURE}" if "run_log" in present else \
        f"SELECT NULL, (SELECT count(*) FROM {PROFILE}), (SELECT max(as_of) FROM {PROFILE})"
    run, members, as_of = engine.fetchall(sql)[0]
    return Signature(run, int(members), as_of)


# Per engine, whether the index tables and run_log exist: asked once, not on every
# count (a catalog query costs more than the count); forgotten when a query fails.
_tables: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def check(engine: Engine) -> tuple[int, bool] | None:
    """(generation, fresh) of the stored index in one query; None when there is none."""
    with_run_log = _tables.get(engine)
    if with_run_log is None:
        present = _present(engine)
        if (SCHEMA, "build") not in present or not any(t == PROFILE for _, t in present):
            return None
        with_run_log = _tables[engine] = any(t == "run_log" for _, t in present)
    run = _SIGNATURE if with_run_log else \
        f"NULL, (SELECT count(*) FROM {PROFILE}), (SELECT max(as_of) FROM {PROFILE})"
    try:
        rows = engine.fetchall(f"SELECT generation, profile_run, members, profile_as_of, "
                               f"{run} FROM {BUILD}")
    except EngineError:
        _tables.pop(engine, None)
        present = _present(engine)
        if (SCHEMA, "build") in present and any(t == PROFILE for _, t in present):
            raise  # the tables are there: a real failure
        return None  # a table was dropped since we looked
    if not rows:
        return None
    generation, b_run, b_members, b_as_of, run_now, members_now, as_of_now = rows[0]
    fresh = (b_run, b_members, b_as_of) == (run_now, members_now, as_of_now)
    return int(generation), fresh


def read_build(engine: Engine) -> BuildInfo | None:
    if (SCHEMA, "build") not in _present(engine):
        return None
    rows = engine.fetchall(f"SELECT generation, built_at, profile_run, members, "
                           f"profile_as_of FROM {BUILD}")
    if not rows:
        return None
    generation, built_at, run, members, as_of = rows[0]
    tags = {}
    for tag, gen, sql_type, kind, space, scale, meta, nbytes in engine.fetchall(
            f"SELECT tag, generation, sql_type, kind, space, scale, meta, bytes FROM {TAGS}"):
        ctype = ColumnType(tag, sql_type, Kind(kind), Space(space) if space else None, scale)
        tags[tag] = TagEntry(ctype, int(gen), json.loads(meta), int(nbytes))
    return BuildInfo(int(generation), built_at, Signature(run, int(members), as_of), tags)


def read_parts(engine: Engine, tag: str) -> list[bytes]:
    rows = engine.fetchall(f"SELECT data FROM {parts_table(tag)} ORDER BY part")
    return [bytes(r[0]) for r in rows]


def write(engine: Engine, signature: Signature, built: list[BuiltTag], *,
          replace_all: bool, atomic: bool = True) -> int:
    """Store built tags in one transaction (the caller's when not `atomic`); returns the
    new generation. `replace_all` drops the tags not in `built` (a full rebuild)."""
    with engine.transaction() if atomic else nullcontext():
        for ddl in DDL:
            engine.execute(ddl)
        generation = int(engine.scalar(f"SELECT coalesce(max(generation), 0) FROM {BUILD}")
                         or 0) + 1
        if replace_all:
            for (tag,) in engine.fetchall(f"SELECT tag FROM {TAGS}"):
                engine.execute(f"DROP TABLE IF EXISTS {parts_table(str(tag))}")
            engine.execute(f"DELETE FROM {TAGS}")
        for b in built:
            table = parts_table(b.ctype.name)
            engine.execute(f"CREATE OR REPLACE TABLE {table} (part INTEGER NOT NULL, "
                           "data BLOB NOT NULL)")
            for i, data in enumerate(b.parts):
                engine.execute(f"INSERT INTO {table} VALUES (?, ?)", [i, data])
            engine.execute(f"DELETE FROM {TAGS} WHERE tag = ?", [b.ctype.name])
            engine.execute(
                f"INSERT INTO {TAGS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [b.ctype.name, generation, b.ctype.sql_type, b.ctype.kind.value,
                 b.ctype.space.value if b.ctype.space else None, b.ctype.scale,
                 json.dumps(b.meta, ensure_ascii=False), b.nbytes])
        engine.execute(f"DELETE FROM {BUILD}")
        engine.execute(f"INSERT INTO {BUILD} VALUES (?, current_localtimestamp(), ?, ?, ?, ?)",
                       [generation, signature.as_of, signature.run, signature.members,
                        FORMAT])
    _tables.pop(engine, None)
    return generation


def drop(engine: Engine) -> None:
    """Remove the stored index (tests, and a profile that was dropped)."""
    engine.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    _tables.pop(engine, None)
