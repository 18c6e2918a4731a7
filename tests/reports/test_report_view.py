"""Formatting, curve thinning, labels and the DOM scanner: the pure parts of the report."""

from __future__ import annotations

import math

import pytest

from memberlens.reports import REASON_LABELS, ParetoPoint, ReportData, reason_label
from memberlens.reports.headless import chart_status
from memberlens.reports.labels import UI_TEXT
from memberlens.reports.report_view import (
    MAX_PARETO_POINTS,
    chart_payload,
    cleaning_rows,
    fmt_int,
    fmt_money,
    fmt_pct,
    headline_pct,
    kpis,
    pareto_headline_text,
    thin_pareto,
)

REASON_CODES = [
    "missing_required", "invalid_timestamp", "invalid_amount", "negative_amount",
    "absurd_amount", "invalid_phone", "invalid_email", "duplicate_row", "duplicate_key",
    "outlier_amount", "out_of_range", "invalid_value", "future_timestamp",
]  # fmt: skip


def test_number_formats() -> None:
    assert fmt_int(1234567) == "1,234,567"
    assert fmt_money(1234567.891) == "¥1,234,567.89"
    assert fmt_money(10_523_970.4, 0) == "¥10,523,970"
    assert fmt_pct(0.7412) == "74.1%"
    assert fmt_pct(float("nan")) == "—"
    assert fmt_money(math.inf) == "—"


@pytest.mark.parametrize(
    ("share", "text"), [(0.2, "20%"), (0.74, "74%"), (0.733, "73.3%"), (0.7449, "74.5%")]
)
def test_headline_pct(share: float, text: str) -> None:
    assert headline_pct(share) == text


def test_headline_sentence(report_data: ReportData) -> None:
    data = report_data.model_copy(update={"pareto_headline": (0.2, 0.74)})
    assert pareto_headline_text(data, "zh") == "前 20% 会员贡献 74% 销售额"
    assert pareto_headline_text(data, "en") == "Top 20% of members bring 74% of revenue"


def test_every_known_reason_has_both_labels() -> None:
    assert set(REASON_CODES) <= set(REASON_LABELS)
    for code in REASON_CODES:
        assert reason_label(code, "zh") != code
        assert reason_label(code, "en") != code
    assert reason_label("not_a_rule", "zh") == "not_a_rule"


def test_both_languages_have_the_same_keys() -> None:
    assert UI_TEXT["zh"].keys() == UI_TEXT["en"].keys()


def test_thin_pareto_keeps_ends_and_limits_points() -> None:
    n = 10_000
    points = [
        ParetoPoint(member_share=i / n, revenue_share=math.sqrt(i / n)) for i in range(1, n + 1)
    ]
    thin = thin_pareto(list(reversed(points)))
    assert len(thin) <= MAX_PARETO_POINTS
    assert (thin[0].member_share, thin[0].revenue_share) == (0.0, 0.0)
    assert (thin[-1].member_share, thin[-1].revenue_share) == (1.0, 1.0)
    shares = [p.member_share for p in thin]
    assert shares == sorted(shares)


def test_payload_shapes(report_data: ReportData) -> None:
    payload = chart_payload(report_data, "zh")
    assert payload["rfm"]["labels"][0] == "重要价值客户"
    assert len(payload["pareto"]["points"]) <= MAX_PARETO_POINTS
    assert payload["pareto"]["points"][0] == [0.0, 0.0]
    reasons = payload["cleaning"]["reasons"]
    totals = [sum(r["counts"]) for r in reasons]
    assert totals == sorted(totals, reverse=True)  # largest reason first
    assert all(len(r["counts"]) == len(report_data.cleaning) for r in reasons)


def test_kpis_and_cleaning_rows(report_data: ReportData) -> None:
    cards = {k.key: k for k in kpis(report_data, "zh")}
    assert list(cards) == ["members", "buyers", "orders", "revenue", "period"]
    assert cards["buyers"].note == f"占会员 {fmt_pct(9876 / 12480)}"
    rows = cleaning_rows(report_data, "zh")
    assert rows[0]["rows_in"] == "12,630"
    chips = rows[1]["reasons"]
    assert chips[0].label == reason_label("duplicate_row", "zh") and chips[0].count == "115"


def test_chart_status_reads_a_dumped_dom() -> None:
    dom = (
        '<div data-chart="rfm" data-rendered="true"><div><svg><text>重要价值客户</text>'
        '<path d="M0"></path></svg></div><br></div>'
        '<div data-chart="pareto"></div><p>after</p>'
    )
    status = chart_status(dom)
    assert status["rfm"].rendered == "true"
    assert status["rfm"].drawings == 1
    assert status["rfm"].text == ["重要价值客户"]
    assert status["pareto"].rendered is None and status["pareto"].drawings == 0
    assert "after" not in status["pareto"].text
