"""Creates and migrates the warehouse tables from the canonical definitions.

Keys are enforced by the loader rather than by DuckDB PRIMARY KEY indexes: an ART
index on 20M order ids costs memory and slows bulk loads several-fold
(docs/decisions/0003-keys-enforced-by-loader.md). NOT NULL and range CHECKs are cheap
and are declared.
"""

from __future__ import annotations

from sqlglot import exp

from ..engine.base import Engine
from .model import Column, Kind, Table
from .system_tables import SYSTEM_TABLES
from .tables import CANONICAL_TABLES

SCHEMA_VERSION = 1
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (("_run_id", "BIGINT"),)


def _column_def(col: Column) -> exp.ColumnDef:
    constraints: list[exp.ColumnConstraint] = []
    if col.required:
        constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint()))
    return exp.ColumnDef(
        this=exp.to_identifier(col.name, quoted=True),
        kind=exp.DataType.build(col.sql_type, dialect="duckdb"),
        constraints=constraints,
    )


def _checks(table: Table) -> list[exp.Expr]:
    checks: list[exp.Expr] = []
    for col in table.columns:
        if col.kind not in (Kind.MONEY, Kind.INT, Kind.FLOAT):
            continue
        ident = exp.column(col.name, quoted=True)
        if col.min_value is not None:
            checks.append(exp.CheckColumnConstraint(
                this=exp.or_(ident.is_(exp.null()),
                             exp.GTE(this=ident.copy(), expression=exp.convert(col.min_value)))
            ))
        if col.max_value is not None:
            checks.append(exp.CheckColumnConstraint(
                this=exp.or_(ident.copy().is_(exp.null()),
                             exp.LTE(this=ident.copy(), expression=exp.convert(col.max_value)))
            ))
    return checks


def create_table_sql(table: Table, dialect: str = "duckdb") -> str:
    """CREATE TABLE IF NOT EXISTS for a canonical table, in the engine's dialect."""
    columns: list[exp.Expr] = [_column_def(c) for c in table.columns]
    columns += [
        exp.ColumnDef(this=exp.to_identifier(name, quoted=True),
                      kind=exp.DataType.build(typ, dialect="duckdb"))
        for name, typ in LINEAGE_COLUMNS
    ]
    columns += _checks(table)
    create = exp.Create(
        this=exp.Schema(this=exp.to_table(table.name, quoted=True), expressions=columns),
        kind="TABLE",
        exists=True,
    )
    return create.sql(dialect=dialect)


def ensure_schema(engine: Engine) -> None:
    """Create missing tables and add columns that newer definitions introduced."""
    engine.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at "
                   "TIMESTAMP DEFAULT current_localtimestamp())")
    engine.execute("CREATE SEQUENCE IF NOT EXISTS run_id_seq START 1")
    for ddl in SYSTEM_TABLES.values():
        engine.execute(ddl)
    for table in CANONICAL_TABLES.values():
        if engine.table_exists(table.name):
            _add_missing_columns(engine, table)
        else:
            engine.execute(create_table_sql(table, engine.dialect))
    current = engine.scalar("SELECT max(version) FROM schema_version")
    if current is None or current < SCHEMA_VERSION:
        engine.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION])


def _add_missing_columns(engine: Engine, table: Table) -> None:
    existing = {
        r[0] for r in engine.fetchall(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
            [table.name],
        )
    }
    wanted = [(c.name, c.sql_type) for c in table.columns] + list(LINEAGE_COLUMNS)
    for name, typ in wanted:
        if name not in existing:
            engine.execute(f'ALTER TABLE "{table.name}" ADD COLUMN "{name}" {typ}')
