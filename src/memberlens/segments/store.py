"""Saved, named, versioned audience definitions.

A segment is a name and an expression. Saving a changed expression under an existing
name adds a version (campaigns keep pointing at the version they used); saving the same
expression again changes nothing. The table lives in the warehouse, next to the data it
describes, and is created on first use like member_profile.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..engine.base import Engine
from ..errors import ConfigError, MemberlensError, NotFound
from ..tags.catalog import Catalog
from .audience import compile_for, count, profile_as_of
from .binding import Audience
from .parser import AudienceError

TABLE = "segments"
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    expression VARCHAR NOT NULL,      -- canonical text, parses back to the same tree
    written_as VARCHAR NOT NULL,      -- what the user typed
    description VARCHAR,
    tags VARCHAR[] NOT NULL,
    created_at TIMESTAMP NOT NULL,
    profile_as_of DATE,
    member_count BIGINT               -- members in it when it was saved
)"""
_NAME = re.compile(r"^[^\x00-\x1f\"'`;]{1,64}$")


class SegmentError(MemberlensError):
    http_status = 400


class SegmentDefinition(BaseModel):
    """One segment as written in a YAML file or typed on the command line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    expression: str = Field(min_length=1)
    description: str | None = None


@dataclass(frozen=True)
class Segment:
    name: str
    version: int
    expression: str
    written_as: str
    description: str | None
    tags: tuple[str, ...]
    created_at: datetime
    profile_as_of: date | None
    member_count: int | None


@dataclass(frozen=True)
class SaveResult:
    segment: Segment
    created: bool  # False: the same expression was already the latest version


def ensure_table(engine: Engine) -> None:
    engine.execute(DDL)


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise SegmentError(f"分群名称无效 invalid segment name {name!r}: 1–64 个字符，不含引号、"
                           "分号和控制字符 1–64 characters without quotes, semicolons or "
                           "control characters")
    return name


def save(engine: Engine, catalog: Catalog, definition: SegmentDefinition) -> SaveResult:
    """Check the expression, then store it as version 1 or the next version."""
    name = check_name(definition.name)
    audience = compile_for(engine, definition.expression, catalog)
    ensure_table(engine)
    latest = _latest(engine, name)
    if latest is not None and latest.expression == audience.canonical and \
            (definition.description is None or definition.description == latest.description):
        return SaveResult(latest, created=False)
    as_of = profile_as_of(engine)
    members = count(engine, audience)
    version = 1 if latest is None else latest.version + 1
    description = definition.description if definition.description is not None else (
        latest.description if latest else None)
    with engine.transaction():
        engine.execute(
            f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?)",
            [name, version, audience.canonical, definition.expression, description,
             list(audience.tags), as_of, members])
    segment = get(engine, name, version)
    return SaveResult(segment, created=True)


def load_definitions(path: Path) -> list[SegmentDefinition]:
    """A YAML file holding a list of {name, expression, description}."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"无法读取分群文件 cannot read segment file {path}: {e}") from e
    items = data.get("segments", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ConfigError(f"{path}: 应为分群列表 expected a list of segments")
    out = []
    for i, item in enumerate(items, start=1):
        try:
            out.append(SegmentDefinition.model_validate(item))
        except ValidationError as e:
            problems = []
            for err in e.errors():
                field = ".".join(str(p) for p in err["loc"])
                close = difflib.get_close_matches(field, list(SegmentDefinition.model_fields),
                                                  n=1, cutoff=0.6)
                hint = f"（您是否想写 did you mean '{close[0]}'）" if (
                    close and close[0] != field) else ""
                problems.append(f"字段 field '{field}': {err['msg']}{hint}")
            raise ConfigError(f"{path} 第 {i} 个分群 segment #{i}: "
                              + "; ".join(problems)) from e
    return out


def get(engine: Engine, name: str, version: int | None = None) -> Segment:
    ensure_table(engine)
    rows = engine.fetchall(
        f"SELECT * FROM {TABLE} WHERE name = ? "
        + ("AND version = ? " if version is not None else "")
        + "ORDER BY version DESC LIMIT 1",
        [name] if version is None else [name, version])
    if not rows:
        names = [s.name for s in list_latest(engine)]
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f"；您是否想找 did you mean '{close[0]}'" if close else ""
        what = f"{name} v{version}" if version is not None else name
        raise NotFound(f"没有这个分群 no such segment '{what}'{hint}")
    return _segment(rows[0])


def _latest(engine: Engine, name: str) -> Segment | None:
    try:
        return get(engine, name)
    except NotFound:
        return None


def versions(engine: Engine, name: str) -> list[Segment]:
    ensure_table(engine)
    rows = engine.fetchall(f"SELECT * FROM {TABLE} WHERE name = ? ORDER BY version", [name])
    if not rows:
        get(engine, name)  # raises NotFound with a suggestion
    return [_segment(r) for r in rows]


def list_latest(engine: Engine) -> list[Segment]:
    ensure_table(engine)
    rows = engine.fetchall(
        f"SELECT * FROM {TABLE} QUALIFY version = max(version) OVER (PARTITION BY name) "
        "ORDER BY name")
    return [_segment(r) for r in rows]


def resolve(engine: Engine, catalog: Catalog, name_or_expression: str,
            version: int | None = None) -> tuple[str, Audience]:
    """A saved segment by name, else the text as an expression: (label, audience)."""
    ensure_table(engine)
    found = engine.scalar(f"SELECT count(*) FROM {TABLE} WHERE name = ?",
                          [name_or_expression.strip()])
    if found:
        segment = get(engine, name_or_expression.strip(), version)
        return (f"{segment.name} v{segment.version}",
                compile_for(engine, segment.expression, catalog))
    if version is not None:
        get(engine, name_or_expression.strip(), version)  # raises NotFound
    try:
        return name_or_expression, compile_for(engine, name_or_expression, catalog)
    except AudienceError:
        names = [s.name for s in list_latest(engine)]
        close = difflib.get_close_matches(name_or_expression.strip(), names, n=1, cutoff=0.5)
        if close and not re.search(r"[\s=<>!]", name_or_expression.strip()):
            raise NotFound(f"没有这个分群 no such segment '{name_or_expression}'；您是否想找 "
                           f"did you mean '{close[0]}'") from None
        raise


def resolve_all(engine: Engine, catalog: Catalog,
                items: Iterable[str]) -> list[tuple[str, Audience]]:
    return [resolve(engine, catalog, item) for item in items]


def _segment(row: tuple[object, ...]) -> Segment:
    name, version, expression, written, description, tags, created, as_of, members = row
    return Segment(str(name), int(str(version)), str(expression), str(written),
                   None if description is None else str(description),
                   tuple(tags) if isinstance(tags, list | tuple) else (),
                   created if isinstance(created, datetime) else datetime.min,
                   as_of if isinstance(as_of, date) else None,
                   None if members is None else int(str(members)))
