"""Runs: point-in-time correctness, snapshots replaced by date, back-dated runs, new tags."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from tiny_warehouse import (
    AS_OF,
    IN_PROFILE,
    MEMBERS_COLUMNS,
    ORDER_ITEMS_COLUMNS,
    ORDERS_COLUMNS,
    insert_rows,
    read_profile,
)

from memberlens.engine import DuckDBEngine
from memberlens.tags import load_catalog, run_tags

# Two members whose records sit awkwardly around a cut-off date:
# M10 bought on 2024-06-10 but registered only on 2024-06-20; G01 bought without ever
# being in the members table.
EXTRA_MEMBERS = [("M10", "吴昊", "M", "1988-08-08", "上海", "上海", 1, "2024-06-20 10:00",
                  "app", "普通会员")]
EXTRA_ORDERS = [
    ("O1001", "M10", None, "app", "2024-06-10 12:00", 500, 0, 500, None, "completed", None),
    ("OG01", "G01", "S1", "store", "2024-03-10 12:00", 80, 0, 80, None, "completed", None),
]
EXTRA_ITEMS = [("O1001", 1, "P2", 5, 100, 500), ("OG01", 1, "P3", 1, 80, 80)]


def add_awkward_members(engine: DuckDBEngine) -> None:
    insert_rows(engine, "members", MEMBERS_COLUMNS, EXTRA_MEMBERS)
    insert_rows(engine, "orders", ORDERS_COLUMNS, EXTRA_ORDERS)
    insert_rows(engine, "order_items", ORDER_ITEMS_COLUMNS, EXTRA_ITEMS)


def delete_from(engine: DuckDBEngine, cut: date) -> int:
    """Remove every record on or after `cut`, as if the warehouse had been copied then."""
    at = f"TIMESTAMP '{cut.isoformat()} 00:00:00'"
    statements = [
        f"DELETE FROM order_items WHERE order_id IN "
        f"(SELECT order_id FROM orders WHERE ordered_at >= {at})",
        f"DELETE FROM orders WHERE ordered_at >= {at}",
        f"DELETE FROM events WHERE occurred_at >= {at}",
        f"DELETE FROM feedback WHERE created_at >= {at}",
        f"DELETE FROM members WHERE registered_at >= {at}",
    ]
    return sum(int(engine.execute(s).fetchall()[0][0]) for s in statements)


def comparable(profile: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Floats rounded, so two runs' sums in a different order still compare equal."""
    return {m: {k: round(v, 9) if isinstance(v, float) else v for k, v in row.items()}
            for m, row in profile.items()}


@pytest.mark.parametrize("cut", [date(2023, 11, 17), date(2024, 4, 2), date(2024, 6, 16),
                                 AS_OF], ids=str)
def test_nothing_after_the_as_of_date_leaks(tiny: DuckDBEngine, cut: date) -> None:
    """Tags as of D on all data equal tags as of D on the data as it stood at D.

    The cut dates fall on records: 2024-04-02 on M08's order at 16:00, 2024-06-16 between
    M10's order and its registration and on M05's ticket, 2024-07-01 on the as-of-day
    orders, logins and later records of the fixture.
    """
    add_awkward_members(tiny)
    run_tags(tiny, as_of=cut)
    full = read_profile(tiny)
    removed = delete_from(tiny, cut)
    assert removed > 0                          # the cut really drops records
    run_tags(tiny, as_of=cut)
    truncated = read_profile(tiny)
    columns = {"member_id", "as_of", *load_catalog().tags}
    assert set(next(iter(full.values()))) == columns
    assert comparable(full) == comparable(truncated)


def test_a_buyer_registered_later_is_profiled_without_a_member_record(
        tiny: DuckDBEngine) -> None:
    """As of 2024-06-16, M10 has bought (06-10) but registers only on 06-20."""
    add_awkward_members(tiny)
    run_tags(tiny, as_of=date(2024, 6, 16))
    p = read_profile(tiny)
    # unknown member record: no gender, city or tenure yet; the purchase counts
    assert (p["M10"]["gender"], p["M10"]["city"], p["M10"]["tenure_days"],
            p["M10"]["order_count_total"]) == ("未知", None, None, 1)
    # never in the members table, bought 2024-03-10
    assert (p["G01"]["gender"], p["G01"]["registration_channel"],
            p["G01"]["order_count_total"], p["G01"]["preferred_store"]) == ("未知", "未知", 1,
                                                                            "S1")
    # members at 2024-06-16: M01-M03, M05-M08 (M04 joins 06-20), plus the two buyers
    assert sorted(p) == ["G01", "M01", "M02", "M03", "M05", "M06", "M07", "M08", "M10"]


