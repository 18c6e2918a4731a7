"""`memberlens recommend rules | together | bundles`: association rules, what sells with
one SKU, and bundle suggestions per segment.

Each command parses its options, calls one function of :mod:`memberlens.recommend`
(association, together, bundles) and prints what it returned, product names beside SKUs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from .cli_common import console, settings_of, user_errors, warehouse
from .cli_recommend import recommend_app

if TYPE_CHECKING:
    import pandas as pd

    from .recommend.association import RuleSet

_TEXT: dict[str, tuple[str, str]] = {
    "rules": ("关联规则：{level}，{baskets} 个购物篮{segment}，最小支持度 {support:g}"
              "（≥ {count} 篮），引擎 {method}，耗时 {seconds} 秒",
              "Association rules: {level}, {baskets} baskets{segment}, min support "
              "{support:g} (≥ {count} baskets), engine {method}, {seconds} s"),
    "segment": ("，分群 {name}", ", segment {name}"),
    "sku": ("商品", "SKUs"), "category": ("类目", "categories"),
    "category_l1": ("一级类目", "top-level categories"),
    "rank": ("#", "#"), "if": ("购买了", "If bought"), "then": ("也会购买", "Then also"),
    "support": ("支持度", "Support"), "confidence": ("置信度", "Confidence"),
    "lift": ("提升度", "Lift"), "baskets": ("篮数", "Baskets"),
    "shown": ("显示前 {k} 条，共 {n} 条规则（按提升度）", "Top {k} of {n} rules (by lift)"),
    "none": ("没有满足条件的规则：可降低 --min-support / --min-confidence / --min-lift",
             "No rule meets the thresholds: lower --min-support / --min-confidence / "
             "--min-lift"),
    "written": ("已导出 {n} 条规则：{path}", "Wrote {n} rules to {path}"),
    "together": ("常与 {sku} {name} 一起购买（含它的购物篮 {n} 个）",
                 "Bought together with {sku} {name} ({n} baskets hold it)"),
    "other": ("商品编码", "SKU"), "name": ("商品名称", "Name"),
    "co": ("共同购买篮数", "Baskets together"),
    "alone": ("没有足够的共同购买（至少 {m} 个购物篮、提升度 > 1）",
              "Not bought together often enough (at least {m} baskets, lift > 1)"),
    "saved": ("已写入 sku_together：{skus} 个商品共 {rows} 行", "Saved sku_together: {rows} "
              "rows for {skus} SKUs"),
    "bundles": ("捆绑推荐（{by}，每个分群前 {top} 个，按期望价值 = 搭售率 × 搭配商品价格）",
                "Bundle suggestions ({by}, top {top} per segment, by expected value = attach "
                "rate × add-on price)"),
    "seg": ("分群", "Segment"), "anchor": ("主商品", "Anchor"), "addons": ("搭配", "Add-ons"),
    "attach": ("搭售率", "Attach rate"),
    "vs_all": ("相对全体", "vs all"), "price": ("套装价", "Bundle price"),
    "value": ("期望价值", "Expected value"),
    "no_bundles": ("没有满足条件的捆绑：可降低 --min-count", "No bundle qualifies: lower "
                   "--min-count"),
    "by_or_segment": ("请用 --by TAG 或 --segment NAME 指定分群", "Give segments with "
                      "--by TAG or --segment NAME"),
}


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD date must be YYYY-MM-DD: {text}"
                                 ) from None


def _items(items: Sequence[str], names: Mapping[str, str]) -> str:
    return "\n+ ".join(f"{i} {names[i]}" if i in names else i for i in items)


SinceOpt = Annotated[str | None, typer.Option(help="起始日（含） orders from YYYY-MM-DD")]
UntilOpt = Annotated[str | None, typer.Option(help="截止日（不含） orders before YYYY-MM-DD")]


@recommend_app.command("rules")
def rules(
    ctx: typer.Context,
    level: Annotated[str, typer.Option(help="粒度 level: sku | category | category_l1")] =
        "sku",
    min_support: Annotated[float, typer.Option(help="最小支持度 min share of baskets")] = 0.001,
    min_confidence: Annotated[float, typer.Option(help="最小置信度 min confidence")] = 0.0,
    min_lift: Annotated[float, typer.Option(help="最小提升度 min lift")] = 1.0,
    max_len: Annotated[int, typer.Option(help="项集最多商品数 most items in a rule")] = 3,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="显示条数 rules shown")] = 20,
    segment: Annotated[str | None, typer.Option(
        help="分群名或人群表达式 saved segment or audience expression")] = None,
    engine_name: Annotated[str, typer.Option(
        "--engine", help="计算引擎 auto | mlxtend | duckdb")] = "auto",
    since: SinceOpt = None,
    until: UntilOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="导出全部规则 write every rule to FILE.csv")] = None,
) -> None:
    """关联规则 Frequent itemsets and rules (support, confidence, lift) over baskets."""
    from .recommend.association import RuleParams, mine_rules, rules_export
    from .recommend.baskets import RulesError, sku_names
    from .tags import load_catalog

    settings = settings_of(ctx)
    lang = settings.language
    with user_errors(lang):
        if out is not None and out.suffix.lower() != ".csv":
            raise RulesError(f"输出文件应为 .csv the output must be .csv, got '{out.name}'")
        params = RuleParams(min_support=min_support, min_confidence=min_confidence,
                            min_lift=min_lift, max_len=max_len,
                            method=engine_name)  # type: ignore[arg-type]
        with warehouse(settings) as engine:
            with console.status("rules …"):
                result = mine_rules(engine, params, level=level,  # type: ignore[arg-type]
                                    since=_day(since), until=_day(until), segment=segment,
                                    catalog=load_catalog(settings.tag_dirs)
                                    if segment else None)
            every = sorted({i for col in ("antecedent", "consequent")
                            for t in result.rules[col] for i in t})
            names = sku_names(engine, every) if level == "sku" else {}
    _print_rules(result, names, top, lang, min_support)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        rules_export(result, names).to_csv(out, index=False, encoding="utf-8-sig")
        console.print(_t("written", lang, n=len(result.rules), path=out), highlight=False)


def _print_rules(result: RuleSet, names: Mapping[str, str], top: int, lang: str,
                 support: float) -> None:
    seg = _t("segment", lang, name=result.segment) if result.segment else ""
    console.print(_t("rules", lang, level=_t(result.level, lang), baskets=f"{result.n_baskets:,}",
                     segment=seg, support=support, count=result.min_count,
                     method=result.method, seconds=result.seconds),
                  style="bold", highlight=False)
    if result.rules.empty:
        console.print(_t("none", lang))
        return
    t = Table(caption=_t("shown", lang, k=min(top, len(result.rules)), n=len(result.rules)),
              caption_justify="left", show_lines=True)
    for key in ("rank", "if", "then", "support", "confidence", "lift", "baskets"):
        t.add_column(_t(key, lang), overflow="fold",
                     justify="left" if key in ("if", "then") else "right")
    for i, r in enumerate(result.rules.head(top).to_dict("records"), start=1):
        t.add_row(str(i), _items(r["antecedent"], names), _items(r["consequent"], names),
                  f"{r['support']:.2%}", f"{r['confidence']:.1%}", f"{r['lift']:.2f}",
                  f"{r['count']:,}")
    console.print(t)


@recommend_app.command("together")
def together(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(metavar="SKU", help="商品编码 SKU")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=100, help="显示数量 how many")] =
        10,
    min_count: Annotated[int, typer.Option(
        min=1, help="至少共同出现的购物篮数 least baskets shared")] = 3,
    since: SinceOpt = None,
    until: UntilOpt = None,
    save: Annotated[bool, typer.Option(
        "--save", help="为所有商品计算并写入 sku_together 表 compute every SKU's list and "
                       "store it in sku_together")] = False,
) -> None:
    """常一起购买 The SKUs most often bought together with SKU (confidence, then lift)."""
    from .recommend.baskets import sku_names
    from .recommend.together import bought_together, sku_baskets, together_table

    settings = settings_of(ctx)
    lang = settings.language
    with user_errors(lang):
        with warehouse(settings) as engine:
            stored = None
            if save:
                with console.status("together …"):
                    stored = together_table(engine, k, min_count=min_count,
                                            since=_day(since), until=_day(until), write=True)
            frame = bought_together(engine, sku, k, min_count=min_count, since=_day(since),
                                    until=_day(until))
            anchor = sku_baskets(engine, sku, since=_day(since), until=_day(until))
            names = sku_names(engine, [sku, *frame["other_sku"]])
    if stored is not None:
        console.print(_t("saved", lang, rows=f"{len(stored):,}",
                         skus=f"{stored['sku'].nunique():,}"), highlight=False)
    _print_together(frame, sku, names, anchor, min_count, lang)


def _print_together(frame: pd.DataFrame, sku: str, names: Mapping[str, str], anchor: int,
                    min_count: int, lang: str) -> None:
    t = Table(title=_t("together", lang, sku=sku, name=names.get(sku, ""), n=f"{anchor:,}"),
              title_justify="left")
    for key in ("rank", "other", "name", "co", "confidence", "lift"):
        t.add_column(_t(key, lang), overflow="fold",
                     justify="left" if key in ("other", "name") else "right")
    for r in frame.to_dict("records"):
        t.add_row(str(r["rank"]), str(r["other_sku"]), names.get(str(r["other_sku"]), "—"),
                  f"{r['co_count']:,}", f"{r['confidence']:.1%}", f"{r['lift']:.2f}")
    if frame.empty:
        t.caption = _t("alone", lang, m=min_count)
    console.print(t)


@recommend_app.command("bundles")
def bundles(
    ctx: typer.Context,
    by: Annotated[str | None, typer.Option(
        "--by", help="按标签分群 split members by a tag: rfm_class, member_tier, "
                     "cluster_name …")] = None,
    segment: Annotated[list[str] | None, typer.Option(
        help="分群名或人群表达式（可重复） saved segment or expression (repeatable)")] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="每个分群的捆绑数 bundles "
                                                                "per segment")] = 3,
    size: Annotated[int, typer.Option(min=2, max=3, help="捆绑商品数上限 most items in a "
                                                         "bundle")] = 3,
    min_count: Annotated[int, typer.Option(
        min=1, help="分群内至少同时购买的篮数 least segment baskets holding the bundle")] = 5,
    level: Annotated[str, typer.Option(help="粒度 level: sku | category | category_l1")] =
        "sku",
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """捆绑推荐 Best 2–3 item bundles per segment with their expected attach rate."""
    from .recommend.baskets import RulesError, sku_names
    from .recommend.bundles import BundleParams, bundles_by_tag, bundles_for_segments
    from .tags import load_catalog

    settings = settings_of(ctx)
    lang = settings.language
    with user_errors(lang):
        if not by and not segment:
            raise RulesError(_t("by_or_segment", "zh") + " / " + _t("by_or_segment", "en"))
        params = BundleParams(top=top, max_size=size, min_count=min_count,
                              level=level)  # type: ignore[arg-type]
        with warehouse(settings) as engine:
            with console.status("bundles …"):
                if by:
                    frame = bundles_by_tag(engine, by, params, since=_day(since),
                                           until=_day(until))
                else:
                    frame = bundles_for_segments(engine, segment or [], params,
                                                 catalog=load_catalog(settings.tag_dirs),
                                                 since=_day(since), until=_day(until))
            every = sorted({i for t in frame["items"] for i in t})
            names = sku_names(engine, every) if level == "sku" else {}
    _print_bundles(frame, names, by or ", ".join(segment or []), top, lang)


def _print_bundles(frame: pd.DataFrame, names: Mapping[str, str], by: str, top: int,
                   lang: str) -> None:
    t = Table(title=_t("bundles", lang, by=by, top=top), title_justify="left",
              show_lines=True)
    for key in ("seg", "rank", "anchor", "addons", "attach", "lift", "vs_all", "price",
                "value"):
        t.add_column(_t(key, lang), overflow="fold",
                     justify="left" if key in ("seg", "anchor", "addons") else "right")
    for r in frame.to_dict("records"):
        t.add_row(str(r["segment"]), str(r["rank"]), _items([r["anchor"]], names),
                  _items(r["addons"], names),
                  f"{r['attach_rate']:.1%}\n({r['bundle_baskets']:,}/{r['anchor_baskets']:,})",
                  f"{r['lift']:.2f}", f"×{r['lift_vs_all']:.2f}",
                  f"{r['bundle_price']:,.2f}", f"{r['expected_value']:,.2f}")
    if frame.empty:
        t.caption = _t("no_bundles", lang)
    console.print(t)
