"""Recommendation benchmark: fit and top-10 for 1M members × 50k SKUs, per recommender.

Run with `python bench/recommend_bench.py` (part of `make bench`). Steps, each in a
fresh process so peak RSS is the step's own:

1. synth — the interaction set of `recommend_synth.py` (1M members, 50k SKUs, ~20M
   purchase/cart/view rows over a year; cached as Parquet);
2. run NAME — load the first 300 days into `Interactions`, fit the recommender, produce
   the top-10 of every member (already-interacted SKUs excluded), then score the lists
   of a seeded 20,000-member sample against their purchases in the last 65 days;
3. alternatives — the same for implicit's own item-item cosine (the peer library's
   item-CF, no shrinkage) so item-CF's cost has a yardstick.

The result is the `recommend` section of bench/RESULTS.md (bench/results/recommend.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import WORK, machine, now, run_step, step_main, write_section  # noqa: E402
from recommend_synth import products, synth_path, write_interactions  # noqa: E402

MEMBERS, SKUS, PER_MEMBER = 1_000_000, 50_000, 20
CUTOFF_DAY, SAMPLE, K = 300, 20_000, 10
RECOMMENDERS = ("popularity", "itemcf", "als", "bpr", "content")
ALTERNATIVES = ("implicit_cosine",)


def _args(a: argparse.Namespace) -> tuple[int, int, int]:
    return a.members, a.skus, a.per_member


def step_synth(a: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    path = synth_path(WORK, *_args(a))
    cached = path.exists()
    write_interactions(path, *_args(a))
    import pyarrow.parquet as pq

    return {"cached": cached, "rows": pq.read_metadata(path).num_rows,
            "seconds": round(time.perf_counter() - started, 2)}


def _load(a: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Train Interactions (days < cut-off) and the test purchases as a CSR."""
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    import scipy.sparse as sp

    from memberlens.recommend.base import Interactions

    table = pq.read_table(synth_path(WORK, *_args(a)))
    day = table["day"]
    train = table.filter(pc.less(day, CUTOFF_DAY))
    test = table.filter(pc.and_(pc.greater_equal(day, CUTOFF_DAY),
                                pc.equal(table["kind"], 0)))
    shape = (a.members, a.skus)
    matrix = sp.csr_matrix((train["weight"].to_numpy(), (train["member"].to_numpy(),
                            train["item"].to_numpy())), shape=shape, dtype=np.float32)
    matrix.sum_duplicates()
    truth = sp.csr_matrix((np.ones(test.num_rows, np.float32), (test["member"].to_numpy(),
                           test["item"].to_numpy())), shape=shape)
    truth.sum_duplicates()
    member_ids = np.array([f"M{i:07d}" for i in range(a.members)], dtype=object)
    items = products(a.skus)
    skus = np.array(items["sku"].to_pylist(), dtype=object)
    return Interactions(matrix, member_ids, skus), truth, items


def _make(name: str, items: Any) -> Any:
    from memberlens.recommend.registry_names import make_recommender

    if name == "content":
        return make_recommender(name, products=items.to_pandas())
    return make_recommender(name)


