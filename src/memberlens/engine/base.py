"""The small engine interface every backend implements (four primitives, as splink's)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from ..errors import EngineError

SOURCE_DIALECT = "duckdb"
"""Portable computations are written once in this dialect and transpiled for others."""


class Engine(ABC):
    """Where data lives and how queries run.

    Subclasses implement four primitives; everything else is built on them so a new
    backend (Spark) has little to write.
    """

    dialect: str = SOURCE_DIALECT

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run one statement; return the backend's cursor or result."""

    @abstractmethod
    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable under `name` for this session."""

    @abstractmethod
    def fetch_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a query and return its result as Arrow."""

    @abstractmethod
    def table_exists(self, name: str) -> bool:
        """Whether a table or view of that name exists."""

    # --- template methods built on the primitives -------------------------------------

    def execute(self, sql: str | exp.Expr, params: Sequence[Any] | None = None) -> Any:
        text = self.to_sql(sql)
        try:
            return self._execute(text, params)
        except EngineError:
            raise
        except Exception as e:  # the backend's own error types differ; keep the query
            raise EngineError(f"查询失败 query failed: {e}", text) from e

    def fetchall(self, sql: str | exp.Expr, params: Sequence[Any] | None = None
                 ) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def scalar(self, sql: str | exp.Expr, params: Sequence[Any] | None = None) -> Any:
        rows = self.fetchall(sql, params)
        return rows[0][0] if rows else None

    def frame(self, sql: str | exp.Expr, params: Sequence[Any] | None = None) -> Any:
        """Result as a pandas DataFrame (for reports and models, small results)."""
        return self.fetch_arrow(self.to_sql(sql), params).to_pandas()

    def to_sql(self, query: str | exp.Expr) -> str:
        """Render a SQLGlot tree (written in the DuckDB dialect) for this engine."""
        if isinstance(query, str):
            return query
        return query.sql(dialect=self.dialect)

    def transpile(self, sql: str) -> str:
        """Translate SQL written in the source dialect to this engine's dialect."""
        if self.dialect == SOURCE_DIALECT:
            return sql
        return ";\n".join(sqlglot.transpile(sql, read=SOURCE_DIALECT, write=self.dialect))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside leaves the warehouse as it was."""
        self._execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._execute("ROLLBACK")
            raise
        else:
            self._execute("COMMIT")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the connection; engines without one need nothing."""
