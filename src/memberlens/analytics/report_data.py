"""Fills the report's data contract from the warehouse."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..engine.base import Engine
from ..reports import (
    ActivitySection,
    CleaningRow,
    ClusterSection,
    CohortRow,
    CohortSection,
    FunnelRow,
    FunnelSection,
    MigrationMatrix,
    ModelSection,
    MonthRow,
    ParetoPoint,
    RecommendSection,
    ReportData,
    RfmClassRow,
    SnapshotCounts,
    StateLabel,
    Totals,
    TrendRow,
)
from . import sales
from .activity import ACTIVITY_TAG, activity_distribution, activity_migration
from .cohorts import cohort_retention
from .funnel import DEFAULT_DAYS as FUNNEL_DAYS
from .funnel import ChannelFunnel, channel_funnel, channel_label, default_end
from .migration import Migration, rfm_migration
from .snapshots import has_tag, snapshot_dates, state_label
from .trend import consumption_trend

# How much history the report shows; the CLI reaches further back.
TREND_MONTHS = 24
ACTIVITY_SNAPSHOTS = 12
COHORTS = 12


def cleaning_rows(engine: Engine) -> list[CleaningRow]:
    """The latest successful load of each (table, file), with its reject reasons."""
    rows = engine.fetchall("""
        SELECT run_id, target, source, rows_in, rows_loaded, rows_rejected, rows_duplicate,
               rows_flagged, fields_cleared, details
        FROM run_log WHERE step = 'ingest' AND status = 'ok'
        QUALIFY row_number() OVER (PARTITION BY target, source ORDER BY run_id DESC) = 1
        ORDER BY run_id""")
    out = []
    for run_id, table, file, rows_in, loaded, rejected, dups, flagged, cleared, details in rows:
        reasons: dict[str, Any] = json.loads(details).get("reasons", {}) if details else {}
        out.append(CleaningRow(run_id=run_id, table=table, file=file, rows_in=rows_in or 0,
                               loaded=loaded or 0, rejected=rejected or 0,
                               duplicates=dups or 0, flagged=flagged or 0,
                               cleared=cleared or 0,
                               reasons={k: int(v) for k, v in reasons.items()}))
    return out


def collect_report_data(engine: Engine, *, title: str = "会员画像报告", warehouse: str = ""
                        ) -> ReportData:
    t = sales.totals(engine)
    as_of = sales.as_of_of_profile(engine)
    curve = sales.pareto(engine)
    headline = sales.pareto_headline(curve)
    return ReportData(
        title=title,
        generated_at=datetime.now().strftime("%Y-%m-%d %H:%M"),
        warehouse=warehouse,
        totals=Totals(members=int(t["members"] or 0), buyers=int(t["buyers"] or 0),
                      orders=int(t["orders"] or 0), revenue=float(t["revenue"] or 0),
                      first_order=str(t["first_order"] or ""),
                      last_order=str(t["last_order"] or ""),
                      as_of=as_of.isoformat() if as_of else ""),
        rfm=[RfmClassRow(**r) for r in sales.rfm_distribution(engine)],
        pareto=[ParetoPoint(member_share=a, revenue_share=b) for a, b in curve],
        pareto_headline=headline,
        monthly=[MonthRow(**m) for m in sales.monthly(engine)],
        cleaning=cleaning_rows(engine),
        trend=trend_rows(engine),
        activity=activity_section(engine),
        rfm_migration=rfm_migration_matrix(engine),
        cohorts=cohort_section(engine),
        funnel=funnel_section(engine),
        clusters=cluster_section(engine),
        models=model_section(engine),
        recommend=recommend_section(engine),
    )


def model_section(engine: Engine) -> ModelSection | None:
    """Registered models and CLV scores; None (and no model imports) without either."""
    if not (engine.table_exists("model_registry") or engine.table_exists("model_scores")):
        return None
    from ..models.report_section import model_section as section

    return section(engine)


def recommend_section(engine: Engine) -> RecommendSection | None:
    """The newest recommender evaluations; None (and no recommend imports) without any."""
    if not engine.table_exists("recommend_evaluations"):
        return None
    from ..recommend.evaluation_store import recommend_section as newest

    return newest(engine)


def cluster_section(engine: Engine) -> ClusterSection | None:
    """The latest cluster run; None (and no clustering imports) when there is none."""
    if not engine.table_exists("cluster_runs"):
        return None
    from ..segments.clusters.report_section import cluster_section as latest

    return latest(engine)


def _states(tag: str, values: tuple[str | None, ...]) -> list[StateLabel]:
    return [StateLabel(key=v or "", label_zh=state_label(tag, v, "zh"),
                       label_en=state_label(tag, v, "en")) for v in values]


def _matrix(m: Migration) -> MigrationMatrix:
    return MigrationMatrix(tag=m.tag, date_from=m.date_from.isoformat(),
                           date_to=m.date_to.isoformat(), states=_states(m.tag, m.states),
                           counts=[list(r) for r in m.counts], new=list(m.new))


def trend_rows(engine: Engine) -> list[TrendRow]:
    """The last two years of the consumption trend."""
    return [TrendRow(month=m.month, sales=m.sales, orders=m.orders, buyers=m.buyers,
                     new_buyers=m.new_buyers)
            for m in consumption_trend(engine, last=TREND_MONTHS)]


def activity_section(engine: Engine) -> ActivitySection | None:
    """Activity per snapshot and the latest month's migration; None without snapshots."""
    if not has_tag(engine, ACTIVITY_TAG):
        return None
    dist = activity_distribution(engine, last=ACTIVITY_SNAPSHOTS)
    if not dist:
        return None
    migration = (_matrix(activity_migration(engine))
                 if len(snapshot_dates(engine)) >= 2 else None)
    return ActivitySection(
        states=_states(ACTIVITY_TAG, dist[0].states),
        snapshots=[SnapshotCounts(as_of=d.as_of.isoformat(), counts=list(d.counts))
                   for d in dist],
        migration=migration)


def rfm_migration_matrix(engine: Engine) -> MigrationMatrix | None:
    """RFM classes between the two latest snapshots; None with fewer than two."""
    if not has_tag(engine, "rfm_class") or len(snapshot_dates(engine)) < 2:
        return None
    return _matrix(rfm_migration(engine))


def cohort_section(engine: Engine) -> CohortSection | None:
    """Retention of the latest registration-month cohorts; None without any."""
    r = cohort_retention(engine, last=COHORTS)
    if not r.cohorts:
        return None
    return CohortSection(
        through=r.through, mean_shares=list(r.mean_shares),
        cohorts=[CohortRow(month=c.month, members=c.members, buyers=list(c.buyers),
                           shares=list(c.shares)) for c in r.cohorts])


def _funnel_row(c: ChannelFunnel) -> FunnelRow:
    return FunnelRow(channel=c.channel or "", label_zh=channel_label(c.channel, "zh"),
                     label_en=channel_label(c.channel, "en"), viewed=c.viewed,
                     carted=c.carted, ordered=c.ordered)


def funnel_section(engine: Engine) -> FunnelSection | None:
    """The default funnel (90 days of views, 7-day window); None without views."""
    if default_end(engine, FUNNEL_DAYS) is None:
        return None
    f = channel_funnel(engine, days=FUNNEL_DAYS)
    return FunnelSection(start=f.start.isoformat(), end=f.end.isoformat(), days=f.days,
                         channels=[_funnel_row(c) for c in f.channels],
                         total=_funnel_row(f.total))
