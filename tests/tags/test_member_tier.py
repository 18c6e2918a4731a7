"""Membership tier: upgrade at the thresholds, keep down to 80 %, then drop one tier."""

from __future__ import annotations

from datetime import date

import pytest

from memberlens.engine import DuckDBEngine
from memberlens.tags import run_tags

# (tier in the CRM, spend in the last 365 days, expected tier)
CASES = [
    ("普通会员", 999, "普通会员"),
    ("普通会员", 1000, "银卡会员"),      # upgrade at 1,000
    ("普通会员", 25000, "钻石会员"),     # several tiers at once on the way up
    ("银卡会员", 800, "银卡会员"),       # keep line: 80 % of 1,000
    ("银卡会员", 799, "普通会员"),
    ("金卡会员", 4000, "金卡会员"),      # 80 % of 5,000
    ("金卡会员", 3999, "银卡会员"),      # one tier down ...
    ("金卡会员", 100, "银卡会员"),       # ... even when the spend earns nothing
    ("钻石会员", 16000, "钻石会员"),     # 80 % of 20,000
    ("钻石会员", 15999, "金卡会员"),
    ("钻石会员", 0, "金卡会员"),         # no purchase at all: still one tier only
    (None, 5000, "金卡会员"),
]


@pytest.mark.parametrize(("tier", "spend", "expected"), CASES)
def test_tier_rules(engine: DuckDBEngine, tier: str | None, spend: int, expected: str) -> None:
    engine.execute("INSERT INTO members (member_id, tier, registered_at) "
                   "VALUES ('m', ?, TIMESTAMP '2020-01-01')", [tier])
    if spend:
        engine.execute("INSERT INTO orders (order_id, member_id, ordered_at, paid_amount, status)"
                       " VALUES ('o', 'm', TIMESTAMP '2024-03-01 10:00', ?, 'completed')",
                       [spend])
    run_tags(engine, as_of=date(2024, 7, 1))
    assert engine.scalar("SELECT member_tier FROM member_profile") == expected
