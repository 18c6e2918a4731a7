"""The analysis sections of the report (trend, activity, migrations, cohorts, funnel).

Like :mod:`report_view`, this shapes the contract into chart series and formatted text
in Python, so the page script only draws. A section the analytics left out (``None``)
becomes empty series, which the page shows as "no data".

Examples
--------
>>> from memberlens.reports import MigrationMatrix, StateLabel
>>> s = [StateLabel(key=k, label_zh=k, label_en=k) for k in ("a", "b")]
>>> m = MigrationMatrix(tag="t", date_from="2025-01-01", date_to="2025-02-01",
...                     states=s, counts=[[3, 1], [0, 0]], new=[0, 0])
>>> row_shares(m)
[[0.75, 0.25], [None, None]]
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from memberlens.reports.labels import UI_TEXT, Lang
from memberlens.reports.number_format import MISSING, finite, fmt_int, fmt_money, fmt_pct
from memberlens.reports.report_data import (
    FunnelRow,
    MigrationMatrix,
    ReportData,
    StateLabel,
)

# The activity states as the catalog stores them; the headline reads these three.
ACTIVE, SILENT, CHURNED = "活跃", "沉默", "流失"


def _label(item: StateLabel | FunnelRow, lang: Lang) -> str:
    return item.label_zh if lang == "zh" else item.label_en


def _share(num: float, den: float) -> float | None:
    """num / den, or ``None`` when it is not a number (zero, NaN) — JSON has no NaN."""
    return finite(num / den) if den else None


def row_shares(m: MigrationMatrix) -> list[list[float | None]]:
    """Each row of the matrix as shares of its total (``None`` for an empty row)."""
    return [[_share(n, sum(row)) for n in row] for row in m.counts]


def migration_payload(m: MigrationMatrix | None, lang: Lang) -> dict[str, Any]:
    """Heatmap series: rows are the earlier states plus 新增, columns the later states."""
    t = UI_TEXT[lang]
    if m is None:
        return {"rows": [], "cols": [], "counts": [], "shares": [], "title": ""}
    labels = [_label(s, lang) for s in m.states]
    rows, counts = list(labels), [list(r) for r in m.counts]
    shares = row_shares(m)
    if sum(m.new):
        rows.append(t["migration_new"])
        counts.append(list(m.new))
        shares.append([_share(n, sum(m.new)) for n in m.new])
    return {
        "title": t["migration_chart"].format(date_from=m.date_from, date_to=m.date_to),
        "rows": rows,
        "cols": labels,
        "counts": counts,
        "shares": shares,
    }


def _trend(data: ReportData) -> dict[str, Any]:
    rows = data.trend
    return {
        "months": [r.month for r in rows],
        "sales": [finite(r.sales) for r in rows],
        "orders": [r.orders for r in rows],
        "aov": [_share(r.sales, r.orders) for r in rows],
        "new": [r.new_buyers for r in rows],
        "returning": [r.buyers - r.new_buyers for r in rows],
    }


def _activity(data: ReportData, lang: Lang) -> dict[str, Any]:
    a = data.activity
    if a is None:
        return {"dates": [], "states": [], "migration": migration_payload(None, lang)}
    totals = [sum(s.counts) for s in a.snapshots]
    return {
        "dates": [s.as_of for s in a.snapshots],
        "states": [{"label": _label(state, lang),
                    "counts": [s.counts[i] for s in a.snapshots],
                    "shares": [_share(s.counts[i], tot) for s, tot in zip(a.snapshots, totals,
                                                                          strict=True)]}
                   for i, state in enumerate(a.states)],
        "migration": migration_payload(a.migration, lang),
    }


def _cohorts(data: ReportData, lang: Lang) -> dict[str, Any]:
    t, c = UI_TEXT[lang], data.cohorts
    if c is None or not c.cohorts:
        return {"rows": [], "offsets": [], "shares": [], "buyers": [], "sizes": []}
    width = max(len(r.shares) for r in c.cohorts)
    return {
        "rows": [t["cohort_row"].format(month=r.month, members=fmt_int(r.members))
                 for r in c.cohorts] + [t["cohort_mean"]],
        "offsets": [t["cohort_offset"].format(k=k) for k in range(width)],
        "shares": [[finite(x) for x in r.shares] for r in c.cohorts]
        + [[finite(x) for x in c.mean_shares]],
        "buyers": [list(r.buyers) for r in c.cohorts] + [[None] * len(c.mean_shares)],
        "sizes": [r.members for r in c.cohorts] + [sum(r.members for r in c.cohorts)],
    }


def _funnel_rows(data: ReportData) -> list[FunnelRow]:
    f = data.funnel
    return [] if f is None else [f.total, *f.channels]


def _funnel(data: ReportData, lang: Lang) -> dict[str, Any]:
    t, rows = UI_TEXT[lang], _funnel_rows(data)
    return {
        "steps": [t["funnel_view"], t["funnel_cart"], t["funnel_order"]],
        "channels": [_label(r, lang) for r in rows],
        "viewed": [r.viewed for r in rows],
        "carted": [r.carted for r in rows],
        "ordered": [r.ordered for r in rows],
    }


def analysis_payload(data: ReportData, lang: Lang) -> dict[str, Any]:
    """Chart series of the analysis sections, keyed like their ``data-chart`` names."""
    return {
        "trend": _trend(data),
        "activity": _activity(data, lang),
        "rfm_migration": migration_payload(data.rfm_migration, lang),
        "cohorts": _cohorts(data, lang),
        "funnel": _funnel(data, lang),
    }


def funnel_rows(data: ReportData, lang: Lang) -> list[dict[str, str]]:
    """The funnel table: all channels first, then each channel, counts and rates."""
    return [{"label": _label(r, lang), "viewed": fmt_int(r.viewed), "carted": fmt_int(r.carted),
             "ordered": fmt_int(r.ordered),
             "view_to_cart": fmt_pct(_share(r.carted, r.viewed)),
             "cart_to_order": fmt_pct(_share(r.ordered, r.carted)),
             "view_to_order": fmt_pct(_share(r.ordered, r.viewed)),
             "total": "1" if not r.channel else ""} for r in _funnel_rows(data)]


def _trend_headline(data: ReportData, lang: Lang) -> str:
    rows = data.trend[-12:]
    orders, buyers = sum(r.orders for r in rows), sum(r.buyers for r in rows)
    if not orders:
        return ""
    returning = sum(r.buyers - r.new_buyers for r in rows)
    return UI_TEXT[lang]["trend_headline"].format(
        months=len(rows), aov=fmt_money(sum(r.sales for r in rows) / orders),
        share=fmt_pct(_share(returning, buyers)))


def _activity_headline(data: ReportData, lang: Lang) -> str:
    a = data.activity
    keys = [s.key for s in a.states] if a else []
    if a is None or not a.snapshots or ACTIVE not in keys:
        return ""
    last, i = a.snapshots[-1], keys.index(ACTIVE)
    lost: float | None = None
    m = a.migration
    if m is not None and ACTIVE in (mk := [s.key for s in m.states]):
        row = m.counts[mk.index(ACTIVE)]
        moved = sum(row[mk.index(k)] for k in (SILENT, CHURNED) if k in mk)
        lost = _share(moved, sum(row))
    return UI_TEXT[lang]["activity_headline"].format(
        date=last.as_of, active=fmt_int(last.counts[i]),
        share=fmt_pct(_share(last.counts[i], sum(last.counts))), lost=fmt_pct(lost))


def _rfm_headline(data: ReportData, lang: Lang) -> str:
    m = data.rfm_migration
    if m is None:
        return ""
    keys = [s.key for s in m.states]
    stay = sum(m.counts[i][i] for i in range(len(keys)) if keys[i])
    classified = sum(sum(row) for row, k in zip(m.counts, keys, strict=True) if k)
    first = sum(m.counts[keys.index("")][j] for j, k in enumerate(keys) if k) if "" in keys else 0
    return UI_TEXT[lang]["rfm_migration_headline"].format(
        date_from=m.date_from, date_to=m.date_to, stay=fmt_pct(_share(stay, classified)),
        first=fmt_int(first))


def _cohort_headline(data: ReportData, lang: Lang) -> str:
    c = data.cohorts
    if c is None or not c.mean_shares:
        return ""
    means = [*c.mean_shares, None, None, None, None]
    return UI_TEXT[lang]["cohort_headline"].format(
        m0=fmt_pct(means[0]), m1=fmt_pct(means[1]), m3=fmt_pct(means[3]))


def _funnel_headline(data: ReportData, lang: Lang) -> str:
    f = data.funnel
    if f is None or not f.total.viewed:
        return ""
    return UI_TEXT[lang]["funnel_headline"].format(
        days=f.days, rate=fmt_pct(_share(f.total.ordered, f.total.viewed)))


def analysis_text(data: ReportData, lang: Lang) -> dict[str, str]:
    """Headlines and descriptions that depend on the data; '' where there is none."""
    t, f = UI_TEXT[lang], data.funnel
    return {
        "trend_headline": _trend_headline(data, lang),
        "activity_headline": _activity_headline(data, lang),
        "rfm_migration_headline": _rfm_headline(data, lang),
        "cohort_headline": _cohort_headline(data, lang),
        "funnel_headline": _funnel_headline(data, lang),
        # the contract's end is exclusive; people read "to" as the last day included
        "funnel_desc": t["funnel_desc"].format(
            start=f.start if f else MISSING,
            end=(date.fromisoformat(f.end) - timedelta(days=1)).isoformat() if f else MISSING,
            days=f.days if f else MISSING),
    }
