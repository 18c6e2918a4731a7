"""The report in real headless Chromium: every chart draws, offline, in both languages.

Skips without Chromium unless ``MEMBERLENS_REQUIRE_BROWSER=1`` (CI), where it fails.
Set ``MEMBERLENS_SCREENSHOT_DIR`` to keep the screenshots for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
from pathlib import Path

import pytest

from memberlens.ingest import reason_label
from memberlens.reports import CleaningRow, ReportData, render_report
from memberlens.reports import html_report as html_report_module
from memberlens.reports.headless import ChartStatus, chart_status, render_dom, screenshot

pytestmark = pytest.mark.browser

CHART_NAMES = {"rfm", "pareto", "monthly", "cleaning", "trend", "activity",
               "activity_migration", "rfm_migration", "cohorts", "funnel"}
EVIL = "</script><script>alert(1)</script>"


def _banner(dom: str) -> str:
    match = re.search(r'<div id="echarts-error"[^>]*>', dom)
    assert match, "error banner missing from the DOM"
    return match.group(0)


def _assert_all_drawn(charts: dict[str, ChartStatus]) -> None:
    assert set(charts) == CHART_NAMES
    for name, status in charts.items():
        assert status.rendered == "true", f"chart {name}: data-rendered={status.rendered!r}"
        assert status.drawings >= 1, f"chart {name}: no <svg> or <canvas> inside"


@pytest.fixture(scope="module")
def zh_dom(chromium: str, report_data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = render_report(report_data, tmp_path_factory.mktemp("zh") / "report.html")
    return render_dom(out, browser=chromium)


def test_every_chart_renders_in_chromium(zh_dom: str, report_data: ReportData) -> None:
    charts = chart_status(zh_dom)
    _assert_all_drawn(charts)
    assert "hidden" in _banner(zh_dom)
    # The SVG renderer draws text as <text>, so the labels prove the data reached the chart.
    assert "重要价值客户" in charts["rfm"].text
    assert any("会员贡献" in t for t in charts["pareto"].text)
    assert report_data.monthly[0].month in charts["monthly"].text
    assert reason_label("duplicate_row", "zh") in charts["cleaning"].text
    # the analysis charts draw their own data, not just an empty frame
    assert "客单价" in charts["trend"].text
    assert {"活跃", "沉默", "流失"} <= set(charts["activity"].text)
    assert "新增" in charts["activity_migration"].text
    assert {"重要价值客户", "未购买"} <= set(charts["rfm_migration"].text)
    assert "加权平均" in charts["cohorts"].text and "第 0 月" in charts["cohorts"].text
    assert {"全部渠道", "小程序"} <= set(charts["funnel"].text)
    assert any(t.endswith("%") for t in charts["activity_migration"].text)


def test_english_report_renders(chromium: str, report_data: ReportData, tmp_path: Path) -> None:
    out = render_report(report_data, tmp_path / "report_en.html", lang="en")
    charts = chart_status(render_dom(out, browser=chromium))
    _assert_all_drawn(charts)
    assert "Important value" in charts["rfm"].text
    assert reason_label("duplicate_row", "en") in charts["cleaning"].text
    assert "Average order value" in charts["trend"].text
    assert {"Active", "Silent", "Churned"} <= set(charts["activity"].text)
    assert "No purchase" in charts["rfm_migration"].text
    assert "Weighted mean" in charts["cohorts"].text
    assert "All channels" in charts["funnel"].text


def test_screenshot_shows_the_report(
    chromium: str, report_data: ReportData, tmp_path: Path
) -> None:
    html = render_report(report_data, tmp_path / "report.html")
    png = screenshot(html, tmp_path / "report.png", 1280, 3000, browser=chromium)
    raw = png.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24])
    assert (width, height) == (1280, 3000)
    # A blank or error page compresses to a few KB; four charts and tables do not.
    assert len(raw) > 150_000, f"screenshot suspiciously small ({len(raw)} bytes)"
    keep = os.environ.get("MEMBERLENS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / "report_zh.png")


def test_empty_report_still_draws(
    chromium: str, empty_report_data: ReportData, tmp_path: Path
) -> None:
    out = render_report(empty_report_data, tmp_path / "empty.html")
    charts = chart_status(render_dom(out, browser=chromium))
    _assert_all_drawn(charts)
    assert all("暂无数据" in status.text for status in charts.values())


def test_missing_echarts_shows_a_chinese_error(
    chromium: str, report_data: ReportData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_asset = html_report_module._asset

    def broken(name: str) -> str:
        if name == "echarts.min.js":
            return "throw new Error('simulated: chart library did not load');"
        return real_asset(name)

    monkeypatch.setattr(html_report_module, "_asset", broken)
    out = render_report(report_data, tmp_path / "broken.html")
    dom = render_dom(out, browser=chromium)
    assert "hidden" not in _banner(dom)
    assert "图表组件加载失败" in dom
    charts = chart_status(dom)
    assert {s.rendered for s in charts.values()} == {"false"}
    assert all(s.drawings == 0 for s in charts.values())


def test_hostile_file_name_cannot_inject_script(
    chromium: str, report_data: ReportData, tmp_path: Path
) -> None:
    evil = CleaningRow(
        run_id=9, table="orders", file=EVIL, rows_in=1, loaded=0, rejected=1,
        duplicates=0, flagged=0, cleared=0, reasons={"invalid_amount": 1},
    )  # fmt: skip
    data = report_data.model_copy(update={"cleaning": [*report_data.cleaning, evil]})
    dom = render_dom(render_report(data, tmp_path / "evil.html"), browser=chromium)
    _assert_all_drawn(chart_status(dom))
    assert len(re.findall(r"<script\b", dom)) == 3
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in dom
