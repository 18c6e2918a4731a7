"""An audience tree → the bitmap of its members, with the rules of `expression.py`.

Two-valued logic: a condition is false for a member without a value (every condition
bitmap lies within the tag's "has a value" bitmap), `and`/`or` are intersection and
union, and `not` is the complement over all members.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from pyroaring import AbstractBitMap, FrozenBitMap

from ..expression import (
    And,
    Between,
    Compare,
    Condition,
    Contains,
    InList,
    IsNull,
    Node,
    Not,
    Or,
    Within,
)
from .literals import IndexUnsupported
from .ranges import EMPTY, RangeIndex
from .values import ValueIndex

TagIndex = RangeIndex | ValueIndex


class Tags(Protocol):
    """What evaluation needs from a loaded index."""

    universe: FrozenBitMap
    as_of: date

    def tag(self, key: str) -> TagIndex: ...


def evaluate(index: Tags, node: Node) -> AbstractBitMap:
    if isinstance(node, And):
        # largest first: intersections of dense sets stay bitsets; the one that turns
        # sparse pays for listing its members, so it should come as late as possible
        maps = sorted((evaluate(index, n) for n in node.items), key=len, reverse=True)
        out = maps[0]
        for m in maps[1:]:
            out = out & m
        return out
    if isinstance(node, Or):
        maps = [evaluate(index, n) for n in node.items]
        return maps[0].union(*maps[1:])
    if isinstance(node, Not):
        return index.universe - evaluate(index, node.item)
    return condition(index, node)


def count(index: Tags, node: Node) -> int:
    """Members matching `node`, materialising as little as possible.

    Roaring stores a sparse result as a sorted list, and listing the members of a large
    intersection costs more than computing it. So the two smallest sets of an `and` are
    only counted against the rest: |X∩D∩E| = |X∩D| + |X∩E| − |X∩(D∪E)|.
    """
    if isinstance(node, Not):
        return len(index.universe) - count(index, node.item)
    if not isinstance(node, And) or len(node.items) < 3:
        return len(evaluate(index, node))
    maps = sorted((evaluate(index, n) for n in node.items), key=len, reverse=True)
    rest, d, e = maps[0], maps[-2], maps[-1]
    for m in maps[1:-2]:
        rest = rest & m
    return (rest.intersection_cardinality(d) + rest.intersection_cardinality(e)
            - rest.intersection_cardinality(d | e))


def condition(index: Tags, cond: Condition) -> AbstractBitMap:
    tag = index.tag(cond.tag)
    if isinstance(cond, IsNull):
        return index.universe - tag.present
    if isinstance(cond, Compare):
        return tag.compare(cond.op, cond.value)
    if isinstance(cond, InList):
        return tag.any_of(cond.values) if isinstance(tag, ValueIndex) else \
            _union([tag.equal(v) for v in cond.values])
    if isinstance(cond, Contains):
        if not isinstance(tag, ValueIndex):
            raise IndexUnsupported(f"contains on {tag.ctype.sql_type}")
        return tag.contains(cond.value)
    if not isinstance(tag, RangeIndex):
        raise IndexUnsupported(f"{type(cond).__name__} on {tag.ctype.sql_type}")
    if isinstance(cond, Between):
        return tag.between(cond.low, cond.high)
    if isinstance(cond, Within):
        start = index.as_of - timedelta(days=cond.days)
        return tag.below(index.as_of) - tag.below(start)
    raise IndexUnsupported(type(cond).__name__)  # pragma: no cover - no other kinds


def _union(maps: list[AbstractBitMap]) -> AbstractBitMap:
    return maps[0].union(*maps[1:]) if maps else EMPTY
