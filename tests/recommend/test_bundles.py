"""Bundles per segment: hand-computed attach rates, and on generated data the figures
agree with counting the segment's baskets directly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rules_warehouse import demo_warehouse, fill_tiny

from memberlens.engine import DuckDBEngine, open_engine
from memberlens.recommend.baskets import RulesError
from memberlens.recommend.bundles import (
    COLUMNS,
    BundleParams,
    bundles_by_tag,
    bundles_for_segments,
)
from memberlens.settings import Settings


@pytest.fixture
def tiny(engine: DuckDBEngine) -> DuckDBEngine:
    fill_tiny(engine)
    return engine


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_warehouse(tmp_path_factory.getbasetemp())


def test_hand_computed_bundle(tiny: DuckDBEngine) -> None:
    # 金卡 = m1 + m3: baskets o1 ABC, o2 AB, o5 ABD, o6 D; 银卡 = m2: o3 AC, o4 BC
    out = bundles_by_tag(tiny, "member_tier", BundleParams(min_count=2))
    assert list(out.columns) == list(COLUMNS)
    assert list(out["segment"]) == ["金卡"]  # 银卡 has no pair in two baskets
    row = out.iloc[0]
    # A → B and B → A both attach every time; A (10.00) as the add-on is worth more
    assert (row["anchor"], row["addons"], row["items"]) == ("B", ("A",), ("A", "B"))
    assert (row["segment_baskets"], row["anchor_baskets"], row["bundle_baskets"]) == (4, 3, 3)
    assert row["attach_rate"] == pytest.approx(1.0)
    assert row["support"] == pytest.approx(3 / 4)
    assert row["lift"] == pytest.approx(3 * 4 / (3 * 3))
    assert row["attach_rate_all"] == pytest.approx(3 / 4)  # B → A over all six baskets
    assert row["lift_vs_all"] == pytest.approx(4 / 3)
    assert (row["anchor_price"], row["addon_price"], row["bundle_price"]) == (5.0, 10.0, 15.0)
    assert row["expected_value"] == pytest.approx(10.0)


def test_category_level_and_min_lift(tiny: DuckDBEngine) -> None:
    out = bundles_by_tag(tiny, "member_tier", BundleParams(min_count=1, level="category",
                                                           min_lift=0.0))
    gold = out[out["segment"] == "金卡"]
    # 金卡 baskets by category: {水果, 乳品}, {水果}, {水果, 清洁}, {清洁}
    assert set(gold["items"]) == {("乳品", "水果"), ("水果", "清洁")}
    assert set(out["segment"]) == {"金卡", "银卡"}
    # at the default min_lift (better than independence) 银卡's {乳品, 水果} (lift 1) goes
    strict = bundles_by_tag(tiny, "member_tier", BundleParams(min_count=1, level="category"))
    assert ("乳品", "水果") not in set(strict[strict["segment"] == "银卡"]["items"])


def test_errors_name_the_tag(tiny: DuckDBEngine) -> None:
    with pytest.raises(RulesError, match="top_categories"):
        bundles_by_tag(tiny, "top_categories")
    with pytest.raises(RulesError, match="no tag 'nope'"):
        bundles_by_tag(tiny, "nope")
    with pytest.raises(RulesError, match="'铜卡'"):
        bundles_by_tag(tiny, "member_tier", values=["铜卡"])
    with pytest.raises(RulesError, match="max_size"):
        BundleParams(max_size=4)


def _direct(engine: DuckDBEngine, rfm: str | None, items: tuple[str, ...], anchor: str
            ) -> tuple[int, int]:
    """Baskets with the anchor, and with every item, counted straight from the tables."""
    who = ("" if rfm is None else
           "AND o.member_id IN (SELECT member_id FROM member_profile WHERE rfm_class = ?)")
    sql = f"""
        SELECT count(*) FILTER (WHERE list_contains(skus, ?)),
               count(*) FILTER (WHERE list_has_all(skus, ?))
        FROM (SELECT o.order_id, list(DISTINCT i.sku) AS skus FROM orders o
              JOIN order_items i ON i.order_id = o.order_id
              WHERE (o.status IS NULL OR o.status IN ('completed', 'partially_refunded'))
              {who} GROUP BY o.order_id)"""
    params: list[object] = [anchor, list(items)] + ([] if rfm is None else [rfm])
    anchor_n, bundle_n = engine.fetchall(sql, params)[0]
    return int(anchor_n), int(bundle_n)


def test_bundles_by_rfm_class_on_generated_data(demo: Path) -> None:
    engine = open_engine(Settings(warehouse=demo), read_only=True)
    try:
        out = bundles_by_tag(engine, "rfm_class", BundleParams(top=3, min_count=3))
        assert out["segment"].nunique() >= 4
        for _, rows in out.groupby("segment"):
            assert list(rows["rank"]) == list(range(1, len(rows) + 1)) and len(rows) <= 3
            assert rows["expected_value"].is_monotonic_decreasing
            assert rows["items"].is_unique
        assert (out["bundle_baskets"] >= 3).all() and (out["lift"] > 1).all()
        assert out["attach_rate"].to_numpy() == pytest.approx(
            (out["bundle_baskets"] / out["anchor_baskets"]).to_numpy())
        assert out["expected_value"].to_numpy() == pytest.approx(
            (out["attach_rate"] * out["addon_price"]).to_numpy())
        for _, row in out.head(4).iterrows():
            assert _direct(engine, row["segment"], row["items"], row["anchor"]) == (
                row["anchor_baskets"], row["bundle_baskets"])
            everyone = _direct(engine, None, row["items"], row["anchor"])
            assert row["attach_rate_all"] == pytest.approx(everyone[1] / everyone[0])
            price = engine.scalar("SELECT sum(price) FROM products WHERE list_contains(?, sku)",
                                  [list(row["addons"])])
            assert row["addon_price"] == pytest.approx(float(price))
    finally:
        engine.close()


def test_bundles_for_expressions(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    shutil.copy(demo, path)
    engine = open_engine(Settings(warehouse=path))
    try:
        segment = 'rfm_class = "重要价值客户"'
        by_expression = bundles_for_segments(engine, [segment],
                                             BundleParams(level="category", min_count=3))
        by_tag = bundles_by_tag(engine, "rfm_class",
                                BundleParams(level="category", min_count=3),
                                values=["重要价值客户"])
        assert len(by_tag) == 3
        cols = [c for c in COLUMNS if c != "segment"]
        assert by_expression[cols].equals(by_tag[cols])
        assert set(by_expression["segment"]) == {segment}
    finally:
        engine.close()
