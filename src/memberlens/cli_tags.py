"""`memberlens tags …`: list, show, validate and run the tag catalog; tag quality."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from .cli_common import console, fail, settings_of
from .errors import MemberlensError
from .messages import msg

if TYPE_CHECKING:
    from .tags import Catalog
    from .tags.quality import QualityReport

tags_app = typer.Typer(help="标签体系 the tag catalog: list, show, validate, run, "
                                "quality",
                       no_args_is_help=True)

CatalogOpt = Annotated[list[Path] | None, typer.Option(
    "--catalog", "-c", help="自定义标签目录或文件 user catalog directory or file (repeatable; "
                            "env MEMBERLENS_TAG_DIRS)")]




def _dirs(ctx: typer.Context, catalog: list[Path] | None) -> tuple[Path, ...]:
    return tuple(catalog or settings_of(ctx).tag_dirs)


def _catalog(ctx: typer.Context, catalog: list[Path] | None) -> Catalog:
    """The built-in and user catalog; a bad definition ends the command with its error."""
    from .tags import load_catalog

    try:
        return load_catalog(_dirs(ctx, catalog))
    except MemberlensError as e:
        raise fail(e, settings_of(ctx).language) from e




@tags_app.command("list")
def list_tags(ctx: typer.Context, catalog: CatalogOpt = None) -> None:
    """列出全部标签 List every tag by category."""
    from .tags import CATEGORY_LABELS

    lang = settings_of(ctx).language
    cat = _catalog(ctx, catalog)
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

    try:
        tag = _catalog(ctx, catalog).get(key)
    except MemberlensError as e:
        raise fail(e, settings_of(ctx).language) from e
    console.print(yaml.safe_dump(tag.model_dump(mode="json"), allow_unicode=True,
                                 sort_keys=False), highlight=False)


@tags_app.command("validate")
def validate(ctx: typer.Context, catalog: CatalogOpt = None) -> None:
    """校验标签目录 Check the catalog: fields, expressions, names and dependency cycles."""
    lang = settings_of(ctx).language
    cat = _catalog(ctx, catalog)
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

    settings = settings_of(ctx)
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
        raise fail(e, lang) from e
    console.print(msg("tags_done", lang, members=f"{result.members:,}", tags=result.tags,
                      as_of=result.as_of, seconds=result.seconds))
    if not result.profile_updated:
        console.print(msg("tags_history_only", lang))


_QUALITY_TEXT: dict[str, tuple[str, str]] = {
    "title": ("标签质量 截至 {as_of}（{members} 位会员）；对比 {previous}",
              "Tag quality as of {as_of} ({members} members); compared with {previous}"),
    "no_previous": ("无上一快照，未计算漂移", "no previous snapshot: drift not computed"),
    "tag": ("标签", "tag"), "coverage": ("覆盖率", "coverage"),
    "change": ("变化(点)", "Δ points"), "distribution": ("分布", "distribution"),
    "drift": ("漂移", "drift"),
    "sharp": ("剧烈", "sharp"), "moderate": ("中等", "moderate"), "stable": ("稳定", "stable"),
    "coverage_flag": ("覆盖率变化 {points:+.1f} 个百分点", "coverage {points:+.1f} points"),
    "flagged": ("需关注的标签 {n} 个：", "Flagged tags ({n}):"),
    "none_flagged": ("没有需关注的标签（PSI < 0.1，覆盖率变化 ≤ 10 个百分点）",
                     "No flagged tags (PSI < 0.1, coverage moved ≤ 10 points)"),
    "missing": ("尚未计算的标签：{keys}", "Tags not computed yet: {keys}"),
}
_FLAG_STYLE = {"sharp": "bold red", "coverage": "bold magenta", "moderate": "yellow"}


def _qt(key: str, lang: str, **values: object) -> str:
    zh, en = _QUALITY_TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


@tags_app.command("quality")
def quality(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="快照日期 YYYY-MM-DD snapshot date (default: the newest)")] = None,
    catalog: CatalogOpt = None,
) -> None:
    """标签质量 Coverage, distribution and drift (PSI) of every tag against the previous
    snapshot; tags that changed sharply are flagged."""
    from .engine import open_engine
    from .tags.quality import tag_quality

    settings = settings_of(ctx)
    lang = settings.language
    cat = _catalog(ctx, catalog)
    try:
        day = _parse_date(as_of)
        engine = open_engine(settings)
        try:
            report = tag_quality(engine, cat, as_of=day)
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, lang) from e
    _print_quality(report, lang)


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MemberlensError(f"日期格式应为 YYYY-MM-DD; the date must be YYYY-MM-DD, got "
                              f"'{text}' (--as-of)") from None


def _print_quality(report: QualityReport, lang: str) -> None:
    from .tags.quality import describe

    previous = report.previous_as_of or _qt("no_previous", lang)
    t = Table(title=_qt("title", lang, as_of=report.as_of, members=f"{report.members:,}",
                        previous=previous), title_justify="left")
    t.add_column(_qt("tag", lang), overflow="fold", min_width=12)
    t.add_column(_qt("coverage", lang), justify="right")
    t.add_column(_qt("change", lang), justify="right")
    t.add_column("PSI", justify="right")
    t.add_column(_qt("drift", lang))
    t.add_column(_qt("distribution", lang), ratio=1, overflow="fold")
    for q in report.tags:
        change = q.coverage_change
        style = next((_FLAG_STYLE[f] for f in ("sharp", "coverage", "moderate")
                      if f in q.flags), None)
        t.add_row(f"{q.tag.key}\n{q.tag.label(lang)}", f"{q.coverage:.1%}",
                  "" if change is None else f"{round(change * 100, 1) + 0.0:+.1f}",
                  "" if q.psi is None else f"{q.psi:.3f}",
                  "" if q.drift is None else _qt(q.drift, lang),
                  describe(q, report.as_of, lang), style=style)
    console.print(t)
    if report.missing:
        console.print(_qt("missing", lang, keys=", ".join(report.missing)))
    flagged = report.flagged
    if not flagged:
        if report.previous_as_of is not None:
            console.print(_qt("none_flagged", lang))
        return
    console.print(_qt("flagged", lang, n=len(flagged)), style="bold")
    for q in flagged:
        reasons = []
        if q.psi is not None and q.drift in ("sharp", "moderate"):
            reasons.append(f"PSI {q.psi:.3f} {_qt(q.drift, lang)}")
        if "coverage" in q.flags and q.coverage_change is not None:
            reasons.append(_qt("coverage_flag", lang, points=q.coverage_change * 100))
        console.print(f"  {q.tag.key} ({q.tag.label(lang)}): {'; '.join(reasons)}",
                      style=next(_FLAG_STYLE[f] for f in q.flags), highlight=False)
