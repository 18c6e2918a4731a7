"""Where members moved between two snapshots of a tag: the from × to migration matrix.

Used for activity (活跃 → 沉默 → 流失) and for RFM classes; any tag with a few values
works. Members present in both snapshots fill the matrix; members who appear only in the
later one (registered or first seen in between) are counted apart as 新增, so the
matrix rows stay comparable with the earlier distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..engine.base import Engine
from ..tags.tables import HISTORY
from .snapshots import (
    check_tag,
    date_literal,
    pick_dates,
    snapshot_dates,
    state_order,
    tag_query,
)


@dataclass(frozen=True)
class Migration:
    """Counts of members by their state on `date_from` (rows) and `date_to` (columns).

    `states` orders both axes; `None` is an empty value (for ``rfm_class``: has not
    bought yet). `new[j]` counts members only in the later snapshot, in state j;
    `gone[i]` those only in the earlier one (deleted since), in state i.
    """

    tag: str
    date_from: date
    date_to: date
    states: tuple[str | None, ...]
    counts: tuple[tuple[int, ...], ...]
    new: tuple[int, ...]
    gone: tuple[int, ...]

    @property
    def row_totals(self) -> tuple[int, ...]:
        """Members in each state on `date_from` who are still there on `date_to`."""
        return tuple(sum(row) for row in self.counts)

    @property
    def row_shares(self) -> tuple[tuple[float | None, ...], ...]:
        """Each row as shares of its total: where the members of a state went.

        ``None`` for a state nobody was in, rather than a division by zero.
        """
        return tuple(tuple(n / total if total else None for n in row)
                     for row, total in zip(self.counts, self.row_totals, strict=True))

    @property
    def stayed(self) -> int:
        """Members whose state did not change (the diagonal)."""
        return sum(self.counts[i][i] for i in range(len(self.states)))

    @property
    def members(self) -> int:
        """Members in both snapshots."""
        return sum(self.row_totals)

    def count(self, from_state: str | None, to_state: str | None) -> int:
        """Members who went from `from_state` to `to_state` (0 when either is unseen)."""
        if from_state not in self.states or to_state not in self.states:
            return 0
        return self.counts[self.states.index(from_state)][self.states.index(to_state)]


_MIGRATION_SQL = """
WITH a AS (
    SELECT member_id, CAST(_tag_ AS VARCHAR) AS state FROM {history} WHERE as_of = {d_from}
), b AS (
    SELECT member_id, CAST(_tag_ AS VARCHAR) AS state FROM {history} WHERE as_of = {d_to}
)
SELECT a.member_id IS NOT NULL AS in_from, b.member_id IS NOT NULL AS in_to,
       a.state AS from_state, b.state AS to_state, count(*) AS members
FROM a FULL OUTER JOIN b ON a.member_id = b.member_id
GROUP BY 1, 2, 3, 4
"""


def tag_migration(engine: Engine, tag: str, date_from: date | None = None,
                  date_to: date | None = None) -> Migration:
    """The migration matrix of `tag` between two snapshots.

    Parameters
    ----------
    engine
        The warehouse, with snapshots in ``tag_history``.
    tag
        A tag key with a few values, e.g. ``activity_status`` or ``rfm_class``.
    date_from, date_to
        As-of dates of stored snapshots. Both omitted: the two latest; one omitted: the
        snapshot next to the given one, so consecutive months need one date.

    Raises
    ------
    AnalysisError
        Unknown tag, a date without a snapshot, fewer than two snapshots, or a tag with
        too many distinct values to be a state.
    """
    check_tag(engine, tag)
    d_from, d_to = pick_dates(snapshot_dates(engine), date_from, date_to)
    sql = _MIGRATION_SQL.format(history=HISTORY, d_from=date_literal(d_from),
                                d_to=date_literal(d_to))
    rows = engine.fetchall(tag_query(sql, tag))
    seen: dict[str | None, int] = {}
    for in_from, in_to, a, b, n in rows:
        # the outer join leaves a side NULL when the member is missing there: not a state
        for present, value in ((in_from, a), (in_to, b)):
            if present:
                seen[value] = seen.get(value, 0) + int(n)
    states = state_order(tag, seen)
    index = {s: i for i, s in enumerate(states)}
    counts = [[0] * len(states) for _ in states]
    new = [0] * len(states)
    gone = [0] * len(states)
    for in_from, in_to, a, b, n in rows:
        if in_from and in_to:
            counts[index[a]][index[b]] += int(n)
        elif in_to:
            new[index[b]] += int(n)
        else:
            gone[index[a]] += int(n)
    return Migration(tag=tag, date_from=d_from, date_to=d_to, states=tuple(states),
                     counts=tuple(tuple(r) for r in counts), new=tuple(new), gone=tuple(gone))


def rfm_migration(engine: Engine, date_from: date | None = None,
                  date_to: date | None = None) -> Migration:
    """How members moved between the eight RFM classes (default: two latest snapshots).

    Members with no purchase before a date have no class then; they form the
    ``None`` row and column, so first purchases show as moves out of it.
    """
    return tag_migration(engine, "rfm_class", date_from, date_to)
