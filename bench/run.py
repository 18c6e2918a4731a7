"""Foundation benchmark: ingest and RFM at 1M members / 20M orders, against the alternatives.

Run with `make bench` (or `python bench/run.py [--members N] [--orders-per-member K]`).
Each measured step runs in a fresh process, so its peak memory (max RSS) is its own;
outputs of the compared implementations are checked equal before a time is reported.
Results go to the ingest section of bench/RESULTS.md (bench/results/ingest.md), with the
machine and the date; other benchmarks' sections are left as they are.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
WORK = HERE / "work"
AS_OF = date(2026, 1, 1)


# --- steps: each runs in its own process and prints one JSON line --------------------------

def step_datagen(a: argparse.Namespace) -> dict[str, Any]:
    from memberlens.datagen import generate

    out = _data_dir(a)
    if (out / "manifest.json").exists():
        return {"cached": True, **_sizes(out)}
    generate(out, members=a.members, seed=7, dirt=0.01, orders_per_member=a.orders_per_member,
             include=frozenset({"members", "orders"}), orders_csv=True, split_pos=False)
    return {"cached": False, **_sizes(out)}


def step_ingest(a: argparse.Namespace) -> dict[str, Any]:
    from memberlens.engine import open_engine
    from memberlens.ingest import ingest_file

    wh = WORK / f"ingest-{a.format}.duckdb"
    for p in (wh, wh.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    engine = open_engine(path=wh)
    src = _data_dir(a) / f"orders.{a.format}"
    t = time.perf_counter()
    r = ingest_file(engine, "orders", src)
    seconds = time.perf_counter() - t
    engine.close()
    return {"seconds": seconds, "rows_in": r.rows_in, "loaded": r.loaded,
            "rejected": r.rejected, "duplicates": r.duplicates, "flagged": r.flagged}


def step_pandas_ingest(a: argparse.Namespace) -> dict[str, Any]:
    """The obvious pandas version of the same cleaning: parse, validate, dedupe, store."""
    import duckdb
    import numpy as np
    import pandas as pd

    wh = WORK / "ingest-pandas.duckdb"
    for p in (wh, wh.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    t = time.perf_counter()
    df = pd.read_csv(_data_dir(a) / "orders.csv", dtype=str, keep_default_na=False)
    for col in df.columns:
        df[col] = df[col].str.strip().replace({"": None, "null": None, "NULL": None})
    ts = pd.to_datetime(df["ordered_at"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    ts = ts.fillna(pd.to_datetime(df["ordered_at"], format="mixed", errors="coerce"))
    money = {c: pd.to_numeric(df[c].str.replace(r"[¥,元\s]", "", regex=True), errors="coerce")
             for c in ("total_amount", "discount_amount", "paid_amount", "refund_amount")}
    bad = (df["member_id"].isna() | ts.isna() | money["paid_amount"].isna()
           | (money["paid_amount"] < 0) | (money["paid_amount"] > 1_000_000)
           | (ts > pd.Timestamp.now() + pd.Timedelta(days=1)))
    clean = df.assign(ordered_at=ts, **{k: v.round(2) for k, v in money.items()})
    rejected = int(bad.sum())
    clean = clean[~bad]
    dup = clean.duplicated()
    clean = clean[~dup].drop_duplicates("order_id", keep="last")
    con = duckdb.connect(str(wh))
    con.register("clean_df", clean)
    con.execute("CREATE TABLE orders AS SELECT * FROM clean_df")
    con.close()
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows_in": len(df), "loaded": len(clean), "rejected": rejected,
            "duplicates": int(dup.sum()), "flagged": int(np.nan_to_num(0))}


def step_rfm(a: argparse.Namespace) -> dict[str, Any]:
    from memberlens.analytics import rfm_sql

    return _timed_in_warehouse(engine_sql=rfm_sql(AS_OF), out="rfm-memberlens.parquet")


def _timed_in_warehouse(engine_sql: Any, out: str) -> dict[str, Any]:
    """Time the query as the product runs it: into a table inside the warehouse.

    The export for the equality check (to Arrow, then Parquet) is not timed: exporting
    768k rows to Python costs more than computing them.
    """
    from memberlens.engine import DuckDBEngine

    engine = DuckDBEngine(WORK / "ingest-parquet.duckdb", read_only=True)
    sql = engine.to_sql(engine_sql)
    engine.execute(f"SELECT count(*) FROM ({sql})")  # warm the file cache
    t = time.perf_counter()
    engine.execute(f"CREATE TEMP TABLE result AS {sql}")
    seconds = time.perf_counter() - t
    table = engine.fetch_arrow("SELECT * FROM result")
    table.to_pandas().to_parquet(WORK / out)
    return {"seconds": seconds, "members": table.num_rows}


def _orders_frame() -> Any:
    import duckdb

    con = duckdb.connect(str(WORK / "ingest-parquet.duckdb"), read_only=True)
    df = con.sql("SELECT member_id, ordered_at, paid_amount - coalesce(refund_amount, 0) "
                 "AS net, status FROM orders").df()
    con.close()
    return df


def step_pandas_rfm(a: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    df = _orders_frame()
    t = time.perf_counter()
    p = df[(df.status.isna() | df.status.isin(["completed", "partially_refunded"]))
           & (df.ordered_at < pd.Timestamp(AS_OF))]
    g = p.groupby("member_id").agg(last=("ordered_at", "max"), frequency=("net", "size"),
                                   monetary=("net", "sum"))
    g["monetary"] = g["monetary"].astype(float).round(2)  # the warehouse sums decimals
    g["recency_days"] = (pd.Timestamp(AS_OF) - g["last"].dt.normalize()).dt.days
    n = len(g)

    def score(s: pd.Series, ascending: bool) -> pd.Series:
        rank = s.rank(method="min", ascending=ascending)
        return np.minimum(5, 1 + np.floor(5 * (rank - 1) / (n - 1))).astype(int)

    g["r_score"] = score(g["recency_days"], ascending=False)
    g["f_score"] = score(g["frequency"], ascending=True)
    g["m_score"] = score(g["monetary"], ascending=True)
    seconds = time.perf_counter() - t
    ours = pd.read_parquet(WORK / "rfm-memberlens.parquet").set_index("member_id")
    joined = g.join(ours, rsuffix="_ml", how="outer")
    equal = bool(
        len(ours) == len(g)
        and (joined.recency_days == joined.recency_days_ml).all()
        and (joined.frequency == joined.frequency_ml).all()
        and np.allclose(joined.monetary.astype(float), joined.monetary_ml.astype(float))
        and (joined.r_score == joined.r_score_ml).all()
        and (joined.f_score == joined.f_score_ml).all()
        and (joined.m_score == joined.m_score_ml).all())
    return {"seconds": seconds, "members": n, "equal_to_memberlens": equal}


def step_clv_summary(a: argparse.Namespace) -> dict[str, Any]:
    from memberlens.analytics.clv_summary import clv_summary_sql

    return _timed_in_warehouse(engine_sql=clv_summary_sql(AS_OF), out="clv-memberlens.parquet")


def step_lifetimes(a: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    df = _orders_frame()
    df = df[(df.status.isna() | df.status.isin(["completed", "partially_refunded"]))
            & (df.ordered_at < pd.Timestamp(AS_OF))]
    df["net"] = df["net"].astype(float)
    t = time.perf_counter()
    s = summary_data_from_transaction_data(
        df, "member_id", "ordered_at", monetary_value_col="net",
        observation_period_end=pd.Timestamp(AS_OF) - pd.Timedelta(days=1))
    seconds = time.perf_counter() - t
    ours = pd.read_parquet(WORK / "clv-memberlens.parquet").set_index("member_id")
    ours = ours.loc[s.index]
    equal = bool(len(ours) == len(s) and all(
        np.allclose(ours[c].to_numpy(), s[c].to_numpy()) for c in
        ("frequency", "recency", "T", "monetary_value")))
    return {"seconds": seconds, "members": len(s), "equal_to_memberlens": equal}


STEPS = {"datagen": step_datagen, "ingest": step_ingest, "pandas_ingest": step_pandas_ingest,
         "rfm": step_rfm, "pandas_rfm": step_pandas_rfm, "clv_summary": step_clv_summary,
         "lifetimes": step_lifetimes}


# --- driver ----------------------------------------------------------------------------------

def _data_dir(a: argparse.Namespace) -> Path:
    return DATA / f"m{a.members}-o{a.orders_per_member:g}"


def _sizes(out: Path) -> dict[str, Any]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"files": {f["path"]: {"rows": f["rows"],
                                  "mb": round((out / f["path"]).stat().st_size / 2**20, 1)}
                      for f in manifest["files"]}}


def run_step(name: str, a: argparse.Namespace, **extra: str) -> dict[str, Any]:
    from harness import run_step as run_in_fresh_process

    args = ["--members", str(a.members), "--orders-per-member", str(a.orders_per_member)]
    for k, v in extra.items():
        args += [f"--{k}", v]
    return run_in_fresh_process(__file__, name, args)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--orders-per-member", type=float, default=20.0)
    ap.add_argument("--step")
    ap.add_argument("--format", default="csv")
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if a.step:
        from harness import step_main

        step_main(STEPS, a.step, a)
        return
    r = {"datagen": run_step("datagen", a)}
    r["ingest_csv"] = run_step("ingest", a, format="csv")
    r["ingest_parquet"] = run_step("ingest", a, format="parquet")
    r["pandas_ingest"] = run_step("pandas_ingest", a)
    r["rfm"] = run_step("rfm", a)
    r["pandas_rfm"] = run_step("pandas_rfm", a)
    r["clv_summary"] = run_step("clv_summary", a)
    r["lifetimes"] = run_step("lifetimes", a)
    write_results(a, r)


def write_results(a: argparse.Namespace, r: dict[str, Any]) -> None:
    from harness import machine, write_section
    from results_page import render

    text = render(r, members=a.members, orders_per_member=a.orders_per_member,
                  machine=machine(), when=datetime.now().strftime("%Y-%m-%d %H:%M"))
    write_section("ingest", text)
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
