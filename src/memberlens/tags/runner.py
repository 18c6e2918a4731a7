"""Runs the catalog: member_profile (the latest state) and dated snapshots in tag_history."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..engine.base import Engine
from ..errors import MemberlensError
from .builtins import BUILTINS
from .catalog import Catalog, load_catalog
from .compiler import CompileInputs, compile_catalog
from .definition import BuiltinCompute
from .tables import HISTORY, PROFILE


@dataclass
class TagRunResult:
    as_of: date
    members: int
    tags: int
    seconds: float
    profile_updated: bool


def default_as_of(engine: Engine) -> date:
    """The day after the newest order or event: historical data is profiled at its end."""
    last = engine.scalar("""SELECT CAST(greatest(
                                (SELECT max(ordered_at) FROM orders),
                                (SELECT max(occurred_at) FROM events)) AS DATE)""")
    if last is None:
        return date.today()
    return date.fromordinal(last.toordinal() + 1)


def compile_for(engine: Engine, catalog: Catalog, as_of: date) -> str:
    """The query for this catalog and date, with builtins computed and models looked up."""
    builtin_tables: dict[str, str] = {}
    for tag in catalog:
        if isinstance(tag.compute, BuiltinCompute):
            func = BUILTINS.get(tag.compute.name)
            if func is None:
                raise MemberlensError(f"未知的内置计算 unknown builtin '{tag.compute.name}' "
                                      f"for tag {tag.key}")
            builtin_tables[tag.key] = func(engine, tag.key, tag.compute, as_of)
    models: frozenset[tuple[str, str]] = frozenset()
    if engine.table_exists("model_scores"):
        models = frozenset((m, o) for m, o in engine.fetchall(
            "SELECT DISTINCT model, output FROM model_scores"))
    return engine.to_sql(compile_catalog(catalog, as_of, CompileInputs(builtin_tables, models)))


def run_tags(engine: Engine, *, as_of: date | None = None, catalog: Catalog | None = None,
             user_dirs: tuple[Path, ...] = ()) -> TagRunResult:
    """Compute every tag as of `as_of` (exclusive; default: after the newest data).

    The snapshot for that date in tag_history is replaced; member_profile is replaced
    too unless it already holds a later date (a back-dated run leaves it alone).
    """
    catalog = catalog or load_catalog(user_dirs)
    as_of = as_of or default_as_of(engine)
    started = time.perf_counter()
    sql = compile_for(engine, catalog, as_of)
    with engine.transaction():
        current = None
        if engine.table_exists(PROFILE) and _has_column(engine, PROFILE, "as_of"):
            current = engine.scalar(f"SELECT max(as_of) FROM {PROFILE}")
        update = current is None or current <= as_of
        # the result is written once: into member_profile when it is the newest date (the
        # snapshot is copied from it), else into a temporary table for the snapshot only
        staged = PROFILE if update else f'"_tags_{as_of:%Y%m%d}"'
        kind = "TABLE" if update else "TEMP TABLE"
        engine.execute(f"CREATE OR REPLACE {kind} {staged} AS {sql}")
        _write_history(engine, catalog, staged, as_of)
        members = int(engine.scalar(f"SELECT count(*) FROM {staged}"))
        seconds = round(time.perf_counter() - started, 3)
        engine.execute(
            """INSERT INTO run_log (run_id, step, target, started_at, finished_at, status,
                   rows_in, rows_loaded, details)
               VALUES (nextval('run_id_seq'), 'tags', ?,
                   current_localtimestamp() - to_microseconds(CAST(? * 1e6 AS BIGINT)),
                   current_localtimestamp(), 'ok', ?, ?, ?)""",
            [PROFILE if update else HISTORY, seconds, members, members,
             json.dumps({"as_of": as_of.isoformat(), "tags": len(catalog)})])
        if not update:
            engine.execute(f"DROP TABLE {staged}")
    if update:  # the audience index describes the profile: rebuilt with it
        from ..segments.index import rebuild_index  # segments imports this module

        rebuild_index(engine)
    return TagRunResult(as_of=as_of, members=members, tags=len(catalog), seconds=seconds,
                        profile_updated=update)


def _has_column(engine: Engine, table: str, column: str) -> bool:
    return bool(engine.scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND "
        "column_name = ?", [table, column]))


def _write_history(engine: Engine, catalog: Catalog, staged: str, as_of: date) -> None:
    """Append the snapshot, adding columns for tags that are new since the last run."""
    columns = [("member_id", "VARCHAR"), ("as_of", "DATE")]
    columns += [(t.key, t.type.sql_type) for t in catalog]
    if not engine.table_exists(HISTORY):
        cols = ", ".join(f'"{k}" {typ}' for k, typ in columns)
        engine.execute(f"CREATE TABLE {HISTORY} ({cols})")
    else:
        have = {r[0]: r[1] for r in engine.fetchall(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ?", [HISTORY])}
        for k, typ in columns:
            if k not in have:
                engine.execute(f'ALTER TABLE {HISTORY} ADD COLUMN "{k}" {typ}')
    engine.execute(f"DELETE FROM {HISTORY} WHERE as_of = DATE '{as_of.isoformat()}'")
    engine.execute(f"INSERT INTO {HISTORY} BY NAME SELECT * FROM {staged}")
