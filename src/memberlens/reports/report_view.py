"""Turn a :class:`ReportData` into what the page shows: formatted cells and chart series.

All number formatting for the HTML tables happens here, in Python, so it is tested
without a browser; the JavaScript only draws the already-shaped series. Non-finite
numbers (a share of zero revenue is NaN) become ``None`` / ``"—"`` instead of breaking
the JSON.

Examples
--------
>>> fmt_money(1234567.891)
'¥1,234,567.89'
>>> fmt_pct(0.7412)
'74.1%'
>>> headline_pct(0.2)
'20%'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from memberlens.reports.analysis_view import analysis_payload
from memberlens.reports.cluster_view import cluster_payload
from memberlens.reports.labels import UI_TEXT, Lang, reason_label
from memberlens.reports.model_view import model_payload
from memberlens.reports.number_format import (
    MISSING,
    fmt_int,
    fmt_money,
    fmt_pct,
    headline_pct,
)
from memberlens.reports.number_format import finite as _finite
from memberlens.reports.recommend_view import recommend_payload
from memberlens.reports.report_data import CleaningRow, ParetoPoint, ReportData

__all__ = [
    "MAX_PARETO_POINTS",
    "MISSING",
    "chart_payload",
    "cleaning_rows",
    "fmt_int",
    "fmt_money",
    "fmt_pct",
    "headline_pct",
    "kpis",
    "pareto_headline_text",
    "rfm_rows",
    "rfm_total",
    "thin_pareto",
]

# A curve of one point per member would put 100k points into the page; 400 points are
# indistinguishable on screen and keep the file small.
MAX_PARETO_POINTS = 400


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


@dataclass(frozen=True)
class Kpi:
    """One headline card."""

    key: str
    label: str
    value: str
    note: str
    title: str  # exact value on hover, since the card may round


@dataclass(frozen=True)
class ReasonChip:
    """One reject reason in a cleaning table cell."""

    code: str
    label: str
    count: str


def kpis(data: ReportData, lang: Lang) -> list[Kpi]:
    """The five headline cards: members, buyers, orders, revenue, period."""
    t, tot = UI_TEXT[lang], data.totals
    per_buyer = _ratio(tot.orders, tot.buyers)
    # An empty warehouse has no orders, hence no dates: show a dash, not " ~ ".
    period = f"{tot.first_order} ~ {tot.last_order}" if tot.first_order else MISSING
    return [
        Kpi("members", t["kpi_members"], fmt_int(tot.members), "", fmt_int(tot.members)),
        Kpi(
            "buyers",
            t["kpi_buyers"],
            fmt_int(tot.buyers),
            t["kpi_buyers_note"].format(share=fmt_pct(_ratio(tot.buyers, tot.members))),
            fmt_int(tot.buyers),
        ),
        Kpi(
            "orders",
            t["kpi_orders"],
            fmt_int(tot.orders),
            t["kpi_orders_note"].format(
                per_buyer=MISSING if per_buyer is None else f"{per_buyer:.1f}"
            ),
            fmt_int(tot.orders),
        ),
        Kpi(
            "revenue",
            t["kpi_revenue"],
            fmt_money(tot.revenue, 0),
            t["kpi_revenue_note"].format(aov=fmt_money(_ratio(tot.revenue, tot.orders))),
            fmt_money(tot.revenue),
        ),
        Kpi(
            "period",
            t["kpi_period"],
            period,
            t["kpi_period_note"].format(as_of=tot.as_of or MISSING),
            period,
        ),
    ]


def rfm_rows(data: ReportData, lang: Lang) -> list[dict[str, str]]:
    """RFM table rows, formatted, in the order the analytics gave."""
    return [
        {
            "label": row.label_zh if lang == "zh" else row.label_en,
            "code": row.code,
            "members": fmt_int(row.members),
            "member_share": fmt_pct(row.member_share),
            "revenue": fmt_money(row.revenue),
            "revenue_share": fmt_pct(row.revenue_share),
        }
        for row in data.rfm
    ]


def rfm_total(data: ReportData) -> dict[str, str]:
    """The table's total line, so a reader can see the classes add up."""
    return {
        "members": fmt_int(sum(r.members for r in data.rfm)),
        "member_share": fmt_pct(sum(r.member_share for r in data.rfm)),
        "revenue": fmt_money(sum(r.revenue for r in data.rfm)),
        "revenue_share": fmt_pct(sum(r.revenue_share for r in data.rfm)),
    }


