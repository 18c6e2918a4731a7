"""The predictive-models section of the report: only with models; numbers as registered."""

from __future__ import annotations

import numpy as np
import pytest
from test_report_html import embedded_payload, parse, visible_text

from memberlens.models.report_section import feature_label, histogram
from memberlens.reports import ModelSection, ReportData, report_html
from memberlens.reports.model_data import (
    CalibrationPoint,
    ClvSummary,
    DecileRow,
    ImportanceRow,
    ModelSummary,
    TierRow,
)
from memberlens.reports.model_view import MODEL_TEXT, model_payload
from memberlens.tags import load_catalog

LIFTS = [2.4, 1.9, 1.5, 1.2, 1.0, 0.8, 0.6, 0.3, 0.2, 0.1]


def make_section() -> ModelSection:
    gains = list(np.cumsum(LIFTS) / sum(LIFTS))
    churn = ModelSummary(
        model_id="churn-lightgbm-20260101", model="churn", target="churn",
        algorithm="lightgbm", train_cutoff="2025-07-05", holdout_cutoff="2025-10-03",
        horizon_days=90, members=1234, positive_rate=0.41, roc_auc=0.8123, pr_auc=0.7011,
        top_decile_lift=2.4,
        deciles=[DecileRow(decile=i + 1, members=123, rate=0.41 * lift, lift=lift,
                           cumulative_gain=float(g))
                 for i, (lift, g) in enumerate(zip(LIFTS, gains, strict=True))],
        calibration=[CalibrationPoint(predicted=p, observed=p * 0.9) for p in (0.1, 0.5, 0.9)],
        importance=[ImportanceRow(feature=f"f{i}", label_zh=f"特征{i}", label_en=f"Feature {i}",
                                  share=0.5 / (i + 1)) for i in range(15)],
        tiers=[TierRow(tier=t, label_zh=zh, label_en=en, members=n, mean_probability=p,
                       action_zh=f"{zh}动作", action_en=f"{en} action")
               for t, zh, en, n, p in (("high", "高风险", "High risk", 200, 0.83),
                                       ("medium", "中风险", "Medium risk", 300, 0.52),
                                       ("low", "低风险", "Low risk", 500, 0.18))],
        scored_as_of="2026-01-01")
    clv = ClvSummary(as_of="2026-01-01", members=900, clv_total=1_234_567.0, clv_mean=1371.7,
                     clv_median=820.0, p_alive_mean=0.64,
                     clv_12m=histogram(np.array([0.0, 100.0, 5000.0])),
                     p_alive=histogram(np.array([0.2, 0.9]), upper=1.0))
    return ModelSection(models=[churn], clv=clv)


@pytest.fixture
def modelled(report_data: ReportData) -> ReportData:
    return report_data.model_copy(update={"models": make_section()})


def test_no_section_without_models(report_data: ReportData) -> None:
    html = report_html(report_data)
    assert "models" not in [a.get("id") for _, a in parse(html).tags]
    assert MODEL_TEXT["zh"]["title"] not in visible_text(html)


def test_section_metrics_tiers_and_charts(modelled: ReportData) -> None:
    html = report_html(modelled)
    charts = {str(a.get("data-chart")) for _, a in parse(html).tags if "data-chart" in a}
    assert {"model_lift_0", "model_calibration_0", "model_importance_0", "model_clv",
            "model_alive"} <= charts
    text = visible_text(html)
    assert ("留出期 2025-10-03（90 天窗口）：ROC AUC 0.812 · PR AUC 0.701 · 前10%提升 2.40 倍 · "
            "正例率 41.0% · 1,234 名会员 · 算法 lightgbm") in text
    assert "流失风险分层与建议动作（最近一次评分 2026-01-01）" in text
    assert "高风险" in text and "20.0%" in text and "0.83" in text and "高风险动作" in text
    assert "900 位购买会员预测未来12个月共消费" in text and "1,234,567" in text


def test_payload_numbers(modelled: ReportData) -> None:
    d = embedded_payload(report_html(modelled))["models"]
    assert isinstance(d, dict)
    m = d["models"][0]
    assert m["lift"] == LIFTS and m["gain"][-1] == pytest.approx(1.0)
    assert m["calibration"][1] == [0.5, 0.45]
    assert len(m["features"]) == 15 and m["features"][0] == "特征0"
    assert d["clv"]["clv_counts"][0] == 2 and sum(d["clv"]["alive_counts"]) == 2
    assert model_payload(None, "zh")["models"] == []


def test_english_and_feature_names(modelled: ReportData) -> None:
    text = visible_text(report_html(modelled, lang="en"))
    assert "Predictive models: churn, purchase propensity and customer value" in text
    assert "top-decile lift 2.40×" in text and "High risk action" in text
    catalog = load_catalog()
    key = next(t.key for t in catalog if t.type.value == "string" and t.values)
    value = catalog.get(key).values[0]
    assert feature_label(f"{key}={value}", catalog)[0] == f"{catalog.get(key).name.zh}={value}"
    assert feature_label("unknown_column", catalog) == ("unknown_column", "unknown_column")
