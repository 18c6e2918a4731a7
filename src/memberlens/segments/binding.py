"""Names and values checked against the tag catalog: only catalog tags, values of the
right type, allowed values where the catalog lists them — each error with its position
and the nearest tag or value to suggest."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..tags.catalog import Catalog
from ..tags.definition import TagDefinition, ValueType
from .expression import (
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
    Scalar,
    Within,
    tags_used,
    to_text,
)
from .parser import AudienceError, parse

NUMERIC = frozenset({ValueType.INT, ValueType.FLOAT, ValueType.MONEY})
TEMPORAL = frozenset({ValueType.DATE, ValueType.TIMESTAMP})
# which conditions each kind of tag accepts
ALLOWED: dict[str, frozenset[type]] = {
    "numeric": frozenset({Compare, InList, Between, IsNull}),
    "string": frozenset({Compare, InList, IsNull}),
    "bool": frozenset({Compare, IsNull}),
    "temporal": frozenset({Compare, Between, IsNull, Within}),
    "list": frozenset({Contains, IsNull}),
}
MAX_WITHIN_DAYS = 36_600


def kind_of(tag: TagDefinition) -> str:
    if tag.type in NUMERIC:
        return "numeric"
    if tag.type in TEMPORAL:
        return "temporal"
    if tag.type is ValueType.BOOL:
        return "bool"
    if tag.type is ValueType.LIST:
        return "list"
    return "string"


@dataclass(frozen=True)
class Audience:
    """A checked expression: the tree with catalog keys and typed values, and its tags."""

    text: str
    node: Node
    tags: Mapping[str, TagDefinition]

    @property
    def canonical(self) -> str:
        return to_text(self.node)


KnownValues = Callable[[str], Sequence[str] | None]


def compile_audience(text: str, catalog: Catalog,
                     known_values: KnownValues | None = None) -> Audience:
    """Parse and check `text`; `known_values(tag)` gives the values seen in the data for
    tags the catalog does not enumerate (cities, categories), for suggestions."""
    node = parse(text)
    binder = _Binder(text, catalog, known_values)
    bound = binder.node(node)
    return Audience(text, bound, {k: catalog.get(k) for k in tags_used(bound)})


class _Binder:
    def __init__(self, text: str, catalog: Catalog, known: KnownValues | None) -> None:
        self.text, self.catalog, self.known = text, catalog, known
        self.aliases: dict[str, str] = {}
        for tag in catalog:
            self.aliases[tag.key.lower()] = tag.key
            for label in (tag.name.zh, tag.name.en):
                if " " not in label:
                    self.aliases.setdefault(label.lower(), tag.key)

    def node(self, node: Node) -> Node:
        if isinstance(node, And):
            return And(tuple(self.node(n) for n in node.items))
        if isinstance(node, Or):
            return Or(tuple(self.node(n) for n in node.items))
        if isinstance(node, Not):
            return Not(self.node(node.item))
        return self.condition(node)

    def fail(self, message: str, pos: int, suggestion: str | None = None) -> AudienceError:
        return AudienceError(message, expression=self.text, position=pos,
                             suggestion=suggestion)

    def tag(self, cond: Condition) -> TagDefinition:
        key = self.aliases.get(cond.tag.lower())
        if key is not None:
            return self.catalog.get(key)
        choices = [t.key for t in self.catalog]
        labels = {t.name.zh: t.key for t in self.catalog}
        close = difflib.get_close_matches(cond.tag.lower(), choices, n=1, cutoff=0.6)
        if not close:
            zh = difflib.get_close_matches(cond.tag, list(labels), n=1, cutoff=0.5)
            close = [labels[zh[0]]] if zh else []
        hint = f"{close[0]} ({self.catalog.get(close[0]).name.zh})" if close else None
        raise self.fail(f"未知标签 unknown tag '{cond.tag}'（只能使用标签目录中的标签 only "
                        f"catalog tags; `memberlens tags list`）", cond.pos, hint)

    def condition(self, cond: Condition) -> Condition:
        tag = self.tag(cond)
        kind = kind_of(tag)
        if type(cond) not in ALLOWED[kind]:
            raise self.fail(_wrong_condition(cond, tag, kind), cond.pos,
                            _condition_hint(tag, kind))
        cond = replace(cond, tag=tag.key)
        if isinstance(cond, Compare):
            if kind in ("string", "bool") and cond.op not in ("=", "!="):
                raise self.fail(f"标签 {tag.key}（{tag.name.zh}）只能用 = 或 != 比较 "
                                f"'{tag.key}' can only be compared with = or !=", cond.pos)
            return replace(cond, value=self.value(cond, 0, tag, kind, cond.value))
        if isinstance(cond, InList):
            return replace(cond, values=tuple(dict.fromkeys(
                self.value(cond, i, tag, kind, v) for i, v in enumerate(cond.values))))
        if isinstance(cond, Between):
            low = self.value(cond, 0, tag, kind, cond.low)
            high = self.value(cond, 1, tag, kind, cond.high)
            return replace(cond, low=low, high=high)
        if isinstance(cond, Contains):
            return replace(cond, value=str(self.value(cond, 0, tag, "string", cond.value,
                                                      enumerated=False)))
        if isinstance(cond, Within) and not 0 < cond.days <= MAX_WITHIN_DAYS:
            raise self.fail(f"天数应在 1 到 {MAX_WITHIN_DAYS} 之间 days must be between 1 "
                            f"and {MAX_WITHIN_DAYS}", _spot(cond, 0))
        return cond

    def value(self, cond: Condition, index: int, tag: TagDefinition, kind: str,
              value: Scalar, enumerated: bool = True) -> Scalar:
        where = _spot(cond, index)
        if kind == "numeric":
            number = _number(value)
            if number is None:
                raise self.fail(f"标签 {tag.key}（{tag.name.zh}）是数值，{_show(value)} 不是数字 "
                                f"'{tag.key}' is a number; {_show(value)} is not", where)
            if tag.values and enumerated and str(number) not in tag.values:
                raise self.fail(f"{_show(value)} 不是 {tag.key} 的取值 is not a value of "
                                f"'{tag.key}' ({', '.join(tag.values)})", where)
            return number
        if kind == "bool":
            if not isinstance(value, bool):
                raise self.fail(f"标签 {tag.key} 是是/否，请写 true 或 false "
                                f"'{tag.key}' is yes/no: write true or false", where, "true")
            return value
        if kind == "temporal":
            moment = _moment(value, tag.type)
            if moment is None:
                raise self.fail(f"标签 {tag.key}（{tag.name.zh}）是日期，{_show(value)} 不是日期"
                                f"（写作 \"2024-03-01\"） '{tag.key}' is a date; write "
                                f"\"2024-03-01\"", where)
            return moment
        text = value if isinstance(value, str) else _show(value)
        options = list(tag.values or []) if enumerated else []
        if not options and self.known is not None:
            seen = self.known(tag.key)
            if seen and text not in seen:
                close = difflib.get_close_matches(text, list(seen), n=1, cutoff=0.5)
                if close:
                    raise self.fail(f"数据中没有 {tag.key} = \"{text}\" no member has this "
                                    f"value", where, f'"{close[0]}"')
        if options and text not in options:
            close = difflib.get_close_matches(text, options, n=1, cutoff=0.3)
            raise self.fail(f"\"{text}\" 不是 {tag.key}（{tag.name.zh}）的取值 is not a value "
                            f"of '{tag.key}'；可选 choices: {', '.join(options)}", where,
                            f'"{close[0]}"' if close else None)
        return text


def _spot(cond: Condition, index: int) -> int:
    return cond.spots[index] if index < len(cond.spots) else cond.pos


def _show(value: Scalar) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value).lower() \
        if isinstance(value, bool) else str(value)


def _number(value: Scalar) -> int | float | None:
    if isinstance(value, bool) or isinstance(value, date):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    try:
        d = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return int(d) if d == d.to_integral_value() and "." not in value else float(d)


_DATE = re.compile(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?"
                   r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _moment(value: Scalar, typ: ValueType) -> date | datetime | None:
    """2024-03-01, 2024/3/1, 20240301, 2024年3月1日, optionally with a time of day."""
    if not isinstance(value, str):
        return None
    match = _DATE.fullmatch(value.strip())
    if match is None:
        return None
    try:
        y, mo, d, h, mi, sec = (int(g) if g else 0 for g in match.groups())
        moment = datetime(y, mo, d, h, mi, sec)
    except ValueError:
        return None
    if typ is ValueType.DATE:
        return moment.date()
    return moment


def _wrong_condition(cond: Condition, tag: TagDefinition, kind: str) -> str:
    what = {"numeric": "数值 number", "string": "文字 text", "bool": "是/否 yes/no",
            "temporal": "日期 date", "list": "多值 list"}[kind]
    op = {Compare: "比较 comparison", InList: "in", Between: "between",
          Contains: "contains", IsNull: "is null", Within: "within"}[type(cond)]
    return (f"标签 {tag.key}（{tag.name.zh}）是{what}，不能用 {op} "
            f"'{tag.key}' is a {what.split()[-1]} tag and cannot take {op.split()[-1]}")


def _condition_hint(tag: TagDefinition, kind: str) -> str:
    return {
        "list": f'{tag.key} contains "…"',
        "temporal": f"{tag.key} within 30 days",
        "numeric": f"{tag.key} between 1 and 10",
        "string": f'{tag.key} in ("…", "…")',
        "bool": f"{tag.key} = true",
    }[kind]
