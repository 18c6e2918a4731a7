"""How two to four audiences overlap: every region of the Venn diagram, as counts.

One scan of member_profile evaluates all conditions side by side and groups by the
pattern of memberships, so four segments cost no more than one.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from sqlglot import exp

from ..engine.base import Engine
from ..errors import MemberlensError
from ..tags.tables import PROFILE
from .audience import profile_as_of
from .binding import Audience
from .sql import where


class OverlapError(MemberlensError):
    http_status = 400


@dataclass(frozen=True)
class Overlap:
    labels: tuple[str, ...]
    total: int  # members in the profile
    regions: dict[tuple[bool, ...], int]  # membership pattern → members with exactly it

    def size(self, i: int) -> int:
        return sum(n for pattern, n in self.regions.items() if pattern[i])

    def intersection(self, members: tuple[int, ...]) -> int:
        """Members in all of `members` (and maybe others)."""
        return sum(n for pattern, n in self.regions.items() if all(pattern[i] for i in members))

    def union(self) -> int:
        return sum(n for pattern, n in self.regions.items() if any(pattern))

    def pairs(self) -> list[tuple[int, int, int, float]]:
        """(i, j, |i ∩ j|, Jaccard) for every pair."""
        out = []
        for i, j in combinations(range(len(self.labels)), 2):
            both = self.intersection((i, j))
            either = self.size(i) + self.size(j) - both
            out.append((i, j, both, both / either if either else 0.0))
        return out


def overlap(engine: Engine, audiences: list[tuple[str, Audience]]) -> Overlap:
    if not 2 <= len(audiences) <= 4:
        raise OverlapError("重叠分析需要 2 到 4 个分群 overlap takes 2 to 4 segments")
    as_of = profile_as_of(engine)
    flags = [exp.alias_(where(a, as_of), f"s{i}") for i, (_, a) in enumerate(audiences)]
    inner = exp.select(*flags).from_(PROFILE).subquery("flags")
    names = [f"s{i}" for i in range(len(audiences))]
    query = exp.select(*names, exp.alias_(exp.func("count", exp.Star()), "n")).from_(
        inner).group_by(*names)
    regions: dict[tuple[bool, ...], int] = {}
    total = 0
    for row in engine.fetchall(engine.to_sql(query)):
        pattern = tuple(bool(v) for v in row[:-1])
        regions[pattern] = regions.get(pattern, 0) + int(row[-1])
        total += int(row[-1])
    return Overlap(tuple(label for label, _ in audiences), total, regions)
