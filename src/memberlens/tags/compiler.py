"""Turns the catalog into one query that computes every tag for every member.

Shape of the query:
- one CTE per source that is used (cut off at the as-of date);
- one aggregate CTE per (source, window) group: all tags over the same records share
  a single scan and GROUP BY member_id; "top" tags share a CTE per dimension;
- one CTE with every model tag's newest score as of the run date (model_scores.py);
- a base layer joining members to the aggregates; then one SELECT layer per
  dependency depth of rule tags (a rule sees every tag of the layers below it);
- a final SELECT that casts every tag to its declared type.
Everything is a SQLGlot tree rendered for the engine's dialect.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlglot
from sqlglot import exp

from ..engine.base import SOURCE_DIALECT
from .catalog import Catalog
from .definition import (
    AggregateCompute,
    BuiltinCompute,
    ModelCompute,
    RuleCompute,
    TagDefinition,
)
from .expressions import parse_expression, substitute
from .model_scores import latest_scores
from .sources import MEMBER_COLUMNS, SOURCE_COLUMNS, source_sql

COUNT_LIKE = ("count", "count_distinct", "share")
MAX_CLOSED_VALUES = 16  # a favourite over more values than this is ranked the general way
SCORES_CTE = "model_scores_latest"


def _closed_column(key: str) -> str:
    """The per-record column holding a closed dimension's value position for tag `key`."""
    return f"__top_{key}"


def _parse(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read=SOURCE_DIALECT)


def _q(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _date(d: date) -> exp.Expr:
    return exp.cast(exp.Literal.string(d.isoformat()), "DATE")


@dataclass(frozen=True)
class CompileInputs:
    """What exists besides the catalog: builtin results and model scores to join."""

    builtin_tables: dict[str, str]            # tag key -> relation (member_id, value)
    model_scores: frozenset[tuple[str, str]]  # (model, output) pairs present


def _expr(text: str, names: tuple[str, ...], as_of: date) -> exp.Expr:
    checked = parse_expression(text, names=names)
    return substitute(checked.tree, {"as_of": _date(as_of)})


def _window_bounds(agg: AggregateCompute, as_of: date) -> exp.Expr | None:
    upper = as_of - timedelta(days=agg.window_offset_days)
    conds: list[exp.Expr] = []
    if agg.window_offset_days:
        conds.append(_parse(f"ts < TIMESTAMP '{upper.isoformat()} 00:00:00'"))
    if agg.window_days:
        lower = upper - timedelta(days=agg.window_days)
        conds.append(_parse(f"ts >= TIMESTAMP '{lower.isoformat()} 00:00:00'"))
    return exp.and_(*conds) if conds else None


def _aggregate(tag: TagDefinition, agg: AggregateCompute, as_of: date,
               closed: list[str] | None = None) -> exp.Expr:
    """One aggregate over its source; the time window is part of its own FILTER.

    All tags over a source share one scan and one GROUP BY member_id, each counting only
    its window: one pass over 20M purchases instead of one per window. `closed`: the
    values of a favourite's closed dimension (`_closed_values`).
    """
    cols = SOURCE_COLUMNS[agg.source]
    measure = _expr(agg.measure, cols, as_of) if agg.measure else None
    window = _window_bounds(agg, as_of)
    user = _expr(agg.filter, cols, as_of) if agg.filter else None
    conds = [c for c in (window, user) if c is not None]
    cond = exp.and_(*conds) if conds else None

    def filtered(func: exp.Expr) -> exp.Expr:
        return exp.Filter(this=func, expression=exp.Where(this=cond.copy())) if cond else func

    f = agg.function
    if f == "count":
        return filtered(exp.Count(this=exp.Star()))
    if f == "count_distinct":
        return filtered(exp.Count(this=exp.Distinct(expressions=[measure])))
    if f == "share":
        m = measure or exp.Literal.number(1)
        hit = exp.Case().when(cond, m.copy()).else_(exp.Literal.number(0)) if cond else m.copy()
        total = (exp.Case().when(window, m.copy()).else_(exp.Literal.number(0)) if window
                 else m.copy())
        return exp.Div(this=exp.cast(exp.Sum(this=hit), "DOUBLE"),
                       expression=exp.Nullif(this=exp.Sum(this=total),
                                             expression=exp.Literal.number(0)))
    funcs = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max,
             "stddev": exp.StddevSamp, "median": exp.Median}
    if f in funcs:
        return filtered(funcs[f](this=measure))
    if f == "mode":
        return filtered(exp.Anonymous(this="mode", expressions=[measure]))
    if f in ("top", "top_share") and closed:
        return _closed_top(agg, closed, _closed_column(tag.key), cond)
    raise AssertionError(f)