def _reason_order(cleaning: list[CleaningRow]) -> list[str]:
    """Reason codes, most frequent first, so the stack and legend read largest-first."""
    totals: dict[str, int] = {}
    for row in cleaning:
        for code, count in row.reasons.items():
            totals[code] = totals.get(code, 0) + count
    return sorted(totals, key=lambda code: (-totals[code], code))


def cleaning_rows(data: ReportData, lang: Lang) -> list[dict[str, Any]]:
    """One formatted table row per load, with its reasons as labelled chips."""
    rows: list[dict[str, Any]] = []
    for row in data.cleaning:
        chips = [
            ReasonChip(code, reason_label(code, lang), fmt_int(count))
            for code, count in sorted(row.reasons.items(), key=lambda kv: (-kv[1], kv[0]))
            if count
        ]
        rows.append(
            {
                "run_id": str(row.run_id),
                "table": row.table,
                "file": row.file,
                "rows_in": fmt_int(row.rows_in),
                "loaded": fmt_int(row.loaded),
                "rejected": fmt_int(row.rejected),
                "duplicates": fmt_int(row.duplicates),
                "flagged": fmt_int(row.flagged),
                "cleared": fmt_int(row.cleared),
                "reasons": chips,
            }
        )
    return rows


def thin_pareto(
    points: list[ParetoPoint], max_points: int = MAX_PARETO_POINTS
) -> list[ParetoPoint]:
    """Sorted curve from (0, 0), at most ``max_points`` long, always keeping the last point."""
    ordered = sorted(points, key=lambda p: (p.member_share, p.revenue_share))
    if not ordered or (ordered[0].member_share, ordered[0].revenue_share) != (0.0, 0.0):
        ordered.insert(0, ParetoPoint(member_share=0.0, revenue_share=0.0))
    if len(ordered) <= max_points:
        return ordered
    step = (len(ordered) - 1) / (max_points - 1)
    picked = sorted({round(i * step) for i in range(max_points)})
    return [ordered[i] for i in picked]


def pareto_headline_text(data: ReportData, lang: Lang) -> str:
    """'前 20% 会员贡献 74% 销售额' — the sentence a marketer quotes in a meeting."""
    members, revenue = data.pareto_headline
    return UI_TEXT[lang]["pareto_headline"].format(
        members=headline_pct(members), revenue=headline_pct(revenue)
    )


def chart_payload(data: ReportData, lang: Lang) -> dict[str, Any]:
    """Chart-ready series for the page's JavaScript; every value JSON-safe."""
    t = UI_TEXT[lang]
    reasons = _reason_order(data.cleaning)
    members, revenue = data.pareto_headline
    return {
        **analysis_payload(data, lang),
        "clusters": cluster_payload(data.clusters, lang),
        "models": model_payload(data.models, lang),
        "recommend": recommend_payload(data.recommend, lang),
        "lang": lang,
        "text": t,
        "rfm": {
            "labels": [r.label_zh if lang == "zh" else r.label_en for r in data.rfm],
            "codes": [r.code for r in data.rfm],
            "members": [r.members for r in data.rfm],
            "member_share": [_finite(r.member_share) for r in data.rfm],
            "revenue": [_finite(r.revenue) for r in data.rfm],
            "revenue_share": [_finite(r.revenue_share) for r in data.rfm],
        },
        "pareto": {
            "points": [
                [_finite(p.member_share), _finite(p.revenue_share)]
                for p in thin_pareto(data.pareto)
            ],
            "headline": [_finite(members), _finite(revenue)],
            "headline_text": pareto_headline_text(data, lang),
        },
        "monthly": {
            "months": [m.month for m in data.monthly],
            "sales": [_finite(m.sales) for m in data.monthly],
            "orders": [m.orders for m in data.monthly],
            "active": [m.active_members for m in data.monthly],
        },
        "cleaning": {
            "loads": [f"#{c.run_id} {c.table}" for c in data.cleaning],
            "files": [c.file for c in data.cleaning],
            "reasons": [
                {
                    "code": code,
                    "label": reason_label(code, lang),
                    "counts": [c.reasons.get(code, 0) for c in data.cleaning],
                }
                for code in reasons
            ],
        },
    }
