"""What every command group shares: the consoles, the settings, and how errors end."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from .errors import MemberlensError
from .messages import msg
from .settings import Settings

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
