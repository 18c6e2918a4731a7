"""Fills the report's data contract from the warehouse."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..engine.base import Engine
from ..reports import CleaningRow, MonthRow, ParetoPoint, ReportData, RfmClassRow, Totals
from . import sales


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
    )
