"""The clustering section: chart series, table rows and headline from the contract.

Like :mod:`analysis_view`, everything is shaped and formatted here so the page
script only draws. Without a cluster run (``data.clusters is None``) the series are
empty and the template leaves the section out.

Examples
--------
>>> z_cells([[0.5, -1.25]])
[[0, 0, 0.5], [1, 0, -1.25]]
"""

from __future__ import annotations

from typing import Any

from memberlens.reports.cluster_data import ClusterRow, ClusterSection, ClusterTag
from memberlens.reports.labels import UI_TEXT, Lang
from memberlens.reports.number_format import MISSING, finite, fmt_int, fmt_money, fmt_pct

MAX_APART = 3   # features named in the table per cluster
MAX_TAGS = 3


def _name(row: ClusterRow, lang: Lang) -> str:
    return row.name_zh if lang == "zh" else row.name_en


def _tag(tag: ClusterTag, lang: Lang) -> str:
    label, value = (tag.label_zh, tag.value_zh) if lang == "zh" else (tag.label_en,
                                                                      tag.value_en)
    return f"{label}：{value}" if lang == "zh" else f"{label}: {value}"


def z_cells(z: list[list[float]]) -> list[list[float | int | None]]:
    """Heatmap cells ``[feature, cluster, z]`` from rows of z per cluster."""
    return [[x, y, finite(v)] for y, row in enumerate(z) for x, v in enumerate(row)]


def cluster_payload(section: ClusterSection | None, lang: Lang) -> dict[str, Any]:
    """Series of the three charts: k search, sizes and revenue, feature profile."""
    if section is None:
        return {"ks": [], "silhouette": [], "inertia": [], "chosen": None, "names": [],
                "member_share": [], "revenue_share": [], "members": [], "features": [],
                "cells": [], "z_max": 1.0}
    t = UI_TEXT[lang]
    rows = section.clusters
    z = [list(r.z) for r in rows]
    top = max((abs(v) for row in z for v in row), default=1.0)
    return {
        "ks": [s.k for s in section.search],
        "silhouette": [finite(s.silhouette) for s in section.search],
        "inertia": [finite(s.inertia) for s in section.search],
        "chosen": section.k,
        "chosen_label": t["cluster_chosen"],
        "names": [f"{r.cluster_id}. {_name(r, lang)}" for r in rows],
        "members": [r.members for r in rows],
        "member_share": [finite(r.member_share) for r in rows],
        "revenue_share": [finite(r.revenue_share) for r in rows],
        "features": [f.label_zh if lang == "zh" else f.label_en for f in section.features],
        "cells": z_cells(z),
        "z_max": round(min(max(top, 0.5), 3.0), 2),
    }


def cluster_rows(section: ClusterSection | None, lang: Lang) -> list[dict[str, Any]]:
    """The profile table: one row per cluster, formatted."""
    if section is None:
        return []
    labels = [f.label_zh if lang == "zh" else f.label_en for f in section.features]
    out = []
    for r in section.clusters:
        apart = sorted(zip(labels, r.z, strict=True), key=lambda p: -abs(p[1]))
        out.append({
            "id": str(r.cluster_id),
            "name": _name(r, lang),
            "members": fmt_int(r.members),
            "member_share": fmt_pct(r.member_share),
            "revenue": fmt_money(r.revenue, 0),
            "revenue_share": fmt_pct(r.revenue_share),
            "apart": [f"{label} {v:+.1f}" for label, v in apart[:MAX_APART] if abs(v) >= 0.5],
            "tags": [_tag(tg, lang) + " · " + UI_TEXT[lang]["cluster_lift"].format(
                share=fmt_pct(tg.share, 0), lift=f"{tg.lift:.1f}") for tg in r.tags[:MAX_TAGS]],
            "description": r.description_zh if lang == "zh" else r.description_en,
        })
    return out


def cluster_headline(section: ClusterSection | None, lang: Lang) -> str:
    """Method, members, k and the cluster that brings the most revenue."""
    if section is None or not section.clusters:
        return ""
    t = UI_TEXT[lang]
    top = max(section.clusters, key=lambda r: r.revenue_share or 0.0)
    return t["cluster_headline"].format(
        method=t.get(f"cluster_{section.method}", section.method),
        members=fmt_int(section.members), population=t[f"cluster_{section.population}"],
        k=section.k, silhouette=MISSING if section.silhouette is None
        else f"{section.silhouette:.2f}",
        top=_name(top, lang), share=fmt_pct(top.member_share),
        revenue=fmt_pct(top.revenue_share))
