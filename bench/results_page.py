"""Renders benchmark sections of bench/RESULTS.md from one run's measurements.

`render` is the ingest/RFM/CLV section (bench/run.py); `render_tags` the tags section
(bench/tags_bench.py). Each section states its own date and machine.
"""

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


NOTES = """### Where the ingest time goes (measured 2026-11-24 on this machine, 20M orders)

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
        "## Ingest, RFM and CLV summary (issue 2)",
        "",
        f"- **Date**: {when}",
        f"- **Machine**: {machine}",
        f"- **Data**: `memberlens.datagen`, {members:,} members, {orders:,} orders "
        f"(≈{orders_per_member:g} per member, 1 % dirt), "
        + ", ".join(f"`{k}` {v['mb']:,} MB" for k, v in files.items()),
        "- **Command**: `python bench/run.py` (part of `make bench`; each step in a fresh "
        "process; time is the step's own work, peak RSS the process's maximum; wall includes "
        "start-up and loading)",
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
        "### Ratios",
        "",
        f"- Ingest CSV: memberlens {pi['seconds'] / ic['seconds']:.1f}× faster than pandas, "
        f"{ic['peak_rss_mb'] / max(pi['peak_rss_mb'], 1):.2f}× its peak memory.",
        f"- RFM: memberlens {prf['seconds'] / rf['seconds']:.1f}× faster than pandas; "
        f"outputs equal: **{prf['equal_to_memberlens']}**.",
        f"- CLV summary: memberlens {lt['seconds'] / cs['seconds']:.1f}× faster than "
        f"lifetimes, {cs['peak_rss_mb'] / max(lt['peak_rss_mb'], 1):.2f}× its peak memory; "
        f"outputs equal: **{lt['equal_to_memberlens']}**.",
        "",
        "### Against the targets of issue 2",
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


TAG_TARGETS = {  # issue 3's targets for the tags at 1M members / 20M orders / 50M events
    "seconds": 5.0, "stretch": 2.5, "vs_pandas": 5.0, "memory_mb": 3 * 1024,
}

TAG_NOTES = """### Where the time goes (measured 2026-11-24 on this machine, 1M members)

Applied on 2026-11-24 after the first measurements (order-based tags 31.8 s → 28.1 s):
the order-line source is cut to the earliest window before its join with the orders
(5.8 s → 2.4 s as a single query); a single favourite uses `first(d ORDER BY v DESC, d)`
instead of a sorted list (3.0 s → 1.8 s); purchase gaps sort by time alone (6.2 s →
3.9 s, same gaps); all tags over one source share one scan and one GROUP BY, each window
being a FILTER of its own aggregate.

