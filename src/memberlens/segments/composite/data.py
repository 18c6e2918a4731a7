"""The entities and their raw indicator values, from a file or from the warehouse.

A file is read by the ingest readers (CSV, Excel, Parquet, JSON lines); text columns
whose values are all numbers ("1,234", "12.5%") become numbers, so an analyst's dealer
list works as exported. Indicator expressions are checked against the whitelist of the
tag language and embedded as trees into a query over the registered entity table: user
text never reaches the engine as text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlglot import exp

from ...engine.base import Engine
from ...errors import MemberlensError
from ...tags.expressions import parse_expression, substitute
from .config import CompositeConfig, FileData, Indicator
from .store_facts import default_as_of, store_facts

ENTITY_TABLE = "_composite_entities"
_NUMBER = re.compile(r"^[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?$")


class CompositeDataError(MemberlensError):
    """The entity data cannot serve the definition; names the file, row and column."""

    http_status = 422


@dataclass
class Entities:
    """One row per entity: `frame` has an `entity_id` and an `entity_label` column first."""

    frame: pd.DataFrame
    source: str        # the file read, or "warehouse"
    as_of: date
    row_offset: int    # add to a 0-based row index to get the row a spreadsheet shows


def load_entities(cfg: CompositeConfig, engine: Engine, *, data: Path | None = None,
                  as_of: date | None = None) -> Entities:
    """Read the entities the definition names (`data` overrides a file definition's path)."""
    if isinstance(cfg.data, FileData) or data is not None:
        return _from_file(cfg, engine, data, as_of)
    day = as_of or default_as_of(engine)
    frame = store_facts(engine, as_of=day, window_days=cfg.data.window_days)
    frame.insert(0, "entity_label", frame["name"].fillna(frame["store_id"]))
    frame.insert(0, "entity_id", frame["store_id"].astype(str))
    return Entities(frame=frame, source="warehouse", as_of=day, row_offset=0)


def _from_file(cfg: CompositeConfig, engine: Engine, data: Path | None, as_of: date | None
               ) -> Entities:
    from ...ingest import open_source

    spec = cfg.data
    if not isinstance(spec, FileData):
        raise CompositeDataError(
            f"--data 只用于文件数据源 --data is for a file source; {cfg.origin or 'the config'} "
            "reads the warehouse (data.source: warehouse)")
    if data is None:
        if spec.path is None:
            raise CompositeDataError("没有数据文件 no data file: give --data FILE or data.path "
                                     f"in {cfg.origin or 'the config'}")
        data = cfg.base_dir / spec.path
    source = open_source(engine, data, sheet=spec.sheet)
    try:
        frame: pd.DataFrame = engine.frame(f"SELECT * FROM {source.relation}")
    finally:
        for tmp in source.cleanup:
            tmp.unlink(missing_ok=True)
    frame = _typed(frame)
    where = f"文件 file={data}"
    for col, field in ((spec.id, "data.id"), (spec.label, "data.label")):
        if col is not None and col not in frame.columns:
            raise CompositeDataError(f"数据中没有列 no column '{col}' ({field}){_hint(col, frame)}"
                                     f" ({where})")
    ids = frame[spec.id]
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0]) + source.row_offset
        raise CompositeDataError(f"编号为空 empty id in column '{spec.id}' ({where}, 行 row={row})")
    ids = ids.map(_id_text)
    dup = ids[ids.duplicated(keep=False)]
    if not dup.empty:
        rows = [int(i) + source.row_offset for i in dup.index[:4]]
        raise CompositeDataError(f"编号重复 duplicate id '{dup.iloc[0]}' in column '{spec.id}' "
                                 f"({where}, 行 rows={rows})")
    label = frame[spec.label].map(_id_text) if spec.label else ids
    frame.insert(0, "entity_label", label.where(label.notna(), ids))
    frame.insert(0, "entity_id", ids)
    return Entities(frame=frame, source=str(data), as_of=as_of or date.today(),
                    row_offset=source.row_offset)


