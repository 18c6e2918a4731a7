"""Which source column feeds which canonical column: from a mapping file or from headers."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import IngestError
from ..schema import CANONICAL_TABLES, Table

_UNIT = re.compile(r"[（(][^）)]*[）)]")
_SEPARATORS = re.compile(r"[\s_\-./:：]+")


class MappingFile(BaseModel):
    """A user's mapping file (YAML).

    `columns` is either {source header: canonical column} or, for a headerless file, a
    list of canonical names by position (null or "" to skip a column).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str | None = None
    header: bool | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    columns: dict[str, str | None] | list[str | None] = {}


class ResolvedMapping(BaseModel):
    """The outcome: canonical column -> source column, and what was not used."""

    model_config = ConfigDict(frozen=True)

    columns: dict[str, str]
    ignored: list[str]
    fuzzy: dict[str, str]           # source header -> canonical, matched by similarity


def load_mapping_file(path: Path) -> MappingFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return MappingFile.model_validate(raw)
    except FileNotFoundError as e:
        raise IngestError("映射文件不存在 mapping file not found", file=str(path)) from e
    except (yaml.YAMLError, ValidationError) as e:
        raise IngestError(f"映射文件格式错误 invalid mapping file: {e}", file=str(path)) from e


def normalise_header(text: str) -> str:
    """'实付金额(元)' and ' Paid_Amount ' become comparable: no units, case or separators."""
    return _SEPARATORS.sub("", _UNIT.sub("", text.strip().lstrip("\ufeff"))).lower()


def _synonym_index(table: Table) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in table.columns:
        for name in (col.name, col.label_zh, *col.synonyms):
            index.setdefault(normalise_header(name), col.name)
    return index


def resolve_mapping(source_columns: list[str], table: Table, spec: MappingFile | None,
                    *, file: str) -> ResolvedMapping:
    """Map source columns to canonical ones; refuse if a required column has no source."""
    canonical = set(table.column_names)
    chosen: dict[str, str] = {}
    fuzzy: dict[str, str] = {}
    if spec is not None and isinstance(spec.columns, list):
        if len(spec.columns) > len(source_columns):
            raise IngestError(
                f"映射文件列数 ({len(spec.columns)}) 多于文件列数 ({len(source_columns)}) "
                "the mapping names more columns than the file has", file=file)
        for src, target in zip(source_columns, spec.columns, strict=False):
            if target:
                chosen[_check_target(target, table, file)] = src
    elif spec is not None and isinstance(spec.columns, dict) and spec.columns:
        missing = [s for s in spec.columns if s not in source_columns]
        if missing:
            raise IngestError(
                f"映射文件中的列不在文件中 mapped columns not in the file: {missing}; "
                f"文件的列 file columns: {source_columns}", file=file, field=missing[0])
        for src, target in spec.columns.items():
            if target:
                chosen[_check_target(target, table, file)] = src
    else:
        index = _synonym_index(table)
        keys = list(index)
        for src in source_columns:
            norm = normalise_header(src)
            target = index.get(norm)
            if target is None:
                close = difflib.get_close_matches(norm, keys, n=1, cutoff=0.85)
                if close:
                    target = index[close[0]]
                    fuzzy[src] = target
            if target is not None and target in canonical and target not in chosen:
                chosen[target] = src
    missing_required = [c.name for c in table.columns if c.required and c.name not in chosen]
    if missing_required:
        hint = suggest_for(source_columns, table)
        raise IngestError(
            f"缺少必填列 missing required column(s) {missing_required} for table "
            f"'{table.name}'. 文件的列 file columns: {source_columns}. "
            f"请用 --mapping 指定映射 use --mapping to map them; 建议 suggestion:\n{hint}",
            file=file, field=missing_required[0])
    used = set(chosen.values())
    return ResolvedMapping(columns=chosen, ignored=[c for c in source_columns if c not in used],
                           fuzzy=fuzzy)


def _check_target(target: str, table: Table, file: str) -> str:
    if target in table.column_names:
        return target
    close = difflib.get_close_matches(target, table.column_names, n=1, cutoff=0.5)
    hint = f"; 您是否想写 did you mean '{close[0]}'?" if close else ""
    raise IngestError(f"表 {table.name} 没有列 has no column '{target}'{hint}",
                      file=file, field=target)


def suggest_for(source_columns: list[str], table: Table) -> str:
    """A mapping file (YAML text) proposing a canonical column for each source column."""
    index = _synonym_index(table)
    keys = list(index)
    lines = [f"table: {table.name}", "columns:"]
    for src in source_columns:
        norm = normalise_header(src)
        target = index.get(norm)
        if target is None:
            close = difflib.get_close_matches(norm, keys, n=1, cutoff=0.6)
            target = index[close[0]] if close else None
        lines.append(f"  {yaml.safe_dump(src, allow_unicode=True).splitlines()[0]}: "
                     f"{target or 'null'}")
    return "\n".join(lines)


def table_for(name: str) -> Table:
    try:
        return CANONICAL_TABLES[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(CANONICAL_TABLES), n=1, cutoff=0.5)
        hint = f"; 您是否想写 did you mean '{close[0]}'?" if close else ""
        raise IngestError(
            f"未知的表 unknown table '{name}'{hint}; 可选 choose from: "
            f"{', '.join(CANONICAL_TABLES)}", field="table") from None
