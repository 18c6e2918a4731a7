"""Activity (活跃度) over time: how many members are 活跃, 沉默 or 流失 on each snapshot.

The states come from the ``activity_status`` tag (its windows are set in the tag
catalog), read from ``tag_history`` so every date shows what the profile said then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..engine.base import Engine
from ..tags.tables import HISTORY
from .migration import Migration, tag_migration
from .snapshots import check_tag, state_order, tag_query

ACTIVITY_TAG = "activity_status"


@dataclass(frozen=True)
class Distribution:
    """Members per value of one tag on one snapshot date, in `states` order."""

    as_of: date
    states: tuple[str | None, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> tuple[float, ...]:
        """Each count as a share of the members on that date (0 when there are none)."""
        total = self.total
        return tuple(n / total if total else 0.0 for n in self.counts)

    def count(self, state: str | None) -> int:
        return self.counts[self.states.index(state)] if state in self.states else 0


def tag_distribution(engine: Engine, tag: str, *, last: int | None = None
                     ) -> list[Distribution]:
    """Members per value of `tag` on each snapshot, oldest first.

    Every snapshot lists the same states in the same order (zeros included), so the
    dates stack into comparable bars.

    Parameters
    ----------
    tag
        A tag key with a few values (``activity_status``, ``rfm_class``, …).
    last
        Only the latest `last` snapshots; all of them when ``None``.
    """
    check_tag(engine, tag)
    rows = engine.fetchall(tag_query(
        f"SELECT as_of, CAST(_tag_ AS VARCHAR) AS state, count(*) AS members "
        f"FROM {HISTORY} GROUP BY 1, 2 ORDER BY 1", tag))
    by_date: dict[date, dict[str | None, int]] = {}
    seen: dict[str | None, int] = {}
    for as_of, state, n in rows:
        by_date.setdefault(as_of, {})[state] = int(n)
        seen[state] = seen.get(state, 0) + int(n)
    states = tuple(state_order(tag, seen))
    dates = sorted(by_date)
    if last is not None:
        dates = dates[-last:] if last > 0 else []
    return [Distribution(as_of=d, states=states,
                         counts=tuple(by_date[d].get(s, 0) for s in states)) for d in dates]


def activity_distribution(engine: Engine, *, last: int | None = None) -> list[Distribution]:
    """活跃 / 沉默 / 流失 counts and shares on each snapshot date, oldest first."""
    return tag_distribution(engine, ACTIVITY_TAG, last=last)


def activity_migration(engine: Engine, date_from: date | None = None,
                       date_to: date | None = None) -> Migration:
    """Where the members of each activity state went between two snapshots.

    Default: the two latest snapshots, i.e. last month's moves when snapshots are
    monthly. The row 活跃 → 沉默 is the early churn warning worth acting on.
    """
    return tag_migration(engine, ACTIVITY_TAG, date_from, date_to)
