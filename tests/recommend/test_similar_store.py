"""The stored similar-SKU table ``sku_similar``: written by serving, read by
``recommend similar`` without refitting (decision 0019), on the hand-made serving
warehouse (serving_tiny.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from serving_tiny import AS_OF, PRODUCTS, tiny_copy
from typer.testing import CliRunner

from memberlens.cli import app
from memberlens.engine import DuckDBEngine
from memberlens.errors import NotFound
from memberlens.recommend.exclusions import ExclusionPolicy
from memberlens.recommend.factorization import ALSRecommender
from memberlens.recommend.interactions import load_interactions
from memberlens.recommend.itemcf import ItemCFRecommender
from memberlens.recommend.lookups import similar_list, similar_skus
from memberlens.recommend.serving import fit_for_serving, serve
from memberlens.recommend.similar_store import TABLE, similar_rows, similarity_top

SMALL = {"segment_min_members": 3}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("similar_store")


@pytest.fixture
def path(root: Path, tmp_path: Path) -> Path:
    return tiny_copy(root, tmp_path / "wh.duckdb")


@pytest.fixture
def tiny(path: Path) -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(path)
    yield engine
    engine.close()


def stored(engine: DuckDBEngine, recommender: str = "itemcf") -> dict[str, list[str]]:
    rows = engine.fetchall(f"SELECT sku, similar_sku FROM {TABLE} WHERE recommender = ? "
                           "ORDER BY sku, rank", [recommender])
    out: dict[str, list[str]] = {}
    for sku, other in rows:
        out.setdefault(str(sku), []).append(str(other))
    return out


def forbid_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object, **__: object) -> None:
        raise AssertionError("the recommender was fitted although rows are stored")
    monkeypatch.setattr(ItemCFRecommender, "fit", fail)


def test_stored_rows_equal_similar_items(tiny: DuckDBEngine) -> None:
    run = serve(tiny, recommender="itemcf", k=3, **SMALL)
    assert run.similar is not None and run.similar.note is None
    fresh = ItemCFRecommender().fit(load_interactions(tiny, until=AS_OF))
    frame = tiny.frame(f"SELECT * FROM {TABLE} ORDER BY sku, rank")
    assert len(frame) == run.similar.rows > 0
    assert set(frame["model_version"]) == {run.model_version}
    assert set(frame["recommender"]) == {"itemcf"}
    for sku in [p[0] for p in PRODUCTS]:
        mine = frame[frame["sku"] == sku]
        theirs = fresh.similar_items(sku, 20)
        assert mine["similar_sku"].tolist() == theirs["sku"].tolist(), sku
        assert np.allclose(mine["score"], theirs["score"], rtol=1e-6)
        assert mine["rank"].tolist() == list(range(1, len(mine) + 1))
    # H1: the men's SKUs, X0 too (the table keeps raw similarity; exclusions at read)
    assert set(stored(tiny)["H1"]) == {"H2", "H3", "R1", "W1", "X0"}
    assert "N1" not in stored(tiny)           # nobody bought it: no neighbours


def test_lookup_reads_the_table_without_fitting(tiny: DuckDBEngine,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    before = similar_list(tiny, "H1", k=10)
    assert before.source == "computed" and before.recommender == "itemcf"
    run = serve(tiny, recommender="itemcf", k=3, **SMALL)
    forbid_fitting(monkeypatch)
    found = similar_list(tiny, "H1", k=10)
    assert found.source == "stored" and found.recommender == run.model_version
    assert found.as_of is not None
    # same answer as fitting now: X0 (out of stock) is dropped at read time
    assert found.frame["sku"].tolist() == before.frame["sku"].tolist()
    assert np.allclose(found.frame["score"], before.frame["score"])
    assert found.frame["name"].notna().all()
    frame = similar_skus(tiny, "H1", policy=ExclusionPolicy(exclude_categories=("烟酒",)))
    assert set(frame["sku"]) == {"H2", "H3", "R1"} and frame.attrs["source"] == "stored"
    assert frame["rank"].tolist() == [1, 2, 3]
    # N1 is in the catalogue but has no neighbours in the stored run: empty, not a refit
    assert similar_list(tiny, "N1").frame.empty
    with pytest.raises(NotFound, match="H1"):
        similar_list(tiny, "H11")


def test_a_truncated_list_cut_by_exclusions_is_computed(tiny: DuckDBEngine) -> None:
    serve(tiny, recommender="itemcf", k=3, similar_depth=2, **SMALL)
    assert max(len(v) for v in stored(tiny).values()) == 2
    assert similar_list(tiny, "H1", k=2).source == "stored"
    # k above the stored depth, or exclusions cutting the two stored rows: compute
    longer = similar_list(tiny, "H1", k=4)
    assert longer.source == "computed" and len(longer.frame) == 4


def test_rerunning_serve_replaces_the_rows(tiny: DuckDBEngine) -> None:
    first = serve(tiny, recommender="itemcf", k=3, **SMALL)
    n = tiny.scalar(f"SELECT count(*) FROM {TABLE}")
    old = tiny.scalar(f"SELECT sum(score) FROM {TABLE}")
    second = serve(tiny, recommender=ItemCFRecommender(shrinkage=0), k=4, **SMALL)
    assert second.similar is not None and tiny.scalar(f"SELECT count(*) FROM {TABLE}") == n
    versions = {r[0] for r in tiny.fetchall(f"SELECT DISTINCT model_version FROM {TABLE}")}
    assert versions == {second.model_version} != {first.model_version}
    assert tiny.scalar(f"SELECT sum(score) FROM {TABLE}") > old   # no shrinkage: higher
    # another recommender's rows stay beside them
    serve(tiny, recommender="content", k=3, **SMALL)
    assert {r[0] for r in tiny.fetchall(f"SELECT DISTINCT recommender FROM {TABLE}")} \
        == {"itemcf", "content"}
    assert tiny.scalar(f"SELECT count(*) FROM {TABLE} WHERE recommender = 'itemcf'") == n
    popular = serve(tiny, recommender="popularity", k=3, **SMALL)
    assert popular.similar is not None and popular.similar.rows == 0
    assert "same for every SKU" in popular.similar.note_text("en")


def test_content_and_als_rows_match_their_item_similarity(tiny: DuckDBEngine) -> None:
    for rec in ("content", ALSRecommender(factors=8, iterations=5, num_threads=1)):
        fitted = fit_for_serving(tiny, recommender=rec, **SMALL).recommender
        top, note = similarity_top(fitted, 5)
        assert top is not None and note is None
        rows = similar_rows(fitted.interactions_, top).to_pandas()
        for sku in ("D1", "H1", "R1"):
            mine = rows[rows["sku"] == sku]
            theirs = fitted.similar_items(sku, 5)
            theirs = theirs[theirs["score"] > 0]
            assert mine["similar_sku"].tolist() == theirs["sku"].tolist(), (fitted.name, sku)
            assert np.allclose(mine["score"], theirs["score"], atol=1e-5)


def invoke(warehouse: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), *args])
    return result.exit_code, result.output


def test_cli_run_stores_and_similar_reads(path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = invoke(path, "recommend", "similar", "H1", "-k", "2")
    assert code == 0 and "来源：即时计算" in out, out
    code, out = invoke(path, "recommend", "run", "-k", "3", "--segment-min-members", "3")
    assert code == 0 and "相似商品表：" in out and "前 20 个" in out, out
    forbid_fitting(monkeypatch)
    code, out = invoke(path, "recommend", "similar", "H1", "-k", "2")
    assert code == 0, out
    assert "来源：已保存的相似商品表（itemcf-k3-" in out and "运动耳机" in out
    code, out = invoke(path, "--lang", "en", "recommend", "similar", "H1")
    assert code == 0 and "Source: stored similar-SKU table (itemcf-k3-" in out, out
    code, out = invoke(path, "recommend", "similar", "降噪")
    assert code == 1 and "找不到商品 降噪" in out and "H1 降噪耳机" in out