def _history(engine: DuckDBEngine, day: date) -> dict[str, dict[str, Any]]:
    return read_profile(engine, "tag_history", f"WHERE as_of = DATE '{day.isoformat()}'")


def test_rerunning_a_date_replaces_its_snapshot(tiny: DuckDBEngine) -> None:
    run_tags(tiny, as_of=AS_OF)
    assert tiny.scalar("SELECT count(*) FROM tag_history") == 8
    assert _history(tiny, AS_OF)["M06"]["order_count_total"] == 0
    # M06 turns out to have bought on 2024-06-30 (a late-arriving file)
    insert_rows(tiny, "orders", ("order_id", "member_id", "ordered_at", "paid_amount"),
                [("O601", "M06", "2024-06-30 12:00", 88)])
    run_tags(tiny, as_of=AS_OF)
    assert tiny.scalar("SELECT count(*) FROM tag_history") == 8
    for row in (_history(tiny, AS_OF)["M06"], read_profile(tiny)["M06"]):
        assert (row["order_count_total"], row["spend_total"], row["days_since_last_purchase"]
                ) == (1, 88, 1)


def test_a_back_dated_run_writes_history_but_leaves_the_profile(tiny: DuckDBEngine) -> None:
    run_tags(tiny, as_of=AS_OF)
    result = run_tags(tiny, as_of=date(2024, 4, 2))
    assert not result.profile_updated
    profile = read_profile(tiny)
    assert tuple(profile) == IN_PROFILE
    assert {r["as_of"] for r in profile.values()} == {AS_OF}
    assert profile["M01"]["order_count_total"] == 7
    dates = tiny.fetchall("SELECT as_of, count(*) FROM tag_history GROUP BY 1 ORDER BY 1")
    # 2024-04-02: M04 (joined 06-20) is not a member yet → 7
    assert dates == [(date(2024, 4, 2), 7), (AS_OF, 8)]
    april = _history(tiny, date(2024, 4, 2))
    # M01 before 04-02: 2023-05-10, 2023-11-16, 2024-02-14, 2024-03-20;
    # M08's order of 04-02 16:00 is on the as-of date, so only 01-20 and 03-05
    assert (april["M01"]["order_count_total"], april["M08"]["order_count_total"]) == (4, 2)


def test_tag_history_gains_a_column_when_a_user_adds_a_tag(tiny: DuckDBEngine,
                                                          tmp_path: Path) -> None:
    june = date(2024, 6, 1)
    run_tags(tiny, as_of=june)
    vip = {"key": "vip_flag", "name": {"zh": "大客户", "en": "VIP"}, "category": "value",
           "type": "bool", "description": {"zh": "累计消费满3000", "en": "3000 spent"},
           "compute": {"kind": "rule", "expr": "spend_total >= 3000"}}
    (tmp_path / "vip.yaml").write_text(yaml.safe_dump({"tags": [vip]}, allow_unicode=True),
                                       "utf-8")
    run_tags(tiny, as_of=AS_OF, user_dirs=(tmp_path,))
    types = dict(tiny.fetchall("SELECT column_name, data_type FROM information_schema.columns"
                               " WHERE table_name = 'tag_history'"))
    assert types["vip_flag"] == "BOOLEAN"
    # older snapshot: the tag did not exist yet
    assert {r["vip_flag"] for r in _history(tiny, june).values()} == {None}
    # spend_total: M01 28000, M02 3000 (≥ 3000), the others below
    now = _history(tiny, AS_OF)
    assert {m: now[m]["vip_flag"] for m in IN_PROFILE} == {
        "M01": True, "M02": True, "M03": False, "M04": False, "M05": False, "M06": False,
        "M07": False, "M08": False}
    assert read_profile(tiny)["M02"]["vip_flag"] is True
