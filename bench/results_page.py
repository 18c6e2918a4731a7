"""Renders bench/RESULTS.md from one run's measurements."""

from __future__ import annotations

from typing import Any

TARGETS = {  # issue 2's targets, stated for 20M orders
    "ingest_csv": ("{n} orders from CSV, cleaned, into the warehouse", "≤ 5 s at 20M"),
    "ingest_parquet": ("{n} orders from Parquet, cleaned, into the warehouse",
                       "≤ 1.5 s at 20M"),
    "rfm": ("RFM with quintile scores over {n} orders", "≤ 1 s at 20M"),
    "clv_summary": ("CLV summary vs lifetimes over {n} orders",
                    "≥ 10× faster, ≤ ⅓ of its peak memory"),
}


NOTES = """## Where the ingest time goes (measured 2026-11-24 on this machine, 20M orders)

- Floor set by DuckDB itself: `CREATE TABLE … AS SELECT * FROM read_csv(…)` of the same
  file with no cleaning at all took 8.9 s; writing 20M typed rows from memory into the
  file took 6.2 s. The 5 s (CSV) and 1.5 s (Parquet) targets are below what persisting
  20M rows costs here, before any cleaning; they would need a different storage plan
  (e.g. keeping the orders as Parquet files the warehouse reads in place).
- CSV staging profile (CPU seconds, 2 threads): CSV parsing 8.9, trimming 11 columns
  5.9, parsing values 15.2, materialising the staged rows 4.2. Key de-duplication 2.4 s
  wall, the upsert into the warehouse 7.8 s wall.
- Fixed along the way: DuckDB rewrites `x IN (...)` into a join evaluated on every row
  (null-token test: 1.2 s per column → now done by the CSV reader's `nullstr`); typed
  Parquet columns are no longer turned into text to be tested (38 s → 19 s).
"""


def _row(name: str, r: dict[str, Any]) -> str:
    return (f"| {name} | {r['seconds']:.2f} | {r['peak_rss_mb']:,} | "
            f"{r.get('wall_seconds', 0):.1f} |")


def render(r: dict[str, Any], *, members: int, orders_per_member: float, machine: str,
           when: str) -> str:
    files = r["datagen"]["files"]
    orders = files.get("orders.csv", {}).get("rows", 0)
    ic, ip, pi = r["ingest_csv"], r["ingest_parquet"], r["pandas_ingest"]
    rf, prf = r["rfm"], r["pandas_rfm"]
    cs, lt = r["clv_summary"], r["lifetimes"]
    n = f"{orders / 1e6:.1f}M" if orders >= 1e6 else f"{orders:,}"
    target = {k: (v[0].format(n=n), v[1]) for k, v in TARGETS.items()}
    clv_met = (lt["seconds"] / cs["seconds"] >= 10
               and cs["peak_rss_mb"] * 3 <= lt["peak_rss_mb"])
    lines = [
        "# Benchmark results",
        "",
        f"- **Date**: {when}",
        f"- **Machine**: {machine}",
        f"- **Data**: `memberlens.datagen`, {members:,} members, {orders:,} orders "
        f"(≈{orders_per_member:g} per member, 1 % dirt), "
        + ", ".join(f"`{k}` {v['mb']:,} MB" for k, v in files.items()),
        "- **Command**: `make bench` (each step in a fresh process; time is the step's own "
        "work, peak RSS the process's maximum; wall includes start-up and loading)",
        "",
        "| step | seconds | peak RSS MB | wall s |",
        "|---|---:|---:|---:|",
        _row("memberlens ingest orders.csv", ic),
        _row("memberlens ingest orders.parquet", ip),
        _row("pandas ingest orders.csv (same rules)", pi),
        _row("memberlens RFM + quintile scores", rf),
        _row("pandas RFM + quintile scores (data in memory)", prf),
        _row("memberlens CLV summary (SQL)", cs),
        _row("lifetimes summary_data_from_transaction_data", lt),
        "",
        "## Ratios",
        "",
        f"- Ingest CSV: memberlens {pi['seconds'] / ic['seconds']:.1f}× faster than pandas, "
        f"{ic['peak_rss_mb'] / max(pi['peak_rss_mb'], 1):.2f}× its peak memory.",
        f"- RFM: memberlens {prf['seconds'] / rf['seconds']:.1f}× faster than pandas; "
        f"outputs equal: **{prf['equal_to_memberlens']}**.",
        f"- CLV summary: memberlens {lt['seconds'] / cs['seconds']:.1f}× faster than "
        f"lifetimes, {cs['peak_rss_mb'] / max(lt['peak_rss_mb'], 1):.2f}× its peak memory; "
        f"outputs equal: **{lt['equal_to_memberlens']}**.",
        "",
        "## Against the targets of issue 2",
        "",
        "| target | goal | measured | met |",
        "|---|---|---|---|",
        f"| {target['ingest_csv'][0]} | {target['ingest_csv'][1]} | "
        f"{ic['seconds']:.1f} s | {'yes' if ic['seconds'] <= 5 else 'no'} |",
        f"| {target['ingest_parquet'][0]} | {target['ingest_parquet'][1]} | "
        f"{ip['seconds']:.1f} s | {'yes' if ip['seconds'] <= 1.5 else 'no'} |",
        f"| {target['rfm'][0]} | {target['rfm'][1]} | {rf['seconds']:.2f} s | "
        f"{'yes' if rf['seconds'] <= 1 else 'no'} |",
        f"| {target['clv_summary'][0]} | {target['clv_summary'][1]} | "
        f"{lt['seconds'] / cs['seconds']:.0f}×, "
        f"{cs['peak_rss_mb'] / max(lt['peak_rss_mb'], 1):.2f}× memory | "
        f"{'yes' if clv_met else 'no'} |",
        "",
        f"Loads: CSV read {ic['rows_in']:,} rows, loaded {ic['loaded']:,}, rejected "
        f"{ic['rejected']:,}, dropped {ic['duplicates']:,}, flagged {ic['flagged']:,}; "
        f"pandas loaded {pi['loaded']:,}, rejected {pi['rejected']:,}.",
        "",
        NOTES,
    ]
    return "\n".join(lines)
