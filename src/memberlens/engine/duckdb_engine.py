"""DuckDB in one file: the default engine, no server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..errors import EngineError
from ..settings import Settings
from .base import Engine


class DuckDBEngine(Engine):
    """One DuckDB database file (or memory), with the warehouse time zone set."""

    dialect = "duckdb"

    def __init__(self, path: Path | str = ":memory:", *, read_only: bool = False,
                 settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {}
        if self.settings.threads:
            config["threads"] = self.settings.threads
        if self.settings.memory_limit:
            config["memory_limit"] = self.settings.memory_limit
        self.read_only = read_only
        self.con = duckdb.connect(self.path, read_only=read_only, config=config)
        self.con.execute(f"SET TimeZone = '{_quote(self.settings.timezone)}'")

    def _execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return self.con.execute(sql, params) if params else self.con.execute(sql)

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def fetch_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        try:
            # a relation exports to Arrow without the extra copy (and the warning) a
            # DB-API cursor makes
            rel = self.con.sql(sql, params=list(params) if params else None)
            result = rel.to_arrow_table() if rel is not None else pa.table({})
        except duckdb.Error as e:
            raise EngineError(f"查询失败 query failed: {e}", sql) from e
        if not isinstance(result, pa.Table):
            raise EngineError("查询没有返回表 the query returned no table", sql)
        return result

    def table_exists(self, name: str) -> bool:
        # fetchall, not fetchone: DuckDB 2 refuses a relation query while a result is
        # left half-read on the connection
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchall()
        return bool(rows and rows[0][0])

    def close(self) -> None:
        self.con.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")