def _id_text(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if value is None or (isinstance(value, float) and np.isnan(value)) \
        else str(value)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose every value reads as a number become numbers (1,234 → 1234; 5% → 0.05)."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype != object and not pd.api.types.is_string_dtype(s):
            continue
        text = s.dropna().astype(str).str.strip()
        text = text[text != ""]
        if text.empty or not text.map(lambda t: bool(_NUMBER.match(t))).all():
            continue
        out[col] = s.map(_number)
    return out


def _number(value: object) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan")
    text = str(value).strip().replace(",", "")
    if not text:
        return float("nan")
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def _hint(name: str, frame: pd.DataFrame) -> str:
    close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1, cutoff=0.6)
    return f"; 您是否想写 did you mean '{close[0]}'?" if close else \
        f"; 现有列 columns: {', '.join(map(str, frame.columns[2:12]))}"


def indicator_values(cfg: CompositeConfig, entities: Entities, engine: Engine
                     ) -> pd.DataFrame:
    """Raw indicator values (float, NaN where missing), one column per indicator key."""
    frame = entities.frame
    columns = [str(c) for c in frame.columns if c not in ("entity_id", "entity_label")]
    for ind in cfg.indicators:
        if ind.key in columns and (ind.expr is not None or (ind.column or ind.key) != ind.key):
            raise CompositeDataError(
                f"指标名 '{ind.key}' 与数据中的同名列冲突 the indicator key hides the data column "
                f"of the same name; rename the indicator (文件 file={cfg.origin}, 字段 field="
                f"indicators[{ind.key}].key)")
    selects: list[exp.Expr] = [exp.column("entity_id", quoted=True)]
    for ind in cfg.indicators:
        tree = _indicator_tree(cfg, ind, columns, frame, entities)
        selects.append(exp.alias_(exp.TryCast(this=tree, to=exp.DataType.build("DOUBLE")),
                                  ind.key, quoted=True))
    engine.register(ENTITY_TABLE, pa.Table.from_pandas(frame, preserve_index=False))
    query = exp.select(*selects).from_(exp.to_table(ENTITY_TABLE))
    values: pd.DataFrame = engine.frame(query)
    values = values.set_index("entity_id").reindex(frame["entity_id"])
    return values.astype("float64")


def _indicator_tree(cfg: CompositeConfig, ind: Indicator, columns: list[str],
                    frame: pd.DataFrame, entities: Entities) -> exp.Expr:
    field = f"indicators[{ind.key}]"
    if ind.expr is None:
        col = ind.column or ind.key
        if col not in columns:
            raise CompositeDataError(f"数据中没有列 no column '{col}' for indicator '{ind.key}'"
                                     f"{_hint(col, frame)} (数据 data={entities.source}, "
                                     f"文件 file={cfg.origin}, 字段 field={field}.column)")
        values = frame[col]
        if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            bad = values.dropna().astype(str)
            bad = bad[~bad.str.strip().map(lambda t: bool(_NUMBER.match(t)) or t == "")]
            row = int(bad.index[0]) + entities.row_offset if not bad.empty else None
            sample = bad.iloc[0] if not bad.empty else ""
            raise CompositeDataError(
                f"指标 '{ind.key}' 的列 '{col}' 不是数字 column is not numeric: '{sample}' "
                f"(数据 data={entities.source}, 行 row={row}, 字段 field={field}.column)")
        return exp.column(col, quoted=True)
    where = f"{cfg.origin or 'config'} {field}.expr"
    checked = parse_expression(ind.expr, names=columns, where=where)
    return bind(checked.tree, entities.as_of)


def bind(tree: exp.Expr, as_of: date) -> exp.Expr:
    """A checked tree ready to run: `as_of` as a date, every name a quoted column."""
    def quote(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not isinstance(node.parent, exp.Interval):
            return exp.column(node.name, quoted=True)
        return node
    with_date = substitute(tree, {"as_of": exp.cast(exp.Literal.string(as_of.isoformat()),
                                                    exp.DataType.Type.DATE)})
    return with_date.transform(quote)
