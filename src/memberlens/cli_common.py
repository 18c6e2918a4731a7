"""What every command group shares: the consoles, the settings, and how errors end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from .errors import MemberlensError
from .messages import msg
from .settings import Settings

if TYPE_CHECKING:
    from .engine.duckdb_engine import DuckDBEngine

console = Console()
err_console = Console(stderr=True)


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root callback read once (`--warehouse`, `--lang`, environment)."""
    value = ctx.find_root().obj
    assert isinstance(value, Settings)  # noqa: S101 - set by the root callback
    return value


def fail(e: MemberlensError, lang: str) -> typer.Exit:
    """Print the error (which names the file, row, field or tag) and exit with code 1."""
    # the message may hold brackets and a caret line under an expression: no markup, no wrap
    err_console.print(f"[bold red]{msg('error', lang)}:[/] {escape(str(e))}", highlight=False,
                      soft_wrap=True)
    return typer.Exit(code=1)


@contextmanager
def user_errors(lang: str) -> Iterator[None]:
    """End the command with the error's message (exit code 1) instead of a traceback."""
    try:
        yield
    except MemberlensError as e:
        raise fail(e, lang) from e


@contextmanager
def warehouse(settings: Settings, *, read_only: bool = False) -> Iterator[DuckDBEngine]:
    """The warehouse for one command, closed however the command ends."""
    from .engine import open_engine

    engine = open_engine(settings, read_only=read_only)
    try:
        yield engine
    finally:
        engine.close()
