"""The predictive-models section: text, chart series and table rows from the contract.

Like :mod:`cluster_view`, everything is shaped and formatted here so the page script
only draws. Without models (``data.models is None``) the series are empty and the
template leaves the section out. The section's own text lives here (``MODEL_TEXT``)
to keep the shared label table short; the payload carries it to the script.
"""

from __future__ import annotations

from typing import Any

from memberlens.reports.labels import Lang
from memberlens.reports.model_data import Histogram, ModelSection, ModelSummary
from memberlens.reports.number_format import finite, fmt_int, fmt_money, fmt_pct

MODEL_TEXT: dict[Lang, dict[str, str]] = {
    "zh": {
        "title": "预测模型：流失、购买倾向与客户价值",
        "desc": "每个目标展示最新登记的模型在留出期（训练期之后、模型未见过的时间窗）的表现。"
        "提升图：按分数十分位（1 为分数最高的 10%）的正例率相对总体的倍数，折线为累计增益"
        "（前 N 个十分位覆盖了多少比例的正例）；校准图：预测概率与实际发生率（越靠近对角线越准）；"
        "特征重要性为模型总重要性中的占比。",
        "churn": "流失预测", "purchase": "购买倾向", "engagement": "互动倾向",
        "metrics": "留出期 {holdout}（{horizon} 天窗口）：ROC AUC {auc} · PR AUC {pr} · "
        "前10%提升 {lift} 倍 · 正例率 {rate} · {members} 名会员 · 算法 {algorithm}",
        "lift": "提升", "gain": "累计增益", "decile": "十分位",
        "lift_chart": "提升与增益（按分数十分位）", "calibration_chart": "校准曲线",
        "predicted": "预测概率", "observed": "实际发生率", "perfect": "完全校准",
        "importance_chart": "特征重要性（前15）", "share": "占比",
        "tiers": "流失风险分层与建议动作（最近一次评分 {as_of}）",
        "col_tier": "风险等级", "col_members": "会员数", "col_share": "占比",
        "col_mean_p": "平均流失概率", "col_action": "建议动作",
        "not_scored": "该模型尚未评分（memberlens models score churn）。",
        "clv_title": "客户终身价值（BG/NBD + Gamma-Gamma，评分日 {as_of}）",
        "clv_headline": "{members} 位购买会员预测未来12个月共消费 {total}，人均 {mean}（中位数 "
        "{median}）；平均存活概率 {alive}",
        "clv_chart": "预测12个月价值分布", "alive_chart": "存活概率分布",
        "members": "会员数",
    },
    "en": {
        "title": "Predictive models: churn, purchase propensity and customer value",
        "desc": "For each target, the newest registered model on its holdout (a window after "
        "training that the model never saw). Lift: the positive rate of each score decile "
        "(1 = the top 10 %) over the overall rate; the line is the cumulative gain (the share "
        "of all positives reached by the top deciles). Calibration: predicted probability "
        "against the observed rate (closer to the diagonal is better). Feature importance "
        "is each feature's share of the model's total.",
        "churn": "Churn", "purchase": "Purchase propensity", "engagement": "Engagement",
        "metrics": "Holdout {holdout} ({horizon}-day window): ROC AUC {auc} · PR AUC {pr} · "
        "top-decile lift {lift}× · positive rate {rate} · {members} members · {algorithm}",
        "lift": "Lift", "gain": "Cumulative gain", "decile": "Decile",
        "lift_chart": "Lift and gains by score decile", "calibration_chart": "Calibration",
        "predicted": "Predicted probability", "observed": "Observed rate",
        "perfect": "Perfect calibration",
        "importance_chart": "Feature importance (top 15)", "share": "Share",
        "tiers": "Churn risk tiers and suggested actions (latest scoring {as_of})",
        "col_tier": "Risk tier", "col_members": "Members", "col_share": "Share",
        "col_mean_p": "Mean churn probability", "col_action": "Suggested action",
        "not_scored": "This model has not scored members yet (memberlens models score churn).",
        "clv_title": "Customer lifetime value (BG/NBD + Gamma-Gamma, scored {as_of})",
        "clv_headline": "{members} buyers are expected to spend {total} in the next 12 months, "
        "{mean} each (median {median}); mean probability alive {alive}",
        "clv_chart": "Predicted 12-month value", "alive_chart": "Probability alive",
        "members": "Members",
    },
}


