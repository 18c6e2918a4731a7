"""The analysis sections without a browser: series shapes, shares, headlines, tables."""

from __future__ import annotations

import json

import pytest

from memberlens.reports import (
    ActivitySection,
    CohortRow,
    CohortSection,
    FunnelRow,
    FunnelSection,
    MigrationMatrix,
    ReportData,
    SnapshotCounts,
    StateLabel,
    TrendRow,
    report_html,
)
from memberlens.reports.analysis_view import (
    analysis_payload,
    analysis_text,
    funnel_rows,
    migration_payload,
    row_shares,
)

STATES = [StateLabel(key="活跃", label_zh="活跃", label_en="Active"),
          StateLabel(key="沉默", label_zh="沉默", label_en="Silent"),
          StateLabel(key="流失", label_zh="流失", label_en="Churned")]  # fmt: skip
# 活跃 row: 6 stay, 3 go silent, 1 churns → 60%, 30%, 10%; 沉默 row empty; new: 2 活跃.
MATRIX = MigrationMatrix(tag="activity_status", date_from="2024-11-01", date_to="2024-12-01",
                         states=STATES, counts=[[6, 3, 1], [0, 0, 0], [0, 1, 4]],
                         new=[2, 0, 0])


def _small(report_data: ReportData) -> ReportData:
    return report_data.model_copy(update={
        "trend": [TrendRow(month="2024-11", sales=1000.0, orders=4, buyers=3, new_buyers=1),
                  TrendRow(month="2024-12", sales=600.0, orders=4, buyers=2, new_buyers=0)],
        "activity": ActivitySection(states=STATES, migration=MATRIX, snapshots=[
            SnapshotCounts(as_of="2024-11-01", counts=[10, 0, 5]),
            SnapshotCounts(as_of="2024-12-01", counts=[8, 4, 5])]),
        "rfm_migration": None,
        "cohorts": CohortSection(through="2024-12", mean_shares=[0.5, 0.25], cohorts=[
            CohortRow(month="2024-11", members=4, buyers=[2, 1], shares=[0.5, 0.25]),
            CohortRow(month="2024-12", members=2, buyers=[1], shares=[0.5])]),
        "funnel": FunnelSection(
            start="2024-09-25", end="2024-12-24", days=7,
            total=FunnelRow(channel="", label_zh="全部渠道", label_en="All channels",
                            viewed=200, carted=50, ordered=20),
            channels=[FunnelRow(channel="app", label_zh="App", label_en="App", viewed=150,
                                carted=40, ordered=0)]),
    })


def test_row_shares_and_the_new_row() -> None:
    assert row_shares(MATRIX) == [[0.6, 0.3, 0.1], [None, None, None], [0.0, 0.2, 0.8]]
    payload = migration_payload(MATRIX, "en")
    assert payload["rows"] == ["Active", "Silent", "Churned", "New"]
    assert payload["cols"] == ["Active", "Silent", "Churned"]
    assert payload["counts"][-1] == [2, 0, 0]
    assert payload["shares"][-1] == [1.0, 0.0, 0.0]
    assert "2024-11-01" in payload["title"] and "2024-12-01" in payload["title"]
    no_new = migration_payload(MATRIX.model_copy(update={"new": [0, 0, 0]}), "zh")
    assert no_new["rows"] == ["活跃", "沉默", "流失"]


def test_payload_shapes(report_data: ReportData) -> None:
    p = analysis_payload(_small(report_data), "zh")
    assert p["trend"]["aov"] == [250.0, 150.0]
    assert p["trend"]["returning"] == [2, 2]
    activity = p["activity"]
    assert activity["dates"] == ["2024-11-01", "2024-12-01"]
    assert activity["states"][0]["counts"] == [10, 8]
    assert activity["states"][1]["shares"] == [0.0, pytest.approx(4 / 17)]
    assert p["rfm_migration"]["rows"] == []
    cohorts = p["cohorts"]
    assert cohorts["rows"] == ["2024-11（4 人）", "2024-12（2 人）", "加权平均"]
    assert cohorts["offsets"] == ["第 0 月", "第 1 月"]
    assert cohorts["shares"][-1] == [0.5, 0.25]
    assert p["funnel"]["channels"] == ["全部渠道", "App"]
    assert p["funnel"]["viewed"] == [200, 150]
    json.dumps(p, allow_nan=False)


def test_headlines(report_data: ReportData) -> None:
    """Trend: 8 orders for ¥1,600 → ¥200; returning buyers 2 + 2 of 5 buyers = 80%.

    Activity: 8 of 17 active on 2024-12-01 = 47.1%; 4 of the 10 active went silent or
    churned = 40%. Funnel: 20 of 200 viewers ordered = 10%.
    """
    text = analysis_text(_small(report_data), "zh")
    assert text["trend_headline"] == "近 2 个月客单价 ¥200.00，老客占购买会员 80.0%"
    assert text["activity_headline"] == ("2024-12-01：活跃会员 8（占 47.1%），上期活跃会员中 "
                                         "40.0% 转为沉默或流失")
    assert text["rfm_migration_headline"] == ""
    assert text["cohort_headline"] == "注册当月购买率 50.0%，次月 25.0%，第 3 个月 —"
    assert text["funnel_headline"] == "浏览后 7 天内下单的会员占 10.0%"
    assert "2024-09-25 至 2024-12-23" in text["funnel_desc"]  # the end is exclusive
    en = analysis_text(_small(report_data), "en")
    assert en["funnel_headline"] == "10.0% of viewers ordered within 7 days"


def test_rfm_headline(report_data: ReportData) -> None:
    """Classified members (rows with a class): 5 + 3 = 8, 5 + 2 stay → 87.5%.

    First purchases: the empty row's moves into a class, 4 + 1 = 5.
    """
    states = [StateLabel(key="重要价值客户", label_zh="重要价值客户", label_en="Important value"),
              StateLabel(key="一般发展客户", label_zh="一般发展客户", label_en="General dev"),
              StateLabel(key="", label_zh="未购买", label_en="No purchase")]
    m = MigrationMatrix(tag="rfm_class", date_from="2024-11-01", date_to="2024-12-01",
                        states=states, counts=[[5, 0, 0], [1, 2, 0], [4, 1, 9]], new=[0, 0, 3])
    text = analysis_text(report_data.model_copy(update={"rfm_migration": m}), "zh")
    assert text["rfm_migration_headline"] == ("2024-11-01 → 2024-12-01：87.5% 的会员保持原分类，"
                                              "5 位会员首次购买后进入分类")


def test_funnel_table(report_data: ReportData) -> None:
    rows = funnel_rows(_small(report_data), "en")
    assert [r["label"] for r in rows] == ["All channels", "App"]
    assert rows[0]["total"] == "1" and rows[1]["total"] == ""
    assert (rows[0]["view_to_cart"], rows[0]["cart_to_order"], rows[0]["view_to_order"]) == (
        "25.0%", "40.0%", "10.0%")
    assert rows[1]["cart_to_order"] == "0.0%"
    html = report_html(_small(report_data), lang="en")
    assert "View → cart" in html and "25.0%" in html


def test_empty_sections(empty_report_data: ReportData) -> None:
    p = analysis_payload(empty_report_data, "zh")
    assert p["trend"]["months"] == [] and p["activity"]["dates"] == []
    assert p["cohorts"]["rows"] == [] and p["funnel"]["channels"] == []
    text = analysis_text(empty_report_data, "zh")
    assert {k for k, v in text.items() if v} == {"funnel_desc"}
    assert funnel_rows(empty_report_data, "zh") == []
