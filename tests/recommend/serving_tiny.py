"""A hand-made warehouse for the serving tests, profiled as of 2024-07-01.

Six women buy dresses (D1–D3), six men buy earphones (H1–H3); rice (R1) is rebought by
three of its four buyers, so 大米 is a repeat category (rate 0.75) while dresses and
earphones are never rebought (rate 0). X0 sells to both but is out of stock (0); D3 has
no stock figure (unknown: allowed). N1 launches on 2024-08-01, after the profile date;
W1 is liquor (一级类目 烟酒). CF and CM never bought anything: cold start, one woman and
one man. Everyone was born on 1990-05-05, so the segment is the gender.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from memberlens.engine import DuckDBEngine, open_engine
from memberlens.recommend.base import IntArray, Interactions, Recommender
from memberlens.settings import Settings
from memberlens.tags import run_tags

AS_OF = date(2024, 7, 1)
WOMEN = ("F1", "F2", "F3", "F4", "F5", "F6")
MEN = ("M1", "M2", "M3", "M4", "M5", "M6")

PRODUCTS: list[tuple[Any, ...]] = [
    # sku, name, l1, l2, leaf, brand, price, launched_at, stock
    ("R1", "五常大米 5kg", "食品生鲜", "粮油", "大米", "五常", 59, "2022-01-01", 100),
    ("D1", "碎花连衣裙", "服饰鞋包", "女装", "连衣裙", "太平鸟", 299, "2022-01-01", 40),
    ("D2", "针织连衣裙", "服饰鞋包", "女装", "连衣裙", "ONLY", 399, "2022-01-01", 30),
    ("D3", "真丝连衣裙", "服饰鞋包", "女装", "连衣裙", "江南布衣", 899, "2022-01-01", None),
    ("H1", "降噪耳机", "数码家电", "影音", "耳机", "索尼", 999, "2022-01-01", 20),
    ("H2", "运动耳机", "数码家电", "影音", "耳机", "漫步者", 299, "2022-01-01", 25),
    ("H3", "头戴耳机", "数码家电", "影音", "耳机", "小米", 399, "2022-01-01", 15),
    ("X0", "爆款T恤", "服饰鞋包", "男装", "T恤", "优衣库", 79, "2022-01-01", 0),
    ("N1", "新品耳机", "数码家电", "影音", "耳机", "华为", 1299, "2024-08-01", 50),
    ("W1", "白酒 500ml", "烟酒", "酒类", "白酒", "茅台", 1499, "2022-01-01", 10),
]

# member → baskets (one order each, in date order)
BASKETS: dict[str, list[tuple[str, ...]]] = {
    "F1": [("D1", "R1"), ("R1",)],
    "F2": [("D1", "D2"), ("R1",), ("R1",)],
    "F3": [("D1", "D2", "D3"), ("X0",)],
    "F4": [("D2", "D3")],
    "F5": [("D1", "D2"), ("X0",)],
    "F6": [("D1", "D3", "X0")],
    "M1": [("H1", "H2"), ("R1",), ("R1", "W1")],
    "M2": [("H1", "H3"), ("X0", "W1")],
    "M3": [("H1", "H2", "H3"), ("R1",)],
    "M4": [("H2", "H3"), ("X0",)],
    "M5": [("H1", "H2")],
    "M6": [("H1",), ("X0",)],
}


def _insert(engine: DuckDBEngine, table: str, columns: tuple[str, ...],
            rows: list[tuple[Any, ...]]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    for row in rows:
        engine.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row))


def fill(engine: DuckDBEngine) -> None:
    """Insert the rows above and profile them as of AS_OF."""
    _insert(engine, "products", ("sku", "name", "category_l1", "category_l2", "category",
                                 "brand", "price", "launched_at", "stock"), PRODUCTS)
    people = [(m, "F" if m[0] == "F" or m == "CF" else "M") for m in (*WOMEN, *MEN, "CF", "CM")]
    _insert(engine, "members", ("member_id", "gender", "birthday", "registered_at"),
            [(m, g, "1990-05-05", "2023-01-01 10:00") for m, g in people])
    price = {p[0]: p[6] for p in PRODUCTS}
    orders, items = [], []
    for member, baskets in BASKETS.items():
        for i, basket in enumerate(baskets):
            order = f"O-{member}-{i}"
            amount = sum(price[s] for s in basket)
            orders.append((order, member, "app", f"2024-0{i + 2}-10 12:00", amount, amount,
                           "completed"))
            items += [(order, n + 1, s, 1, price[s], price[s]) for n, s in enumerate(basket)]
    _insert(engine, "orders", ("order_id", "member_id", "channel", "ordered_at",
                               "total_amount", "paid_amount", "status"), orders)
    _insert(engine, "order_items", ("order_id", "line_no", "sku", "quantity", "unit_price",
                                    "amount"), items)
    run_tags(engine, as_of=AS_OF)


_BUILT: dict[str, Path] = {}


def tiny_warehouse(root: Path) -> Path:
    """Built once per test process; copy it before writing (:func:`tiny_copy`)."""
    if "tiny" not in _BUILT:
        path = root / "serving_tiny.duckdb"
        engine = open_engine(Settings(warehouse=path))
        try:
            fill(engine)
        finally:
            engine.close()
        _BUILT["tiny"] = path
    return _BUILT["tiny"]


def tiny_copy(root: Path, target: Path) -> Path:
    shutil.copy(tiny_warehouse(root), target)
    return target


class Everything(Recommender):
    """Scores every SKU, first column best: what is missing from its list was excluded."""

    name = "everything"

    def fit(self, interactions: Interactions) -> Self:
        self.interactions_ = interactions
        return self

    def score_rows(self, rows: IntArray) -> npt.NDArray[np.float32]:
        n = self.interactions_.n_items
        return np.tile(np.linspace(2.0, 1.0, n, dtype=np.float32), (len(rows), 1))
