"""`memberlens segments …`: save, list, show, count, export and overlap audiences."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from .cli_common import console, fail, settings_of
from .errors import MemberlensError

if TYPE_CHECKING:
    from .engine import DuckDBEngine
    from .segments.store import Segment
    from .tags import Catalog

segments_app = typer.Typer(help="人群分群 audiences: create, list, show, count, export, "
                                "overlap", no_args_is_help=True)

_TEXT: dict[str, tuple[str, str]] = {
    "created": ("已保存分群 {name} 第 {version} 版：{count:,} 人（占 {share}）",
                "Saved segment {name} version {version}: {count:,} members ({share})"),
    "unchanged": ("分群 {name} 第 {version} 版的表达式相同，未新增版本",
                  "Segment {name} version {version} already has this expression; "
                  "no new version"),
    "count": ("{label}：{count:,} 人，占全部 {total:,} 位会员的 {share}（画像日期 {as_of}）",
              "{label}: {count:,} members, {share} of {total:,} (profile as of {as_of})"),
    "list": ("已保存的分群", "Saved segments"),
    "none": ("还没有保存的分群：memberlens segments create NAME \"EXPRESSION\"",
             "No saved segments yet: memberlens segments create NAME \"EXPRESSION\""),
    "name": ("名称", "name"), "version": ("版本", "version"),
    "expression": ("表达式", "expression"), "members": ("保存时人数", "members when saved"),
    "now": ("当前人数", "members now"), "saved": ("保存时间", "saved at"),
    "description": ("说明", "description"), "as_of": ("画像日期", "profile as of"),
    "exported": ("已导出 {rows:,} 位会员到 {path}{masked}",
                 "Exported {rows:,} members to {path}{masked}"),
    "masked": ("（个人信息已脱敏；需要明文请加 --show-pii）",
               " (personal data masked; --show-pii to include it)"),
    "overlap": ("分群重叠（全部会员 {total:,} 人）", "Overlap (of {total:,} members)"),
    "region": ("区域", "region"), "only": ("仅", "only "), "and": (" 且 ", " and "),
    "pairs": ("两两交集", "Pairwise"), "both": ("交集", "both"), "jaccard": ("Jaccard", "Jaccard"),
    "size": ("人数", "members"), "none_of": ("都不在", "in none"),
}


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


@contextmanager
def _open(ctx: typer.Context) -> Iterator[tuple[DuckDBEngine, Catalog, str]]:
    from .engine import open_engine
    from .tags import load_catalog

    settings = settings_of(ctx)
    try:
        catalog = load_catalog(tuple(settings.tag_dirs))
        engine = open_engine(settings)
        try:
            yield engine, catalog, settings.language
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, settings.language) from e


def _share(n: int, total: int) -> str:
    return f"{n / total:.1%}" if total else "-"


@segments_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="分群名称 segment name")] = None,
    expression: Annotated[str | None, typer.Argument(
        help="人群表达式 audience expression, e.g. 'rfm_class = \"重要价值客户\" and age < 35'")
    ] = None,
    description: Annotated[str | None, typer.Option(
        "--description", "-d", help="说明 description")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", "-f", help="YAML 文件：分群列表 a YAML list of {name, expression, "
                             "description}")] = None,
) -> None:
    """保存分群 Save a named audience (a changed expression becomes a new version)."""
    from .segments.audience import profile_as_of
    from .segments.store import SegmentDefinition, load_definitions, save

    with _open(ctx) as (engine, catalog, lang):
        if file is not None:
            definitions = load_definitions(file)
        elif name and expression:
            definitions = [SegmentDefinition(name=name, expression=expression,
                                             description=description)]
        else:
            raise MemberlensError("请给出 NAME 和 EXPRESSION，或 --file give NAME and "
                                  "EXPRESSION, or --file")
        total = int(engine.scalar("SELECT count(*) FROM member_profile"))
        profile_as_of(engine)
        for definition in definitions:
            result = save(engine, catalog, definition)
            s = result.segment
            if result.created:
                console.print(_t("created", lang, name=s.name, version=s.version,
                                 count=s.member_count or 0,
                                 share=_share(s.member_count or 0, total)), highlight=False)
            else:
                console.print(_t("unchanged", lang, name=s.name, version=s.version),
                              highlight=False)


@segments_app.command("list")
def list_segments(ctx: typer.Context) -> None:
    """列出分群 Every saved segment, newest version."""
    from .segments.store import list_latest

    with _open(ctx) as (engine, _, lang):
        segments = list_latest(engine)
    if not segments:
        console.print(_t("none", lang), soft_wrap=True, highlight=False)
        return
    t = Table(title=_t("list", lang), title_justify="left")
    for key in ("name", "version", "expression", "members", "as_of", "saved"):
        t.add_column(_t(key, lang), overflow="fold")
    for s in segments:
        t.add_row(s.name, str(s.version), s.expression, f"{s.member_count or 0:,}",
                  str(s.profile_as_of or ""), f"{s.created_at:%Y-%m-%d %H:%M}")
    console.print(t)


@segments_app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="分群名称 segment name")],
) -> None:
    """查看分群 Every version of a segment and how many members it has now."""
    from .segments.audience import compile_for, count
    from .segments.store import versions

    with _open(ctx) as (engine, catalog, lang):
        history = versions(engine, name)
        latest = history[-1]
        now = count(engine, compile_for(engine, latest.expression, catalog))
    _show_versions(history, now, lang)


def _show_versions(history: list[Segment], now: int, lang: str) -> None:
    latest = history[-1]
    t = Table(title=f"{latest.name}" + (f" — {latest.description}" if latest.description
                                        else ""), title_justify="left")
    for key in ("version", "expression", "members", "as_of", "saved"):
        t.add_column(_t(key, lang), overflow="fold")
    for s in history:
        t.add_row(str(s.version), s.expression, f"{s.member_count or 0:,}",
                  str(s.profile_as_of or ""), f"{s.created_at:%Y-%m-%d %H:%M}")
    t.caption = f"{_t('now', lang)}: {now:,}"
    console.print(t)


@segments_app.command("count")
def count_cmd(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="分群名称或表达式 segment name or expression")],
    version: Annotated[int | None, typer.Option("--version", help="版本 version")] = None,
) -> None:
    """统计人数 Count the members of a saved segment or of an expression."""
    from .segments.audience import count, profile_as_of
    from .segments.store import resolve

    with _open(ctx) as (engine, catalog, lang):
        label, audience = resolve(engine, catalog, target, version)
        n = count(engine, audience)
        total = int(engine.scalar("SELECT count(*) FROM member_profile"))
        as_of = profile_as_of(engine)
    console.print(_t("count", lang, label=label, count=n, total=total,
                     share=_share(n, total), as_of=as_of), highlight=False, soft_wrap=True)


@segments_app.command("export")
def export(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="分群名称或表达式 segment name or expression")],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件 .csv 或 .xlsx output file")],
    version: Annotated[int | None, typer.Option("--version", help="版本 version")] = None,
    tags: Annotated[list[str] | None, typer.Option(
        "--tag", "-t", help="附加标签列 extra tag columns (repeatable)")] = None,
    show_pii: Annotated[bool, typer.Option(
        "--show-pii", help="导出明文个人信息 include personal data unmasked")] = False,
) -> None:
    """导出会员名单 Write the members to CSV or Excel (personal data masked)."""
    from .segments.export import export_members
    from .segments.store import resolve

    with _open(ctx) as (engine, catalog, lang):
        _, audience = resolve(engine, catalog, target, version)
        result = export_members(engine, catalog, audience, out, extra_tags=tags or (),
                                show_pii=show_pii, lang=lang)
    console.print(_t("exported", lang, rows=result.rows, path=result.path,
                     masked=_t("masked", lang) if result.masked else ""),
                  highlight=False, soft_wrap=True)


@segments_app.command("overlap")
def overlap_cmd(
    ctx: typer.Context,
    targets: Annotated[list[str], typer.Argument(
        help="2 到 4 个分群名称或表达式 two to four segment names or expressions")],
) -> None:
    """分群重叠 How two to four segments overlap: every region and every pair."""
    from .segments.overlap import overlap
    from .segments.store import resolve_all

    with _open(ctx) as (engine, catalog, lang):
        result = overlap(engine, resolve_all(engine, catalog, targets))
    letters = "ABCD"
    legend = Table(show_header=False, box=None)
    for i, label in enumerate(result.labels):
        legend.add_row(f"[bold]{letters[i]}[/]", label, f"{result.size(i):,}",
                       _share(result.size(i), result.total))
    console.print(legend)
    t = Table(title=_t("overlap", lang, total=result.total), title_justify="left")
    t.add_column(_t("region", lang))
    t.add_column(_t("size", lang), justify="right")
    t.add_column("%", justify="right")
    patterns = sorted(result.regions, key=lambda p: (-sum(p), p), reverse=False)
    for pattern in patterns:
        inside = [letters[i] for i, flag in enumerate(pattern) if flag]
        if not inside:
            label = _t("none_of", lang)
        elif len(inside) == 1:
            label = _t("only", lang) + inside[0]
        else:
            label = _t("and", lang).join(inside) + (
                "" if len(inside) == len(pattern) else f" ({_t('only', lang).strip()})")
        n = result.regions[pattern]
        t.add_row(label, f"{n:,}", _share(n, result.total))
    console.print(t)
    p = Table(title=_t("pairs", lang), title_justify="left")
    for key in ("region", "both", "jaccard"):
        p.add_column(_t(key, lang), justify="right")
    for i, j, both, jac in result.pairs():
        p.add_row(f"{letters[i]} ∩ {letters[j]}", f"{both:,}", f"{jac:.3f}")
    console.print(p)
