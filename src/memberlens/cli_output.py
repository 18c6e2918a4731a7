"""How the CLI shows things: Rich tables for results, summaries and one member."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.table import Table

from .ingest import LoadResult, reason_label
from .messages import msg


def load_table(result: LoadResult, lang: str) -> Table:
    t = Table(title=msg("loaded", lang, table=result.table, file=result.file),
              show_header=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column(justify="right")
    for key in ("rows_in", "new", "updated", "unchanged", "rejected", "duplicates",
                "flagged", "cleared", "seconds"):
        t.add_row(msg(key, lang), f"{getattr(result, key):,}")
    for code, n in result.reasons.items():
        t.add_row(f"  · {reason_label(code, lang)} ({code})", f"{n:,}")
    if result.fuzzy:
        t.add_row(msg("fuzzy", lang), ", ".join(f"{k}→{v}" for k, v in result.fuzzy.items()))
    if result.ignored_columns:
        t.add_row(msg("ignored", lang), ", ".join(result.ignored_columns))
    return t


def quarantine_hint(result: LoadResult, lang: str) -> str | None:
    """A command to copy whole, so it is printed apart from the table and never wrapped."""
    return msg("quarantine_hint", lang, run_id=result.run_id) if result.reasons else None


def loads_summary(results: list[LoadResult], lang: str) -> Table:
    """One row per loaded file, and the reasons summed over all of them."""
    t = Table(title=msg("cleaning_summary", lang), title_justify="left")
    t.add_column(msg("table", lang), no_wrap=True)
    t.add_column(msg("file", lang), overflow="fold")
    for key in ("rows_in", "new", "rejected", "duplicates", "flagged", "cleared"):
        t.add_column(msg(f"h_{key}", lang), justify="right", no_wrap=True)
    reasons: dict[str, int] = {}
    for r in results:
        t.add_row(r.table, Path(r.file).name, *(f"{getattr(r, k):,}" for k in (
            "rows_in", "new", "rejected", "duplicates", "flagged", "cleared")))
        for code, n in r.reasons.items():
            reasons[code] = reasons.get(code, 0) + n
    if reasons:
        t.caption = "; ".join(f"{reason_label(c, lang)} {n:,}"
                              for c, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
    return t


def arrow_output(table: pa.Table, fmt: str, console: Console, lang: str) -> None:
    rows = table.to_pylist()
    if fmt == "json":
        console.print_json(json.dumps(rows, ensure_ascii=False, default=str))
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(table.column_names)
        for r in rows:
            writer.writerow(["" if v is None else v for v in r.values()])
        console.file.write(buf.getvalue())
        return
    t = Table(caption=msg("rows_returned", lang, n=len(rows)))
    for name in table.column_names:
        t.add_column(name)
    for r in rows[:1000]:
        t.add_row(*["" if v is None else str(v) for v in r.values()])
    console.print(t)


def member_tables(view: dict[str, Any], lang: str) -> list[Table]:
    """Basics, one table per tag category, latest orders and latest events."""
    basics = Table(title=f"{msg('basic', lang)} · {view['member_id']}", show_header=False,
                   title_justify="left")
    basics.add_column(style="bold")
    basics.add_column()
    for k, v in view["basics"].items():
        basics.add_row(k, _text(v, lang))
    out = [basics]
    for group in view["tags"]:
        t = Table(title=f"{group['label']}（{msg('as_of', lang)} {view['as_of']}）"
                  if lang == "zh" else f"{group['label']} ({msg('as_of', lang)} "
                  f"{view['as_of']})", show_header=False, title_justify="left")
        t.add_column(style="bold")
        t.add_column()
        for tag in group["tags"]:
            value = _text(tag["value"], lang)
            if tag["unit"] and tag["value"] is not None:
                value = f"{value} {tag['unit']}"
            t.add_row(f"{tag['label']} ({tag['key']})", value)
        out.append(t)
    for key, rows in (("latest_orders", view["orders"]), ("latest_events", view["events"])):
        t = Table(title=msg(key, lang), title_justify="left")
        for name in view[f"{key.split('_')[1]}_columns"]:
            t.add_column(name)
        for r in rows:
            t.add_row(*(_text(v, lang) for v in r.values()))
        if not rows:
            t.caption = msg("none_yet", lang)
        out.append(t)
    return out


def _text(value: object, lang: str = "zh") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "-"
    return str(value)