def _closed_values(agg: AggregateCompute) -> list[str] | None:
    """The values a counted dimension can take, when its expression spells them all out.

    A CASE whose every branch is a string literal (or NULL) has a closed set of values;
    its favourite can then be counted per value in the source's one GROUP BY member_id
    instead of a GROUP BY (member, value) and a second one per member (order-based tags
    at 1M members: −3.5 s of 45 s CPU for the channel and the hour band).
    """
    if agg.function not in ("top", "top_share") or agg.measure or not agg.dimension:
        return None
    dim = _expr(agg.dimension, SOURCE_COLUMNS[agg.source], date.min)
    if not isinstance(dim, exp.Case):
        return None
    outcomes = [branch.args["true"] for branch in dim.args.get("ifs") or []]
    if dim.args.get("default") is not None:
        outcomes.append(dim.args["default"])
    values: set[str] = set()
    for out in outcomes:
        if isinstance(out, exp.Null):
            continue
        if not (isinstance(out, exp.Literal) and out.is_string):
            return None
        values.add(out.this)
    if len(values) > MAX_CLOSED_VALUES:
        return None  # the pick repeats every count per value: its SQL grows as k²
    # sorted as the engines compare strings (code points = UTF-8 bytes): ties go to the
    # smallest value, as arg_min(d, {k: -v, d: d}) of the general form decides them
    return sorted(values) or None


def _closed_index(agg: AggregateCompute, values: list[str], as_of: date) -> exp.Expr:
    """The dimension with each value replaced by its position in `values`.

    Computed once per record below the GROUP BY, so each per-value count compares a
    small integer instead of re-evaluating the CASE and comparing strings.
    """
    position = {v: i for i, v in enumerate(values)}
    dim = _expr(agg.dimension or "", SOURCE_COLUMNS[agg.source], as_of)
    for branch in dim.args.get("ifs") or []:
        if isinstance(branch.args["true"], exp.Literal):
            branch.set("true", exp.Literal.number(position[branch.args["true"].this]))
    default = dim.args.get("default")
    if isinstance(default, exp.Literal):
        dim.set("default", exp.Literal.number(position[default.this]))
    return dim


def _closed_top(agg: AggregateCompute, values: list[str], column: str,
                cond: exp.Expr | None) -> exp.Expr:
    """The favourite (or its share) from one count per possible value."""

    def count_where(extra: exp.Expr | None) -> exp.Expr:
        conds = [c.copy() for c in (cond, extra) if c is not None]
        star = exp.Count(this=exp.Star())
        return (exp.Filter(this=star, expression=exp.Where(this=exp.and_(*conds)))
                if conds else star)

    counts = [count_where(exp.EQ(this=_q(column), expression=exp.Literal.number(i)))
              for i in range(len(values))]
    best = exp.func("greatest", *(c.copy() for c in counts)) if len(counts) > 1 else counts[0]
    if agg.function == "top":
        pick = exp.Case()
        for c, v in zip(counts, values, strict=True):
            pick = pick.when(exp.EQ(this=c, expression=best.copy()), exp.Literal.string(v))
        value: exp.Expr = pick
    else:  # the share of all the member's records in the window, valued or not
        value = exp.Div(this=exp.cast(best.copy(), "DOUBLE"),
                        expression=count_where(None))
    return exp.Case().when(exp.GT(this=best, expression=exp.Literal.number(0)), value)


