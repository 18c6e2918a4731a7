"""Fixtures for the member report: a realistic, seeded ReportData and a Chromium finder."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pytest
from report_analysis_fixtures import make_analysis_sections

from memberlens.reports import (
    CleaningRow,
    MonthRow,
    ParetoPoint,
    ReportData,
    RfmClassRow,
    Totals,
)
from memberlens.reports.headless import find_chromium

# (code, 中文, English, member weight, revenue weight): the classic 8-way RFM split,
# code = R F M with 1 = high; weights shaped like a typical retail member base.
RFM_CLASSES = [
    ("111", "重要价值客户", "Important value", 0.085, 0.395),
    ("101", "重要发展客户", "Important development", 0.060, 0.120),
    ("011", "重要保持客户", "Important retention", 0.070, 0.165),
    ("001", "重要挽留客户", "Important win-back", 0.095, 0.110),
    ("110", "一般价值客户", "General value", 0.110, 0.070),
    ("100", "一般发展客户", "General development", 0.180, 0.060),
    ("010", "一般保持客户", "General retention", 0.150, 0.045),
    ("000", "一般挽留客户", "General win-back", 0.250, 0.035),
]
N_MEMBERS = 12_480
N_BUYERS = 9_876


def _pareto(revenues: np.ndarray) -> tuple[list[ParetoPoint], tuple[float, float]]:
    """Cumulative curve, one point per member as the analytics would give it."""
    ordered = np.sort(revenues)[::-1]
    cum = np.cumsum(ordered) / ordered.sum()
    shares = np.arange(1, len(ordered) + 1) / len(ordered)
    points = [ParetoPoint(member_share=0.0, revenue_share=0.0)] + [
        ParetoPoint(member_share=float(m), revenue_share=float(r))
        for m, r in zip(shares, cum, strict=True)
    ]
    top = round(0.2 * len(ordered))
    return points, (0.2, round(float(cum[top - 1]), 3))


def _monthly(rng: np.random.Generator) -> list[MonthRow]:
    """24 months with growth, a Spring Festival dip and 618 / Double 11 peaks."""
    season = {1: 0.95, 2: 0.72, 3: 0.9, 4: 0.92, 5: 1.0, 6: 1.35, 7: 0.95, 8: 0.93,
              9: 1.0, 10: 1.05, 11: 1.75, 12: 1.25}  # fmt: skip
    rows = []
    for i in range(24):
        year, month = 2023 + i // 12, i % 12 + 1
        level = 1_350_000 * (1 + 0.012 * i) * season[month] * rng.normal(1.0, 0.04)
        orders = int(level / rng.normal(236.0, 6.0))
        rows.append(
            MonthRow(
                month=f"{year}-{month:02d}",
                sales=round(level, 2),
                orders=orders,
                active_members=int(orders / rng.normal(1.32, 0.03)),
            )
        )
    return rows


def _cleaning() -> list[CleaningRow]:
    return [
        CleaningRow(
            run_id=1,
            table="members",
            file="imports/members_2024-12-31.csv",
            rows_in=12_630,
            loaded=12_480,
            rejected=96,
            duplicates=54,
            flagged=37,
            cleared=12,
            reasons={
                "invalid_phone": 41,
                "missing_required": 33,
                "invalid_email": 22,
                "duplicate_key": 54,
                "out_of_range": 37,
            },
        ),
        CleaningRow(
            run_id=2,
            table="orders",
            file="imports/orders_2023.xlsx",
            rows_in=61_204,
            loaded=60_877,
            rejected=212,
            duplicates=115,
            flagged=88,
            cleared=30,
            reasons={
                "invalid_timestamp": 97,
                "invalid_amount": 61,
                "negative_amount": 54,
                "duplicate_row": 115,
                "outlier_amount": 71,
                "absurd_amount": 17,
            },
        ),
        CleaningRow(
            run_id=3,
            table="orders",
            file="imports/订单导出_2024Q4.csv",
            rows_in=65_010,
            loaded=64_702,
            rejected=180,
            duplicates=128,
            flagged=64,
            cleared=21,
            reasons={
                "future_timestamp": 44,
                "invalid_value": 39,
                "missing_required": 97,
                "duplicate_row": 128,
                "outlier_amount": 64,
            },
        ),
    ]


def make_report_data(seed: int = 0) -> ReportData:
    """A realistic report for a mid-size retailer; same seed, same data."""
    rng = np.random.default_rng(seed)
    revenues = rng.lognormal(mean=5.9, sigma=1.5, size=N_BUYERS)
    total_revenue = round(float(revenues.sum()), 2)
    points, headline = _pareto(revenues)
    member_w = np.array([c[3] for c in RFM_CLASSES])
    revenue_w = np.array([c[4] for c in RFM_CLASSES])
    counts = np.round(member_w / member_w.sum() * N_MEMBERS).astype(int)
    counts[-1] += N_MEMBERS - counts.sum()
    rfm = [
        RfmClassRow(
            code=code, label_zh=zh, label_en=en, members=int(n),
            member_share=float(n) / N_MEMBERS,
            revenue=round(total_revenue * float(w), 2),
            revenue_share=float(w),
        )
        for (code, zh, en, _, _), n, w in zip(RFM_CLASSES, counts, revenue_w, strict=True)
    ]  # fmt: skip
    monthly = _monthly(rng)
    return ReportData(
        title="会员分析报告 · 2024 年度",
        generated_at="2025-01-02 09:30",
        warehouse="/data/memberlens/warehouse.duckdb",
        totals=Totals(
            members=N_MEMBERS,
            buyers=N_BUYERS,
            orders=sum(m.orders for m in monthly),
            revenue=total_revenue,
            first_order="2023-01-01",
            last_order="2024-12-31",
            as_of="2024-12-31",
        ),
        rfm=rfm,
        pareto=points,
        pareto_headline=headline,
        monthly=monthly,
        cleaning=_cleaning(),
        **make_analysis_sections(rng, monthly, N_MEMBERS),
    )


@pytest.fixture(scope="session")
def report_data() -> ReportData:
    """The realistic report, seed 0; frozen, so one instance serves every test."""
    return make_report_data(seed=0)


@pytest.fixture(scope="session")
def empty_report_data(report_data: ReportData) -> ReportData:
    """What a fresh warehouse with no orders yields: zeros, empty lists, no dates."""
    totals = Totals(
        members=0, buyers=0, orders=0, revenue=0.0, first_order="", last_order="", as_of=""
    )
    return report_data.model_copy(
        update={
            "totals": totals,
            "rfm": [],
            "pareto": [],
            "pareto_headline": (float("nan"), float("nan")),
            "monthly": [],
            "cleaning": [],
            "trend": [],
            "activity": None,
            "rfm_migration": None,
            "cohorts": None,
            "funnel": None,
        }
    )


@pytest.fixture
def report_data_factory() -> Callable[..., ReportData]:
    """The builder itself, for tests that vary the seed or override fields."""
    return make_report_data


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path to headless Chromium; skips without one unless CI demands a browser."""
    found = find_chromium()
    if found:
        return found
    message = (
        "no Chromium/Chrome on PATH (Debian: apt-get install chromium fonts-noto-cjk); "
        "browser tests need a real browser"
    )
    if os.environ.get("MEMBERLENS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"MEMBERLENS_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)