def _title(m: ModelSummary, lang: Lang) -> str:
    t = MODEL_TEXT[lang]
    return f"{t.get(m.target, m.target)} · {m.model}"


def _bins(h: Histogram, money: bool) -> list[str]:
    def edge(v: float) -> str:
        return f"{v:,.0f}" if money else f"{v:.2f}"
    return [f"{edge(a)}–{edge(b)}" for a, b in zip(h.edges[:-1], h.edges[1:], strict=True)]


def model_payload(section: ModelSection | None, lang: Lang) -> dict[str, Any]:
    """Series per model (lift, gains, calibration, importance) and the CLV histograms."""
    t = MODEL_TEXT[lang]
    if section is None:
        return {"text": t, "models": [], "clv": None}
    models = [{
        "title": _title(m, lang),
        "deciles": [d.decile for d in m.deciles],
        "lift": [finite(d.lift) for d in m.deciles],
        "gain": [finite(d.cumulative_gain) for d in m.deciles],
        "calibration": [[finite(c.predicted), finite(c.observed)] for c in m.calibration],
        "features": [r.label_zh if lang == "zh" else r.label_en for r in m.importance],
        "importance": [finite(r.share) for r in m.importance],
    } for m in section.models]
    clv = None
    if section.clv is not None:
        c = section.clv
        clv = {"clv_bins": _bins(c.clv_12m, True), "clv_counts": c.clv_12m.counts,
               "alive_bins": _bins(c.p_alive, False), "alive_counts": c.p_alive.counts}
    return {"text": t, "models": models, "clv": clv}


def model_blocks(section: ModelSection | None, lang: Lang) -> list[dict[str, Any]]:
    """Per model: title, the metrics line and the formatted tier rows."""
    if section is None:
        return []
    t = MODEL_TEXT[lang]
    out = []
    for i, m in enumerate(section.models):
        scored = sum(r.members for r in m.tiers)
        out.append({
            "index": i, "title": _title(m, lang), "churn": m.target == "churn",
            "metrics": t["metrics"].format(
                holdout=m.holdout_cutoff, horizon=m.horizon_days, auc=f"{m.roc_auc:.3f}",
                pr=f"{m.pr_auc:.3f}", lift=f"{m.top_decile_lift:.2f}",
                rate=fmt_pct(m.positive_rate), members=fmt_int(m.members),
                algorithm=m.algorithm),
            "tiers_title": t["tiers"].format(as_of=m.scored_as_of or ""),
            "tiers": [{"tier": r.tier, "label": r.label_zh if lang == "zh" else r.label_en,
                       "members": fmt_int(r.members),
                       "share": fmt_pct(r.members / scored if scored else None),
                       "mean_p": f"{r.mean_probability:.2f}",
                       "action": r.action_zh if lang == "zh" else r.action_en}
                      for r in m.tiers],
        })
    return out


def clv_headline(section: ModelSection | None, lang: Lang) -> dict[str, str] | None:
    """The CLV block's title and headline sentence."""
    if section is None or section.clv is None:
        return None
    t, c = MODEL_TEXT[lang], section.clv
    return {"title": t["clv_title"].format(as_of=c.as_of),
            "headline": t["clv_headline"].format(
                members=fmt_int(c.members), total=fmt_money(c.clv_total, 0),
                mean=fmt_money(c.clv_mean, 0), median=fmt_money(c.clv_median, 0),
                alive=fmt_pct(c.p_alive_mean))}
