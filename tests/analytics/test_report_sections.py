"""The report's analysis sections filled from a tiny warehouse, and left out of an empty one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from memberlens.analytics.report_data import collect_report_data
from memberlens.engine import DuckDBEngine
from memberlens.reports import render_report

Insert = Callable[..., None]  # the `insert` fixture of conftest.py
History = Callable[[list[tuple[str, str, str | None, str | None]]], None]


def test_sections_from_a_tiny_warehouse(engine: DuckDBEngine, insert: Insert,
                                        history: History, tmp_path: Path) -> None:
    """Two members, two snapshots, one view → cart → order journey.

    A registered in January and bought in January and March: cohort 2024-01 has
    buyers (1, 0, 1). B registered in March and never bought: cohort 2024-03 is (0,).
    A: 活跃 → 活跃, class → class; B is new in March (沉默, no class).
    """
    insert("members", ["member_id", "registered_at"],
           [("A", "2024-01-02 10:00"), ("B", "2024-03-03 10:00")])
    insert("orders", ["order_id", "member_id", "ordered_at", "paid_amount", "status",
                      "channel"],
           [("o1", "A", "2024-01-05 10:00", 80, "completed", "app"),
            ("o2", "A", "2024-03-10 10:00", 120, "completed", "app")])
    insert("events", ["member_id", "event_type", "occurred_at", "channel"],
           [("A", "view", "2024-03-10 09:00", "app"), ("A", "cart", "2024-03-10 09:30", "app"),
            ("B", "view", "2024-03-20 09:00", "app")])
    history([("A", "2024-02-01", "活跃", "重要价值客户"),
             ("A", "2024-03-01", "活跃", "重要价值客户"), ("B", "2024-03-01", "沉默", None)])
    data = collect_report_data(engine)
    assert [(t.month, t.sales, t.new_buyers) for t in data.trend] == [
        ("2024-01", 80.0, 1), ("2024-02", 0.0, 0), ("2024-03", 120.0, 0)]
    assert data.activity is not None and data.activity.migration is not None
    assert [s.counts for s in data.activity.snapshots] == [[1, 0, 0], [1, 1, 0]]
    assert data.activity.migration.counts[0] == [1, 0, 0]
    assert data.activity.migration.new == [0, 1, 0]
    assert data.rfm_migration is not None
    states = data.rfm_migration.states
    assert (len(states), states[0].key, states[-1].key) == (9, "重要价值客户", "")
    assert (states[0].label_en, states[-1].label_en) == ("Important value", "No purchase")
    assert data.cohorts is not None  # February had no registrations: no cohort row
    assert [(c.month, c.buyers) for c in data.cohorts.cohorts] == [
        ("2024-01", [1, 0, 1]), ("2024-03", [0])]
    # newest view 03-20 → views up to 03-13 count; A's journey on 03-10 is in
    assert data.funnel is not None
    assert (data.funnel.total.viewed, data.funnel.total.carted, data.funnel.total.ordered) == (
        1, 1, 1)
    html = render_report(data, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'data-chart="cohorts"' in html and "全部渠道" in html


def test_empty_warehouse_leaves_the_sections_out(engine: DuckDBEngine) -> None:
    data = collect_report_data(engine)
    assert data.trend == []
    assert (data.activity, data.rfm_migration, data.cohorts, data.funnel) == (
        None, None, None, None)
