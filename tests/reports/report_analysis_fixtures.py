"""Seeded, realistic analysis sections for the report fixture (trend, activity, …)."""

from __future__ import annotations

from typing import Any

import numpy as np

from memberlens.reports import (
    ActivitySection,
    CohortRow,
    CohortSection,
    FunnelRow,
    FunnelSection,
    MigrationMatrix,
    MonthRow,
    SnapshotCounts,
    StateLabel,
    TrendRow,
)

ACTIVITY = [("活跃", "活跃", "Active"), ("沉默", "沉默", "Silent"), ("流失", "流失", "Churned")]
RFM = [
    ("重要价值客户", "Important value"), ("重要发展客户", "Important development"),
    ("重要保持客户", "Important retention"), ("重要挽留客户", "Important win-back"),
    ("一般价值客户", "General value"), ("一般发展客户", "General development"),
    ("一般保持客户", "General retention"), ("一般挽留客户", "General win-back"),
]  # fmt: skip
CHANNELS = [("app", "App", "App", 5200), ("mini_program", "小程序", "Mini program", 4800),
            ("web", "官网", "Website", 900)]  # fmt: skip


def _trend(rng: np.random.Generator, monthly: list[MonthRow]) -> list[TrendRow]:
    """Buyers from the monthly rows; about a fifth of them buy for the first time."""
    return [TrendRow(month=m.month, sales=m.sales, orders=m.orders, buyers=m.active_members,
                     new_buyers=int(m.active_members * rng.uniform(0.17, 0.26)))
            for m in monthly]


def _matrix(rng: np.random.Generator, states: list[StateLabel], sizes: list[int],
            stay: float, tag: str) -> MigrationMatrix:
    """Mostly on the diagonal (members keep their state), the rest spread at random."""
    counts = []
    for i, size in enumerate(sizes):
        weights = rng.dirichlet(np.ones(len(states))) * (1 - stay)
        weights[i] += stay
        counts.append([int(x) for x in rng.multinomial(size, weights / weights.sum())])
    new = [int(x) for x in rng.multinomial(int(sum(sizes) * 0.03),
                                           rng.dirichlet(np.ones(len(states))))]
    return MigrationMatrix(tag=tag, date_from="2024-11-01", date_to="2024-12-01",
                           states=states, counts=counts, new=new)


def _activity(rng: np.random.Generator, members: int) -> ActivitySection:
    states = [StateLabel(key=k, label_zh=zh, label_en=en) for k, zh, en in ACTIVITY]
    snapshots = []
    for i in range(6):
        total = int(members * (0.9 + 0.02 * i))
        active = int(total * rng.uniform(0.28, 0.34))
        silent = int(total * rng.uniform(0.22, 0.27))
        snapshots.append(SnapshotCounts(as_of=f"2024-{i + 7:02d}-01",
                                        counts=[active, silent, total - active - silent]))
    return ActivitySection(states=states, snapshots=snapshots,
                           migration=_matrix(rng, states, snapshots[-2].counts, 0.8,
                                             "activity_status"))


def _rfm_migration(rng: np.random.Generator, members: int) -> MigrationMatrix:
    states = [StateLabel(key=zh, label_zh=zh, label_en=en) for zh, en in RFM]
    states.append(StateLabel(key="", label_zh="未购买", label_en="No purchase"))
    sizes = [int(x) for x in rng.multinomial(members, rng.dirichlet(np.ones(9) * 4))]
    return _matrix(rng, states, sizes, 0.75, "rfm_class")


def _cohorts(rng: np.random.Generator) -> CohortSection:
    rows = []
    for i in range(12):
        members = int(rng.integers(300, 700))
        width = 12 - i
        # month 0 high, a bump in month 1, then a slow decay
        shares = [float(min(0.9, max(0.0, rng.normal(0.45 * 0.9 ** k + (0.08 if k == 1 else 0),
                                                     0.02)))) for k in range(width)]
        buyers = [round(members * s) for s in shares]
        rows.append(CohortRow(month=f"2024-{i + 1:02d}", members=members, buyers=buyers,
                              shares=[b / members for b in buyers]))
    means: list[float | None] = []
    for k in range(12):
        seen = [r for r in rows if len(r.buyers) > k]
        means.append(sum(r.buyers[k] for r in seen) / sum(r.members for r in seen))
    return CohortSection(through="2024-12", cohorts=rows, mean_shares=means)


def _funnel(rng: np.random.Generator) -> FunnelSection:
    rows = []
    for code, zh, en, viewed in CHANNELS:
        carted = int(viewed * rng.uniform(0.35, 0.5))
        rows.append(FunnelRow(channel=code, label_zh=zh, label_en=en, viewed=viewed,
                              carted=carted, ordered=int(carted * rng.uniform(0.75, 0.9))))
    total = FunnelRow(channel="", label_zh="全部渠道", label_en="All channels",
                      viewed=int(sum(r.viewed for r in rows) * 0.85),
                      carted=int(sum(r.carted for r in rows) * 0.9),
                      ordered=int(sum(r.ordered for r in rows) * 0.95))
    return FunnelSection(start="2024-09-25", end="2024-12-24", days=7, channels=rows,
                         total=total)


def make_analysis_sections(rng: np.random.Generator, monthly: list[MonthRow],
                           members: int) -> dict[str, Any]:
    """The analysis fields of a ReportData, as keyword arguments."""
    return {
        "trend": _trend(rng, monthly),
        "activity": _activity(rng, members),
        "rfm_migration": _rfm_migration(rng, members),
        "cohorts": _cohorts(rng),
        "funnel": _funnel(rng),
    }