def step_run(a: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    from memberlens.recommend.base import TopN
    from memberlens.recommend.metrics import catalogue_coverage, ranking_metrics

    t0 = time.perf_counter()
    interactions, truth, items = _load(a)
    t1 = time.perf_counter()
    if a.name == "implicit_cosine":
        top, fit_s, rec_s = _implicit_cosine(interactions)
    else:
        rec = _make(a.name, items)
        rec.fit(interactions)
        t2 = time.perf_counter()
        rows = np.arange(interactions.n_members, dtype=np.int64)
        top = rec.recommend_rows(rows, K)
        fit_s, rec_s = t2 - t1, time.perf_counter() - t2
    rng = np.random.default_rng(0)
    has_test = np.flatnonzero(np.diff(truth.indptr) > 0)
    sample = np.sort(rng.choice(has_test, size=min(SAMPLE, len(has_test)), replace=False))
    scored = ranking_metrics(TopN(top.items[sample], top.scores[sample]), truth[sample], K)
    return {"load_seconds": round(t1 - t0, 2), "fit_seconds": round(fit_s, 2),
            "top10_seconds": round(rec_s, 2), "nnz": int(interactions.matrix.nnz),
            "coverage": round(catalogue_coverage(top, interactions.n_items), 4),
            **{m: round(v, 4) for m, v in scored.items()}}


def _implicit_cosine(interactions: Any) -> tuple[Any, float, float]:
    """implicit's CosineRecommender (K=100 neighbours) fitted and asked for every member."""
    import numpy as np
    from implicit.nearest_neighbours import CosineRecommender
    from threadpoolctl import threadpool_limits

    from memberlens.recommend.base import TopN

    with threadpool_limits(1, "blas"):
        t = time.perf_counter()
        model = CosineRecommender(K=100)
        model.fit(interactions.matrix, show_progress=False)
        fit_s = time.perf_counter() - t
        t = time.perf_counter()
        ids, scores = model.recommend(np.arange(interactions.n_members), interactions.matrix,
                                      N=K, filter_already_liked_items=True)
    return TopN(ids.astype(np.int32), scores.astype(np.float32)), fit_s, time.perf_counter() - t


STEPS = {"synth": step_synth, "run": step_run}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--step", choices=STEPS)
    p.add_argument("--name", choices=(*RECOMMENDERS, *ALTERNATIVES), default="popularity")
    p.add_argument("--members", type=int, default=MEMBERS)
    p.add_argument("--skus", type=int, default=SKUS)
    p.add_argument("--per-member", type=int, default=PER_MEMBER)
    p.add_argument("--only", default=",".join((*RECOMMENDERS, *ALTERNATIVES)),
                   help="comma-separated recommenders to run")
    a = p.parse_args()
    if a.step:
        step_main(STEPS, a.step, a)
        return
    script = str(Path(__file__).resolve())
    size = ["--members", str(a.members), "--skus", str(a.skus),
            "--per-member", str(a.per_member)]
    synth = run_step(script, "synth", size)
    rows = [(n, run_step(script, "run", [*size, "--name", n])) for n in a.only.split(",")]
    write_section("recommend", section(a, synth, rows))


LABELS = {"popularity": "popularity 热销", "itemcf": "item-CF 物品协同过滤",
          "als": "ALS (implicit)", "bpr": "BPR (implicit)", "content": "content 内容匹配",
          "implicit_cosine": "implicit CosineRecommender (peer, no shrinkage)"}


def section(a: argparse.Namespace, synth: dict[str, Any],
            rows: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        "## Recommendations (issue 6)", "",
        f"- **Date**: {now()}", f"- **Machine**: {machine()}",
        f"- **Data**: `bench/recommend_synth.py`, {a.members:,} members × {a.skus:,} SKUs, "
        f"{synth['rows']:,} purchase / cart / view rows over 365 days (weights 1 / 0.3 / "
        f"0.1; 500 leaf categories, power-law SKU popularity, members favour 3 leaves and a "
        f"price level). Train = days < {CUTOFF_DAY}; every member gets a top-{K} "
        "(already-interacted SKUs excluded); quality = those lists scored against the "
        f"purchases of days ≥ {CUTOFF_DAY} for a seeded {SAMPLE:,}-member sample.",
        "- **Command**: `python bench/recommend_bench.py` (each recommender in a fresh "
        "process; peak RSS is the process's, loading included)", "",
        f"| recommender | load s | fit s | top-{K} for all s | peak RSS MB | "
        f"precision@{K} | recall@{K} | NDCG@{K} | coverage |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(f"| {LABELS.get(name, name)} | {r['load_seconds']} | {r['fit_seconds']} | "
                     f"{r['top10_seconds']} | {r['peak_rss_mb']:,} | {r['precision']} | "
                     f"{r['recall']} | {r['ndcg']} | {r['coverage']} |")
    lines += [
        "", "Notes:",
        "- Parameters are the defaults of `memberlens.recommend` (item-CF: shrinkage 10, 50 "
        "neighbours; ALS: 64 factors, 15 iterations, 2 threads; BPR: 64 factors, 100 "
        "iterations, **1 thread** — its default, because only a single-threaded BPR fit is "
        "reproducible; content: product attributes only). None was tuned on this data.",
        "- BPR's fit is the slow one: implicit's CPU BPR walks every positive once per "
        "iteration on one thread. `BPRRecommender(num_threads=0)` uses both cores (not "
        "reproducible); fewer iterations trade quality for time.",
        "- Item-CF against the peer library's item-item cosine (implicit, K=100, no "
        "shrinkage): implicit fits faster (its neighbour search is C++), ours ranks faster "
        "(sparse candidates, no per-member Python call) and the shrinkage lifts recall; "
        "end to end the two are about even on this machine.",
        "- ALS and BPR produce top-10 with implicit's batched dense scoring (1M × 50k dot "
        "products); item-CF and content rank sparse candidates; popularity walks each "
        "segment's ranked list skipping what a member has seen.",
        "- Quality on synthetic data only shows the recommenders work at this size; the "
        "quality comparison that matters is on the demo data (`memberlens recommend "
        "evaluate`) and on MovieLens (next section).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
