"""`memberlens tags …`: list, show, validate and run the tag catalog."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .errors import MemberlensError
from .messages import msg
from .settings import Settings

tags_app = typer.Typer(help="标签体系 the tag catalog: list, show, validate, run",
                       no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

CatalogOpt = Annotated[list[Path] | None, typer.Option(
    "--catalog", "-c", help="自定义标签目录或文件 user catalog directory or file (repeatable; "
                            "env MEMBERLENS_TAG_DIRS)")]


def _settings(ctx: typer.Context) -> Settings:
    parent = ctx.find_root().obj
    assert isinstance(parent, Settings)  # noqa: S101 - set by the root callback
    return parent


def _dirs(ctx: typer.Context, catalog: list[Path] | None) -> tuple[Path, ...]:
    return tuple(catalog or _settings(ctx).tag_dirs)


def _fail(e: MemberlensError, lang: str) -> typer.Exit:
    err_console.print(f"[bold red]{msg('error', lang)}:[/] {e}", highlight=False)
    return typer.Exit(code=1)


@tags_app.command("list")
def list_tags(ctx: typer.Context, catalog: CatalogOpt = None) -> None:
    """列出全部标签 List every tag by category."""
    from .tags import CATEGORY_LABELS, load_catalog

    lang = _settings(ctx).language
    try:
        cat = load_catalog(_dirs(ctx, catalog))
    except MemberlensError as e:
        raise _fail(e, lang) from e
    for category, tags in cat.by_category().items():
        if not tags:
            continue
        zh, en = CATEGORY_LABELS[category]
        t = Table(title=f"{zh if lang == 'zh' else en} ({len(tags)})", title_justify="left")
        for col in ("key", "名称 name" if lang == "zh" else "name", "type", "compute",
                    "freshness"):
            t.add_column(col)
        for tag in tags:
            t.add_row(tag.key, tag.label(lang), tag.type.value, tag.compute.kind,
                      tag.freshness.value)
        console.print(t)
    console.print(f"{len(cat)} tags" + (f"; overridden: {', '.join(cat.overridden)}"
                                         if cat.overridden else ""))


@tags_app.command("show")
def show_tag(ctx: typer.Context, key: str, catalog: CatalogOpt = None) -> None:
    """查看标签定义 Show one tag's definition."""
    import yaml

    from .tags import load_catalog

    lang = _settings(ctx).language
    try:
        tag = load_catalog(_dirs(ctx, catalog)).get(key)
    except MemberlensError as e:
        raise _fail(e, lang) from e
    console.print(yaml.safe_dump(tag.model_dump(mode="json"), allow_unicode=True,
                                 sort_keys=False), highlight=False)


@tags_app.command("validate")
def validate(ctx: typer.Context, catalog: CatalogOpt = None) -> None:
    """校验标签目录 Check the catalog: fields, expressions, names and dependency cycles."""
    from .tags import load_catalog

    lang = _settings(ctx).language
    try:
        cat = load_catalog(_dirs(ctx, catalog))
    except MemberlensError as e:
        raise _fail(e, lang) from e
    console.print(("标签目录有效：" if lang == "zh" else "Catalog is valid: ") + f"{len(cat)}")


@tags_app.command("run")
def run(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="计算日 YYYY-MM-DD：只用此日之前的数据 use only data before this date "
                        "(default: the day after the newest order or event)")] = None,
    catalog: CatalogOpt = None,
) -> None:
    """计算全部标签 Compute every tag into member_profile and a dated tag_history snapshot."""
    from .engine import open_engine
    from .tags import run_tags

    settings = _settings(ctx)
    lang = settings.language
    try:
        engine = open_engine(settings)
        try:
            with console.status("tags …"):
                result = run_tags(engine, as_of=date.fromisoformat(as_of) if as_of else None,
                                  user_dirs=_dirs(ctx, catalog))
        finally:
            engine.close()
    except MemberlensError as e:
        raise _fail(e, lang) from e
    console.print(msg("tags_done", lang, members=f"{result.members:,}", tags=result.tags,
                      as_of=result.as_of, seconds=result.seconds))
    if not result.profile_updated:
        console.print(msg("tags_history_only", lang))
