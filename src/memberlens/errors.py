"""One root error with a subclass per capability; each knows its HTTP status."""

from __future__ import annotations


class MemberlensError(Exception):
    """Root of every error memberlens raises on purpose."""

    http_status = 500


class ConfigError(MemberlensError):
    """Settings or a definition file are wrong."""

    http_status = 400


class EngineError(MemberlensError):
    """The engine failed; carries the query that failed."""

    http_status = 500

    def __init__(self, message: str, query: str | None = None) -> None:
        super().__init__(message if query is None else f"{message}\n-- query:\n{query}")
        self.query = query


class ReadOnlyViolation(MemberlensError):
    """Someone tried to change the warehouse through the read-only SQL door."""

    http_status = 403


class IngestError(MemberlensError):
    """A source file cannot be read or mapped; names the file, row and field."""

    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"文件 file={file}" if file else "",
                f"行 row={row}" if row is not None else "",
                f"字段 field={field}" if field else "",
            )
            if part
        )
        super().__init__(f"{message} ({where})" if where else message)
        self.file, self.row, self.field = file, row, field


class NotFound(MemberlensError):
    """A member, table or file that was asked for does not exist."""

    http_status = 404
