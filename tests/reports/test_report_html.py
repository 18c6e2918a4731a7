"""The report HTML without a browser: self-contained, data embedded, labelled, escaped."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from memberlens.ingest import reason_label
from memberlens.reports import (
    CleaningRow,
    ReportData,
    ReportError,
    render_report,
    report_html,
)
from memberlens.reports.labels import UI_TEXT
from memberlens.reports.report_view import chart_payload

EVIL = "</script><script>alert(1)</script>"
CHART_NAMES = {"rfm", "pareto", "monthly", "cleaning", "trend", "activity",
               "activity_migration", "rfm_migration", "cohorts", "funnel"}


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def embedded_payload(html: str) -> dict[str, object]:
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S
    )
    assert match, "report data script not found"
    payload: dict[str, object] = json.loads(match.group(1))
    return payload


def visible_text(html: str) -> str:
    """Text outside <script> and <style>, with tags removed, as a reader would see it."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def html_zh(report_data: ReportData) -> str:
    return report_html(report_data)


def test_render_report_writes_file_and_creates_folders(
    report_data: ReportData, tmp_path: Path
) -> None:
    out = tmp_path / "nested" / "dir" / "report.html"
    result = render_report(report_data, out)
    assert result == out
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text == report_html(report_data)
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_no_external_resources(html_zh: str) -> None:
    for tag, attrs in parse(html_zh).tags:
        for name in ("src", "href", "data", "poster", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http://", "https://", "//")), (tag, name, value)
        assert tag not in ("link", "iframe", "img"), (
            f"unexpected <{tag}> in a self-contained report"
        )
    assert "@import" not in html_zh
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html_zh)


def test_echarts_and_page_script_are_inlined(html_zh: str) -> None:
    scripts = parse(html_zh).scripts
    assert len(scripts) == 3  # data, ECharts, page script
    assert 'version="6.1.0"' in scripts[1]
    assert len(scripts[1]) > 1_000_000
    assert "data-rendered" in scripts[2] and '"finished"' in scripts[2]


def test_every_chart_container_is_present(html_zh: str) -> None:
    names = [a.get("data-chart") for _, a in parse(html_zh).tags if "data-chart" in a]
    assert sorted(str(n) for n in names) == sorted(CHART_NAMES)


def test_data_is_embedded_as_json(report_data: ReportData, html_zh: str) -> None:
    payload = embedded_payload(html_zh)
    assert payload == json.loads(json.dumps(chart_payload(report_data, "zh")))
    monthly = payload["monthly"]
    assert isinstance(monthly, dict)
    assert len(monthly["months"]) == 24
    assert monthly["sales"][0] == report_data.monthly[0].sales


def test_chinese_labels_and_headline(report_data: ReportData) -> None:
    data = report_data.model_copy(update={"pareto_headline": (0.2, 0.74)})
    html = report_html(data)
    text = visible_text(html)
    assert '<html lang="zh-CN">' in html
    for label in ("重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户",
                  "一般价值客户", "一般发展客户", "一般保持客户", "一般挽留客户"):  # fmt: skip
        assert label in text
    assert "前 20% 会员贡献 74% 销售额" in text
    for heading in ("RFM 客户分层", "帕累托曲线", "月度销售额与活跃会员", "数据清洗摘要"):
        assert heading in text
    assert reason_label("invalid_phone", "zh") in text  # reason codes get Chinese labels
    assert reason_label("duplicate_row", "zh") in text
    assert "invalid_phone" not in text


def test_kpis_use_thousands_separators(report_data: ReportData, html_zh: str) -> None:
    text = visible_text(html_zh)
    assert f"¥{report_data.totals.revenue:,.0f}" in text
    assert f"{report_data.totals.members:,}" in text
    assert f"{report_data.totals.orders:,}" in text
    assert "2023-01-01 ~ 2024-12-31" in text


def test_english_variant(report_data: ReportData) -> None:
    html = report_html(report_data, lang="en")
    text = visible_text(html)
    assert '<html lang="en">' in html
    for words in ("RFM segments", "Pareto curve", "Monthly sales and active members",
                  "Data cleaning summary", "Important value", "Invalid phone number",
                  "Members", "Revenue"):  # fmt: skip
        assert words in text
    payload = embedded_payload(html)
    assert payload["lang"] == "en"
    # ECharts' own bundled Chinese locale is not ours to check, so look at page and data only.
    shown = text + json.dumps(payload, ensure_ascii=False)
    leftovers = [zh for key, zh in UI_TEXT["zh"].items() if key != "html_lang" and zh in shown]
    assert leftovers == []
    assert "重要价值客户" not in shown


def test_unknown_reason_code_is_shown_as_is(report_data: ReportData) -> None:
    row = report_data.cleaning[0].model_copy(update={"reasons": {"brand_new_rule": 3}})
    html = report_html(report_data.model_copy(update={"cleaning": [row]}))
    assert "brand_new_rule" in visible_text(html)


def test_script_breakout_in_file_name_is_escaped(report_data: ReportData) -> None:
    evil = CleaningRow(
        run_id=9, table="orders", file=EVIL, rows_in=1, loaded=0, rejected=1,
        duplicates=0, flagged=0, cleared=0, reasons={EVIL: 1},
    )  # fmt: skip
    data = report_data.model_copy(
        update={"cleaning": [*report_data.cleaning, evil], "title": "<b>报告</b>"}
    )
    html = report_html(data)
    assert EVIL not in html
    assert "<b>报告</b>" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html  # table cell
    assert "\\u003c/script\\u003e" in html  # JSON
    parsed = parse(html)
    assert len(parsed.scripts) == 3, "a script element was injected or closed early"
    payload = embedded_payload(html)
    cleaning = payload["cleaning"]
    assert isinstance(cleaning, dict)
    assert cleaning["files"][-1] == EVIL  # round-trips intact
    assert cleaning["reasons"][-1]["label"] == EVIL


def test_non_finite_numbers_do_not_break_json(report_data: ReportData) -> None:
    row = report_data.rfm[0].model_copy(update={"revenue_share": float("nan")})
    html = report_html(report_data.model_copy(update={"rfm": [row, *report_data.rfm[1:]]}))
    payload = embedded_payload(html)
    rfm = payload["rfm"]
    assert isinstance(rfm, dict)
    assert rfm["revenue_share"][0] is None
    assert "NaN" not in html.split('id="report-data">', 1)[1].split("</script>", 1)[0]


def test_empty_report_renders(empty_report_data: ReportData, tmp_path: Path) -> None:
    html = render_report(empty_report_data, tmp_path / "empty.html").read_text(encoding="utf-8")
    text = visible_text(html)
    assert "没有导入记录" in text
    assert "暂无数据" in text
    assert "nan" not in text.lower()
    assert " ~ " not in text


def test_unknown_language_is_rejected(report_data: ReportData, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="lang='fr'"):
        render_report(report_data, tmp_path / "r.html", lang="fr")
    assert not (tmp_path / "r.html").exists()


def test_unwritable_target_raises_report_error(report_data: ReportData, tmp_path: Path) -> None:
    target = tmp_path / "is_a_directory"
    target.mkdir()
    with pytest.raises(ReportError, match="cannot write report"):
        render_report(report_data, target)
    assert [p.name for p in tmp_path.iterdir()] == ["is_a_directory"]


def test_same_seed_same_report(report_data_factory: Callable[..., ReportData]) -> None:
    assert report_html(report_data_factory(seed=3)) == report_html(report_data_factory(seed=3))
