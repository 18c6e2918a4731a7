"""A segment's members to CSV or Excel for the people who send the messages.

Personal data is masked unless asked for; headers are display names in the user's
language; CSV carries a byte-order mark so Excel opens Chinese text correctly.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlglot import exp

from ..engine.base import Engine
from ..errors import MemberlensError
from ..masking import mask_date, mask_email, mask_name, mask_phone
from ..schema.tables import MEMBERS
from ..tags.catalog import Catalog
from ..tags.tables import PROFILE
from .audience import profile_as_of
from .binding import Audience
from .sql import where

EXCEL_MAX_ROWS = 1_048_575
MEMBER_COLUMNS = ("name", "phone", "email", "gender", "province", "city")
MASKS: dict[str, Callable[[Any], Any]] = {
    "name": mask_name, "phone": mask_phone, "email": mask_email, "birthday": mask_date}


class ExportError(MemberlensError):
    http_status = 400


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    columns: tuple[str, ...]
    masked: bool


def export_members(engine: Engine, catalog: Catalog, audience: Audience, path: Path, *,
                   extra_tags: Sequence[str] = (), show_pii: bool = False,
                   lang: str = "zh") -> ExportResult:
    """Members of `audience` with contact columns, the tags it uses and `extra_tags`."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ExportError(f"只支持 .csv 和 .xlsx only .csv and .xlsx can be written: {path}")
    tag_keys = list(dict.fromkeys([*audience.tags, *(catalog.get(t).key for t in extra_tags)]))
    table = _fetch(engine, audience, tag_keys)
    if suffix == ".xlsx" and table.num_rows > EXCEL_MAX_ROWS:
        raise ExportError(f"{table.num_rows:,} 行超过 Excel 上限 rows exceed Excel's limit of "
                          f"{EXCEL_MAX_ROWS:,}: 请导出为 .csv export to .csv instead")
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    if not show_pii:
        for name, mask in MASKS.items():
            if name in columns:
                columns[name] = [mask(v) for v in columns[name]]
    headers = [_header(name, catalog, lang) for name in table.column_names]
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = zip(*columns.values(), strict=True)
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(["" if v is None else _cell(v) for v in row])
    else:
        _write_xlsx(path, headers, rows)
    return ExportResult(path, table.num_rows, tuple(headers), masked=not show_pii)


def _fetch(engine: Engine, audience: Audience, tag_keys: list[str]) -> pa.Table:
    as_of = profile_as_of(engine)
    have_members = engine.table_exists("members")
    select: list[exp.Expr] = [exp.column("member_id", table="p")]
    if have_members:
        select += [exp.column(c, table="m") for c in MEMBER_COLUMNS]
    select += [exp.column(k, table="p", quoted=True) for k in tag_keys
               if k not in MEMBER_COLUMNS]
    inner = exp.select("*").from_(PROFILE).where(where(audience, as_of)).subquery("p")
    query = exp.select(*select).from_(inner)
    if have_members:
        query = query.join("members", on="m.member_id = p.member_id", join_type="left",
                           join_alias="m")
    return engine.fetch_arrow(engine.to_sql(query.order_by("p.member_id")))


def _header(name: str, catalog: Catalog, lang: str) -> str:
    if lang == "en":
        return name
    if name == "member_id":
        return "会员ID"
    column = next((c for c in MEMBERS.columns if c.name == name), None)
    if column is not None and column.label_zh:
        return column.label_zh
    try:
        return catalog.get(name).name.zh
    except MemberlensError:
        return name


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


def _write_xlsx(path: Path, headers: list[str], rows: Any) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("members")
    sheet.append(headers)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    book.save(path)
