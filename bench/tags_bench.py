"""Tags benchmark: every built-in tag at 1M members / 20M orders / 50M events, vs pandas.

Run with `python bench/tags_bench.py` (defaults: 1M members, 20 orders and 50 events per
member). Steps, each in a fresh process (peak RSS is the step's own):

1. datagen  — all tables from memberlens.datagen, events as Parquet (cached);
2. load     — every file through memberlens' ingest into one warehouse (cached);
3. ml_orders — run_tags with the catalog restricted to the order-based tags (sources
   purchases, orders, items, purchase_gaps, plus the rules over them);
4. ml_all   — run_tags with the whole built-in catalog (again with DuckDB's memory_limit
   at 2GB, to see what keeping under the 3 GB target costs);
5. pandas   — a straightforward pandas implementation of the order-based tags
   (bench/pandas_tags.py), checked against memberlens' snapshot on a random sample;
6. breakdown — compute-only time of parts of the order-based catalog (where time goes).

The result is the `tags` section of bench/RESULTS.md (bench/results/tags.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import DATA, WORK, machine, now, run_step, step_main, write_section  # noqa: E402

AS_OF = date(2026, 1, 1)
ORDER_SOURCES = frozenset({"purchases", "orders", "items", "purchase_gaps"})


def _name(a: argparse.Namespace) -> str:
    return f"tags-m{a.members}-o{a.orders_per_member:g}-e{a.events_per_member:g}"


def data_dir(a: argparse.Namespace) -> Path:
    return DATA / _name(a)


def warehouse(a: argparse.Namespace) -> Path:
    return WORK / f"{_name(a)}.duckdb"


# --- steps -------------------------------------------------------------------------------

def step_datagen(a: argparse.Namespace) -> dict[str, Any]:
    from memberlens.datagen import generate

    out = data_dir(a)
    cached = (out / "manifest.json").exists()
    if not cached:
        generate(out, members=a.members, seed=7, dirt=0.01,
                 orders_per_member=a.orders_per_member, events_per_member=a.events_per_member,
                 split_pos=False, events_format="parquet")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {f["path"]: {"rows": f["rows"], "mb": round((out / f["path"]).stat().st_size
                                                         / 2**20, 1)}
             for f in manifest["files"]}
    return {"cached": cached, "seconds": manifest["duration_seconds"], "files": files}


def step_load(a: argparse.Namespace) -> dict[str, Any]:
    from memberlens.engine import open_engine
    from memberlens.ingest import ingest_file

    wh = warehouse(a)
    done = wh.with_suffix(".loaded.json")
    if done.exists() and wh.exists():
        return {"cached": True, **json.loads(done.read_text(encoding="utf-8"))}
    for p in (wh, wh.with_suffix(".duckdb.wal"), done):
        p.unlink(missing_ok=True)
    manifest = json.loads((data_dir(a) / "manifest.json").read_text(encoding="utf-8"))
    engine = open_engine(path=wh)
    loads: dict[str, Any] = {}
    for f in manifest["files"]:
        if f.get("alternative_of"):
            continue
        t = time.perf_counter()
        r = ingest_file(engine, f["table"], data_dir(a) / f["path"])
        loads[f["table"]] = {"seconds": round(time.perf_counter() - t, 1), "loaded": r.loaded,
                             "rejected": r.rejected, "duplicates": r.duplicates}
    tables = {t: int(engine.scalar(f"SELECT count(*) FROM {t}")) for t in loads}
    engine.close()
    result = {"loads": loads, "tables": tables}
    done.write_text(json.dumps(result), encoding="utf-8")
    return {"cached": False, **result}


def order_catalog() -> Any:
    """The built-in tags over orders and items, and the rules that read only those."""
    from memberlens.tags import load_catalog
    from memberlens.tags.catalog import Catalog
    from memberlens.tags.definition import AggregateCompute, RuleCompute
    from memberlens.tags.expressions import parse_expression
    from memberlens.tags.sources import MEMBER_COLUMNS

    full = load_catalog()
    keep: set[str] = set()
    for key in full.order:  # dependency order: a rule's inputs are decided before it
        c = full.tags[key].compute
        if isinstance(c, AggregateCompute) and c.source in ORDER_SOURCES:
            keep.add(key)
        elif isinstance(c, RuleCompute):
            deps = parse_expression(c.expr, names=[k for k in full.tags if k != key],
                                    qualified={"members": MEMBER_COLUMNS}).tags
            if deps and deps <= keep:
                keep.add(key)
    return Catalog(tags={k: full.tags[k] for k in full.order if k in keep},
                   order=[k for k in full.order if k in keep])


def _run_tags(a: argparse.Namespace, catalog: Any) -> dict[str, Any]:
    from memberlens.engine import open_engine
    from memberlens.settings import Settings
    from memberlens.tags import run_tags

    engine = open_engine(Settings(memory_limit=a.memory_limit), path=warehouse(a))
    runs = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        r = run_tags(engine, as_of=AS_OF, catalog=catalog)
        runs.append(round(time.perf_counter() - t, 3))
    engine.close()
    return {"seconds": runs[0], "runs": runs, "members": r.members, "tags": r.tags,
            "memory_limit": a.memory_limit}


def step_ml_orders(a: argparse.Namespace) -> dict[str, Any]:
    cat = order_catalog()
    return {**_run_tags(a, cat), "keys": list(cat.order)}


def step_ml_all(a: argparse.Namespace) -> dict[str, Any]:
    from memberlens.tags import load_catalog

    return _run_tags(a, load_catalog())


def step_pandas(a: argparse.Namespace) -> dict[str, Any]:
    from pandas_tags import compare_sample, load_frames, order_tags

    frames = load_frames(warehouse(a), AS_OF)
    t = time.perf_counter()
    ours = order_tags(frames, AS_OF)
    seconds = time.perf_counter() - t
    del frames
    check = compare_sample(ours, warehouse(a), AS_OF, list(order_catalog().order),
                           n=a.sample, seed=a.seed)
    return {"seconds": round(seconds, 3), "members": len(ours), **check}


def step_breakdown(a: argparse.Namespace) -> dict[str, Any]:
    """Compute-only time (no history write) of parts of the order-based catalog."""
    from memberlens.engine import open_engine
    from memberlens.settings import Settings
    from memberlens.tags.catalog import Catalog
    from memberlens.tags.definition import AggregateCompute
    from memberlens.tags.runner import compile_for

    full = order_catalog()
    aggs = {k: t.compute for k, t in full.tags.items() if isinstance(t.compute, AggregateCompute)}
    tops = ("top", "top_share", "top_n")
    parts = {
        "purchases: counts, sums, first/last, shares": [
            k for k, c in aggs.items() if c.source == "purchases" and c.function not in tops],
        "purchases: preferred hour band, channel, store": [
            k for k, c in aggs.items() if c.source == "purchases" and c.function in tops],
        "orders: refund rate": [k for k, c in aggs.items() if c.source == "orders"],
        "purchase gaps: interval mean and spread": [
            k for k, c in aggs.items() if c.source == "purchase_gaps"],
        "items: price, discount and new-product shares": [
            k for k, c in aggs.items() if c.source == "items" and c.function not in tops],
        "items: favourite categories and brands": [
            k for k, c in aggs.items() if c.source == "items" and c.function in tops],
        "all aggregates, no rules": list(aggs),
        "all order-based tags (aggregates and rules)": list(full.order),
    }
    engine = open_engine(Settings(memory_limit=a.memory_limit), path=warehouse(a))
    out: dict[str, Any] = {}
    for name, keys in parts.items():
        cat = Catalog(tags={k: full.tags[k] for k in keys},
                      order=[k for k in full.order if k in keys])
        sql = compile_for(engine, cat, AS_OF)
        t = time.perf_counter()
        engine.execute(f"CREATE OR REPLACE TEMP TABLE breakdown AS {sql}")
        out[name] = round(time.perf_counter() - t, 2)
    engine.close()
    return {"parts": out}


STEPS = {"datagen": step_datagen, "load": step_load, "ml_orders": step_ml_orders,
         "ml_all": step_ml_all, "pandas": step_pandas, "breakdown": step_breakdown}


# --- driver ------------------------------------------------------------------------------

def _args(a: argparse.Namespace, **extra: object) -> list[str]:
    out = ["--members", str(a.members), "--orders-per-member", f"{a.orders_per_member:g}",
           "--events-per-member", f"{a.events_per_member:g}", "--sample", str(a.sample),
           "--seed", str(a.seed)]
    if a.memory_limit and "memory_limit" not in extra:
        extra = {**extra, "memory_limit": a.memory_limit}
    for k, v in extra.items():
        out += [f"--{k.replace('_', '-')}", str(v)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--orders-per-member", type=float, default=20.0)
    ap.add_argument("--events-per-member", type=float, default=50.0)
    ap.add_argument("--sample", type=int, default=10_000, help="members compared with pandas")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="run_tags runs per process")
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 2.5GB")
    ap.add_argument("--limited-memory", default="2GB",
                    help="memory_limit of the extra all-tags run that checks the 3 GB target")
    ap.add_argument("--step", choices=sorted(STEPS))
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite the section from the last run's saved measurements")
    ap.add_argument("--no-write", action="store_true",
                    help="print the section but do not write RESULTS.md")
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if a.step:
        step_main(STEPS, a.step, a)
        return
    saved = WORK / f"{_name(a)}-results.json"
    if a.render_only:  # rewrite the section from the last run's measurements
        r = json.loads(saved.read_text(encoding="utf-8"))
        from results_page import render_tags

        write_section("tags", render_tags(r, members=a.members, machine=r["machine"],
                                          when=r["when"]))
        return
    script = str(Path(__file__).resolve())
    r = {"datagen": run_step(script, "datagen", _args(a))}
    r["load"] = run_step(script, "load", _args(a))
    r["ml_orders"] = run_step(script, "ml_orders", _args(a, repeat=2))
    r["ml_all"] = run_step(script, "ml_all", _args(a, repeat=2))
    r["ml_all_limited"] = run_step(script, "ml_all", _args(a, memory_limit=a.limited_memory))
    r["pandas"] = run_step(script, "pandas", _args(a))
    r["breakdown"] = run_step(script, "breakdown", _args(a))
    r["machine"], r["when"] = machine(), now()
    saved.write_text(json.dumps(r, indent=1), encoding="utf-8")
    from results_page import render_tags

    text = render_tags(r, members=a.members, machine=r["machine"], when=r["when"])
    if not a.no_write:
        write_section("tags", text)
    print(text)


if __name__ == "__main__":
    main()
