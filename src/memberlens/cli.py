"""The memberlens command line: thin commands that call the library and print."""

from __future__ import annotations

import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from .cli_analyze import analyze_app
from .cli_clusters import clusters_app
from .cli_common import console, fail, settings_of
from .cli_composite import composite_app
from .cli_models import models_app
from .cli_recommend import recommend_app
from .cli_segments import segments_app
from .cli_tags import tags_app
from .errors import MemberlensError
from .messages import msg
from .settings import Settings

app = typer.Typer(help="memberlens 会员画像与精准营销 — member profiling and precision "
                       "marketing.", no_args_is_help=True, pretty_exceptions_enable=False)
mapping_app = typer.Typer(help="列映射 column mappings", no_args_is_help=True)
app.add_typer(mapping_app, name="mapping")
app.add_typer(tags_app, name="tags")
app.add_typer(analyze_app, name="analyze")
app.add_typer(composite_app, name="composite")
app.add_typer(segments_app, name="segments")
app.add_typer(models_app, name="models")
app.add_typer(clusters_app, name="clusters")
app.add_typer(recommend_app, name="recommend")


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"




@app.callback()
def main(
    ctx: typer.Context,
    warehouse: Annotated[Path | None, typer.Option(
        "--warehouse", "-w", help="数据仓库文件 DuckDB file (env MEMBERLENS_WAREHOUSE; "
                                  "default ./memberlens.duckdb)")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="界面语言 language: zh | en (env MEMBERLENS_LANGUAGE)")] = None,
) -> None:
    overrides: dict[str, object] = {}
    if warehouse is not None:
        overrides["warehouse"] = warehouse
    if lang is not None:
        overrides["language"] = lang
    ctx.obj = Settings(**overrides)  # type: ignore[arg-type]




@app.command()
def datagen(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录 output directory")],
    members: Annotated[int, typer.Option(help="会员数 number of members")] = 20_000,
    seed: Annotated[int, typer.Option(help="随机种子 random seed")] = 0,
    dirt: Annotated[float, typer.Option(help="脏数据比例 share of dirty rows")] = 0.02,
) -> None:
    """生成演示数据 Generate a realistic synthetic retail dataset."""
    from .datagen import generate

    lang = settings_of(ctx).language
    with _progress() as bar:
        task = bar.add_task("datagen", total=None)

        def tick(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        generate(out, members=members, seed=seed, dirt=dirt, progress=tick)
    console.print(msg("datagen_done", lang, dir=out))


@app.command()
def ingest(
    ctx: typer.Context,
    table: Annotated[str, typer.Argument(help="目标表 target table: members, orders, ...")],
    file: Annotated[Path, typer.Argument(help="源文件 CSV / Excel / Parquet / JSON lines")],
    mapping: Annotated[Path | None, typer.Option(help="列映射文件 mapping file (YAML)")] = None,
) -> None:
    """导入文件 Read, clean and load one file into a canonical table."""
    from .cli_output import load_table, quarantine_hint
    from .engine import open_engine
    from .ingest import ingest_file, load_mapping_file

    settings = settings_of(ctx)
    try:
        spec = load_mapping_file(mapping) if mapping else None
        engine = open_engine(settings)
        try:
            result = ingest_file(engine, table, file, mapping=spec,
                                 timezone=settings.timezone)
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, settings.language) from e
    console.print(load_table(result, settings.language))
    hint = quarantine_hint(result, settings.language)
    if hint:
        console.print(hint, soft_wrap=True, markup=False, highlight=False)


@mapping_app.command("suggest")
def mapping_suggest(
    ctx: typer.Context,
    table: Annotated[str, typer.Argument(help="目标表 target table")],
    file: Annotated[Path, typer.Argument(help="源文件 source file")],
) -> None:
    """建议列映射 Print a mapping file proposing a canonical column for each source column."""
    from .engine import DuckDBEngine
    from .ingest import open_source, suggest_for
    from .ingest.mapping import table_for

    settings = settings_of(ctx)
    try:
        engine = DuckDBEngine(":memory:", settings=settings)
        source = open_source(engine, file)
        console.print(suggest_for(source.columns, table_for(table)), highlight=False)
    except MemberlensError as e:
        raise fail(e, settings.language) from e


