"""Builds the staging query: source rows in, typed values and their problems out.

Three layers, so each expression is computed once: (1) raw text per field, (2) parsed
values, (3) problems, final values and the reject flag.
"""

from __future__ import annotations

from dataclasses import replace

import sqlglot
from sqlglot import exp

from ..schema import Table
from .cleaning_rules import ColumnRule, Problem, bind, build_rule
from .mapping import ResolvedMapping
from .readers import Source

ACTIONS = {"reject": "rejected", "clear": "cleared", "flag": "flagged"}


def _q(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def staging_query(source: Source, table: Table, mapping: ResolvedMapping, *,
                  timezone: str) -> exp.Select:
    """SELECT producing one row per source record with final columns and `_issues`."""
    rules: dict[str, ColumnRule] = {
        name: build_rule(table.column(name), source.types[src], timezone=timezone,
                         tokens_nulled=source.fmt == "csv")
        for name, src in mapping.columns.items()
    }
    rules = _with_cross_checks(rules, table)
    # layer 1: raw text (and the source value itself for typed sources)
    layer1: list[exp.Expr] = []
    for name, rule in rules.items():
        src = mapping.columns[name]
        layer1.append(exp.alias_(bind(rule.raw, s=src), f"{name}__r", quoted=True))
        layer1.append(exp.alias_(_col(src), f"{name}__s", quoted=True))
    l1 = exp.select(*layer1).from_(source.relation)

    # layer 2: parsed values
    layer2: list[exp.Expr] = [exp.Star()]
    for name, rule in rules.items():
        layer2.append(exp.alias_(bind(rule.parsed, s=f"{name}__s", r=f"{name}__r"),
                                 f"{name}__v", quoted=True))
    l2 = exp.select(*layer2).from_(l1.subquery("l1"))

    # layer 3: problems, final values, reject flag
    issues: list[exp.Expr] = []
    any_problem: list[exp.Expr] = []
    rejects: list[exp.Expr] = []
    finals: list[exp.Expr] = []
    for name, rule in rules.items():
        clears: list[exp.Expr] = []
        for p in rule.problems:
            cond = bind(p.condition, r=f"{name}__r", v=f"{name}__v")
            issue = exp.Struct(expressions=[
                exp.PropertyEQ(this=_q("field"), expression=exp.Literal.string(name)),
                exp.PropertyEQ(this=_q("value"),
                               expression=exp.cast(_col(f"{name}__r"), "VARCHAR")),
                exp.PropertyEQ(this=_q("reason"), expression=exp.Literal.string(p.reason)),
                exp.PropertyEQ(this=_q("action"),
                               expression=exp.Literal.string(ACTIONS[p.action])),
            ])
            issues.append(exp.Case().when(cond.copy(), issue))
            any_problem.append(exp.func("coalesce", cond.copy(), exp.false()))
            if p.action == "reject":
                rejects.append(exp.func("coalesce", cond.copy(), exp.false()))
            elif p.action == "clear":
                clears.append(exp.func("coalesce", cond.copy(), exp.false()))
        value: exp.Expr = _col(f"{name}__v")
        if clears:
            value = exp.Case().when(exp.or_(*clears), exp.null()).else_(value)
        finals.append(exp.alias_(exp.cast(value, table.column(name).sql_type), name,
                                 quoted=True))
    for col in table.columns:
        if col.name not in rules:
            finals.append(exp.alias_(exp.cast(exp.null(), col.sql_type), col.name, quoted=True))
    finals = _with_generated_key(finals, table, mapping)

    issue_list: exp.Expr = exp.null()
    if issues:
        issue_list = exp.Case().when(
            exp.or_(*any_problem),
            exp.func("list_filter", exp.Array(expressions=issues),
                     exp.Lambda(this=exp.column("x").is_(exp.null()).not_(),
                                expressions=[exp.to_identifier("x")])))
    rejected: exp.Expr = exp.or_(*rejects) if rejects else exp.false()
    record = exp.Case().when(rejected.copy(), exp.func("to_json", exp.Struct(expressions=[
        exp.PropertyEQ(this=_q(name), expression=_col(f"{name}__r")) for name in rules])))
    return exp.select(
        *finals,
        exp.alias_(issue_list, "_issues"),
        exp.alias_(rejected, "_rejected"),
        exp.alias_(record, "_record"),
    ).from_(l2.subquery("l2"))


def _with_cross_checks(rules: dict[str, ColumnRule], table: Table) -> dict[str, ColumnRule]:
    """Add the table's between-field checks to the rule of the field they report on."""
    out = dict(rules)
    for check in table.checks:
        tree = sqlglot.parse_one(check.expr, read="duckdb")
        names = {c.name for c in tree.find_all(exp.Column)}
        if not names <= set(rules) or check.field not in rules:
            continue  # the source does not supply every field the check needs
        cond = tree.transform(lambda n: exp.column(f"{n.name}__v", quoted=True)
                              if isinstance(n, exp.Column) else n)
        # only between values that passed their own checks: a negative or absurd amount
        # is already reported and must not be reported again as a mismatch
        own = [bind(p.condition, r=f"{n}__r", v=f"{n}__v") for n in sorted(names)
               for p in rules[n].problems]
        if own:
            cond = exp.and_(cond, exp.not_(exp.func("coalesce", exp.or_(*own), exp.false())))
        rule = out[check.field]
        problem = Problem(check.reason, cond, check.action)  # type: ignore[arg-type]
        out[check.field] = replace(rule, problems=(*rule.problems, problem))
    return out


def _with_generated_key(finals: list[exp.Expr], table: Table, mapping: ResolvedMapping
                        ) -> list[exp.Expr]:
    """A source without ids gets deterministic ones from the row's identifying fields."""
    if len(table.key) != 1 or not table.generated_key_from:
        return finals
    key = table.key[0]
    parts = [exp.func("coalesce", exp.cast(_col(f"{c}__v"), "VARCHAR"), exp.Literal.string(""))
             if c in mapping.columns else exp.Literal.string("")
             for c in table.generated_key_from]
    generated = exp.DPipe(this=exp.Literal.string("g"), expression=exp.func(
        "substr", exp.func("md5", exp.func("concat_ws", exp.Literal.string("|"), *parts)),
        exp.Literal.number(1), exp.Literal.number(24)))
    out: list[exp.Expr] = []
    for item in finals:
        if item.alias == key:
            given = (_col(f"{key}__v") if key in mapping.columns
                     else exp.cast(exp.null(), "VARCHAR"))
            item = exp.alias_(exp.func("coalesce", given, generated), key, quoted=True)
        out.append(item)
    return out
