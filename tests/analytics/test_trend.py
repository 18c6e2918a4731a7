"""Monthly consumption trend with new and returning buyers, worked by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from memberlens.analytics.trend import consumption_trend
from memberlens.engine import DuckDBEngine

Insert = Callable[..., None]  # the `insert` fixture of conftest.py

# order, member, time, paid, status, refund
ORDERS = [
    ("a1", "A", "2024-01-05 10:00", 100, "completed", None),
    ("a2", "A", "2024-01-20 10:00", 50, "completed", None),
    ("a3", "A", "2024-03-02 10:00", 200, "partially_refunded", 20),
    ("b1", "B", "2024-01-10 10:00", 300, "completed", None),
    ("b2", "B", "2024-03-15 10:00", 999, "cancelled", None),
    ("c1", "C", "2024-03-01 10:00", 70, "completed", None),
    ("c2", "C", "2024-03-09 10:00", 500, "refunded", 500),
    ("d1", "D", "2023-12-31 23:59", 40, "completed", None),
    ("d2", "D", "2024-03-31 23:59", 60, "completed", None),
]


@pytest.fixture
def shop(engine: DuckDBEngine, insert: Insert) -> DuckDBEngine:
    insert("orders", ["order_id", "member_id", "ordered_at", "paid_amount", "status",
                      "refund_amount"], ORDERS)
    return engine


def test_monthly_trend(shop: DuckDBEngine) -> None:
    """Cancelled b2 and refunded c2 are not purchases; a3 counts 200 - 20 = 180.

    2023-12: d1 40                → sales 40, 1 order, 1 buyer, new D
    2024-01: a1 100, a2 50, b1 300 → 450, 3 orders, buyers A B, both new; AOV 150
    2024-02: nothing              → zeros, no AOV
    2024-03: a3 180, c1 70, d2 60  → 310, 3 orders, buyers A C D; new C, returning A D
    """
    months = consumption_trend(shop)
    got = [(m.month, m.sales, m.orders, m.buyers, m.new_buyers, m.returning_buyers)
           for m in months]
    assert got == [
        ("2023-12", 40.0, 1, 1, 1, 0),
        ("2024-01", 450.0, 3, 2, 2, 0),
        ("2024-02", 0.0, 0, 0, 0, 0),
        ("2024-03", 310.0, 3, 3, 1, 2),
    ]
    assert months[1].average_order_value == 150.0
    assert months[2].average_order_value is None
    assert months[3].average_order_value == pytest.approx(310 / 3)


def test_last_months_keep_new_buyers_right(shop: DuckDBEngine) -> None:
    """Cutting the window to March does not make A and D new again."""
    months = consumption_trend(shop, last=1)
    assert [(m.month, m.new_buyers, m.returning_buyers) for m in months] == [("2024-03", 1, 2)]
    assert consumption_trend(shop, last=0) == []


def test_empty_warehouse(engine: DuckDBEngine) -> None:
    assert consumption_trend(engine) == []
