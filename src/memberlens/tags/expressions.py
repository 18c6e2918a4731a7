"""The restricted expression language of tag rules, filters and measures.

Users write SQL-looking expressions (`case when age < 25 then '18-24' end`); we parse
them with SQLGlot and accept only a whitelist of node types and functions, with every
name resolved against the tags and columns in scope. Nothing reaches the engine as
text: the checked tree is embedded into the compiled query.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..errors import MemberlensError

ALLOWED_NODES: tuple[type[exp.Expr], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Neg,
    exp.Not, exp.And, exp.Or, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.Like, exp.ILike,
    exp.NullSafeEQ, exp.NullSafeNEQ, exp.DPipe, exp.In, exp.Between, exp.Case, exp.If,
    exp.Cast, exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Interval, exp.Var,
    exp.Tuple, exp.Array, exp.Window, exp.WindowSpec, exp.Order, exp.Ordered, exp.Star,
    exp.Bracket, exp.Slice,
)
ALLOWED_FUNCTIONS = frozenset({
    # scalar
    "coalesce", "nullif", "greatest", "least", "round", "floor", "ceil", "abs", "sign",
    "ln", "log", "log10", "exp", "sqrt", "pow", "power", "if", "concat", "lower", "upper",
    "substring", "substr", "length", "strlen", "contains", "starts_with", "startswith",
    "replace", "trim", "year", "month", "day", "hour", "dayofweek", "dayofmonth", "dayofyear",
    "weekofyear", "quarter", "datediff", "date_diff", "datetrunc", "date_trunc",
    "timestamptrunc", "strftime", "timetostr", "tsordstodate", "todate", "date_add",
    "dateadd", "date_sub", "datesub", "list_contains", "arraycontains", "array_contains",
    "list_extract", "len", "arraysize", "array_length", "list_slice", "arrayslice",
    "extract", "cast", "trycast",
    # window and aggregate (aggregates only inside OVER (...))
    # (SQLGlot names some by their class: dense_rank → denserank, quantile_cont →
    # percentilecont, starts_with → startswith; both spellings are listed)
    "percent_rank", "percentrank", "cume_dist", "cumedist", "ntile", "rank", "dense_rank",
    "denserank", "row_number", "rownumber", "sum", "avg", "count", "min", "max", "stddev",
    "median", "quantile", "quantilecont", "quantile_cont", "percentilecont", "approxquantile",
    "lag", "lead", "first_value", "firstvalue", "last_value", "lastvalue",
})
# row_number() is no AggFunc in SQLGlot but, like them, only means something with OVER
AGGREGATES = (exp.AggFunc, exp.RowNumber)
ALLOWED_TYPES = frozenset({"INT", "BIGINT", "DOUBLE", "DECIMAL", "VARCHAR", "TEXT",
                           "DATE", "TIMESTAMP", "BOOLEAN", "FLOAT", "INTEGER", "SMALLINT",
                           "TINYINT"})


class ExpressionError(MemberlensError):
    """A tag expression uses something outside the language, or an unknown name."""

    http_status = 400


@dataclass(frozen=True)
class Checked:
    """A parsed, checked expression and the names it uses."""

    tree: exp.Expr
    tags: frozenset[str]        # unqualified names: other tags (or source columns)
    qualified: frozenset[str]   # table.column names, e.g. members.birthday


def _fn_name(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.key).lower()


def parse_expression(text: str, *, names: Iterable[str],
                     qualified: dict[str, Iterable[str]] | None = None,
                     where: str = "") -> Checked:
    """Parse `text` and refuse anything outside the language.

    `names` are the unqualified names in scope (tags, or a source's columns);
    `qualified` maps a table name to its columns (`members.birthday`). `as_of` is always
    in scope. `where` prefixes error messages (file, tag, field).
    """
    prefix = f"{where}: " if where else ""
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except SqlglotError as e:  # ParseError, and TokenError for e.g. an open quote
        raise ExpressionError(f"{prefix}表达式无法解析 cannot parse expression "
                              f"'{text}': {e}") from e
    if tree is None:
        raise ExpressionError(f"{prefix}表达式为空 empty expression")
    known = set(names) | {"as_of"}
    tables = {k: set(v) for k, v in (qualified or {}).items()}
    used: set[str] = set()
    used_qualified: set[str] = set()
    for node in tree.walk():
        if isinstance(node, exp.Func) and not isinstance(node, ALLOWED_NODES):
            fname = _fn_name(node)
            if fname not in ALLOWED_FUNCTIONS:
                raise ExpressionError(f"{prefix}不支持的函数 function not allowed: {fname}")
            if isinstance(node, AGGREGATES) and not isinstance(node.parent, exp.Window):
                raise ExpressionError(
                    f"{prefix}聚合函数必须带 OVER (...) aggregate '{fname}' needs OVER (...) "
                    "in a rule; use an aggregate tag for per-member aggregation")
            continue
        if isinstance(node, exp.DataType):
            if node.this.name.upper() not in ALLOWED_TYPES and \
                    node.sql("duckdb").split("(")[0].upper() not in ALLOWED_TYPES:
                raise ExpressionError(f"{prefix}不支持的类型 type not allowed: {node.sql()}")
            continue
        if not isinstance(node, ALLOWED_NODES):
            raise ExpressionError(
                f"{prefix}表达式中不允许 not allowed in an expression: {node.key.upper()} "
                f"('{node.sql('duckdb')[:60]}')")
        if isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
            raise ExpressionError(f"{prefix}表达式中不允许 not allowed in an expression: * "
                                  "(only count(*) over (...) may use it)")
        if isinstance(node, exp.Column):
            _check_column(node, known, tables, used, used_qualified, prefix)
    return Checked(tree=tree, tags=frozenset(used), qualified=frozenset(used_qualified))


def _check_column(node: exp.Column, known: set[str], tables: dict[str, set[str]],
                  used: set[str], used_qualified: set[str], prefix: str) -> None:
    if isinstance(node.parent, exp.Interval):
        return
    name, table = node.name, node.table
    if table:
        if table not in tables:
            raise ExpressionError(f"{prefix}未知的表 unknown table '{table}'"
                                  f"{_hint(table, tables)}")
        if name not in tables[table]:
            raise ExpressionError(f"{prefix}表 {table} 没有列 has no column '{name}'"
                                  f"{_hint(name, tables[table])}")
        used_qualified.add(f"{table}.{name}")
        return
    if name not in known:
        raise ExpressionError(f"{prefix}未知的名称 unknown name '{name}'{_hint(name, known)}")
    if name != "as_of":
        used.add(name)


def _hint(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; 您是否想写 did you mean '{close[0]}'?" if close else ""


def substitute(tree: exp.Expr, columns: dict[str, exp.Expr]) -> exp.Expr:
    """Replace names (and `table.column`) with the expressions that compute them."""
    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not isinstance(node.parent, exp.Interval):
            key = f"{node.table}.{node.name}" if node.table else node.name
            if key in columns:
                return columns[key].copy()
        return node
    return tree.copy().transform(swap)
