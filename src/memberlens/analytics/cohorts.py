"""Cohort retention by registration month: do new members keep buying?

A cohort is the members who registered in one calendar month. Month k of a cohort is
the k-th calendar month after it (month 0 is the registration month itself), and its
retention is the share of the cohort who made a purchase in that month. Calendar months
rather than 30-day steps, because campaigns, salaries and 双11 follow the calendar.

Members without a registration date cannot be placed in a cohort and are left out;
purchases before registering (a guest order later tied to a card) do not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlglot

from ..engine.base import SOURCE_DIALECT, Engine
from .rfm import PURCHASE_FILTER


@dataclass(frozen=True)
class Cohort:
    """One registration month: its size and its buyers in month 0, 1, 2, …

    `buyers` stops at the last observed month, so younger cohorts have shorter rows
    (the triangle of a retention chart).
    """

    month: str  # 'YYYY-MM'
    members: int
    buyers: tuple[int, ...]

    @property
    def shares(self) -> tuple[float, ...]:
        """Buyers in month k as a share of the cohort."""
        return tuple(n / self.members if self.members else 0.0 for n in self.buyers)


@dataclass(frozen=True)
class CohortRetention:
    """Cohorts oldest first, observed through the month `through` ('YYYY-MM')."""

    cohorts: tuple[Cohort, ...]
    through: str

    @property
    def max_offset(self) -> int:
        """The largest month offset any cohort reaches (-1 without cohorts)."""
        return max((len(c.buyers) - 1 for c in self.cohorts), default=-1)

    @property
    def mean_shares(self) -> tuple[float | None, ...]:
        """Retention in month k over every cohort observed that long, weighted by size.

        Pooling buyers and members (not averaging shares) keeps a tiny cohort from
        swinging the average.
        """
        out: list[float | None] = []
        for k in range(self.max_offset + 1):
            seen = [c for c in self.cohorts if len(c.buyers) > k]
            members = sum(c.members for c in seen)
            out.append(sum(c.buyers[k] for c in seen) / members if members else None)
        return tuple(out)


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def cohort_retention(engine: Engine, *, last: int | None = 12, through: date | None = None
                     ) -> CohortRetention:
    """Retention of the latest `last` registration-month cohorts.

    Parameters
    ----------
    last
        How many of the most recent cohorts (up to `through`) to show; all when ``None``.
    through
        The last month observed; default the month of the newest order. Cohorts
        registered after it are left out.

    Examples
    --------
    >>> r = cohort_retention(engine, last=6)  # doctest: +SKIP
    >>> r.cohorts[0].month, f"{r.cohorts[0].shares[1]:.0%}"  # doctest: +SKIP
    ('2025-07', '18%')
    """
    if through is None:
        newest = engine.scalar(f"SELECT CAST(max(ordered_at) AS DATE) FROM orders "
                               f"WHERE {PURCHASE_FILTER}")
        if newest is None:
            return CohortRetention(cohorts=(), through="")
        through = newest
    end = _month_start(through)
    cohort = f"""
        SELECT member_id, CAST(date_trunc('month', registered_at) AS DATE) AS cohort_month
        FROM members
        WHERE registered_at IS NOT NULL
          AND registered_at < DATE '{end.isoformat()}' + INTERVAL 1 MONTH"""
    members = {m: int(n) for m, n in engine.fetchall(sqlglot.parse_one(
        f"SELECT cohort_month, count(*) FROM ({cohort}) GROUP BY 1", read=SOURCE_DIALECT))}
    buyers: dict[date, dict[int, int]] = {}
    for cohort_month, month, n in engine.fetchall(sqlglot.parse_one(f"""
            WITH cohort AS ({cohort}),
            bought AS (
                SELECT DISTINCT member_id, CAST(date_trunc('month', ordered_at) AS DATE) AS month
                FROM orders WHERE {PURCHASE_FILTER}
            )
            SELECT c.cohort_month, b.month, count(*) AS buyers
            FROM cohort c JOIN bought b
              ON b.member_id = c.member_id AND b.month >= c.cohort_month
             AND b.month <= DATE '{end.isoformat()}'
            GROUP BY 1, 2""", read=SOURCE_DIALECT)):
        buyers.setdefault(cohort_month, {})[_months_between(cohort_month, month)] = int(n)
    months = sorted(members)
    if last is not None:
        months = months[-last:] if last > 0 else []
    cohorts = tuple(
        Cohort(month=m.strftime("%Y-%m"), members=members[m],
               buyers=tuple(buyers.get(m, {}).get(k, 0)
                            for k in range(_months_between(m, end) + 1)))
        for m in months)
    return CohortRetention(cohorts=cohorts, through=end.strftime("%Y-%m"))
