"""The `model_scores` contract: how models write what they say about members, and how
predictive tags read it back.

A model (churn, CLV, clustering, …) writes one row per member, output and profile date
into `model_scores` (see schema/system_tables.py): ``value`` is text, cast by each tag
to its declared type. A tag run as of D reads, per (member, model, output), the value
with the newest ``as_of`` ≤ D, so back-dated runs never see later scores. A newer NULL
wins over an older value: "the model did not score this member" replaces what it said
before.

:func:`write_scores` replaces one model's rows for one date; :func:`refresh_profile`
then puts the new values into `member_profile` (and the same date's `tag_history`
snapshot) without a full tag run, so a marketer sees them at once.

Examples
--------
>>> import pyarrow as pa
>>> scores = pa.table({"member_id": ["M1", "M2"], "probability": [0.12, 0.87],
...                    "risk": ["low", "high"]})
>>> write_scores(engine, model="churn", version="2025-01", as_of=day,
...              table=scores)  # doctest: +SKIP
4
>>> refresh_profile(engine, load_catalog(), "churn")  # doctest: +SKIP
ProfileRefresh(as_of=..., tags=('churn_probability', 'churn_risk'), members=2, stale=())
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import sqlglot
from sqlglot import exp

from ..engine.base import SOURCE_DIALECT, Engine
from ..errors import MemberlensError
from .catalog import Catalog
from .definition import ModelCompute, RuleCompute, TagDefinition
from .expressions import parse_expression
from .sources import MEMBER_COLUMNS
from .tables import HISTORY, PROFILE

TABLE = "model_scores"
_STAGED = "_model_scores_in"


class ModelScoresError(MemberlensError):
    """Scores handed to write_scores are malformed; the message names the column or row."""

    http_status = 422


@dataclass(frozen=True)
class ProfileRefresh:
    """What refresh_profile changed.

    ``stale`` are rule tags that read the refreshed ones: they keep their old values
    until the next tag run.
    """

    as_of: date | None           # the profile's date; None when there is no profile yet
    tags: tuple[str, ...]        # profile columns recomputed
    members: int                 # members with a value in at least one of them
    stale: tuple[str, ...] = ()


def _literal(text: str) -> str:
    return exp.Literal.string(text).sql(SOURCE_DIALECT)


def _ident(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(SOURCE_DIALECT)


def latest_scores(columns: Sequence[tuple[str, str, str]], as_of: date) -> exp.Select:
    """Per member, each (model, output)'s value with the newest ``as_of`` ≤ `as_of`.

    `columns` are ``(alias, model, output)``. One scan and GROUP BY member_id for all
    of them: ``arg_max`` over ``(as_of, scored_at)`` (the later write breaks a tie),
    one FILTER per column. ``arg_max`` skips NULL arguments, so the value is wrapped
    in a struct: a newer NULL must win over an older value.
    """
    if not columns:
        raise ValueError("latest_scores needs at least one column")
    picks = []
    for alias, model, output in columns:
        cond = f"model = {_literal(model)} AND output = {_literal(output)}"
        picks.append(f"(arg_max(struct_pack(value := value), (as_of, scored_at)) "
                     f"FILTER (WHERE {cond})).value AS {_ident(alias)}")
    models = ", ".join(sorted({_literal(m) for _, m, _ in columns}))
    sql = (f"SELECT member_id, {', '.join(picks)} FROM {TABLE} "
           f"WHERE as_of <= CAST('{as_of.isoformat()}' AS DATE) AND model IN ({models}) "
           f"GROUP BY member_id")
    tree = sqlglot.parse_one(sql, read=SOURCE_DIALECT)
    assert isinstance(tree, exp.Select)  # noqa: S101 - a SELECT was written just above
    return tree


@contextmanager
def _transaction(engine: Engine, atomic: bool) -> Iterator[None]:
    with engine.transaction() if atomic else nullcontext():
        yield


def _check_table(table: pa.Table, model: str) -> list[str]:
    if not model:
        raise ModelScoresError("模型名不能为空 the model name must not be empty (model=)")
    if "member_id" not in table.column_names:
        raise ModelScoresError(f"评分表缺少列 the scores table has no column 'member_id' "
                               f"(columns: {', '.join(table.column_names) or 'none'})")
    outputs = [c for c in table.column_names if c != "member_id"]
    if not outputs:
        raise ModelScoresError("评分表至少需要一个输出列 the scores table needs at least one "
                               "output column besides member_id")
    if table.column("member_id").null_count:
        raise ModelScoresError("member_id 不能为空 member_id must not be empty "
                               f"(model={model}, {table.column('member_id').null_count} rows)")
    return outputs


def write_scores(engine: Engine, *, model: str, version: str | None, as_of: date,
                 table: pa.Table, atomic: bool = True) -> int:
    """Replace `model`'s scores for `as_of` with `table`; returns the rows written.

    Parameters
    ----------
    model
        The name predictive tags read (``compute: {kind: model, model: …}``).
    version
        The model version or run that produced the scores (kept as ``model_version``).
    as_of
        The profile date whose features the scores describe (point-in-time).
    table
        ``member_id`` and one column per output (``probability``, ``risk``, …), one row
        per member; values are stored as text, NULL stays NULL.
    atomic
        False when the caller already holds ``engine.transaction()`` and wants this
        write to be part of it.
    """
    outputs = _check_table(table, model)
    engine.register(_STAGED, table)
    try:
        duplicate = engine.fetchall(f"SELECT CAST(member_id AS VARCHAR), count(*) FROM "
                                    f"{_STAGED} GROUP BY 1 HAVING count(*) > 1 LIMIT 1")
        if duplicate:
            raise ModelScoresError(f"会员重复 member {duplicate[0][0]} appears "
                                   f"{duplicate[0][1]} times in the scores of model={model}; "
                                   "give one row per member")
        rows = " UNION ALL ".join(
            f"SELECT CAST(member_id AS VARCHAR) AS member_id, {_literal(o)} AS output, "
            f"CAST({_ident(o)} AS VARCHAR) AS value FROM {_STAGED}" for o in outputs)
        with _transaction(engine, atomic):
            engine.execute(f"DELETE FROM {TABLE} WHERE model = ? AND as_of = ?",
                           [model, as_of])
            engine.execute(
                f"""INSERT INTO {TABLE} (member_id, model, output, value, model_version,
                        as_of, scored_at)
                    SELECT member_id, ?, output, value, ?, ?, current_localtimestamp()
                    FROM ({rows})""", [model, version, as_of])
    finally:
        engine.execute(f"DROP VIEW IF EXISTS {_STAGED}")
    return len(outputs) * int(table.num_rows)


def read_scores(engine: Engine, *, model: str, as_of: date,
                version: str | None = None) -> pa.Table:
    """`model`'s scores for `as_of` as written: member_id and one text column per output.

    With `version`, only rows of that version (none when a later write replaced it).
    """
    where = (f"model = {_literal(model)} AND as_of = CAST('{as_of.isoformat()}' AS DATE)"
             + (f" AND model_version = {_literal(version)}" if version else ""))
    outputs = [r[0] for r in engine.fetchall(
        f"SELECT DISTINCT output FROM {TABLE} WHERE {where} ORDER BY 1")]
    if not outputs:
        return pa.table({"member_id": pa.array([], pa.string())})
    picks = ", ".join(f"max(value) FILTER (WHERE output = {_literal(o)}) AS {_ident(o)}"
                      for o in outputs)
    return engine.fetch_arrow(f"SELECT member_id, {picks} FROM {TABLE} WHERE {where} "
                              "GROUP BY member_id ORDER BY member_id")


def _columns(engine: Engine, table: str) -> set[str]:
    return {r[0] for r in engine.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])}


def _dependents(catalog: Catalog, keys: set[str]) -> tuple[str, ...]:
    """Rule tags that read `keys`, directly or through other rules (catalog order)."""
    reached = set(keys)
    out = []
    for tag in catalog:  # dependency order: a rule comes after what it reads
        if not isinstance(tag.compute, RuleCompute):
            continue
        checked = parse_expression(tag.compute.expr,
                                   names=[k for k in catalog.tags if k != tag.key],
                                   qualified={"members": MEMBER_COLUMNS})
        if checked.tags & reached:
            reached.add(tag.key)
            out.append(tag.key)
    return tuple(out)


def _update(engine: Engine, table: str, tags: list[TagDefinition], latest: str,
            as_of: date) -> None:
    """Set the tags' columns of `table` (rows of `as_of`) from the latest scores."""
    have = _columns(engine, table)
    for t in tags:
        if t.key not in have:  # a tag added to the catalog since the last run
            engine.execute(f"ALTER TABLE {table} ADD COLUMN {_ident(t.key)} "
                           f"{t.type.sql_type}")
    sets = ", ".join(f"{_ident(t.key)} = CAST(u.{_ident(t.key)} AS {t.type.sql_type})"
                     for t in tags)
    picks = ", ".join(f"s.{_ident(t.key)}" for t in tags)
    day = f"CAST('{as_of.isoformat()}' AS DATE)"
    engine.execute(f"""
        UPDATE {table} SET {sets}
        FROM (SELECT b.member_id, {picks}
              FROM (SELECT member_id FROM {table} WHERE as_of = {day}) b
              LEFT JOIN ({latest}) s ON s.member_id = b.member_id) u
        WHERE {table}.member_id = u.member_id AND {table}.as_of = {day}""")


