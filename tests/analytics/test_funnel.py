"""View → cart → order funnel per channel, members counted by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from memberlens.analytics.funnel import channel_funnel, channel_label, default_end
from memberlens.analytics.snapshots import AnalysisError
from memberlens.engine import DuckDBEngine

Insert = Callable[..., None]  # the `insert` fixture of conftest.py

# member, type, time, channel — views count from 2024-03-01 up to (not incl.) 2024-03-08
EVENTS = [
    ("A", "view", "2024-03-01 10:00", "app"), ("A", "cart", "2024-03-01 10:05", "app"),
    ("B", "view", "2024-03-02 10:00", "app"), ("B", "cart", "2024-03-05 10:00", "app"),
    ("C", "view", "2024-03-02 10:00", "app"), ("C", "cart", "2024-03-10 10:00", "app"),
    ("D", "view", "2024-03-03 10:00", "app"), ("D", "cart", "2024-03-04 10:00", "app"),
    ("E", "view", "2024-03-07 12:00", "mini_program"),
    ("E", "cart", "2024-03-09 12:00", "mini_program"),
    ("F", "view", "2024-02-20 10:00", "mini_program"),
    ("F", "cart", "2024-03-01 10:00", "mini_program"),
    ("G", "view", "2024-03-01 09:00", "mini_program"),
    ("H", "view", "2024-03-01 10:00", "app"), ("H", "cart", "2024-03-02 10:00", "app"),
    ("H", "view", "2024-03-06 10:00", "app"),
    ("I", "view", "2024-03-08 00:00", "app"), ("I", "cart", "2024-03-08 00:10", "app"),
    ("J", "view", "2024-03-04 10:00", "app"), ("J", "cart", "2024-03-04 10:10", "app"),
    ("K", "view", "2024-03-05 09:00", "web"), ("K", "cart", "2024-03-05 09:00", "web"),
    (None, "view", "2024-03-02 10:00", "app"),
    ("A", "search", "2024-03-01 09:59", "app"),
]  # fmt: skip
# order, member, time, channel, status
ORDERS = [
    ("oA", "A", "2024-03-01 10:10", "app", "completed"),
    ("oD", "D", "2024-03-04 11:00", "mini_program", "completed"),
    ("oE", "E", "2024-03-14 11:00", "mini_program", "completed"),
    ("oF", "F", "2024-03-01 10:30", "mini_program", "completed"),
    ("oG", "G", "2024-03-02 10:00", "mini_program", "completed"),
    ("oH", "H", "2024-03-08 10:01", "app", "completed"),
    ("oJ", "J", "2024-03-04 10:20", "app", "cancelled"),
    ("oK", "K", "2024-03-05 09:30", "web", "completed"),
]


@pytest.fixture
def shop(engine: DuckDBEngine, insert: Insert) -> DuckDBEngine:
    insert("events", ["member_id", "event_type", "occurred_at", "channel"], EVENTS)
    insert("orders", ["order_id", "member_id", "ordered_at", "channel", "status",
                      "paid_amount"], [(*o, 100) for o in ORDERS])
    return engine


def test_funnel_per_channel(shop: DuckDBEngine) -> None:
    """Period 2024-03-01 – 03-07, window 7 days from the view.

    app: views A B C D H J (I's view is at the end, excluded; anonymous excluded) = 6.
         carts in time: A, B (3 days), D, H (1 day), J; C's cart is 8 days late  = 5.
         orders after the cart within 7 days of the view: A only — D bought in the
         mini program, H's order is 7 days 1 minute after the view whose cart it
         follows (the later view came after the cart), J's order was cancelled  = 1.
    mini_program: views E, G = 2 (F viewed before the period). Carts: E = 1 (G bought
         without a cart). Orders: E, 6 days 23 hours after the view = 1.
    web: K views and adds to cart in the same second (view first), orders = 1, 1, 1.
    total: 9 members viewed, 7 carted, 3 ordered.
    """
    f = channel_funnel(shop, start=date(2024, 3, 1), end=date(2024, 3, 8))
    got = [(c.channel, c.viewed, c.carted, c.ordered) for c in f.channels]
    assert got == [("app", 6, 5, 1), ("mini_program", 2, 1, 1), ("web", 1, 1, 1)]
    assert (f.total.viewed, f.total.carted, f.total.ordered) == (9, 7, 3)
    app = f.channels[0]
    assert app.view_to_cart == pytest.approx(5 / 6)
    assert app.cart_to_order == pytest.approx(1 / 5)
    assert app.view_to_order == pytest.approx(1 / 6)
    assert (f.start, f.end, f.days) == (date(2024, 3, 1), date(2024, 3, 8), 7)


def test_wider_window(shop: DuckDBEngine) -> None:
    """With 9 days, C's cart (8 days) and H's order (7 days 1 minute) make it.

    app: carted A B C D H J = 6; ordered A, H = 2.
    """
    f = channel_funnel(shop, days=9, start=date(2024, 3, 1), end=date(2024, 3, 8))
    assert (f.channels[0].carted, f.channels[0].ordered) == (6, 2)


def test_default_period_leaves_room_for_the_window(shop: DuckDBEngine) -> None:
    """Newest view 2024-03-08 → day after is 03-09, minus 7 days → views before 03-02."""
    assert default_end(shop, 7) == date(2024, 3, 2)
    f = channel_funnel(shop)
    assert (f.start, f.end) == (date(2023, 12, 3), date(2024, 3, 2))
    # views before 03-02: A, H (app), F, G (mini program)
    assert {c.channel: c.viewed for c in f.channels} == {"app": 2, "mini_program": 2}


def test_bad_arguments(shop: DuckDBEngine) -> None:
    with pytest.raises(AnalysisError, match="days=0"):
        channel_funnel(shop, days=0)
    with pytest.raises(AnalysisError, match="empty period"):
        channel_funnel(shop, start=date(2024, 3, 8), end=date(2024, 3, 1))


def test_no_events(engine: DuckDBEngine) -> None:
    f = channel_funnel(engine, start=date(2024, 1, 1), end=date(2024, 2, 1))
    assert f.channels == () and f.total.viewed == 0 and f.total.view_to_cart is None
    assert channel_label("mini_program") == "小程序"
    assert channel_label(None, "en") == "All channels"
    assert channel_label("new_shop", "en") == "new_shop"
