"""Predictive-models benchmark: churn features and fit on 1M members, scoring 10M.

Run with `python bench/models_bench.py`. Steps, each in a fresh process (peak RSS is
the step's own):

1. features — the point-in-time feature frame (`models.features.tag_frame`, the whole
   catalog compiled as of a cut-off) and the churn population and labels on the
   1M-member warehouse `bench/tags_bench.py` leaves (bench/work/tags-m1000000-…duckdb,
   real generated data); skipped, and said so, when that warehouse is missing;
2. data — a synthetic member-level feature table (1M rows, 40 columns) with realistic
   shapes (exponential recency, negative-binomial order counts, log-normal spend,
   Poisson event counts, beta discount shares, one-hot channels and tiers, 5 % missing)
   and a churn label drawn from a logistic model of recency, frequency, activity and an
   interaction, so the learners have real signal to find (generating 1M members
   through datagen → ingest → tags takes many minutes and is measured by the tags
   benchmark);
3. fit_lightgbm, fit_hgb, fit_logistic — memberlens' `MemberClassifier` (LightGBM,
   200 rounds) on 800k rows, against scikit-learn's HistGradientBoostingClassifier
   (200 iterations) and logistic regression (`MemberClassifier("logistic")`), each
   judged by ROC AUC on the other 200k;
4. score — 10M synthetic rows scored by the LightGBM model in chunks of 1M (rows are
   generated per chunk; only `predict_proba` is timed), rows/s and peak memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import WORK, machine, now, run_step, step_main, write_section  # noqa: E402

FEATURES = 40
CHUNK = 1_000_000


def synthetic(n: int, seed: int) -> Any:
    """A member feature table of `n` rows and a churn label with signal (see docstring)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {
        "days_since_last_purchase": rng.exponential(60.0, n),
        "order_count_total": rng.negative_binomial(2, 0.25, n).astype(float),
        "spend_total": rng.lognormal(6.5, 1.1, n),
        "tenure_days": rng.uniform(30, 1500, n),
        "events_30d": rng.poisson(rng.gamma(1.2, 4.0, n)).astype(float),
        "discount_share": rng.beta(2.0, 5.0, n),
        "age": np.clip(rng.normal(36, 10, n), 16, 80),
        "avg_gap_days": rng.gamma(2.0, 30.0, n),
    }
    for i in range(len(cols), FEATURES - 6):
        cols[f"noise_{i}"] = rng.normal(0, 1, n)
    channel = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    tier = rng.choice(3, n, p=[0.6, 0.3, 0.1])
    for j in range(3):
        cols[f"channel={j}"] = (channel == j).astype(float)
        cols[f"tier={j}"] = (tier == j).astype(float)
    frame = pd.DataFrame(cols)
    logit = (-1.0 + 0.02 * frame["days_since_last_purchase"]
             - 0.5 * np.log1p(frame["order_count_total"]) - 0.3 * np.log1p(frame["events_30d"])
             + 0.8 * (frame["days_since_last_purchase"] > frame["avg_gap_days"] * 2)
             - 0.4 * frame["tier=2"] + rng.normal(0, 0.5, n))
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int))
    for c in ("age", "avg_gap_days", "events_30d"):
        frame.loc[rng.random(n) < 0.05, c] = np.nan
    return frame, y


def data_path(a: argparse.Namespace) -> Path:
    return WORK / f"models-synthetic-m{a.members}-s{a.seed}.parquet"


def step_features(a: argparse.Namespace) -> dict[str, Any]:
    from datetime import timedelta

    from memberlens.engine import DuckDBEngine
    from memberlens.models.features import FeatureEncoder, tag_frame
    from memberlens.models.labels import LabelSpec, data_end, labels, population

    path = Path(a.warehouse)
    if not path.exists():
        return {"skipped": f"{path} missing (run bench/tags_bench.py first)"}
    engine = DuckDBEngine(path, read_only=True)
    spec = LabelSpec("churn", horizon_days=90)
    cut = data_end(engine) - timedelta(days=90)
    t0 = time.perf_counter()
    frame = tag_frame(engine, cut)
    t1 = time.perf_counter()
    pop = population(engine, spec, cut, frame)
    y = labels(engine, spec, cut, pop.index)
    t2 = time.perf_counter()
    matrix = FeatureEncoder().fit(pop).transform(pop, cut)
    t3 = time.perf_counter()
    return {"members": len(frame), "population": len(pop), "positive_rate": float(y.mean()),
            "columns": matrix.shape[1], "tag_frame_s": round(t1 - t0, 2),
            "labels_s": round(t2 - t1, 2), "encode_s": round(t3 - t2, 2),
            "seconds": round(t3 - t0, 2)}


def step_data(a: argparse.Namespace) -> dict[str, Any]:
    t0 = time.perf_counter()
    frame, y = synthetic(a.members, a.seed)
    frame.assign(label=y).to_parquet(data_path(a))
    return {"rows": len(frame), "positive_rate": float(y.mean()),
            "seconds": round(time.perf_counter() - t0, 2)}


def _split(a: argparse.Namespace) -> tuple[Any, Any, Any, Any]:
    import pandas as pd

    frame = pd.read_parquet(data_path(a))
    y = frame.pop("label")
    n = int(len(frame) * 0.8)
    return frame.iloc[:n], y.iloc[:n], frame.iloc[n:], y.iloc[n:]


