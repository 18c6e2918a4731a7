"""`memberlens recommend run | member | similar`: serve top-N lists into the profile and
look at one member's list or the SKUs like one SKU.

Each command parses its options, calls one function of :mod:`memberlens.recommend`
and prints what it returned.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from .cli_common import console, settings_of, user_errors, warehouse
from .cli_recommend import recommend_app

if TYPE_CHECKING:
    import pandas as pd

    from .recommend.exclusions import ExclusionPolicy
    from .recommend.serving import ServingRun

_TEXT: dict[str, tuple[str, str]] = {
    "run": ("推荐已生成：{recommender}，每位会员 {k} 个，截至 {as_of}，耗时 {seconds} 秒",
            "Recommendations served: {recommender}, {k} per member, as of {as_of}, "
            "{seconds} s"),
    "members": ("会员数", "Members"), "served": ("获得推荐的会员", "Members served"),
    "personalised": ("个性化推荐会员", "Personalised"),
    "cold": ("冷启动（人群热销）占比", "Cold start (segment best sellers)"),
    "coverage": ("商品覆盖率", "Catalogue coverage"),
    "length": ("平均推荐数", "Mean list length"),
    "excluded": ("全体排除的商品", "SKUs excluded for everyone"),
    "repeat": ("可复购类目（已购仍推荐）", "Repeat categories (bought SKUs still offered)"),
    "version": ("模型版本", "Model version"), "none": ("无", "none"),
    "sku": ("商品编码", "SKU"), "rank": ("排名", "#"), "name": ("商品名称", "Name"),
    "category": ("类目", "Category"), "price": ("价格", "Price"), "stock": ("库存", "Stock"),
    "score": ("分数", "Score"), "reason": ("推荐理由", "Reason"),
    "similarity": ("相似度", "Similarity"),
    "stored": ("会员 {member} 的推荐（已保存，{version}，截至 {as_of}）",
               "Recommendations for {member} (stored, {version}, as of {as_of})"),
    "computed": ("会员 {member} 的推荐（即时计算：{version}，截至 {as_of}）",
                 "Recommendations for {member} (computed now: {version}, as of {as_of})"),
    "similar": ("与 {sku} {name} 相似的商品（{recommender}）",
                "SKUs like {sku} {name} ({recommender})"),
    "similar_stored": ("来源：已保存的相似商品表（{version}，{as_of}）",
                       "Source: stored similar-SKU table ({version}, {as_of})"),
    "similar_computed": ("来源：即时计算（{version}，数据截至 {as_of}）",
                         "Source: computed now ({version}, data up to {as_of})"),
    "similar_written": ("相似商品表：{skus} 个商品 × 前 {depth} 个，共 {rows} 行，"
                        "耗时 {seconds} 秒",
                        "Similar-SKU table: {skus} SKUs × top {depth}, {rows} rows, "
                        "{seconds} s"),
    "similar_skipped": ("相似商品表未更新：{note}", "Similar-SKU table not stored: {note}"),
    "empty": ("没有可推荐的商品", "Nothing to recommend"),
    "tag_hint": ("已写入标签 recommended_skus、recommended_names、recommended_categories、"
                 "recommendation_source；例如：memberlens segments count "
                 "'recommended_skus contains \"{sku}\"'",
                 "Written to the tags recommended_skus, recommended_names, "
                 "recommended_categories, recommendation_source; e.g. memberlens segments "
                 "count 'recommended_skus contains \"{sku}\"'"),
    "out_of_stock": ("缺货", "out of stock"), "unlaunched": ("未上市", "not launched"),
    "category_rule": ("类目过滤", "category filter"), "brand": ("品牌过滤", "brand filter"),
    "sku_rule": ("指定商品", "listed SKUs"),
}
_REASON_KEYS = {"category": "category_rule", "sku": "sku_rule"}


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _policy(path: Path | None, categories: list[str] | None, brands: list[str] | None,
            skus: list[str] | None, keep_bought: bool) -> ExclusionPolicy:
    from .recommend.exclusions import ExclusionPolicy

    base = ExclusionPolicy.from_yaml(path) if path else ExclusionPolicy()
    split = [[v.strip() for item in values or [] for v in item.split(",") if v.strip()]
             for values in (categories, brands, skus)]
    return base.merged(exclude_categories=split[0], exclude_brands=split[1],
                       exclude_skus=split[2], exclude_bought=False if keep_bought else None)


@recommend_app.command("run")
def run(
    ctx: typer.Context,
    recommender: Annotated[str, typer.Option(
        help="推荐算法 recommender: itemcf | als | bpr | content | popularity")] = "itemcf",
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=100,
                                   help="每位会员推荐数 SKUs per member")] = 10,
    exclude_category: Annotated[list[str] | None, typer.Option(
        "--exclude-category", help="不推荐的类目（任一级，可重复或逗号分隔） category never "
                                   "recommended (any level; repeatable)")] = None,
    exclude_brand: Annotated[list[str] | None, typer.Option(
        "--exclude-brand", help="不推荐的品牌 brand never recommended")] = None,
    exclude_sku: Annotated[list[str] | None, typer.Option(
        "--exclude-sku", help="不推荐的商品 SKU never recommended")] = None,
    policy: Annotated[Path | None, typer.Option(
        "--policy", exists=True, dir_okay=False,
        help="排除规则 YAML exclusion policy file (see decision 0019)")] = None,
    keep_bought: Annotated[bool, typer.Option(
        "--keep-bought", help="已购商品也可推荐 offer already-bought SKUs too")] = False,
    window_days: Annotated[int | None, typer.Option(
        min=1, help="只用最近 N 天的交互 train on the last N days only")] = None,
    segment_min_members: Annotated[int, typer.Option(
        min=1, help="人群热销榜所需的最少会员数（冷启动按性别×年龄段） fewest members a "
                    "cold-start segment (gender × age band) needs for its own list")] = 30,
) -> None:
    """生成推荐 Fit on the warehouse, write each member's top-N to the profile."""
    from .recommend.serving import serve
    from .tags import load_catalog

    settings = settings_of(ctx)
    lang = settings.language
    with user_errors(lang):
        rules = _policy(policy, exclude_category, exclude_brand, exclude_sku, keep_bought)
        catalog = load_catalog(settings.tag_dirs)
        with warehouse(settings) as engine:
            with console.status("recommend …"):
                result = serve(engine, recommender=recommender, k=k, policy=rules,
                               window_days=window_days, catalog=catalog,
                               segment_min_members=segment_min_members)
    _print_run(result, recommender, k, lang)


