"""The analysts' SQL door: reads only, refused before it reaches the warehouse otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from ..errors import ReadOnlyViolation
from ..settings import Settings

_READ_ROOTS = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Describe, exp.Pragma)
_WRITE_NODES = (
    exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Alter, exp.Merge,
    exp.Copy, exp.Attach, exp.Detach, exp.Set, exp.Command, exp.TruncateTable, exp.Use,
    exp.Transaction, exp.Commit, exp.Rollback, exp.LoadData, exp.Into,
)
# table functions that read or write outside the warehouse are not for this door
_FILE_FUNCTIONS = {
    "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "read_json",
    "read_json_auto", "read_ndjson", "read_text", "read_blob", "glob", "sniff_csv",
    "read_xlsx", "sqlite_scan", "postgres_scan", "mysql_scan",
}


def check_read_only(sql: str) -> exp.Expr:
    """Parse `sql` and refuse anything but one read-only query.

    Returns the parsed statement. Raises ReadOnlyViolation with a message in Chinese
    and English that says what was refused.
    """
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except ParseError as e:
        raise ReadOnlyViolation(f"SQL 无法解析 cannot parse SQL: {e}") from e
    if len(statements) != 1:
        raise ReadOnlyViolation(
            f"只能执行一条查询语句 only one statement is allowed (got {len(statements)})"
        )
    stmt = statements[0]
    if not isinstance(stmt, _READ_ROOTS):
        raise ReadOnlyViolation(
            f"只允许只读查询 (SELECT/WITH) only read-only queries are allowed; "
            f"refused: {stmt.key.upper()}"
        )
    for node in stmt.walk():
        if isinstance(node, _WRITE_NODES):
            raise ReadOnlyViolation(
                f"查询中包含写操作 the query contains a write: {node.key.upper()}"
            )
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in _FILE_FUNCTIONS:
                raise ReadOnlyViolation(
                    f"不允许读取外部文件 reading files is not allowed here: {name}"
                )
        if isinstance(node, exp.Table) and _looks_like_file(node):
            raise ReadOnlyViolation(
                f"不允许读取外部文件 reading files is not allowed here: {node.name}")
    return stmt


def run_read_only(sql: str, settings: Settings, *, path: Path | str | None = None
                  ) -> pa.Table:
    """Run an analyst's query on a read-only connection (checked twice: parser, then engine)."""
    from .duckdb_engine import DuckDBEngine

    check_read_only(sql)
    engine = DuckDBEngine(path or settings.warehouse, read_only=True, settings=settings)
    try:
        engine.con.execute("SET enable_external_access = false")
        return engine.fetch_arrow(sql)
    finally:
        engine.close()


def _looks_like_file(table: exp.Table) -> bool:
    """DuckDB reads `FROM 'x.csv'` as a file; a warehouse table never has such a name."""
    if isinstance(table.this, exp.Literal):
        return True
    name = table.name
    return any(ch in name for ch in "/\\:") or bool(re.search(r"\.[A-Za-z0-9]{1,8}$", name))