@app.command()
def profile(
    ctx: typer.Context,
    member_id: Annotated[str, typer.Argument(help="会员ID member id")],
    show_pii: Annotated[bool, typer.Option("--show-pii", help="显示个人信息 show personal "
                                                              "data unmasked")] = False,
) -> None:
    """查看会员 Show one member: basics, RFM and latest orders."""
    from .analytics.member_view import member_view
    from .cli_output import member_tables
    from .engine import open_engine

    settings = settings_of(ctx)
    try:
        engine = open_engine(settings)
        try:
            view = member_view(engine, member_id, show_pii=show_pii, lang=settings.language)
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, settings.language) from e
    for t in member_tables(view, settings.language):
        console.print(t)


@app.command()
def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="只读 SQL read-only SQL, e.g. \"SELECT ...\"")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """只读查询 Run read-only SQL on the warehouse (writes are refused)."""
    from .cli_output import arrow_output
    from .engine import run_read_only

    settings = settings_of(ctx)
    try:
        result = run_read_only(query, settings)
    except MemberlensError as e:
        raise fail(e, settings.language) from e
    arrow_output(result, format.value, console, settings.language)


@app.command()
def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件 output HTML file")] =
        Path("memberlens-report.html"),
) -> None:
    """生成报告 Write the member report: one self-contained HTML file with charts."""
    from .analytics.report_data import collect_report_data
    from .engine import open_engine
    from .reports import render_report

    settings = settings_of(ctx)
    engine = open_engine(settings)
    try:
        data = collect_report_data(engine, warehouse=str(settings.warehouse),
                                   title="会员画像报告" if settings.language == "zh"
                                   else "Member report")
    finally:
        engine.close()
    path = render_report(data, out, lang=settings.language)
    console.print(msg("report_done", settings.language, path=path.resolve()))


@app.command()
def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Option("--dir", help="演示目录 demo directory")] =
        Path("memberlens-demo"),
    members: Annotated[int, typer.Option(help="会员数 number of members")] = 20_000,
    seed: Annotated[int, typer.Option(help="随机种子 random seed")] = 42,
) -> None:
    """一键演示 Generate data, load it, profile members and write the report."""
    from .cli_output import loads_summary
    from .demo import run_demo

    settings = settings_of(ctx)
    lang = settings.language
    with _progress() as bar:
        tasks: dict[str, TaskID] = {}

        def tick(stage: str, done: int, total: int) -> None:
            group = stage.split(":")[0]
            if group not in tasks:
                tasks[group] = bar.add_task(group, total=total or None)
            bar.update(tasks[group], description=stage, completed=done, total=total or None)

        result = run_demo(directory, members=members, seed=seed, settings=settings,
                          progress=tick, lang=lang)
    console.print(loads_summary(result.loads, lang))
    if result.tags is not None:
        console.print(msg("tags_done", lang, members=f"{result.tags.members:,}",
                          tags=result.tags.tags, as_of=result.tags.as_of,
                          seconds=result.tags.seconds))
    console.rule(msg("demo_done", lang))
    # paths and commands are printed unwrapped, so they can be copied whole
    console.print(f"{msg('demo_report', lang)}: [bold]{result.report.resolve()}[/]",
                  soft_wrap=True)
    console.print(f"{msg('demo_warehouse', lang)}: {result.warehouse.resolve()}",
                  soft_wrap=True)
    sample = result.sample_member
    cmd = f"{_command_name()} -w {result.warehouse}"
    console.print(f"{msg('demo_next', lang)}:\n"
                  f"  {cmd} profile {sample}\n"
                  f"  {cmd} segments count 'rfm_class = \"重要价值客户\" and "
                  f"last_purchase_at within 30 days'\n"
                  f"  {cmd} sql \"SELECT rfm_class, count(*) "
                  f"FROM member_profile GROUP BY 1 ORDER BY 2 DESC\""
                  + (f"\n  {cmd} models show {result.churn_model}" if result.churn_model
                     else "")
                  + (f"\n  {cmd} recommend member {sample}\n  {cmd} recommend bundles --by "
                     "rfm_class" if result.recommendations else ""), highlight=False,
                  soft_wrap=True, markup=False)


def _command_name() -> str:
    """How the user can call us again: the plain name only if it is on their PATH."""
    invoked = Path(sys.argv[0])
    if invoked.name == "memberlens" and shutil.which("memberlens") is None:
        return str(invoked)
    return "memberlens"


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                    console=console, transient=False)


if __name__ == "__main__":  # pragma: no cover
    app()
