"""A checked audience → a SQLGlot condition over member_profile (the engine's answer).

Values enter the tree as literals and tag keys as quoted identifiers; no text the user
typed is ever pasted into SQL. Every condition is wrapped in COALESCE(…, FALSE) so the
query follows the two-valued logic of `expression.py`, like the bitmap index does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlglot import exp

from ..tags.definition import ValueType
from ..tags.tables import PROFILE
from .binding import Audience
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
)

_OPS: dict[str, type[exp.Binary]] = {
    "=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE,
}


def where(audience: Audience, as_of: date) -> exp.Expr:
    """The condition; `as_of` is the profile date that `within N days` counts back from."""
    return _node(audience, audience.node, as_of)


def members_query(audience: Audience, as_of: date, table: str = PROFILE) -> exp.Select:
    return (exp.select("member_id").from_(table).where(where(audience, as_of))
            .order_by("member_id"))


def count_query(audience: Audience, as_of: date, table: str = PROFILE) -> exp.Select:
    return exp.select(exp.func("count", exp.Star())).from_(table).where(
        where(audience, as_of))


def _node(audience: Audience, node: Node, as_of: date) -> exp.Expr:
    if isinstance(node, And):
        return exp.and_(*(_node(audience, n, as_of) for n in node.items))
    if isinstance(node, Or):
        return exp.or_(*(_node(audience, n, as_of) for n in node.items))
    if isinstance(node, Not):
        return exp.not_(exp.paren(_node(audience, node.item, as_of)))
    cond = _condition(audience, node, as_of)
    return exp.func("coalesce", cond, exp.false())


def _condition(audience: Audience, cond: Condition, as_of: date) -> exp.Expr:
    tag = audience.tags[cond.tag]
    col = exp.column(cond.tag, quoted=True)
    typ = tag.type
    if isinstance(cond, Compare):
        return _OPS[cond.op](this=col, expression=_literal(cond.value, typ))
    if isinstance(cond, InList):
        # an OR chain, not IN (…): DuckDB plans long IN lists as joins
        return exp.paren(exp.or_(*(exp.EQ(this=col.copy(), expression=_literal(v, typ))
                                   for v in cond.values)))
    if isinstance(cond, Between):
        return exp.Between(this=col, low=_literal(cond.low, typ),
                           high=_literal(cond.high, typ))
    if isinstance(cond, Contains):
        return exp.func("list_contains", col, exp.Literal.string(cond.value))
    if isinstance(cond, IsNull):
        if typ is ValueType.LIST:
            return exp.or_(exp.Is(this=col, expression=exp.null()),
                           exp.EQ(this=exp.ArraySize(this=col.copy()),
                                  expression=exp.Literal.number(0)))
        return exp.Is(this=col, expression=exp.null())
    if isinstance(cond, Within):
        start = as_of - timedelta(days=cond.days)
        return exp.and_(
            exp.GTE(this=col, expression=_literal(start, typ)),
            exp.LT(this=col.copy(), expression=_literal(as_of, typ)))
    raise TypeError(cond)  # pragma: no cover - the binder only makes the kinds above


def _literal(value: Scalar, typ: ValueType) -> exp.Expr:
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, date):
        target = "DATE" if typ is ValueType.DATE else "TIMESTAMP"
        return exp.cast(exp.Literal.string(value.isoformat()), target)
    if isinstance(value, int | float):
        return exp.Literal.number(repr(value)) if isinstance(value, float) \
            else exp.Literal.number(value)
    return exp.Literal.string(value)