What remains, from the compute-only table above: the favourite categories and brands
(top-3 lists over 38.7M order lines, ~9.6 s) and the preferred hour band, channel and
store (~5.2 s) are most of it; writing the snapshot and member_profile (1M rows × 66
columns, twice) is the gap between compute-only and `run_tags`. The next steps are
pre-aggregating (member, category/brand) spend once for all "top" tags over items, and
writing member_profile as a view over the newest snapshot instead of a second copy.
Tried and rejected: `WITH … AS MATERIALIZED` for the sources (computing the purchases
and order-line sets once for all consumers) made the order-based run slower, 36.6 s.
Peak memory: DuckDB takes up to 80 % of RAM by default; `MEMBERLENS_MEMORY_LIMIT=2GB`
keeps the process under the 3 GB target and spills to disk, at the cost shown above.
"""


def render_tags(r: dict[str, Any], *, members: int, machine: str, when: str) -> str:
    """The tags section: run_tags on the order-based and all built-in tags, vs pandas."""
    rows = {k: v["rows"] for k, v in r["datagen"]["files"].items()}
    lo, la, ll, pd_ = r["ml_orders"], r["ml_all"], r["ml_all_limited"], r["pandas"]
    loads = r["load"]["loads"]
    ratio = pd_["seconds"] / lo["seconds"]
    mem = min(la["peak_rss_mb"], ll["peak_rss_mb"])
    t = TAG_TARGETS

    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    def row(name: str, x: dict[str, Any], tags: int) -> str:
        return (f"| {name} | {tags} | {x['seconds']:.2f} | {x['peak_rss_mb']:,} | "
                f"{x['wall_seconds']:.1f} |")

    mismatches = ", ".join(f"{k} ({n})" for k, n in pd_["mismatches"].items()) or "none"
    lines = [
        "## Tags (issue 3)",
        "",
        f"- **Date**: {when}",
        f"- **Machine**: {machine}",
        f"- **Data**: `memberlens.datagen` (seed 7, 1 % dirt, events as Parquet), "
        f"{members:,} members: {rows.get('orders.parquet', 0):,} orders, "
        f"{rows.get('order_items.parquet', 0):,} order lines, "
        f"{rows.get('events.parquet', 0):,} events, {rows.get('feedback.csv', 0):,} feedback "
        f"rows; generated in {r['datagen']['seconds']:.0f} s and loaded with `ingest_file` "
        f"in {sum(v['seconds'] for v in loads.values()):.0f} s (events "
        f"{loads['events']['seconds']:.0f} s), not part of the timings.",
        "- **Command**: `python bench/tags_bench.py` (each step in a fresh process; "
        "memberlens' time is `run_tags` as the product runs it: compile, compute, write the "
        "tag_history snapshot and member_profile; pandas' time is the computation on frames "
        "already in memory; peak RSS is the process's maximum). The machine is shared with "
        "other work, so single runs can be noisy.",
        "",
        "| step | tags | seconds | peak RSS MB | wall s |",
        "|---|---:|---:|---:|---:|",
        row("memberlens `run_tags`, order-based tags", lo, lo["tags"]),
        f"| … second run in the same process | {lo['tags']} | {lo['runs'][-1]:.2f} | | |",
        row("memberlens `run_tags`, all built-in tags", la, la["tags"]),
        f"| … second run in the same process | {la['tags']} | {la['runs'][-1]:.2f} | | |",
        row(f"… all tags, DuckDB memory_limit {ll['memory_limit']}", ll, ll["tags"]),
        row("pandas, the order-based tags (data in memory)", pd_, lo["tags"]),
        "",
        f"Order-based tags: the aggregates over purchases, orders, order lines and purchase "
        f"gaps, and the rules over them ({', '.join(lo['keys'])}).",
        "",
        f"Outputs compared on a random sample of {pd_['sample']:,} members, every "
        f"order-based tag (integers, strings, lists and timestamps exactly; money within a "
        f"cent, other floats within 1e-9): **equal: {pd_['equal']}**; members with "
        f"differences, by tag: {mismatches}.",
        "",
        "### Against the targets of issue 3",
        "",
        "| target | goal | measured | met |",
        "|---|---|---|---|",
        f"| order-based tags, {members:,} members | ≤ {t['seconds']:g} s "
        f"(stretch {t['stretch']:g} s) | {lo['seconds']:.1f} s | "
        f"{met(lo['seconds'] <= t['seconds'])} |",
        f"| against pandas, same tags | ≥ {t['vs_pandas']:g}× faster | {ratio:.1f}× "
        "(pandas s ÷ memberlens s) | "
        f"{met(ratio >= t['vs_pandas'])} |",
        f"| peak memory, all tags | ≤ 3 GB | {la['peak_rss_mb'] / 1024:.1f} GB by default, "
        f"{ll['peak_rss_mb'] / 1024:.1f} GB with memory_limit {ll['memory_limit']} | "
        f"{met(mem <= t['memory_mb'])}{' (with the limit)' if mem <= t['memory_mb'] else ''} |",
        "",
        "Compute only (the compiled query into a temporary table, no history written), parts "
        "of the order-based catalog:",
        "",
        "| part | seconds |",
        "|---|---:|",
        *(f"| {name} | {sec:.2f} |" for name, sec in r["breakdown"]["parts"].items()),
        "",
        TAG_NOTES.strip(),
    ]
    return "\n".join(lines)
