"""The clustering section of the report: only with a cluster run; charts, table, headline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report_html import embedded_payload, parse, visible_text

from memberlens.reports import (
    ClusterFeature,
    ClusterRow,
    ClusterSearchRow,
    ClusterSection,
    ClusterTag,
    ReportData,
    render_report,
    report_html,
)
from memberlens.reports.cluster_view import cluster_payload
from memberlens.reports.headless import chart_status, render_dom
from memberlens.reports.labels import UI_TEXT

FEATURES = [("spend_total", "累计消费金额", "Spend in total"),
            ("days_since_last_purchase", "距上次购买天数", "Days since last purchase"),
            ("price_sensitivity", "价格敏感度", "Price sensitivity")]
CLUSTERS = [
    # id, zh, en, members, share, revenue share, z per feature
    (1, "低价值·久未购买", "Low-value · Lapsed", 5_000, 0.5, 0.2, [-0.8, 1.1, 0.0]),
    (2, "高价值·近期活跃", "High-value · Recently active", 3_000, 0.3, 0.7, [1.6, -1.2, -0.3]),
    (3, "价格敏感", "Deal-seeking", 2_000, 0.2, 0.1, [0.1, -0.2, 2.4]),
]


def make_section(silhouette: float | None = 0.31) -> ClusterSection:
    return ClusterSection(
        run_id=7, method="kmeans", as_of="2024-12-31", population="buyers", members=10_000,
        k=3, auto_k=True, silhouette=silhouette,
        features=[ClusterFeature(key=k, label_zh=zh, label_en=en) for k, zh, en in FEATURES],
        search=[ClusterSearchRow(k=k, silhouette=s, inertia=i) for k, s, i in
                [(3, silhouette, 9_000.0), (4, 0.27, 7_500.0), (5, None, 7_000.0)]],
        clusters=[ClusterRow(cluster_id=i, name_zh=zh, name_en=en, description_zh=f"{zh}的说明",
                             description_en=f"About {en}", members=n, member_share=share,
                             revenue=rev * 1e6, revenue_share=rev, z=z,
                             tags=[ClusterTag(label_zh="活跃状态", label_en="Activity status",
                                              value_zh="流失", value_en="Churned", share=0.9,
                                              lift=2.5)] if i == 1 else [])
                  for i, zh, en, n, share, rev, z in CLUSTERS])


@pytest.fixture(scope="module")
def clustered(report_data: ReportData) -> ReportData:
    return report_data.model_copy(update={"clusters": make_section()})


def test_no_section_without_a_cluster_run(report_data: ReportData) -> None:
    html = report_html(report_data)
    assert "clusters" not in [a.get("id") for _, a in parse(html).tags]
    assert UI_TEXT["zh"]["cluster_title"] not in visible_text(html)


def test_section_charts_table_and_headline(clustered: ReportData) -> None:
    html = report_html(clustered)
    names = [a.get("data-chart") for _, a in parse(html).tags if "data-chart" in a]
    assert {"cluster_k", "cluster_sizes", "cluster_profile"} <= {str(n) for n in names}
    text = visible_text(html)
    assert "会员聚类：画像与命名" in text
    # the cluster bringing the most revenue is the one the headline names
    assert ("K-Means 聚类将 10,000 位购买会员分为 3 类（轮廓系数 0.31）；“高价值·近期活跃”"
            "占会员 30.0%，贡献 70.0% 销售额") in text
    for _, zh, _, members, _, _, _ in CLUSTERS:
        assert zh in text and f"{members:,}" in text
    assert "距上次购买天数 +1.1" in text and "价格敏感度 +2.4" in text
    assert "活跃状态：流失 · 90%，总体的 2.5 倍" in text


def test_payload(clustered: ReportData) -> None:
    d = embedded_payload(report_html(clustered))["clusters"]
    assert isinstance(d, dict)
    assert d["ks"] == [3, 4, 5] and d["silhouette"] == [0.31, 0.27, None] and d["chosen"] == 3
    assert d["names"] == ["1. 低价值·久未购买", "2. 高价值·近期活跃", "3. 价格敏感"]
    assert d["revenue_share"] == [0.2, 0.7, 0.1]
    # one heatmap cell per cluster and feature: [feature, cluster, z]
    assert len(d["cells"]) == 9 and [2, 2, 2.4] in d["cells"] and [0, 1, 1.6] in d["cells"]
    assert d["z_max"] == 2.4
    assert cluster_payload(None, "zh")["cells"] == []


def test_english_section(clustered: ReportData) -> None:
    html = report_html(clustered, lang="en")
    text = visible_text(html)
    assert "Member clusters: profiles and names" in text
    assert "K-Means split 10,000 buyers into 3 clusters (silhouette 0.31)" in text
    assert "High-value · Recently active" in text and "Activity status: Churned" in text
    shown = text + json.dumps(embedded_payload(html), ensure_ascii=False)
    leftovers = [zh for key, zh in UI_TEXT["zh"].items()
                 if key.startswith(("cluster", "col_")) and zh in shown]
    assert leftovers == []
    assert not any(zh in shown for _, zh, *_ in CLUSTERS)


def test_undefined_silhouette(report_data: ReportData) -> None:
    data = report_data.model_copy(update={"clusters": make_section(silhouette=None)})
    assert "（轮廓系数 —）" in visible_text(report_html(data))


@pytest.mark.browser
def test_cluster_charts_draw_in_chromium(chromium: str, clustered: ReportData,
                                         tmp_path: Path) -> None:
    out = render_report(clustered, tmp_path / "report.html")
    charts = chart_status(render_dom(out, browser=chromium))
    for name in ("cluster_k", "cluster_sizes", "cluster_profile"):
        assert charts[name].rendered == "true", name
        assert charts[name].drawings >= 1, name
    assert "2. 高价值·近期活跃" in charts["cluster_sizes"].text
    assert "价格敏感度" in charts["cluster_profile"].text and "2.4" in charts[
        "cluster_profile"].text
    assert all(c.rendered == "true" for c in charts.values())
