"""The runner puts every recommender on the same split; stored runs come back; on the
demo data collaborative filtering beats popularity clearly."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from memberlens.datagen import generate
from memberlens.engine import DuckDBEngine, open_engine
from memberlens.ingest.generated import ingest_generated
from memberlens.recommend.base import Interactions, Recommender, RecommendError
from memberlens.recommend.evaluation import (
    RESULT_COLUMNS,
    EvaluationResult,
    evaluate,
    evaluate_warehouse,
    make_split,
)
from memberlens.recommend.evaluation_store import latest_evaluations, store_evaluation
from memberlens.recommend.splits import time_split
from memberlens.settings import Settings


class CountPopularity(Recommender):
    """Everybody gets the most-taken SKUs."""

    name = "count"

    def fit(self, interactions: Interactions) -> Self:
        self.interactions_ = interactions
        self.counts_ = np.asarray((interactions.matrix > 0).sum(axis=0),
                                  dtype=np.float32).ravel()
        return self

    def score_rows(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        return np.tile(self.counts_, (len(rows), 1))


class CoOccurrence(Recommender):
    """SKUs taken together with one's own (item-item co-occurrence)."""

    name = "cooc"

    def fit(self, interactions: Interactions) -> Self:
        self.interactions_ = interactions
        x = (interactions.matrix > 0).astype(np.float32)
        sim = (x.T @ x).toarray()
        np.fill_diagonal(sim, 0.0)
        self.sim_ = sim
        return self

    def score_rows(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        x = (self.interactions_.matrix[rows] > 0).astype(np.float32)
        return np.asarray(x @ self.sim_, dtype=np.float32)


def _two_tastes(seed: int = 0) -> pd.DataFrame:
    """Four groups of members, each with its own ten SKUs (and a few strays): the
    overall best sellers serve one group at best, co-occurrence serves all four."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(200):
        group = m % 4
        items = rng.choice(np.arange(group * 10, group * 10 + 10), size=7, replace=False)
        items[-1] = rng.integers(0, 40)
        items = np.unique(items)
        days = np.sort(rng.integers(0, 60, size=len(items)))
        rows += [(f"m{m:03d}", f"s{i:02d}", pd.Timestamp("2025-01-01") + pd.Timedelta(
            days=int(d)), "purchase", 1.0) for i, d in zip(items, days, strict=True)]
    return pd.DataFrame(rows, columns=["member_id", "sku", "at", "kind", "weight"])


def test_runner_same_split_for_all() -> None:
    split = time_split(_two_tastes(), test_days=20)
    result = evaluate({"count": CountPopularity(), "cooc": CoOccurrence()}, split, k=5,
                      dataset="synthetic")
    assert list(result.frame.columns) == list(RESULT_COLUMNS)
    assert list(result.frame["recommender"]) == ["count", "cooc"]
    assert (result.frame["n_members"] == split.n_members).all()
    assert result.split == "time" and result.k == 5 and result.dataset == "synthetic"
    assert result.details["cutoff"] == split.info["cutoff"]
    json.dumps(result.details)                                  # storable as JSON
    cooc, count = result.row("cooc"), result.row("count")
    assert cooc["recall"] > 1.5 * count["recall"]
    assert cooc["ndcg"] > 1.5 * count["ndcg"]
    assert result.best("ndcg") == "cooc"
    assert count["coverage"] < cooc["coverage"]
    assert (result.frame[["fit_seconds", "recommend_seconds"]] >= 0).all().all()
    with pytest.raises(RecommendError, match="not evaluated"):
        result.row("als")


def test_runner_sampling_and_errors() -> None:
    split = time_split(_two_tastes(), test_days=20)
    part = evaluate({"count": CountPopularity()}, split, k=5, sample=30, random_state=2)
    assert part.row("count")["n_members"] == 30
    assert part.details["sampled_members"] == 30
    again = evaluate({"count": CountPopularity()}, split, k=5, sample=30, random_state=2)
    assert part.row("count")["ndcg"] == again.row("count")["ndcg"]
    with pytest.raises(RecommendError, match="k must be"):
        evaluate({"count": CountPopularity()}, split, k=0)
    with pytest.raises(RecommendError, match="no recommender"):
        evaluate({}, split)
    with pytest.raises(RecommendError, match="unknown split"):
        make_split(_two_tastes(), "kfold")


def test_store_and_read_back(engine: DuckDBEngine) -> None:
    split = time_split(_two_tastes(), test_days=20)
    first = store_evaluation(engine, evaluate(
        {"cooc": CoOccurrence(), "count": CountPopularity()}, split, k=5,
        dataset="warehouse"))
    assert first.run_id == 1
    public = store_evaluation(engine, EvaluationResult(first.frame, "movielens", "random",
                                                       10, {"test_share": 0.25}))
    second = store_evaluation(engine, first)
    assert (public.run_id, second.run_id) == (2, 3)
    runs = latest_evaluations(engine)
    assert [(r.dataset, r.run_id) for r in runs] == [("warehouse", 3), ("movielens", 2)]
    back = runs[0]
    assert back.split == "time" and back.k == 5
    assert back.details["cutoff"] == split.info["cutoff"]
    assert list(back.frame["recommender"]) == ["cooc", "count"]  # as evaluated
    pd.testing.assert_frame_equal(back.frame, first.frame, check_dtype=False)


def test_no_runs_yet(engine: DuckDBEngine) -> None:
    assert latest_evaluations(engine) == []


# --- the demo warehouse ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 generated members with orders and events (the models tests' recipe)."""
    root = tmp_path_factory.mktemp("recommend_eval")
    tables = frozenset({"members", "products", "stores", "orders", "order_items", "events"})
    generate(root / "data", members=3000, seed=7, dirt=0.0, include=tables)
    path = root / "wh.duckdb"
    settings = Settings(warehouse=path)
    engine = open_engine(settings)
    try:
        ingest_generated(engine, root / "data", timezone=settings.timezone)
    finally:
        engine.close()
    return path


@pytest.fixture
def demo(demo_warehouse: Path, tmp_path: Path) -> Iterator[DuckDBEngine]:
    path = tmp_path / "wh.duckdb"
    shutil.copy(demo_warehouse, path)
    engine = open_engine(Settings(warehouse=path))
    yield engine
    engine.close()


def test_collaborative_filtering_beats_popularity_on_demo_data(demo: DuckDBEngine) -> None:
    """Time split, last 30 days of purchases. Measured (seed 7, 3,000 members, 196
    members evaluated): recall@10 popularity 0.031, itemcf 0.183 (5.9×), ALS 0.169
    (5.4×); NDCG@10 0.015 / 0.123 (8.0×) / 0.112 (7.3×). The issue asks for "clearly";
    the bar is 3×, well under what is measured and well over noise."""
    result = evaluate_warehouse(demo, split="time", test_days=30, k=10,
                                recommenders=("popularity", "itemcf", "als", "content"))
    pop = result.row("popularity")
    assert pop["n_members"] >= 150
    for name in ("itemcf", "als"):
        row = result.row(name)
        assert row["recall"] >= 3 * pop["recall"], (name, row["recall"], pop["recall"])
        assert row["ndcg"] >= 3 * pop["ndcg"], (name, row["ndcg"], pop["ndcg"])
        assert row["coverage"] > pop["coverage"]
    # the run is stored, and the report reads it
    assert result.run_id == 1
    from memberlens.analytics.report_data import recommend_section

    section = recommend_section(demo)
    assert section is not None and section.runs[0].dataset == "warehouse"
    assert [r.recommender for r in section.runs[0].rows] == ["popularity", "itemcf", "als",
                                                             "content"]
    # content was given the product attributes, dated at the cut-off
    assert result.row("content")["recall"] > pop["recall"]


def test_cli_evaluate_table_json_chart_and_report(demo: DuckDBEngine, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from memberlens.cli import app

    path = tmp_path / "wh.duckdb"
    demo.close()                                    # the CLI opens the file itself
    runner = CliRunner()
    base = ["--warehouse", str(path), "recommend", "evaluate", "--recommenders",
            "popularity,itemcf"]
    chart = tmp_path / "eval.html"
    out = runner.invoke(app, [*base, "--out", str(chart)])
    assert out.exit_code == 0, out.output
    assert "商品协同过滤" in out.output and "精确率" in out.output
    assert "评估运行 #1" in out.output
    page = chart.read_text(encoding="utf-8")
    assert 'data-chart="recommend_0"' in page and "echarts" in page
    assert '<strong class="best">' in page
    out = runner.invoke(app, ["--lang", "en", *base, "--format", "json", "--sample", "50",
                              "--no-store"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    assert payload["run_id"] is None and payload["split"] == "time"
    assert [r["recommender"] for r in payload["results"]] == ["popularity", "itemcf"]
    assert {r["n_members"] for r in payload["results"]} == {50}
    bad = runner.invoke(app, [*base, "--split", "kfold"])
    assert bad.exit_code != 0
    unknown = runner.invoke(app, [*base[:-1], "popularity,magic"])
    assert unknown.exit_code == 1 and "magic" in unknown.output
    report = tmp_path / "report.html"
    out = runner.invoke(app, ["--warehouse", str(path), "report", "--out", str(report)])
    assert out.exit_code == 0, out.output
    html = report.read_text(encoding="utf-8")
    assert 'id="recommend"' in html and 'data-chart="recommend_0"' in html


@pytest.mark.browser
def test_chart_page_draws_in_chromium(tmp_path: Path) -> None:
    from memberlens.recommend.evaluation_store import evaluation_run
    from memberlens.reports.headless import chart_status, find_chromium, render_dom
    from memberlens.reports.recommend_data import RecommendSection
    from memberlens.reports.recommend_view import evaluation_page

    if find_chromium() is None:
        pytest.skip("no Chromium on this machine")
    split = time_split(_two_tastes(), test_days=20)
    result = evaluate({"popularity": CountPopularity(), "itemcf": CoOccurrence()}, split,
                      k=5, dataset="warehouse")
    page = tmp_path / "eval.html"
    page.write_text(evaluation_page(RecommendSection(runs=[evaluation_run(result)]),
                                    lang="en"), encoding="utf-8")
    status = chart_status(render_dom(page))
    assert status["recommend_0"].rendered == "true"
    assert {"Popularity", "Item-based CF", "NDCG@5"} <= set(status["recommend_0"].text)
