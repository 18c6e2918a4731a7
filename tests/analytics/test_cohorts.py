"""Cohort retention by registration month on a hand-made shop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from memberlens.analytics.cohorts import cohort_retention
from memberlens.engine import DuckDBEngine

Insert = Callable[..., None]  # the `insert` fixture of conftest.py

MEMBERS = [
    ("M1", "2024-01-05 10:00"), ("M2", "2024-01-20 10:00"), ("M3", "2024-01-31 23:00"),
    ("M4", "2024-02-10 10:00"), ("M5", "2024-03-01 00:00"), ("M6", None),
]  # fmt: skip
ORDERS = [
    ("o1", "M1", "2024-01-06 10:00", "completed"),
    ("o2", "M1", "2024-03-15 10:00", "completed"),
    ("o3", "M1", "2024-03-20 10:00", "completed"),  # same month again: counted once
    ("o4", "M2", "2024-02-01 00:00", "completed"),
    ("o5", "M2", "2023-12-25 10:00", "completed"),  # before registering: ignored
    ("o6", "M3", "2024-02-29 10:00", "partially_refunded"),
    ("o7", "M3", "2024-03-05 10:00", "cancelled"),  # not a purchase
    ("o8", "M4", "2024-02-10 12:00", "completed"),
    ("o9", "M4", "2024-03-01 10:00", "completed"),
    ("o10", "M6", "2024-03-02 10:00", "completed"),  # no registration date: no cohort
    ("o11", "X", "2024-01-10 10:00", "completed"),  # not a known member: no cohort
]


@pytest.fixture
def shop(engine: DuckDBEngine, insert: Insert) -> DuckDBEngine:
    insert("members", ["member_id", "registered_at"], MEMBERS)
    insert("orders", ["order_id", "member_id", "ordered_at", "status", "paid_amount"],
           [(*o, 100) for o in ORDERS])
    return engine


def test_retention_by_registration_month(shop: DuckDBEngine) -> None:
    """Observed through 2024-03 (the newest purchase, o3).

    2024-01: M1, M2, M3 (3). Month 0 (Jan): M1. Month 1 (Feb): M2, M3. Month 2 (Mar): M1.
             → buyers (1, 2, 1), shares 1/3, 2/3, 1/3
    2024-02: M4 (1). Month 0: M4. Month 1: M4. → (1, 1)
    2024-03: M5 (1), no purchase. → (0,)
    Pooled: month 0 (1+1+0)/(3+1+1) = 0.4; month 1 (2+1)/(3+1) = 0.75; month 2 1/3.
    """
    r = cohort_retention(shop)
    assert r.through == "2024-03"
    assert [(c.month, c.members, c.buyers) for c in r.cohorts] == [
        ("2024-01", 3, (1, 2, 1)), ("2024-02", 1, (1, 1)), ("2024-03", 1, (0,))]
    assert r.cohorts[0].shares == (pytest.approx(1 / 3), pytest.approx(2 / 3),
                                   pytest.approx(1 / 3))
    assert r.max_offset == 2
    assert r.mean_shares == (0.4, 0.75, pytest.approx(1 / 3))


def test_latest_cohorts_only(shop: DuckDBEngine) -> None:
    assert [c.month for c in cohort_retention(shop, last=2).cohorts] == ["2024-02", "2024-03"]
    assert cohort_retention(shop, last=0).cohorts == ()


def test_observed_through_an_earlier_month(shop: DuckDBEngine) -> None:
    """Through February: M5 (March) has no cohort yet, March purchases are not seen.

    2024-01: month 0 M1, month 1 M2 and M3 → (1, 2). 2024-02: month 0 M4 → (1,).
    """
    r = cohort_retention(shop, through=date(2024, 2, 15))
    assert r.through == "2024-02"
    assert [(c.month, c.members, c.buyers) for c in r.cohorts] == [
        ("2024-01", 3, (1, 2)), ("2024-02", 1, (1,))]


def test_no_orders(engine: DuckDBEngine) -> None:
    r = cohort_retention(engine)
    assert (r.cohorts, r.through, r.max_offset, r.mean_shares) == ((), "", -1, ())
