"""Per-column cleaning: a raw value becomes a typed value plus the problems found with it.

Each rule is a SQLGlot tree built from the column's kind; source headers enter only as
quoted identifiers, never as SQL text. The rules are DuckDB-specific (ingest reads files
with DuckDB's readers); the analytics that follow are portable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp

from ..schema import Column, Kind

Action = Literal["reject", "clear", "flag"]

NULL_TOKENS = ("", "null", "none", "nan", "n/a", "na", "-", "--", "无", "空")
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y%m%d%H%M%S", "%Y%m%d %H:%M:%S", "%Y.%m.%d",
    "%Y.%m.%d %H:%M:%S", "%Y年%m月%d日", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H:%M:%S",
)
GENDERS: dict[str, tuple[str, ...]] = {
    "M": ("男", "男性", "m", "male", "man", "先生", "1"),
    "F": ("女", "女性", "f", "female", "woman", "女士", "2"),
    "U": ("未知", "保密", "u", "unknown", "0"),
}
BOOLS: dict[str, tuple[str, ...]] = {
    "true": ("1", "y", "yes", "true", "t", "是", "同意", "已授权", "接收", "on"),
    "false": ("0", "n", "no", "false", "f", "否", "拒绝", "未授权", "不接收", "off"),
}
_TEXT_TYPES = ("VARCHAR", "JSON")


@dataclass(frozen=True)
class Problem:
    """A condition on the staged columns that makes a value unusable."""

    reason: str
    condition: exp.Expr
    action: Action


@dataclass(frozen=True)
class ColumnRule:
    """How one canonical column is staged (layer 1) and judged (layer 2)."""

    column: Column
    raw: exp.Expr        # trimmed text, NULL when missing (layer 1, over __s)
    parsed: exp.Expr     # typed value, NULL when unparseable (layer 2, over __s, __r)
    problems: tuple[Problem, ...]


def _sql(template: str, **values: exp.Expr) -> exp.Expr:
    tree = sqlglot.parse_one(template, dialect="duckdb")
    return exp.replace_placeholders(tree, **values)


def _str(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def text_of(source: exp.Expr, source_type: str) -> exp.Expr:
    """Trimmed text with the usual spellings of 'nothing' turned into NULL.

    Every null token is at most 4 bytes long, so longer values skip the lookup. The
    lookup is a chain of equalities, not `IN (...)`: DuckDB rewrites an IN list into a
    join evaluated on every row, which made staging 20M rows several times slower.
    """
    as_text = source if source_type.upper() == "VARCHAR" else exp.cast(source, "VARCHAR")
    trimmed = _sql("trim(:v)", v=as_text)
    lowered = _sql("lower(:t)", t=trimmed)
    is_token = exp.or_(*(exp.EQ(this=lowered.copy(), expression=_str(t)) for t in NULL_TOKENS))
    return _sql("CASE WHEN strlen(:t) > 4 THEN :t WHEN :tok THEN NULL ELSE :t END",
                t=trimmed, tok=is_token)


def _mapping_case(raw: exp.Expr, spellings: dict[str, tuple[str, ...]],
                  as_type: str | None = None) -> exp.Expr:
    """CASE lower(v) WHEN spelling THEN code …, the codes themselves tested first.

    Clean sources mostly carry the codes already; testing them first keeps the average
    number of comparisons per row near one instead of half the spellings.
    """
    case = exp.Case(this=_sql("lower(:v)", v=raw.copy()))
    seen: set[str] = set()
    pairs = [(code.lower(), code) for code in spellings]
    pairs += [(n.lower(), code) for code, names in spellings.items() for n in names]
    for spelling, code in pairs:
        if spelling in seen:
            continue
        seen.add(spelling)
        target: exp.Expr = _str(code) if as_type is None else exp.cast(_str(code), as_type)
        case = case.when(_str(spelling), target)
    return case


def _timestamp(raw: exp.Expr, source_type: str, timezone: str) -> exp.Expr:
    kind = source_type.upper()
    if kind.startswith("TIMESTAMP WITH TIME ZONE") or kind == "TIMESTAMPTZ":
        return _sql("timezone(:tz, :v)", tz=_str(timezone), v=raw)
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return exp.cast(raw, "TIMESTAMP")
    fmts = exp.Array(expressions=[_str(f) for f in TIMESTAMP_FORMATS])
    # only values with a 'T' can carry an offset; the regex runs on those alone
    return _sql(
        "CASE WHEN contains(:v, 'T') AND regexp_matches(:v, '(Z|[+-][0-9]{2}:?[0-9]{2})$') "
        "THEN timezone(:tz, try_cast(:v AS TIMESTAMPTZ)) "
        "ELSE coalesce(:fast, try_strptime(:v, :fmts)) END",
        v=raw, tz=_str(timezone), fmts=fmts, fast=_iso_fast_path(raw))


# exactly one canonical ISO shape per length, as strftime writes it (T written as space)
ISO_SHAPES = {10: "%Y-%m-%d", 16: "%Y-%m-%d %H:%M", 19: "%Y-%m-%d %H:%M:%S",
              23: "%Y-%m-%d %H:%M:%S.%g", 26: "%Y-%m-%d %H:%M:%S.%f"}


def _iso_fast_path(raw: exp.Expr) -> exp.Expr:
    """The value by DuckDB's own cast, kept only when it writes back to the same text.

    try_strptime with a list of formats pays dearly for every format that fails before
    one fits (5.7 s for 20M order times whose first format never fits, against 0.5 s for
    the cast). A value that round-trips exactly through one of the ISO shapes above is
    one of TIMESTAMP_FORMATS, and no format before it in the list fits it, so the result
    is the one the list gives; anything else (offsets, 24:00, one-digit fields, BC,
    'epoch') falls through to the list as before.
    """
    cast = _sql("try_cast(:v AS TIMESTAMP)", v=raw.copy())
    case = exp.Case(this=_sql("strlen(:v)", v=raw.copy()))
    for length, shape in ISO_SHAPES.items():
        same = _sql(f"strftime(:t, '{shape}') = replace(:v, 'T', ' ')", t=cast.copy(),
                    v=raw.copy())
        case = case.when(exp.Literal.number(length), exp.Case().when(same, cast.copy()))
    return case


def build_rule(column: Column, source_type: str, *, timezone: str,
               tokens_nulled: bool = False) -> ColumnRule:
    """The rule for one canonical column fed by a source column of `source_type`.

    Placeholders: __s the source column, __r its trimmed text, __v the parsed value.
    `tokens_nulled`: the reader already turned the null tokens into NULL (DuckDB's CSV
    reader does it while parsing, far cheaper than testing every value afterwards).
    """
    typed_source = source_type.upper() not in _TEXT_TYPES
    temporal = source_type.upper().startswith(("TIMESTAMP", "DATE"))
    source = exp.column("__s")
    kind = column.kind
    # a typed source (Parquet, JSON) of a typed kind stays typed: turning 20M decimals or
    # timestamps into text just to test them for NULL cost more than the load itself
    keep_typed = typed_source and (
        kind in (Kind.MONEY, Kind.INT, Kind.FLOAT, Kind.JSON)
        or (kind in (Kind.TIMESTAMP, Kind.DATE) and temporal))
    if keep_typed:
        raw: exp.Expr = source.copy()
    elif tokens_nulled:
        raw = _sql("nullif(trim(:v), '')", v=source.copy())
    else:
        raw = text_of(source, source_type)
    problems: list[Problem] = []
    miss: Action = "reject" if column.required else "clear"
    v = exp.column("__v")  # placeholder for "this column's parsed value" in layer 2
    r = exp.column("__r")  # placeholder for "this column's raw text" in layer 2

    if kind in (Kind.ID, Kind.TEXT):
        parsed: exp.Expr = r.copy()
    elif kind == Kind.PHONE:
        parsed = _sql(
            "CASE WHEN regexp_full_match(:d, '(0086|86)1[3-9][0-9]{9}') "
            "THEN right(:d, 11) ELSE :d END",
            d=_sql("regexp_replace(:v, '[^0-9]', '', 'g')", v=r.copy()))
        problems.append(Problem("invalid_phone", _sql(
            ":r IS NOT NULL AND NOT regexp_full_match(:v, '1[3-9][0-9]{9}')", r=r, v=v), "clear"))
    elif kind == Kind.EMAIL:
        parsed = _sql("lower(:v)", v=r.copy())
        problems.append(Problem("invalid_email", _sql(
            ":r IS NOT NULL AND NOT regexp_full_match(:v, '[^@\\s]+@[^@\\s]+\\.[a-z]{2,}')",
            r=r, v=v), "clear"))
    elif kind == Kind.GENDER:
        parsed = _mapping_case(r.copy(), GENDERS)
    elif kind == Kind.BOOL:
        parsed = _mapping_case(r.copy(), BOOLS, "BOOLEAN")
    elif kind == Kind.ENUM:
        parsed = _mapping_case(r.copy(), column.values)
    elif kind in (Kind.TIMESTAMP, Kind.DATE):
        # a typed date or timestamp passes through; anything else (text, or integers
        # such as 20240301 in Parquet) is parsed from its text
        parsed = (_timestamp(source.copy(), source_type, timezone) if keep_typed
                  else _timestamp(r.copy(), "VARCHAR", timezone))
        if kind == Kind.DATE:
            parsed = exp.cast(parsed, "DATE")
        lower_bound = "DATE '1900-01-01'" if kind == Kind.DATE else "TIMESTAMP '1990-01-01'"
        upper_bound = ("current_date" if kind == Kind.DATE
                       else "current_localtimestamp() + INTERVAL 1 DAY")
        reason = "future_timestamp" if kind == Kind.TIMESTAMP else "out_of_range"
        problems.append(Problem(reason, _sql(f":v > {upper_bound}", v=v), miss))
        problems.append(Problem("out_of_range", _sql(f":v < {lower_bound}", v=v), miss))
    elif kind == Kind.MONEY:
        if typed_source:
            parsed = _sql("try_cast(:v AS DECIMAL(18,2))", v=source.copy())
        else:
            parsed = _sql(
                "coalesce(try_cast(:v AS DECIMAL(18,2)), try_cast(regexp_replace(:v, "
                "'[¥￥,，元\\s]|RMB|CNY', '', 'g') AS DECIMAL(18,2)))", v=r.copy())
    elif kind == Kind.INT:
        parsed = _sql("CASE WHEN :d = round(:d) THEN CAST(:d AS BIGINT) END",
                      d=_sql("try_cast(:v AS DOUBLE)", v=source.copy() if typed_source
                             else r.copy()))
    elif kind == Kind.FLOAT:
        parsed = _sql("try_cast(:v AS DOUBLE)", v=source.copy() if typed_source else r.copy())
    elif kind == Kind.JSON:
        parsed = (_sql("to_json(:v)", v=source.copy()) if typed_source
                  else _sql("CASE WHEN json_valid(:v) THEN json(:v) END", v=r.copy()))
    else:  # pragma: no cover - every Kind is handled above
        raise AssertionError(kind)

    if kind not in (Kind.ID, Kind.TEXT, Kind.PHONE, Kind.EMAIL):
        invalid = {Kind.TIMESTAMP: "invalid_timestamp", Kind.DATE: "invalid_date",
                   Kind.MONEY: "invalid_amount"}.get(kind, "invalid_value")
        problems.insert(0, Problem(invalid, _sql(":r IS NOT NULL AND :v IS NULL", r=r, v=v),
                                   miss))
    if kind in (Kind.MONEY, Kind.INT, Kind.FLOAT):
        if column.min_value is not None:
            reason = "negative_amount" if kind == Kind.MONEY else "out_of_range"
            problems.append(Problem(reason, _sql(":v < :m", v=v, m=exp.convert(column.min_value)),
                                    miss))
        if column.max_value is not None:
            reason = "absurd_amount" if kind == Kind.MONEY else "out_of_range"
            problems.append(Problem(reason, _sql(":v > :m", v=v, m=exp.convert(column.max_value)),
                                    miss))
    if column.required:
        problems.insert(0, Problem("missing_required", _sql(":r IS NULL", r=r), "reject"))
    return ColumnRule(column=column, raw=raw, parsed=parsed, problems=tuple(problems))


def bind(expression: exp.Expr, **names: str) -> exp.Expr:
    """Point a rule's placeholders (s=, r=, v=) at real columns of one field."""
    targets = {f"__{k}": v for k, v in names.items()}

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name in targets:
            return exp.column(targets[node.name], quoted=True)
        return node
    return expression.copy().transform(swap)
