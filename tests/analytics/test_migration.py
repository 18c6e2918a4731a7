"""Activity distribution and migration matrices on hand-made snapshots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from memberlens.analytics.activity import (
    activity_distribution,
    activity_migration,
    tag_distribution,
)
from memberlens.analytics.migration import rfm_migration, tag_migration
from memberlens.analytics.snapshots import AnalysisError, state_label
from memberlens.engine import DuckDBEngine

History = Callable[[list[tuple[str, str, str | None, str | None]]], None]

DEC, JAN, FEB = "2023-12-01", "2024-01-01", "2024-02-01"
# (member, as_of, activity_status, rfm_class)
SNAPSHOTS: list[tuple[str, str, str | None, str | None]] = [
    ("A", DEC, "活跃", None), ("B", DEC, "活跃", None),
    ("A", JAN, "活跃", "重要价值客户"), ("B", JAN, "活跃", None),
    ("C", JAN, "沉默", "一般发展客户"),
    ("D", JAN, "沉默", None), ("E", JAN, "流失", None), ("F", JAN, "活跃", None),
    ("A", FEB, "活跃", "重要价值客户"), ("B", FEB, "沉默", "一般发展客户"),
    ("C", FEB, "活跃", "重要发展客户"), ("D", FEB, "流失", None), ("E", FEB, "流失", None),
    ("F", FEB, "沉默", None), ("G", FEB, "活跃", None), ("H", FEB, "沉默", None),
]  # fmt: skip


@pytest.fixture
def snapshots(engine: DuckDBEngine, history: History) -> DuckDBEngine:
    history(SNAPSHOTS)
    return engine


def test_activity_migration_between_the_two_latest_snapshots(snapshots: DuckDBEngine) -> None:
    """January → February, members in both (A–F), rows and columns 活跃, 沉默, 流失.

    活跃 in Jan: A stays 活跃, B and F go 沉默          → (1, 2, 0), shares 1/3, 2/3, 0
    沉默 in Jan: C back to 活跃, D to 流失              → (1, 0, 1), shares 1/2, 0, 1/2
    流失 in Jan: E stays                               → (0, 0, 1)
    only in Feb (新增): G 活跃, H 沉默                   → (1, 1, 0)
    """
    m = activity_migration(snapshots)
    assert (m.date_from, m.date_to) == (date(2024, 1, 1), date(2024, 2, 1))
    assert m.states == ("活跃", "沉默", "流失")
    assert m.counts == ((1, 2, 0), (1, 0, 1), (0, 0, 1))
    assert m.row_shares == ((pytest.approx(1 / 3), pytest.approx(2 / 3), 0.0),
                            (0.5, 0.0, 0.5), (0.0, 0.0, 1.0))
    assert m.new == (1, 1, 0)
    assert m.gone == (0, 0, 0)
    assert (m.members, m.stayed) == (6, 2)  # A and E kept their state
    assert m.count("沉默", "活跃") == 1 and m.count("流失", "活跃") == 0


def test_one_date_picks_its_neighbour(snapshots: DuckDBEngine) -> None:
    """December → January: A and B stay 活跃; C, D, E, F are new in January."""
    m = activity_migration(snapshots, date_from=date(2023, 12, 1))
    assert m.date_to == date(2024, 1, 1)
    assert m.counts == ((2, 0, 0), (0, 0, 0), (0, 0, 0))
    assert m.new == (1, 2, 1)  # F 活跃; C, D 沉默; E 流失
    assert m.row_shares[1] == (None, None, None)  # nobody was 沉默 in December
    back = activity_migration(snapshots, date_to=date(2024, 1, 1))
    assert back.date_from == date(2023, 12, 1)
    skip = activity_migration(snapshots, date(2023, 12, 1), date(2024, 2, 1))
    assert skip.counts[0] == (1, 1, 0)  # A stays, B went silent


def test_rfm_migration_keeps_members_without_a_class(snapshots: DuckDBEngine) -> None:
    """January → February, rfm_class; empty = no purchase yet.

    A 重要价值 → 重要价值; C 一般发展 → 重要发展; B no class → 一般发展 (first purchase);
    D, E, F no class → no class; G, H new without a class.
    States: the eight classes in catalog order (seen or not), the empty one last.
    """
    m = rfm_migration(snapshots)
    assert m.states == ("重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户",
                        "一般价值客户", "一般发展客户", "一般保持客户", "一般挽留客户", None)
    assert m.count("重要价值客户", "重要价值客户") == 1
    assert m.count("一般发展客户", "重要发展客户") == 1
    assert m.count(None, "一般发展客户") == 1
    assert m.count(None, None) == 3
    assert m.new == (0,) * 8 + (2,)
    assert m.count("重要保持客户", "重要保持客户") == 0  # listed, nobody in it
    assert m.members == 6
    assert state_label("rfm_class", None, "en") == "No purchase"
    assert tag_migration(snapshots, "rfm_class") == m


def test_distribution_per_snapshot(snapshots: DuckDBEngine) -> None:
    """Dec: 活跃 2 → shares 1, 0, 0. Jan: 活跃 A B F, 沉默 C D, 流失 E → 3/6, 2/6, 1/6.

    Feb: 活跃 A C G, 沉默 B F H, 流失 D E → 3, 3, 2 of 8.
    """
    dist = activity_distribution(snapshots)
    assert [d.as_of for d in dist] == [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]
    assert [d.counts for d in dist] == [(2, 0, 0), (3, 2, 1), (3, 3, 2)]
    assert dist[1].shares == (0.5, pytest.approx(1 / 3), pytest.approx(1 / 6))
    assert dist[2].total == 8 and dist[2].count("流失") == 2
    assert [d.as_of for d in activity_distribution(snapshots, last=1)] == [date(2024, 2, 1)]
    rfm = tag_distribution(snapshots, "rfm_class")
    assert rfm[0].states[-1] is None and rfm[0].count(None) == 2


@pytest.mark.parametrize("tag", ["no_such_tag", 'activity_status" FROM members; --', "as_of"])
def test_unknown_tags_are_refused(snapshots: DuckDBEngine, tag: str) -> None:
    with pytest.raises(AnalysisError, match="unknown tag"):
        tag_migration(snapshots, tag)


def test_dates_without_snapshots_are_refused(snapshots: DuckDBEngine) -> None:
    with pytest.raises(AnalysisError, match="2024-01-15"):
        activity_migration(snapshots, date_from=date(2024, 1, 15))
    with pytest.raises(AnalysisError, match="no snapshot after"):
        activity_migration(snapshots, date_from=date(2024, 2, 1))
    with pytest.raises(AnalysisError, match="must be before"):
        activity_migration(snapshots, date(2024, 2, 1), date(2024, 1, 1))


def test_measures_are_not_states(snapshots: DuckDBEngine) -> None:
    snapshots.execute("INSERT INTO tag_history (member_id, as_of, spend_total) "
                      "SELECT 'X' || i, d, i FROM range(50) t(i), "
                      "(VALUES (DATE '2024-01-01'), (DATE '2024-02-01')) s(d)")
    with pytest.raises(AnalysisError, match="distinct values"):
        tag_migration(snapshots, "spend_total")


def test_without_history(engine: DuckDBEngine) -> None:
    with pytest.raises(AnalysisError, match="tags run"):
        activity_migration(engine)
    engine.execute("CREATE TABLE tag_history (member_id VARCHAR, as_of DATE, "
                   "activity_status VARCHAR)")
    assert activity_distribution(engine) == []
    with pytest.raises(AnalysisError, match="found 0"):
        activity_migration(engine)
