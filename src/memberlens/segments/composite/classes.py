"""Class rules: tried in order over the scored table, the first that holds wins.

A rule is a restricted SQL expression (the tag language: comparisons, `and`/`or`,
`in`, `between`, `coalesce`, window functions such as `percent_rank() over (order by
sales)` or `median(growth) over ()`). In scope: the data's columns, each indicator's raw
value under its key, each group's score under the group key, `score`, `rank`,
`percentile`, and the classes of the classifications above. A rule over a missing value
does not hold (wrap it in `coalesce` to decide otherwise).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
from sqlglot import exp

from ...engine.base import Engine
from ...errors import EngineError
from ...tags.expressions import parse_expression
from .config import Classification, CompositeConfig, CompositeConfigError
from .data import bind

SCORED_TABLE = "_composite_scored"


def classify(cfg: CompositeConfig, scored: pd.DataFrame, engine: Engine, as_of: date
             ) -> pd.DataFrame:
    """`scored` with one more column per classification, holding the class code."""
    out = scored.copy()
    for classification in cfg.classifications:
        names = [str(c) for c in out.columns if c != "entity_id"]
        case = compile_rules(cfg, classification, names, as_of)
        engine.register(SCORED_TABLE, pa.Table.from_pandas(out, preserve_index=False))
        query = exp.select(exp.column("entity_id", quoted=True),
                           exp.alias_(case, "class_code", quoted=True)) \
            .from_(exp.to_table(SCORED_TABLE))
        try:
            codes: pd.DataFrame = engine.frame(query)
        except EngineError as e:
            raise CompositeConfigError(
                f"分类规则无法执行 the class rules cannot run (is every rule a condition, "
                f"true or false?): {e}", file=cfg.origin or None,
                field=f"classifications[{classification.key}].rules") from e
        mapping = dict(zip(codes["entity_id"], codes["class_code"], strict=True))
        out[classification.key] = out["entity_id"].map(mapping)
    return out


def compile_rules(cfg: CompositeConfig, classification: Classification,
                  names: list[str], as_of: date) -> exp.Expr:
    """CASE WHEN rule₁ THEN code₁ … ELSE default END, every rule checked first."""
    case = exp.Case()
    for r, rule in enumerate(classification.rules):
        where = (f"{cfg.origin or 'config'} classifications[{classification.key}]"
                 f".rules[{r}] ({rule.code}).when")
        checked = parse_expression(rule.when, names=names, where=where)
        case = case.when(bind(checked.tree, as_of), exp.Literal.string(rule.code))
    return case.else_(exp.Literal.string(classification.default.code))