def _print_run(result: ServingRun, recommender: str, k: int, lang: str) -> None:
    s = result.summary
    console.print(_t("run", lang, recommender=recommender, k=k, as_of=result.as_of,
                     seconds=s.seconds), style="bold", highlight=False)
    t = Table(show_header=False)
    t.add_column(style="bold")
    t.add_column(justify="right")
    t.add_row(_t("members", lang), f"{s.members:,}")
    t.add_row(_t("served", lang), f"{s.served:,}")
    t.add_row(_t("personalised", lang), f"{s.personalised:,}")
    t.add_row(_t("cold", lang), f"{s.cold_start:,} ({s.cold_start_share:.1%})")
    t.add_row(_t("coverage", lang), f"{s.skus_recommended:,} / {s.skus_available:,} "
                                    f"({s.coverage:.1%})")
    t.add_row(_t("length", lang), f"{s.mean_length:.1f}")
    excluded = "; ".join(f"{_t(_REASON_KEYS.get(r, r), lang)} {n:,}"
                         for r, n in s.excluded.items() if n)
    t.add_row(_t("excluded", lang), excluded or _t("none", lang))
    t.add_row(_t("repeat", lang), "、".join(s.repeat_categories) or _t("none", lang))
    t.add_row(_t("version", lang), result.model_version)
    console.print(t)
    if result.similar is not None:
        w = result.similar
        line = (_t("similar_skipped", lang, note=w.note_text(lang)) if w.note else
                _t("similar_written", lang, skus=f"{w.skus:,}", depth=w.depth,
                   rows=f"{w.rows:,}", seconds=w.seconds))
        console.print(line, highlight=False, soft_wrap=True)
    if len(result.frame) and result.refresh is not None:
        top = str(result.frame["sku"].value_counts().index[0])
        console.print(_t("tag_hint", lang, sku=top), highlight=False, soft_wrap=True)


def _money(value: object) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{float(str(value)):,.2f}"


def _cell(value: object) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else str(value)


def _products_table(frame: pd.DataFrame, lang: str, title: str, *,
                    score: str = "score", reasons: bool = True) -> Table:
    from .recommend.serving import reason_label

    t = Table(title=title, title_justify="left")
    for key in ("rank", "sku", "name", "category", "price", "stock", score,
                *(("reason",) if reasons else ())):
        t.add_column(_t(key, lang), overflow="fold",
                     justify="right" if key in ("rank", "price", "stock", score) else "left")
    for r in frame.to_dict("records"):
        row = [str(r["rank"]), str(r["sku"]), _cell(r["name"]), _cell(r["category"]),
               _money(r["price"]), _cell(r["stock"]),
               "—" if r["score"] is None or math.isnan(float(r["score"]))
               else f"{float(r['score']):.3f}"]
        if reasons:
            row.append(reason_label(str(r["reason"]), lang))
        t.add_row(*row)
    if not len(frame):
        t.caption = _t("empty", lang)
    return t


@recommend_app.command("member")
def member(
    ctx: typer.Context,
    member_id: Annotated[str, typer.Argument(metavar="ID", help="会员ID member id")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=100, help="显示数量 how many")] =
        10,
    recommender: Annotated[str | None, typer.Option(
        help="即时计算所用算法（默认读取已保存的推荐） compute now with this recommender "
             "(default: the stored list)")] = None,
) -> None:
    """会员推荐 A member's recommended SKUs with names, categories, prices and reasons."""
    from .recommend.lookups import member_recommendations

    settings = settings_of(ctx)
    lang = settings.language
    with user_errors(lang):
        with warehouse(settings) as engine:
            result = member_recommendations(engine, member_id, k=k, recommender=recommender)
    title = _t(result.source, lang, member=result.member_id, version=result.recommender,
               as_of=result.as_of)
    console.print(_products_table(result.frame, lang, title))


@recommend_app.command("similar")
def similar(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(metavar="SKU", help="商品编码 SKU")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=100, help="显示数量 how many")] =
        10,
    recommender: Annotated[str, typer.Option(
        help="相似度算法 similarity: itemcf | content | als | bpr")] = "itemcf",
) -> None:
    """相似商品 SKUs most like one SKU (bought by the same members, or alike)."""
    from .recommend.lookups import similar_list
    from .recommend.store import product_details

    settings = settings_of(ctx)
    lang = settings.language
    with user_errors(lang):
        with warehouse(settings) as engine:
            found = similar_list(engine, sku, k=k, recommender=recommender)
            name = product_details(engine, [sku])["name"].iloc[0]
    title = _t("similar", lang, sku=sku, name=_cell(name), recommender=recommender)
    console.print(_products_table(found.frame, lang, title, score="similarity",
                                  reasons=False))
    console.print(_t(f"similar_{found.source}", lang, version=found.recommender,
                     as_of=found.as_of), highlight=False, soft_wrap=True)
