"""`memberlens composite …`: score, rank and classify stores or dealers; show the weights."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .cli_common import console, fail, settings_of
from .errors import MemberlensError

if TYPE_CHECKING:
    from .engine import Engine
    from .segments.composite import CompositeConfig, CompositeResult, WeightReport
    from .settings import Settings

composite_app = typer.Typer(help="综合指数模型 composite index: score, rank and classify stores "
                                 "or dealers", no_args_is_help=True)

ConfigArg = Annotated[str, typer.Argument(
    help="模型配置 YAML，或内置示例名 config file, or a built-in example: retail_stores")]
DataOpt = Annotated[Path | None, typer.Option(
    "--data", "-d", help="指标数据文件 indicator file (CSV / Excel / Parquet), for "
                         "data.source: file")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="计算日 YYYY-MM-DD (default: the day after the newest order)")]

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("{name} · 截至 {as_of} · {n} 个{entity} · {method}",
              "{name} · as of {as_of} · {n} {entity}s · {method}"),
    "title_file": ("{name} · {file} · {n} 个{entity} · {method}",
                   "{name} · {file} · {n} {entity}s · {method}"),
    "rank": ("排名", "rank"), "id": ("编号", "id"), "name": ("名称", "name"),
    "score": ("得分", "score"), "strengths": ("优势指标", "strengths"),
    "weak": ("短板", "weak point"), "shown": ("（显示前 {k} 个，共 {n} 个；--out 导出全部）",
                                              "(first {k} of {n}; --out exports all)"),
    "class": ("类别", "class"), "count": ("数量", "count"), "share": ("占比", "share"),
    "mean": ("平均得分", "mean score"), "advice": ("建议", "advice"),
    "written": ("已导出：{path}", "Written: {path}"),
    "group": ("分组", "group"), "indicator": ("指标", "indicator"),
    "direction": ("方向", "direction"), "weight": ("权重", "weight"),
    "in_group": ("组内权重", "in group"), "benefit": ("正向", "benefit"),
    "cost": ("逆向", "cost"), "matrix": ("判断矩阵", "matrix"),
    "weights_title": ("{name} · 指标权重 · {method}", "{name} · weights · {method}"),
    "total_cr": ("层次总排序 CR = {cr:.3f}", "whole hierarchy CR = {cr:.3f}"),
    "ok": ("通过", "ok"), "refused": ("不通过", "refused"),
}


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _config(ctx: typer.Context, name: str) -> CompositeConfig:
    """A config file, or the name of a shipped example (`retail_stores`)."""
    from .segments.composite import EXAMPLES, load_config

    path = Path(name)
    if not path.exists() and (EXAMPLES / f"{name}.yaml").exists():
        path = EXAMPLES / f"{name}.yaml"
    try:
        return load_config(path)
    except MemberlensError as e:
        raise fail(e, settings_of(ctx).language) from e


def _engine(cfg: CompositeConfig, settings: Settings, data: Path | None) -> Engine:
    """The warehouse, read-only, when the config reads it; else a scratch in-memory one."""
    from .engine import DuckDBEngine, open_engine
    from .errors import NotFound
    from .segments.composite.config import WarehouseData

    if isinstance(cfg.data, WarehouseData) and data is None:
        if not Path(settings.warehouse).exists():
            raise NotFound(f"数据仓库不存在 warehouse not found: {settings.warehouse} "
                           "(--warehouse FILE, or run memberlens demo)")
        return open_engine(settings, read_only=True)
    return DuckDBEngine(":memory:", settings=settings)


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MemberlensError(f"日期格式应为 YYYY-MM-DD; the date must be YYYY-MM-DD, got "
                              f"'{text}' (--as-of)") from None


@composite_app.command("score")
def score(
    ctx: typer.Context,
    config: ConfigArg,
    data: DataOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="导出 write all rows to FILE.csv or FILE.xlsx")] = None,
    as_of: AsOfOpt = None,
    limit: Annotated[int, typer.Option(help="显示行数 rows shown (0 = all)")] = 30,
) -> None:
    """计算综合指数 Score, rank and classify every store or dealer."""
    from .segments.composite import score_composite
    from .segments.composite.export import write_result

    settings = settings_of(ctx)
    lang = settings.language
    cfg = _config(ctx, config)
    try:
        day = _as_of(as_of)
        engine = _engine(cfg, settings, data)
        try:
            result = score_composite(cfg, engine, data=data, as_of=day)
        finally:
            engine.close()
        written = write_result(result, out, lang) if out else None
    except MemberlensError as e:
        raise fail(e, lang) from e
    _print_scores(result, lang, limit)
    for warning in result.warnings:
        console.print(f"[yellow]! {escape(warning)}[/]", highlight=False)
    if written:
        console.print(_t("written", lang, path=written.resolve()), highlight=False)


@composite_app.command("weights")
def weights(ctx: typer.Context, config: ConfigArg, data: DataOpt = None,
            as_of: AsOfOpt = None) -> None:
    """查看指标权重 Weights per indicator; for AHP λmax, CI, RI and CR of every matrix."""
    from .segments.composite import compute_weights

    settings = settings_of(ctx)
    lang = settings.language
    cfg = _config(ctx, config)
    try:
        day = _as_of(as_of)
        if cfg.weighting.method in ("entropy", "combined"):
            engine = _engine(cfg, settings, data)
            try:
                report = compute_weights(cfg, engine, data=data, as_of=day)
            finally:
                engine.close()
        else:
            report = compute_weights(cfg)
    except MemberlensError as e:
        raise fail(e, lang) from e
    _print_weights(cfg, report, lang)


def _method(cfg: CompositeConfig, report: WeightReport, lang: str) -> str:
    from .segments.composite.export import METHOD_LABELS

    zh, en = METHOD_LABELS[cfg.weighting.method]
    text = zh if lang == "zh" else en
    if report.total_cr is not None:
        text += f" (CR {report.total_cr:.3f})"
    return text


def _print_scores(result: CompositeResult, lang: str, limit: int) -> None:
    from .segments.composite.export import result_frame

    cfg = result.config
    frame = result_frame(result, lang)
    n = len(frame)
    kind = "title" if result.source == "warehouse" else "title_file"
    t = Table(title=escape(_t(kind, lang, name=cfg.label(lang), as_of=result.as_of, n=n,
                              file=Path(result.source).name,
                              entity=cfg.entity_zh if lang == "zh" else cfg.entity_en,
                              method=_method(cfg, result.weights, lang))),
              title_justify="left")
    t.add_column(_t("rank", lang), justify="right")
    t.add_column(_t("id", lang))
    t.add_column(_t("name", lang), overflow="fold")
    t.add_column(_t("score", lang), justify="right")
    for c in cfg.classifications:
        t.add_column(c.label(lang), overflow="fold")
    t.add_column(_t("strengths", lang), overflow="fold")
    t.add_column(_t("weak", lang), overflow="fold")
    shown = frame if limit <= 0 else frame.head(limit)
    for _, row in shown.iterrows():
        classes = [_class_text(c.key, str(row[c.key]), result, lang) for c in cfg.classifications]
        t.add_row(str(row["rank"]), str(row["entity_id"]), str(row["entity_label"]),
                  f"{row['score']:.1f}", *classes, str(row["strengths"]),
                  str(row["weaknesses"]))
    console.print(t)
    if len(shown) < n:
        console.print(_t("shown", lang, k=len(shown), n=n))
    for c in cfg.classifications:
        counts = result.class_counts(c.key, lang)
        labels = c.labels()
        s = Table(title=c.label(lang), title_justify="left")
        for key in ("class", "count", "share", "mean", "advice"):
            s.add_column(_t(key, lang), justify="right" if key in ("count", "share", "mean")
                         else "left", overflow="fold")
        for _, row in counts.iterrows():
            label = labels[row["code"]]
            advice = label.advice_zh if lang == "zh" else (label.advice_en or label.advice_zh)
            mean = "" if row["count"] == 0 else f"{row['mean_score']:.1f}"
            s.add_row(f"{row['code']} {row['label']}" if row["label"] != row["code"]
                      else str(row["code"]), str(row["count"]), f"{row['share']:.0%}", mean,
                      advice)
        console.print(s)


def _class_text(key: str, code: str, result: CompositeResult, lang: str) -> str:
    classification = next(c for c in result.config.classifications if c.key == key)
    label = classification.labels().get(code)
    text = label.label(lang) if label else ""
    return code if not text or text == code else f"{code} {text}"


def _print_weights(cfg: CompositeConfig, report: WeightReport, lang: str) -> None:
    groups = {g.key: g.label(lang) for g in cfg.groups}
    t = Table(title=_t("weights_title", lang, name=cfg.label(lang),
                       method=_method(cfg, report, lang)), title_justify="left")
    if cfg.groups:
        t.add_column(_t("group", lang))
    for key in ("indicator", "direction", "weight"):
        t.add_column(_t(key, lang), justify="right" if key == "weight" else "left")
    if cfg.groups:
        t.add_column(_t("in_group", lang), justify="right")
    if report.entropy is not None:
        t.add_column("e", justify="right")
        t.add_column("d = 1 − e", justify="right")
    for k, ind in enumerate(cfg.indicators):
        row = [f"{ind.label(lang)} ({ind.key})", _t(ind.direction, lang),
               f"{report.weights[k]:.1%}"]
        if cfg.groups:
            group = ind.group or ""
            row = [f"{groups[group]} {report.group_weights.get(group, 0):.1%}", *row,
                   f"{report.local_weights.get(ind.key, 0):.1%}"]
        if report.entropy is not None:
            row += [f"{report.entropy.entropy[k]:.4f}", f"{report.entropy.divergence[k]:.4f}"]
        t.add_row(*row)
    console.print(t)
    for field, r in report.ahp.items():
        m = Table(title=f"{_t('matrix', lang)} {escape(field)}: λmax = {r.lambda_max:.4f}, "
                        f"CI = {r.ci:.4f}, RI = {r.ri:.2f}, CR = {r.cr:.4f} "
                        f"{_t('ok' if r.consistent else 'refused', lang)}",
                  title_justify="left")
        m.add_column("")
        for key in r.keys:
            m.add_column(key, justify="right")
        m.add_column(_t("weight", lang), justify="right")
        from .segments.composite.config import as_fraction

        for i, key in enumerate(r.keys):
            m.add_row(key, *(as_fraction(float(v)) for v in r.matrix[i]),
                      f"{r.weights[i]:.1%}")
        console.print(m)
    if cfg.groups and report.total_cr is not None and len(report.ahp) > 1:
        console.print(_t("total_cr", lang, cr=report.total_cr))
