"""The recommendation-quality section: labels, the grouped bar series, the table rows,
and the same section as a page of its own (``memberlens recommend evaluate --out``).

Like :mod:`model_view`, everything is shaped and formatted here so the page script only
draws; the section's words live here (``RECOMMEND_TEXT``) and travel in the payload.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from memberlens import __version__
from memberlens.reports.labels import UI_TEXT, Lang
from memberlens.reports.number_format import finite
from memberlens.reports.recommend_data import EvaluationRun, RecommendSection

METRICS = ("precision", "recall", "ndcg", "mrr", "hit_rate", "coverage")
PAGE_TEMPLATE = "recommend_page.html.j2"
PAGE_SCRIPTS = ("report.js", "recommend.js")

RECOMMENDER_LABELS: dict[str, tuple[str, str]] = {
    "popularity": ("热门商品", "Popularity"),
    "itemcf": ("商品协同过滤", "Item-based CF"),
    "als": ("矩阵分解 ALS", "ALS (implicit MF)"),
    "bpr": ("矩阵分解 BPR", "BPR"),
    "content": ("基于内容", "Content-based"),
}
DATASET_LABELS: dict[str, tuple[str, str]] = {
    "warehouse": ("本仓库数据", "this warehouse"),
    "movielens": ("公开数据 MovieLens（ml-latest-small）",
                  "public data: MovieLens (ml-latest-small)"),
}
SPLIT_LABELS: dict[str, tuple[str, str]] = {
    "time": ("按时间划分", "time split"),
    "random": ("按会员随机划分", "random per-member split"),
    "chrono": ("按会员时间划分", "per-member time split"),
    "leave_last_out": ("留出最后一次购买", "leave last purchase out"),
}

RECOMMEND_TEXT: dict[Lang, dict[str, str]] = {
    "zh": {
        "title": "推荐效果评估",
        "desc": "各推荐算法在同一份训练/测试划分上的离线效果：用划分点之前的数据训练，"
        "为每位会员推荐前 k 个商品，再看这些商品是否出现在会员之后的购买中。精确率为推荐中"
        "命中的比例，召回率为会员之后购买中被推荐到的比例，NDCG 与 MRR 兼顾命中的排名，"
        "命中率为至少命中一件的会员占比，覆盖率为出现在任一推荐列表中的商品占全部商品的比例。"
        "每列最好的数值加粗。",
        "run": "{dataset} · {split} · k={k}",
        "summary_time": "用 {cutoff} 之前的数据训练，以之后 {days} 天的购买检验；评估 "
        "{members} 位会员（{at}）",
        "summary_share": "每位会员留出 {share} 的商品作为测试；评估 {members} 位会员（{at}）",
        "summary": "评估 {members} 位会员（{at}）",
        "chart": "各推荐算法的离线指标",
        "recommender": "推荐算法", "precision": "精确率@{k}", "recall": "召回率@{k}",
        "ndcg": "NDCG@{k}", "mrr": "MRR@{k}", "hit_rate": "命中率@{k}", "coverage": "覆盖率",
        "fit_seconds": "训练秒数", "recommend_seconds": "推荐秒数",
        "page_title": "推荐效果评估", "generated_at": "生成时间",
    },
    "en": {
        "title": "Recommendation quality",
        "desc": "Every recommender on the same train/test split, offline: trained on the "
        "data before the split, each member gets a top-k list, which is checked against "
        "what the member took afterwards. Precision is the share of recommended SKUs that "
        "were hits, recall the share of the member's later SKUs that were recommended, "
        "NDCG and MRR also reward hits near the top, hit rate is the share of members with "
        "at least one hit, coverage the share of the catalogue shown in any list. The best "
        "value of each column is in bold.",
        "run": "{dataset} · {split} · k={k}",
        "summary_time": "Trained on data before {cutoff}; purchases in the following {days} "
        "days are the test; {members} members evaluated ({at})",
        "summary_share": "{share} of each member's SKUs held out as the test; {members} "
        "members evaluated ({at})",
        "summary": "{members} members evaluated ({at})",
        "chart": "Offline metrics per recommender",
        "recommender": "Recommender", "precision": "Precision@{k}", "recall": "Recall@{k}",
        "ndcg": "NDCG@{k}", "mrr": "MRR@{k}", "hit_rate": "Hit rate@{k}",
        "coverage": "Coverage", "fit_seconds": "Fit s", "recommend_seconds": "Recommend s",
        "page_title": "Recommendation quality", "generated_at": "Generated",
    },
}


def _label(table: dict[str, tuple[str, str]], key: str, lang: Lang) -> str:
    zh, en = table.get(key, (key, key))
    return zh if lang == "zh" else en


def recommender_label(name: str, lang: Lang) -> str:
    """'商品协同过滤' / 'Item-based CF'; an unknown name is shown as it is."""
    return _label(RECOMMENDER_LABELS, name, lang)


def metric_label(metric: str, k: int, lang: Lang) -> str:
    return RECOMMEND_TEXT[lang][metric].format(k=k)


def run_title(run: EvaluationRun, lang: Lang) -> str:
    return RECOMMEND_TEXT[lang]["run"].format(
        dataset=_label(DATASET_LABELS, run.dataset, lang),
        split=_label(SPLIT_LABELS, run.split, lang), k=run.k)


def run_summary(run: EvaluationRun, lang: Lang) -> str:
    t = RECOMMEND_TEXT[lang]
    members = f"{max((r.n_members for r in run.rows), default=0):,}"
    if run.cutoff and run.test_days:
        return t["summary_time"].format(cutoff=run.cutoff[:10], days=run.test_days,
                                        members=members, at=run.evaluated_at)
    if run.test_share:
        return t["summary_share"].format(share=f"{run.test_share:.0%}", members=members,
                                         at=run.evaluated_at)
    return t["summary"].format(members=members, at=run.evaluated_at)


def recommend_payload(section: RecommendSection | None, lang: Lang) -> dict[str, Any]:
    """Per run: metric labels (the x axis) and one series per recommender."""
    t = RECOMMEND_TEXT[lang]
    if section is None:
        return {"text": t, "runs": []}
    runs = [{
        "title": run_title(run, lang),
        "metrics": [metric_label(m, run.k, lang) for m in METRICS],
        "series": [{"name": recommender_label(r.recommender, lang),
                    "values": [finite(getattr(r, m)) for m in METRICS]} for r in run.rows],
    } for run in section.runs]
    return {"text": t, "runs": runs}


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None or value != value else f"{value:.{digits}f}"


def recommend_blocks(section: RecommendSection | None, lang: Lang) -> list[dict[str, Any]]:
    """Per run: title, summary, column headers and rows with the best cell marked."""
    if section is None:
        return []
    t = RECOMMEND_TEXT[lang]
    out = []
    for i, run in enumerate(section.runs):
        best = {m: max((v for r in run.rows if (v := getattr(r, m)) is not None
                        and v == v), default=None) for m in METRICS}
        rows = [{"name": recommender_label(r.recommender, lang), "key": r.recommender,
                 "cells": [{"text": _fmt(getattr(r, m)),
                            "best": getattr(r, m) is not None and best[m] is not None
                            and getattr(r, m) == best[m]} for m in METRICS]
                 + [{"text": _fmt(r.fit_seconds, 2), "best": False},
                    {"text": _fmt(r.recommend_seconds, 2), "best": False}]}
                for r in run.rows]
        out.append({"index": i, "title": run_title(run, lang),
                    "summary": run_summary(run, lang),
                    "headers": [t["recommender"], *(metric_label(m, run.k, lang)
                                                    for m in METRICS),
                                t["fit_seconds"], t["recommend_seconds"]],
                    "rows": rows})
    return out


def evaluation_page(section: RecommendSection, *, lang: str = "zh",
                    generated_at: str = "") -> str:
    """The section as one self-contained offline page (ECharts and scripts inlined)."""
    # the renderer imports this module for the report's section: import it late
    from memberlens.reports.html_report import _asset, _check_lang, _environment, inline_script

    language = _check_lang(lang)
    payload = {"lang": language, "text": UI_TEXT[language],
               "recommend": recommend_payload(section, language)}
    context = {
        "lang": language, "t": UI_TEXT[language], "rt": RECOMMEND_TEXT[language],
        "version": __version__, "generated_at": generated_at,
        "recommend_blocks": recommend_blocks(section, language), "payload": payload,
        "css": Markup(_asset("report.css")),  # noqa: S704 - trusted package asset
        "echarts_js": inline_script(_asset("echarts.min.js")),
        "report_js": inline_script("\n".join(_asset(name) for name in PAGE_SCRIPTS)),
    }
    return _environment().get_template(PAGE_TEMPLATE).render(context)