def _earliest_day(catalog: Catalog, source: str, as_of: date) -> date | None:
    """The first day any tag over `source` reads, or None when one reads all history."""
    days: list[date] = []
    for tag in catalog:
        c = tag.compute
        if isinstance(c, AggregateCompute) and c.source == source:
            if c.window_days is None:
                return None
            days.append(as_of - timedelta(days=c.window_days + c.window_offset_days))
    return min(days) if days else None


def _default(tag: TagDefinition, agg: AggregateCompute) -> exp.Expr | None:
    if agg.default is not None:
        return exp.convert(agg.default)
    if agg.function in ("count", "count_distinct") or agg.function == "sum":
        return exp.Literal.number(0)
    return None


def compile_catalog(catalog: Catalog, as_of: date, inputs: CompileInputs) -> exp.Select:
    """The query computing every tag of `catalog` as of `as_of` (exclusive)."""
    ctes: list[tuple[str, exp.Expr]] = []
    used_sources = sorted({t.compute.source for t in catalog
                           if isinstance(t.compute, AggregateCompute)})
    for source_name in used_sources:
        since = _earliest_day(catalog, source_name, as_of)
        ctes.append((f"src_{source_name}", _parse(source_sql(source_name, as_of, since))))

    # base: members known at the as-of date, plus buyers missing from the members table
    # (or registered only later: their member record is not known yet at the as-of date)
    member_cols = ", ".join(f'm."{c}" AS "m__{c}"' for c in MEMBER_COLUMNS if c != "member_id")
    cut = f"TIMESTAMP '{as_of.isoformat()} 00:00:00'"
    known = f"(m.registered_at IS NULL OR m.registered_at < {cut})"
    ctes.append(("base", _parse(f"""
        SELECT ids.member_id, {member_cols}
        FROM (SELECT member_id FROM members
              WHERE registered_at IS NULL OR registered_at < {cut}
              UNION SELECT DISTINCT member_id FROM orders WHERE ordered_at < {cut}) ids
        LEFT JOIN members m ON m.member_id = ids.member_id AND {known}""")))

    joins: list[tuple[str, list[tuple[str, exp.Expr]]]] = []  # (cte, [(tag, column expr)])
    groups: dict[str, list[TagDefinition]] = defaultdict(list)
    closed: dict[str, list[str]] = {}  # tag key -> values of its closed dimension
    top_groups: dict[tuple[object, ...], list[TagDefinition]] = defaultdict(list)
    for tag in catalog:
        c = tag.compute
        if isinstance(c, AggregateCompute):
            values = _closed_values(c)
            if values:
                closed[tag.key] = values
            if c.function in ("top", "top_share", "top_n") and not values:
                top_groups[(c.source, c.window_days, c.window_offset_days, c.filter,
                            c.dimension, c.measure)].append(tag)
            else:
                groups[c.source].append(tag)

    for source, tags in sorted(groups.items()):
        name = f"agg_{source}"
        positions = [exp.alias_(_closed_index(t.compute, closed[t.key], as_of),  # type: ignore[arg-type]
                                _closed_column(t.key), quoted=True)
                     for t in tags if t.key in closed]
        records: exp.Expr = exp.to_table(f"src_{source}")
        if positions:
            records = exp.select(exp.Star(), *positions).from_(f"src_{source}").subquery(
                f"src_{source}")
        select = exp.select("member_id", *(
            exp.alias_(_aggregate(t, t.compute, as_of, closed.get(t.key)),  # type: ignore[arg-type]
                       t.key, quoted=True)
            for t in tags)).from_(records).group_by("member_id")
        ctes.append((name, select))
        cols = []
        for t in tags:
            assert isinstance(t.compute, AggregateCompute)  # noqa: S101
            default = _default(t, t.compute)
            col: exp.Expr = exp.column(t.key, table=name, quoted=True)
            cols.append((t.key, exp.func("coalesce", col, default) if default else col))
        joins.append((name, cols))

    for i, (_signature, tags) in enumerate(sorted(top_groups.items(), key=str)):
        name = f"top_{i}"
        first = tags[0].compute
        assert isinstance(first, AggregateCompute)  # noqa: S101
        cols_ = SOURCE_COLUMNS[first.source]
        dim = _expr(first.dimension or "", cols_, as_of)
        measure = _expr(first.measure, cols_, as_of) if first.measure else exp.Literal.number(1)
        inner = exp.select(exp.alias_(exp.column("member_id"), "member_id"),
                           exp.alias_(dim, "d"), exp.alias_(exp.Sum(this=measure), "v")
                           ).from_(f"src_{first.source}").group_by(exp.column("member_id"),
                                                                  exp.Literal.number(2))
        conds = [c for c in (_window_bounds(first, as_of),
                             _expr(first.filter, cols_, as_of) if first.filter else None)
                 if c is not None]
        if conds:
            inner = inner.where(exp.and_(*conds))
        # the share's denominator keeps records without a value of the dimension (an
        # item with no brand still counts in the member's spend)
        # a single favourite needs no sorted list: first(…) is cheaper (3.0 s → 1.8 s
        # for the hour band at 20M orders)
        # a single favourite is arg_min(d, {k: -v, d: d}): the first by v DESC, d (and
        # MIN_BY in Spark). A list keeps the sorted list(): arg_min(…, n) was faster (top-3
        # over 38.7M order lines 3.0 → 1.3 s of CPU per dimension) but its states do not
        # spill, and the all-tags run ran out of memory under memory_limit 2GB
        wants_list = any(isinstance(t.compute, AggregateCompute)
                         and t.compute.function == "top_n" for t in tags)
        best = ("list(d ORDER BY v DESC, d) FILTER (WHERE d IS NOT NULL)" if wants_list
                else "arg_min(d, {'k': -v, 'd': d}) FILTER (WHERE d IS NOT NULL)")
        ranked = _parse(f"""SELECT member_id, {best} AS ranked,
                                  max(v) FILTER (WHERE d IS NOT NULL) / nullif(sum(v), 0)
                                      AS share
                           FROM inner_rows WHERE v > 0 GROUP BY member_id""")
        ranked.set("from_", exp.From(this=inner.subquery("inner_rows")))
        ctes.append((name, ranked))
        cols = []
        for t in tags:
            assert isinstance(t.compute, AggregateCompute)  # noqa: S101
            ranked_col = exp.column("ranked", table=name)
            if t.compute.function == "top":
                value: exp.Expr = (_parse(f"{name}.ranked[1]") if wants_list
                                   else exp.column("ranked", table=name))
            elif t.compute.function == "top_share":
                value = exp.cast(exp.column("share", table=name), "DOUBLE")
            else:
                value = exp.func("list_slice", ranked_col, exp.Literal.number(1),
                                 exp.Literal.number(t.compute.n))
            cols.append((t.key, value))
        joins.append((name, cols))

    for tag_key, relation in inputs.builtin_tables.items():
        joins.append((relation, [(tag_key, exp.column("value", table=relation))]))

    # model tags: the newest score as of the run date, all models in one GROUP BY
    scored = [(t.key, t.compute.model, t.compute.output) for t in catalog
              if isinstance(t.compute, ModelCompute)
              and (t.compute.model, t.compute.output) in inputs.model_scores]
    if scored:
        ctes.append((SCORES_CTE, latest_scores(scored, as_of)))
        joins.append((SCORES_CTE, [(k, exp.column(k, table=SCORES_CTE, quoted=True))
                                   for k, _, _ in scored]))
    scored_keys = {k for k, _, _ in scored}

    base_select: list[exp.Expr] = [exp.column("member_id", table="base")]
    base_select += [exp.column(f"m__{c}", table="base", quoted=True)
                    for c in MEMBER_COLUMNS if c != "member_id"]
    layer0 = exp.select(*base_select).from_("base")
    for name, cols in joins:
        layer0 = layer0.join(name, on=f"{name}.member_id = base.member_id", join_type="left")
        layer0 = layer0.select(*(exp.alias_(e, k, quoted=True) for k, e in cols), append=True)
    for tag in catalog:
        # a model that has written nothing yet, a builtin not computed: typed NULLs
        if (isinstance(tag.compute, ModelCompute) and tag.key not in scored_keys) or (
                isinstance(tag.compute, BuiltinCompute)
                and tag.key not in inputs.builtin_tables):
            layer0 = layer0.select(exp.alias_(exp.cast(exp.null(), tag.type.sql_type),
                                              tag.key, quoted=True), append=True)
    ctes.append(("layer_0", layer0))

    last = _rule_layers(catalog, as_of, ctes)

    def column(tag: TagDefinition) -> exp.Expr:
        table = last if isinstance(tag.compute, RuleCompute) else "layer_0"
        return exp.column(tag.key, table=table, quoted=True)

    final = exp.select(
        exp.column("member_id", table="layer_0"),
        exp.alias_(_date(as_of), "as_of"),
        *(exp.alias_(exp.cast(column(t), t.type.sql_type), t.key, quoted=True)
          for t in catalog.display_order),
    ).from_("layer_0")
    if last != "layer_0":
        final = final.join(last, on=f"{last}.member_id = layer_0.member_id", join_type="left")
    for name, body in ctes:
        final = final.with_(name, as_=body)
    return final.order_by("layer_0.member_id")


