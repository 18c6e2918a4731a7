"""`memberlens recommend evaluate`: every recommender on one split, as a table and a chart.

Parses the options, calls :func:`memberlens.recommend.evaluation.evaluate_warehouse` (or
:func:`memberlens.recommend.public_data.evaluate_movielens` for the public dataset) and
prints what came back; the run is stored for the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.box import SIMPLE_HEAD
from rich.table import Table

from .cli_common import console, settings_of, user_errors, warehouse
from .cli_recommend import recommend_app

if TYPE_CHECKING:
    from .recommend.evaluation import EvaluationResult

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("推荐效果评估：{dataset} · {split} · k={k} · {members} 位会员",
              "Recommendation quality: {dataset} · {split} · k={k} · {members} members"),
    "warehouse": ("本仓库", "warehouse"), "movielens": ("MovieLens ml-latest-small",
                                                     "MovieLens ml-latest-small"),
    "cutoff": ("用 {cutoff} 之前的数据训练，以之后 {days} 天的购买检验",
               "Trained before {cutoff}; purchases in the following {days} days are the test"),
    "share": ("每位会员留出 {share} 的商品作为测试", "{share} of each member's SKUs held out"),
    "dropped": ("测试中剔除：已购 {seen}，新商品 {unknown}，无训练数据的会员 {cold}",
                "left out of the test: already taken {seen}, unknown SKUs {unknown}, members "
                "without training data {cold}"),
    "best": ("加粗 = 该列最佳", "bold = best in its column"),
    "recommender": ("推荐算法", "Recommender"), "precision": ("精确率", "Prec."),
    "recall": ("召回率", "Recall"), "ndcg": ("NDCG", "NDCG"), "mrr": ("MRR", "MRR"),
    "hit_rate": ("命中率", "Hit"), "coverage": ("覆盖率", "Cover."),
    "seconds": ("耗时秒", "Seconds"),
    "timing": ("耗时为训练/推荐秒数", "seconds: fit/recommend"),
    "published": ("已发表的数据（注意：数据集与划分不同，仅作量级参考）",
                  "Published figures (different dataset or split: orders of magnitude only)"),
    "source": ("来源", "Source"), "data": ("数据集", "Dataset"),
    "protocol": ("划分", "Protocol"), "algorithm": ("算法", "Algorithm"),
    "chart": ("图表已写入：{path}", "Chart written: {path}"),
    "stored": ("已保存为评估运行 #{run}（报告显示最新一次）",
               "Stored as evaluation run #{run} (the report shows the newest)"),
}
_SPLITS = ("time", "random", "chrono", "leave_last_out")
_FORMATS = ("table", "csv", "json")
_DATASETS = ("warehouse", "movielens")


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise typer.BadParameter(f"{option} 应为 {' | '.join(allowed)} / {option} must be "
                                 f"one of {', '.join(allowed)}")
    return value


@recommend_app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    split: Annotated[str, typer.Option(help="划分方式 split: time | random (also chrono, "
                                            "leave_last_out)")] = "time",
    test_days: Annotated[int, typer.Option(help="时间划分的测试期天数 days in the test "
                                                "period of the time split")] = 30,
    test_share: Annotated[float, typer.Option(help="随机划分每位会员留出的比例 share of each "
                                                   "member's SKUs held out")] = 0.25,
    k: Annotated[int, typer.Option("-k", "--k", help="推荐列表长度 list length k")] = 10,
    recommenders: Annotated[str, typer.Option(
        help="推荐算法（逗号分隔）recommenders, comma-separated")] =
        "popularity,itemcf,als,bpr,content",
    sample: Annotated[int | None, typer.Option(help="最多评估的会员数 evaluate at most N "
                                                    "members (seeded)")] = None,
    seed: Annotated[int, typer.Option(help="随机种子 random seed")] = 42,
    dataset: Annotated[str, typer.Option(help="数据 dataset: warehouse | movielens")] =
        "warehouse",
    out: Annotated[Path | None, typer.Option(help="图表文件 write the chart page (HTML) "
                                                  "here")] = None,
    fmt: Annotated[str, typer.Option("--format", help="输出格式 output: table | csv | "
                                                      "json")] = "table",
    store: Annotated[bool, typer.Option(help="保存结果供报告使用 keep the run for the "
                                             "report")] = True,
) -> None:
    """评估推荐效果 Evaluate every recommender on one split; table, chart, stored run."""
    from .recommend.evaluation import evaluate_warehouse
    from .recommend.evaluation_store import store_evaluation
    from .recommend.public_data import evaluate_movielens

    settings = settings_of(ctx)
    lang = settings.language
    _choice(split, _SPLITS, "--split")
    _choice(fmt, _FORMATS, "--format")
    _choice(dataset, _DATASETS, "--dataset")
    names = [n.strip() for n in recommenders.split(",") if n.strip()]
    with user_errors(lang):
        with warehouse(settings) as engine:
            with console.status("recommend evaluate …"):
                if dataset == "movielens":
                    result = evaluate_movielens(split=split, k=k, recommenders=names,
                                                test_share=test_share, random_state=seed,
                                                sample=sample)
                    if store:
                        result = store_evaluation(engine, result)
                else:
                    result = evaluate_warehouse(
                        engine, split=split, test_days=test_days, test_share=test_share,
                        k=k, recommenders=names, sample=sample, random_state=seed,
                        store=store)
        if out is not None:
            _write_chart(result, out, lang)
    _print(result, fmt, lang)
    if fmt == "table":
        if dataset == "movielens":
            console.print(_published_table(lang))
        if result.run_id is not None:
            console.print(_t("stored", lang, run=result.run_id), highlight=False)
        if out is not None:
            console.print(_t("chart", lang, path=out), highlight=False)


def _write_chart(result: EvaluationResult, out: Path, lang: str) -> None:
    from datetime import datetime

    from .recommend.evaluation_store import evaluation_run
    from .reports.recommend_data import RecommendSection
    from .reports.recommend_view import evaluation_page

    html = evaluation_page(RecommendSection(runs=[evaluation_run(result)]), lang=lang,
                           generated_at=datetime.now().strftime("%Y-%m-%d %H:%M"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")


def _print(result: EvaluationResult, fmt: str, lang: str) -> None:
    frame = result.frame
    if fmt == "csv":
        console.file.write(frame.to_csv(index=False))
        return
    if fmt == "json":
        console.print_json(json.dumps({
            "dataset": result.dataset, "split": result.split, "k": result.k,
            "run_id": result.run_id, "details": result.details,
            "results": json.loads(frame.to_json(orient="records"))}, default=str))
        return
    console.print(result_table(result, lang))


def result_table(result: EvaluationResult, lang: str) -> Table:
    """The Rich table: one row per recommender, the best value of each metric in bold.

    Metric names without "@k" (k is in the title) and the two timings in one column, so
    the table fits an 80-column terminal.
    """
    from .recommend.evaluation import METRIC_COLUMNS
    from .reports.recommend_view import SPLIT_LABELS, recommender_label

    zh = lang == "zh"
    frame, d = result.frame, result.details
    members = int(frame["n_members"].max()) if len(frame) else 0
    split = SPLIT_LABELS.get(result.split, (result.split, result.split))[0 if zh else 1]
    dataset = _t(result.dataset, lang) if result.dataset in _DATASETS else result.dataset
    t = Table(title=_t("title", lang, dataset=dataset, split=split, k=result.k,
                       members=f"{members:,}"), title_justify="left", box=SIMPLE_HEAD,
              collapse_padding=True, pad_edge=False)
    t.add_column(_t("recommender", lang), no_wrap=True)
    for m in METRIC_COLUMNS:
        t.add_column(_t(m, lang), justify="right", no_wrap=True)
    t.add_column(_t("seconds", lang), justify="right", no_wrap=True)
    best = {m: frame[m].max(skipna=True) for m in METRIC_COLUMNS}
    for rec in frame.to_dict("records"):
        cells = []
        for m in METRIC_COLUMNS:
            v = rec[m]
            cell = "—" if v != v else f"{v:.3f}"
            cells.append(f"[bold green]{cell}[/]" if v == best[m] else cell)
        t.add_row(recommender_label(str(rec["recommender"]), "zh" if zh else "en"), *cells,
                  f"{rec['fit_seconds']:.2f}/{rec['recommend_seconds']:.2f}")
    notes = [_t("best", lang), _t("timing", lang)]
    if d.get("cutoff") and d.get("test_days"):
        notes.insert(0, _t("cutoff", lang, cutoff=str(d["cutoff"])[:10], days=d["test_days"]))
    elif d.get("test_share"):
        notes.insert(0, _t("share", lang, share=f"{float(d['test_share']):.0%}"))
    if "dropped_seen" in d:
        notes.append(_t("dropped", lang, seen=f"{d['dropped_seen']:,}", unknown=
                        f"{d.get('dropped_unknown_sku', 0):,}",
                        cold=f"{d.get('dropped_cold_member', 0):,}"))
    t.caption = "；".join(notes) if zh else "; ".join(notes)
    t.caption_justify = "left"
    return t


def _published_table(lang: str) -> Table:
    from .recommend.public_data import published_frame

    t = Table(title=_t("published", lang), title_justify="left")
    for key in ("source", "data", "protocol", "algorithm"):
        t.add_column(_t(key, lang), overflow="fold")
    for col in ("Precision@10", "Recall@10", "NDCG@10"):
        t.add_column(col, justify="right")
    for r in published_frame().to_dict("records"):
        t.add_row(str(r["source"]), str(r["dataset"]), str(r["protocol"]),
                  str(r["algorithm"]), f"{r['precision']:.3f}", f"{r['recall']:.3f}",
                  f"{r['ndcg']:.3f}")
    return t
