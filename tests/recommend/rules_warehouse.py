"""Warehouses for the association-rule tests: a hand-made tiny one and a generated one.

The generated warehouse (datagen → ingest → tags) is built once per test process,
whichever test module asks first, and never changed; tests that write copy it.
"""

from __future__ import annotations

from pathlib import Path

from memberlens.datagen import generate
from memberlens.engine import DuckDBEngine, open_engine
from memberlens.ingest.generated import ingest_generated
from memberlens.settings import Settings
from memberlens.tags import run_tags

DEMO_MEMBERS = 1500
_BUILT: dict[str, Path] = {}


def demo_warehouse(root: Path) -> Path:
    """1,500 generated members (seed 3) with orders, lines, products and tags."""
    if "demo" in _BUILT:
        return _BUILT["demo"]
    data = root / "rules_demo_data"
    generate(data, members=DEMO_MEMBERS, seed=3, dirt=0.0,
             include=frozenset({"members", "products", "stores", "orders", "order_items"}))
    path = root / "rules_demo.duckdb"
    engine = open_engine(Settings(warehouse=path))
    try:
        ingest_generated(engine, data)
        run_tags(engine)
    finally:
        engine.close()
    _BUILT["demo"] = path
    return path


# Six kept baskets; a cancelled and a fully refunded order with A + D must not count.
#   o1: A B C   o2: A B   o3: A C   o4: B C   o5: A B D (partly refunded)   o6: D
# counts A 4, B 4, C 3, D 2; AB 3, AC 2, BC 2, AD 1, BD 1, ABC 1 (of 6 baskets)
TINY_ORDERS = (
    ("o1", "m1", "2024-01-05 10:00:00", "completed", ("A", "B", "C", "A")),  # A twice
    ("o2", "m1", "2024-02-05 10:00:00", "completed", ("A", "B")),
    ("o3", "m2", "2024-03-05 10:00:00", "completed", ("A", "C")),
    ("o4", "m2", "2024-04-05 10:00:00", None, ("B", "C")),  # no status: a purchase
    ("o5", "m3", "2024-05-05 10:00:00", "partially_refunded", ("A", "B", "D")),
    ("o6", "m3", "2024-06-05 10:00:00", "completed", ("D",)),
    ("x1", "m3", "2024-06-06 10:00:00", "cancelled", ("A", "D")),
    ("x2", "m1", "2024-06-07 10:00:00", "refunded", ("A", "D")),
)
TINY_PRODUCTS = (("A", "苹果", "水果", "食品", 10.0), ("B", "香蕉", "水果", "食品", 5.0),
                 ("C", "牛奶", "乳品", "食品", 8.0), ("D", "洗衣液", "清洁", "日用", 30.0))
TINY_TIERS = (("m1", "金卡"), ("m2", "银卡"), ("m3", "金卡"))


def fill_tiny(engine: DuckDBEngine) -> None:
    """Write the tiny baskets (and a member_profile with member_tier) into ``engine``."""
    for sku, name, category, l1, price in TINY_PRODUCTS:
        engine.execute("INSERT INTO products (sku, name, category, category_l1, price) "
                       "VALUES (?, ?, ?, ?, ?)", [sku, name, category, l1, price])
    for order_id, member, at, status, skus in TINY_ORDERS:
        engine.execute("INSERT INTO orders (order_id, member_id, ordered_at, status, "
                       "paid_amount) VALUES (?, ?, CAST(? AS TIMESTAMP), ?, 1)",
                       [order_id, member, at, status])
        for line, sku in enumerate(skus, start=1):
            engine.execute("INSERT INTO order_items (order_id, line_no, sku, quantity, "
                           "unit_price, amount) VALUES (?, ?, ?, 1, 1, 1)",
                           [order_id, line, sku])
    engine.execute("CREATE TABLE member_profile (member_id VARCHAR, as_of DATE, "
                   "member_tier VARCHAR, top_categories VARCHAR[])")
    for member, tier in TINY_TIERS:
        engine.execute("INSERT INTO member_profile VALUES (?, DATE '2024-07-01', ?, ['水果'])",
                       [member, tier])
