"""The audience expression as plain data: what the parser makes and both back ends read.

The tree knows nothing of SQL or bitmaps. Every condition names one catalog tag; the
logic is two-valued: a condition on a member whose tag is empty is false, and `not`
is the complement over all members (so `not churn_risk = "high"` keeps members that
have no churn score, while `churn_risk != "high"` does not). Both back ends, the engine
query and the bitmap index, implement exactly these rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Scalar = str | int | float | bool | date | datetime
CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
COMPARE_OPS: tuple[CompareOp, ...] = ("=", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Compare:
    """`tag op value`."""

    tag: str
    op: CompareOp
    value: Scalar
    pos: int = field(default=0, compare=False)  # where the tag name starts in the text
    spots: tuple[int, ...] = field(default=(), compare=False)  # where each value starts


@dataclass(frozen=True)
class InList:
    """`tag in (v1, v2, …)`; `not in` is `Not(InList)`."""

    tag: str
    values: tuple[Scalar, ...]
    pos: int = field(default=0, compare=False)  # where the tag name starts in the text
    spots: tuple[int, ...] = field(default=(), compare=False)  # where each value starts


@dataclass(frozen=True)
class Between:
    """`tag between low and high`, both ends included."""

    tag: str
    low: Scalar
    high: Scalar
    pos: int = field(default=0, compare=False)  # where the tag name starts in the text
    spots: tuple[int, ...] = field(default=(), compare=False)  # where each value starts


@dataclass(frozen=True)
class Contains:
    """`tag contains value` for multi-valued (list) tags."""

    tag: str
    value: str
    pos: int = field(default=0, compare=False)  # where the tag name starts in the text
    spots: tuple[int, ...] = field(default=(), compare=False)  # where each value starts


@dataclass(frozen=True)
class IsNull:
    """`tag is null` (an empty list counts as null); `is not null` is `Not(IsNull)`."""

    tag: str
    pos: int = field(default=0, compare=False)  # where the tag name starts in the text
    spots: tuple[int, ...] = field(default=(), compare=False)  # where each value starts


@dataclass(frozen=True)
class Within:
    """`tag within N days`: a date or time tag in the N days before the profile date."""

    tag: str
    days: int
    pos: int = field(default=0, compare=False)  # where the tag name starts in the text
    spots: tuple[int, ...] = field(default=(), compare=False)  # where each value starts


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Condition = Compare | InList | Between | Contains | IsNull | Within
Node = Condition | And | Or | Not


def conditions(node: Node) -> list[Condition]:
    """Every condition in the tree, left to right."""
    if isinstance(node, And | Or):
        return [c for item in node.items for c in conditions(item)]
    if isinstance(node, Not):
        return conditions(node.item)
    return [node]


def tags_used(node: Node) -> list[str]:
    """The tags an expression reads, each once, in order of first use."""
    return list(dict.fromkeys(c.tag for c in conditions(node)))


def to_text(node: Node) -> str:
    """The canonical text of an expression: parsing it gives the same tree back."""
    if isinstance(node, And | Or):
        word = " and " if isinstance(node, And) else " or "
        return word.join(_wrapped(item, node) for item in node.items)
    if isinstance(node, Not):
        if isinstance(node.item, IsNull):
            return f"{node.item.tag} is not null"
        if isinstance(node.item, InList | Between | Contains | Within):
            tag, rest = to_text(node.item).split(" ", 1)
            return f"{tag} not {rest}"
        inner = to_text(node.item)
        return f"not ({inner})" if isinstance(node.item, And | Or | Not) else f"not {inner}"
    if isinstance(node, Compare):
        return f"{node.tag} {node.op} {literal_text(node.value)}"
    if isinstance(node, InList):
        return f"{node.tag} in ({', '.join(literal_text(v) for v in node.values)})"
    if isinstance(node, Between):
        return (f"{node.tag} between {literal_text(node.low)} "
                f"and {literal_text(node.high)}")
    if isinstance(node, Contains):
        return f"{node.tag} contains {literal_text(node.value)}"
    if isinstance(node, IsNull):
        return f"{node.tag} is null"
    return f"{node.tag} within {node.days} days"


def _wrapped(item: Node, parent: And | Or) -> str:
    text = to_text(item)
    return f"({text})" if isinstance(item, And | Or) and type(item) is not type(parent) \
        else text


def literal_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return '"' + value.isoformat(sep=" ") + '"'
    if isinstance(value, date):
        return '"' + value.isoformat() + '"'
    if isinstance(value, int | float):
        return repr(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