def _fit(a: argparse.Namespace, algorithm: str) -> dict[str, Any]:
    from sklearn.metrics import roc_auc_score

    x_train, y_train, x_test, y_test = _split(a)
    t0 = time.perf_counter()
    if algorithm == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        model: Any = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05,
                                                    max_leaf_nodes=15, early_stopping=False,
                                                    random_state=0).fit(x_train, y_train)
        fit_s = time.perf_counter() - t0
        p = model.predict_proba(x_test)[:, 1]
    else:
        from memberlens.models.classifiers import MemberClassifier

        clf = MemberClassifier(algorithm).fit(x_train, y_train)
        fit_s = time.perf_counter() - t0
        p = clf.predict_proba(x_test)[:, 1]
        if algorithm == "lightgbm":
            clf.estimator_.save_model(str(WORK / "models-bench-lightgbm.txt"))
    return {"rows": len(x_train), "seconds": round(fit_s, 2),
            "roc_auc": round(float(roc_auc_score(y_test, p)), 4)}


def step_score(a: argparse.Namespace) -> dict[str, Any]:
    import lightgbm as lgb

    from memberlens.models.classifiers import MemberClassifier

    clf = MemberClassifier("lightgbm")
    clf.estimator_ = lgb.Booster(model_file=str(WORK / "models-bench-lightgbm.txt"))
    clf.feature_names_ = list(clf.estimator_.feature_name())
    predict_s, total, mean = 0.0, 0, 0.0
    chunks = a.score_members // CHUNK
    for i in range(chunks):
        frame, _ = synthetic(CHUNK, a.seed + 1 + i)
        frame.columns = clf.feature_names_
        t0 = time.perf_counter()
        p = clf.predict_proba(frame)[:, 1]
        predict_s += time.perf_counter() - t0
        total += len(p)
        mean += float(p.sum())
    return {"rows": total, "chunks": chunks, "seconds": round(predict_s, 2),
            "rows_per_s": round(total / predict_s), "mean_probability": round(mean / total, 4)}


STEPS = {"features": step_features, "data": step_data,
         "fit_lightgbm": lambda a: _fit(a, "lightgbm"), "fit_hgb": lambda a: _fit(a, "hgb"),
         "fit_logistic": lambda a: _fit(a, "logistic"), "score": step_score}


def render(r: dict[str, Any]) -> str:
    f = r["features"]
    lines = [
        "## Predictive models (churn)", "",
        f"Measured {r['when']} on {r['machine']}. Each step runs in a fresh process; peak "
        "RSS is that process's maximum. The machine is shared with other work, so single "
        "runs can be noisy.", "",
        "**Features on real generated data** (1M-member warehouse of `bench/tags_bench.py`: "
        "the whole tag catalog compiled as of the cut-off, the churn population — members "
        "who bought in the 180 days before it — and 90-day labels):", ""]
    if "skipped" in f:
        lines.append(f"skipped: {f['skipped']}")
    else:
        lines += ["| members | population | positive rate | columns | tag frame s | "
                  "population + labels s | encode s | total s | peak RSS MB |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {f['members']:,} | {f['population']:,} | {f['positive_rate']:.1%} | "
                  f"{f['columns']} | {f['tag_frame_s']} | {f['labels_s']} | {f['encode_s']} | "
                  f"{f['seconds']} | {f['peak_rss_mb']:,} |",
                  "", "Training compiles features at two cut-offs (T1 to fit, T2 to judge), "
                  "so `models train churn` takes about twice this plus the fit."]
    lines += ["", f"**Fit on a synthetic feature table** ({r['data']['rows']:,} members × "
              f"{FEATURES} features, positive rate {r['data']['positive_rate']:.1%}; "
              "80 % to fit, AUC on the other 20 %; see the script's docstring for how the "
              "table and its label are drawn):", "",
              "| learner | rows | fit s | ROC AUC | peak RSS MB |", "|---|---:|---:|---:|---:|"]
    for key, name in (("fit_lightgbm", "memberlens `MemberClassifier` (LightGBM, 200 rounds)"),
                      ("fit_hgb", "scikit-learn HistGradientBoosting (200 iterations)"),
                      ("fit_logistic", "memberlens logistic regression (impute + scale)")):
        s = r[key]
        lines.append(f"| {name} | {s['rows']:,} | {s['seconds']:.1f} | {s['roc_auc']:.4f} | "
                     f"{s['peak_rss_mb']:,} |")
    s = r["score"]
    lines += ["", f"**Scoring** {s['rows']:,} synthetic members with the LightGBM model in "
              f"{s['chunks']} chunks of {CHUNK:,}: {s['seconds']:.1f} s in `predict_proba` "
              f"({s['rows_per_s']:,} rows/s), peak RSS {s['peak_rss_mb']:,} MB (one chunk of "
              f"features in memory at a time; wall {s['wall_seconds']:.0f} s including "
              "generating the rows)."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--score-members", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warehouse", default=str(WORK / "tags-m1000000-o20-e50.duckdb"))
    ap.add_argument("--step", choices=sorted(STEPS))
    ap.add_argument("--render-only", action="store_true")
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if a.step:
        step_main(STEPS, a.step, a)
        return
    saved = WORK / f"models-m{a.members}-results.json"
    if a.render_only:
        r = json.loads(saved.read_text(encoding="utf-8"))
    else:
        script = str(Path(__file__).resolve())
        args = ["--members", str(a.members), "--score-members", str(a.score_members),
                "--seed", str(a.seed), "--warehouse", a.warehouse]
        r = {name: run_step(script, name, args) for name in STEPS}
        r["machine"], r["when"] = machine(), now()
        saved.write_text(json.dumps(r, indent=1), encoding="utf-8")
    text = render(r)
    write_section("models", text)
    print(text)


if __name__ == "__main__":
    main()
