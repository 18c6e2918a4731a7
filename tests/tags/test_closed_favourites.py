"""Favourites over a closed set of values (a CASE of literals) are counted per value in the
source's one GROUP BY; they must agree with the general (member, value) ranking, ties
and all."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from memberlens.engine import DuckDBEngine
from memberlens.tags.catalog import Catalog
from memberlens.tags.compiler import CompileInputs, _closed_values, compile_catalog
from memberlens.tags.definition import AggregateCompute, TagDefinition

AS_OF = date(2024, 7, 1)
CHANNEL = ("case channel when 'store' then '门店' when 'app' then 'APP' "
           "when 'tmall' then '天猫' when 'jd' then '京东' end")
HOUR = ("case when hour < 11 then '上午' when hour < 18 then '下午' else '晚上' end")


def _tag(key: str, function: str, dimension: str, **compute: Any) -> TagDefinition:
    return TagDefinition.model_validate({
        "key": key, "name": {"zh": key, "en": key}, "category": "behaviour",
        "type": "float" if function == "top_share" else "string",
        "description": {"zh": key, "en": key},
        "compute": {"kind": "aggregate", "source": "purchases", "function": function,
                    "dimension": dimension, **compute}})


def _pairs() -> list[tuple[TagDefinition, TagDefinition]]:
    """(closed, general) pairs: nullif(…, '') hides the CASE from the closed-set path."""
    out = []
    for name, dim in (("channel", CHANNEL), ("hour", HOUR)):
        for function in ("top", "top_share"):
            for window in (None, 90):
                extra: dict[str, Any] = {"window_days": window} if window else {}
                key = f"{name}_{function}_{window or 'all'}"
                out.append((_tag(f"c_{key}", function, dim, **extra),
                            _tag(f"g_{key}", function, f"nullif({dim}, '')", **extra)))
    return out


def _orders(engine: DuckDBEngine, seed: int) -> None:
    """Few orders per member over a handful of values, so ties are common; some channels
    fall outside the CASE (NULL value) and some members buy only outside the window."""
    rng = random.Random(seed)
    rows = []
    for m in range(300):
        for k in range(rng.randint(0, 6)):
            at = datetime(2024, 6, 30, 12) - timedelta(days=rng.choice([3, 30, 200, 400]),
                                                       hours=rng.randint(0, 23))
            channel = rng.choice(["store", "app", "tmall", "jd", "douyin", None])
            rows.append((f"O{m}_{k}", f"M{m:03d}", channel, at, 100, 0, 100, "completed"))
    engine.con.executemany(
        "INSERT INTO orders (order_id, member_id, channel, ordered_at, total_amount, "
        "discount_amount, paid_amount, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def test_a_case_of_literals_is_closed_and_anything_else_is_not() -> None:
    closed, general = _pairs()[0]
    assert isinstance(closed.compute, AggregateCompute)
    assert isinstance(general.compute, AggregateCompute)
    assert _closed_values(closed.compute) == sorted(["门店", "APP", "天猫", "京东"])
    assert _closed_values(general.compute) is None
    with_measure = closed.compute.model_copy(update={"measure": "net_amount"})
    assert _closed_values(with_measure) is None  # sums of any type stay on the general path
    not_literal = closed.compute.model_copy(update={"dimension": "case when hour < 11 "
                                                    "then store_id else '晚上' end"})
    assert _closed_values(not_literal) is None
    def hours(n: int) -> AggregateCompute:
        branches = " ".join(f"when hour = {h} then 'h{h:02d}'" for h in range(n))
        return closed.compute.model_copy(update={"dimension": f"case {branches} end"})
    assert _closed_values(hours(16)) == [f"h{h:02d}" for h in range(16)]
    assert _closed_values(hours(17)) is None  # the pick's SQL would grow as k²


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_closed_favourites_equal_the_general_ranking(engine: DuckDBEngine, seed: int) -> None:
    _orders(engine, seed)
    pairs = _pairs()
    tags = {t.key: t for pair in pairs for t in pair}
    catalog = Catalog(tags=tags, order=list(tags))
    sql = engine.to_sql(compile_catalog(catalog, AS_OF, CompileInputs({}, frozenset())))
    assert sql.count("__top_c_") > 0 and "__top_g_" not in sql
    rows = engine.fetchall(f"SELECT * FROM ({sql})")
    names = [d[0] for d in engine.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
    profiles = [dict(zip(names, r, strict=True)) for r in rows]
    for p in profiles:
        for closed, general in pairs:
            assert p[closed.key] == pytest.approx(p[general.key]), (p["member_id"], closed.key)
    # the fixture really exercises ties: members whose top two channels have equal counts
    ties = int(engine.scalar("""
        SELECT count(*) FROM (
            SELECT member_id FROM (SELECT member_id, channel, count(*) n FROM orders
                                   WHERE channel IN ('store', 'app', 'tmall', 'jd')
                                   GROUP BY ALL)
            GROUP BY member_id HAVING count(*) > 1 AND max(n) = min(n))"""))
    assert ties > 0
    assert any(p["c_channel_top_all"] is None for p in profiles)
