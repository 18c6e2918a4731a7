"""The interaction loader on a hand-made warehouse: which rows count and what they weigh."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from memberlens.engine import DuckDBEngine
from memberlens.recommend.base import RecommendError
from memberlens.recommend.interactions import (
    InteractionWeights,
    interaction_log,
    load_interactions,
    products_frame,
)

# order, member, time, status, lines (sku, quantity)
ORDERS = (
    ("o1", "m1", "2024-01-10 10:00:00", "completed", (("A", 1), ("B", 2))),
    ("o2", "m1", "2024-02-10 10:00:00", "partially_refunded", (("A", 5),)),  # cap 3
    ("o3", "m2", "2024-03-10 10:00:00", None, (("C", 1),)),  # no status: a purchase
    ("x1", "m2", "2024-03-11 10:00:00", "cancelled", (("D", 1),)),
    ("x2", "m3", "2024-03-12 10:00:00", "refunded", (("D", 1),)),
    ("o4", "m3", "2024-04-10 10:00:00", "completed", (("B", 1),)),
)
# member, type, time, sku
EVENTS = (
    ("m1", "view", "2024-01-01 09:00:00", "C"),
    ("m1", "cart", "2024-01-02 09:00:00", "C"),
    ("m2", "click", "2024-03-01 09:00:00", "A"),
    ("m2", "login", "2024-03-01 09:00:00", None),  # no SKU: not an interaction
    ("m2", "search", "2024-03-01 09:05:00", None),
    (None, "view", "2024-03-02 09:00:00", "A"),  # anonymous: no member
    ("m4", "favorite", "2024-05-01 09:00:00", "B"),
)
PRODUCTS = (("A", "食品", "水果", "甲", 10.0, "2020-01-01"),
            ("B", "食品", "水果", "乙", 20.0, "2020-01-01"),
            ("C", "食品", "乳品", "甲", 8.0, "2020-01-01"),
            ("D", "日用", "清洁", "丙", 30.0, "2020-01-01"),
            ("E", "日用", "清洁", "丙", 35.0, "2024-06-01"))  # never touched


@pytest.fixture
def tiny(engine: DuckDBEngine) -> DuckDBEngine:
    for sku, l1, cat, brand, price, launched in PRODUCTS:
        engine.execute("INSERT INTO products (sku, name, category_l1, category, brand, price, "
                       "launched_at) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS DATE))",
                       [sku, sku, l1, cat, brand, price, launched])
    for order_id, member, at, status, lines in ORDERS:
        engine.execute("INSERT INTO orders (order_id, member_id, ordered_at, status, "
                       "paid_amount) VALUES (?, ?, CAST(? AS TIMESTAMP), ?, 1)",
                       [order_id, member, at, status])
        for line, (sku, qty) in enumerate(lines, start=1):
            engine.execute("INSERT INTO order_items (order_id, line_no, sku, quantity, "
                           "unit_price, amount) VALUES (?, ?, ?, ?, 1, 1)",
                           [order_id, line, sku, qty])
    for i, (member, kind, at, sku) in enumerate(EVENTS):
        engine.execute("INSERT INTO events (event_id, member_id, event_type, occurred_at, sku) "
                       "VALUES (?, ?, ?, CAST(? AS TIMESTAMP), ?)", [f"e{i}", member, kind, at,
                                                                    sku])
    return engine


def _cell(it, member: str, sku: str) -> float:  # type: ignore[no-untyped-def]
    return float(it.matrix[it.member_rows([member])[0], it.sku_column(sku)])


def test_log_keeps_standing_orders_and_sku_events(tiny: DuckDBEngine) -> None:
    log = interaction_log(tiny)
    assert list(log.columns) == ["member_id", "sku", "at", "kind", "weight"]
    purchases = log[log.kind == "purchase"]
    # cancelled x1 and fully refunded x2 are gone; partly refunded and no-status stay
    assert sorted(zip(purchases.member_id, purchases.sku, purchases.weight, strict=True)) == [
        ("m1", "A", 1.0), ("m1", "A", 3.0), ("m1", "B", 2.0), ("m2", "C", 1.0),
        ("m3", "B", 1.0)]
    events = log[log.kind != "purchase"].sort_values("at")
    assert list(events.kind) == ["view", "cart", "click", "favorite"]
    assert list(events.weight) == pytest.approx([0.1, 0.3, 0.1, 0.3])
    assert log["at"].is_monotonic_increasing


def test_log_window_is_since_inclusive_until_exclusive(tiny: DuckDBEngine) -> None:
    log = interaction_log(tiny, since=date(2024, 2, 10), until=datetime(2024, 4, 10, 10))
    assert sorted(zip(log.member_id, log.kind, strict=True)) == [
        ("m1", "purchase"), ("m2", "click"), ("m2", "purchase")]


def test_loaded_matrix_sums_weights_per_member_and_sku(tiny: DuckDBEngine) -> None:
    it = load_interactions(tiny)
    assert list(it.member_ids) == ["m1", "m2", "m3", "m4"]
    assert list(it.skus) == ["A", "B", "C", "D", "E"]  # E never touched, D only cancelled
    # m1: A 1 + min(5, 3) = 4; B 2 units = 2; C view 0.1 + cart 0.3 = 0.4
    assert _cell(it, "m1", "A") == pytest.approx(4.0)
    assert _cell(it, "m1", "B") == pytest.approx(2.0)
    assert _cell(it, "m1", "C") == pytest.approx(0.4)
    assert _cell(it, "m2", "A") == pytest.approx(0.1)
    assert _cell(it, "m2", "C") == pytest.approx(1.0)
    assert _cell(it, "m4", "B") == pytest.approx(0.3)
    assert it.matrix[:, it.sku_column("D")].nnz == 0
    assert it.matrix.nnz == 7


def test_weights_are_configurable(tiny: DuckDBEngine) -> None:
    weights = InteractionWeights(purchase=2.0, cart=0.0, view=0.5, favorite=0.0,
                                 quantity_cap=1)
    it = load_interactions(tiny, weights=weights, include_all_skus=False)
    assert list(it.member_ids) == ["m1", "m2", "m3"]  # m4 only favourited
    assert list(it.skus) == ["A", "B", "C"]
    assert _cell(it, "m1", "A") == pytest.approx(4.0)  # two lines × 2 × min(qty, 1)
    assert _cell(it, "m1", "C") == pytest.approx(0.5)  # the view; the cart counts 0


def test_half_life_decays_by_age_before_the_window_end(tiny: DuckDBEngine) -> None:
    weights = InteractionWeights(half_life_days=10.0)
    it = load_interactions(tiny, until=datetime(2024, 3, 20, 10), weights=weights)
    # m2's purchase of C is exactly ten days before the end: half weight
    assert _cell(it, "m2", "C") == pytest.approx(0.5, rel=1e-5)
    assert _cell(it, "m2", "A") == pytest.approx(0.1 * 0.5 ** (19.0416667 / 10), rel=1e-4)


def test_bad_weights_and_empty_warehouse(engine: DuckDBEngine) -> None:
    with pytest.raises(RecommendError, match="cart"):
        InteractionWeights(cart=-1)
    with pytest.raises(RecommendError, match="quantity_cap"):
        InteractionWeights(quantity_cap=0)
    it = load_interactions(engine)
    assert it.matrix.shape == (0, 0)


def test_products_frame(tiny: DuckDBEngine) -> None:
    frame = products_frame(tiny)
    assert list(frame.sku) == ["A", "B", "C", "D", "E"]
    assert {"category", "category_l1", "brand", "price", "launched_at"} <= set(frame.columns)
    assert np.isclose(frame.price.iloc[4], 35.0)