def refresh_profile(engine: Engine, catalog: Catalog, model: str, *,
                    atomic: bool = True) -> ProfileRefresh:
    """Recompute the tags reading `model` in `member_profile` from `model_scores`.

    The profile gets what a full tag run on its date would give those tags (the newest
    scores with ``as_of`` ≤ the profile's date), and so do that date's `tag_history`
    snapshot and the audience bitmap index. Scores dated after the profile stay
    invisible until a later run. Rule tags reading the refreshed tags are listed in
    ``stale``.
    """
    tags = [t for t in catalog if isinstance(t.compute, ModelCompute)
            and t.compute.model == model]
    if not tags or not engine.table_exists(PROFILE):
        return ProfileRefresh(as_of=None, tags=(), members=0)
    as_of = engine.scalar(f"SELECT max(as_of) FROM {PROFILE}")
    if as_of is None:
        return ProfileRefresh(as_of=None, tags=(), members=0)
    columns = [(t.key, model, t.compute.output) for t in tags
               if isinstance(t.compute, ModelCompute)]
    latest = engine.to_sql(latest_scores(columns, as_of))
    with _transaction(engine, atomic):
        _update(engine, PROFILE, tags, latest, as_of)
        if engine.table_exists(HISTORY):
            _update(engine, HISTORY, tags, latest, as_of)
        # the audience bitmap index describes the profile: its changed columns follow
        # (it cannot tell an UPDATE from a tag run by itself)
        from ..segments.index import rebuild_index  # segments imports this package

        rebuild_index(engine, tags=[t.key for t in tags], atomic=False)
    any_value = " OR ".join(f"{_ident(t.key)} IS NOT NULL" for t in tags)
    members = int(engine.scalar(f"SELECT count(*) FROM {PROFILE} WHERE {any_value}"))
    return ProfileRefresh(as_of=as_of, tags=tuple(t.key for t in tags), members=members,
                          stale=_dependents(catalog, {t.key for t in tags}))
