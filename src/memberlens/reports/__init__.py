"""The member report: one self-contained HTML file with ECharts charts that works offline.

The analytics fill a :class:`ReportData`; :func:`render_report` writes it as HTML
(Chinese by default, ``lang="en"`` for English). :mod:`memberlens.reports.headless`
opens such a file in headless Chromium for tests and screenshots.
"""

from __future__ import annotations

from memberlens.reports.cluster_data import (
    ClusterFeature,
    ClusterRow,
    ClusterSearchRow,
    ClusterSection,
    ClusterTag,
)
from memberlens.reports.html_report import render_report, report_html
from memberlens.reports.labels import REASON_LABELS, reason_label
from memberlens.reports.model_data import ModelSection
from memberlens.reports.recommend_data import RecommendSection
from memberlens.reports.report_data import (
    ActivitySection,
    CleaningRow,
    CohortRow,
    CohortSection,
    FunnelRow,
    FunnelSection,
    MigrationMatrix,
    MonthRow,
    ParetoPoint,
    ReportData,
    ReportError,
    RfmClassRow,
    SnapshotCounts,
    StateLabel,
    Totals,
    TrendRow,
)

__all__ = [
    "REASON_LABELS",
    "ActivitySection",
    "CleaningRow",
    "ClusterFeature",
    "ClusterRow",
    "ClusterSearchRow",
    "ClusterSection",
    "ClusterTag",
    "CohortRow",
    "CohortSection",
    "FunnelRow",
    "FunnelSection",
    "MigrationMatrix",
    "ModelSection",
    "MonthRow",
    "ParetoPoint",
    "RecommendSection",
    "ReportData",
    "ReportError",
    "RfmClassRow",
    "SnapshotCounts",
    "StateLabel",
    "Totals",
    "TrendRow",
    "reason_label",
    "render_report",
    "report_html",
]