def _rule_layers(catalog: Catalog, as_of: date, ctes: list[tuple[str, exp.Expr]]) -> str:
    """One SELECT per dependency depth, so a rule reads the tags it depends on.

    The layers carry only member_id and the columns rules read, not every tag: a rule
    with a window (percent_rank() over …) sorts whatever its input holds, and sorting
    1M rows × 60 columns once per window was ~16 s of a 1M-member run. The final SELECT
    joins the rules back to layer_0 by member_id.
    """
    depth: dict[str, int] = {}
    rules: dict[str, exp.Expr] = {}
    reads: set[str] = set()    # columns of layer_0 the rules read
    member_refs = {f"members.{c}": _q(f"m__{c}") for c in MEMBER_COLUMNS}
    member_refs["members.member_id"] = exp.column("member_id")
    names = tuple(catalog.tags)
    for tag in catalog:  # catalog iterates in dependency order
        if not isinstance(tag.compute, RuleCompute):
            depth[tag.key] = 0
            continue
        checked = parse_expression(tag.compute.expr,
                                   names=[k for k in names if k != tag.key],
                                   qualified={"members": MEMBER_COLUMNS})
        depth[tag.key] = 1 + max((depth[d] for d in checked.tags), default=0)
        reads.update(d for d in checked.tags if d not in rules)
        reads.update(f"m__{q.split('.', 1)[1]}" for q in checked.qualified
                     if q != "members.member_id")
        refs: dict[str, exp.Expr] = {"as_of": _date(as_of), **member_refs}
        refs.update({d: _q(d) for d in checked.tags})
        rules[tag.key] = substitute(checked.tree, refs)
    if not rules:
        return "layer_0"
    ctes.append(("rules_in", exp.select(exp.column("member_id"),
                                        *(_q(c) for c in sorted(reads))).from_("layer_0")))
    last = "rules_in"
    for level in range(1, max(depth.values(), default=0) + 1):
        keys = [k for k in catalog.order if depth[k] == level and k in rules]
        if not keys:
            continue
        name = f"layer_{level}"
        select = exp.select(exp.Star(), *(exp.alias_(rules[k], k, quoted=True) for k in keys)
                            ).from_(last)
        ctes.append((name, select))
        last = name
    return last
