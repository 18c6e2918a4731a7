"""The tag catalog: built-in YAML files in the package plus a user's own directory."""

from __future__ import annotations

import difflib
import graphlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import MemberlensError
from .definition import (
    AggregateCompute,
    BuiltinCompute,
    Category,
    Freshness,
    RuleCompute,
    TagDefinition,
    ValueType,
)
from .expressions import ExpressionError, parse_expression
from .sources import MEMBER_COLUMNS, SOURCE_COLUMNS


class TagDefinitionError(MemberlensError):
    """A catalog file is wrong; the message names the file, the tag and the field."""

    http_status = 400

    def __init__(self, message: str, *, file: str, tag: str | None = None,
                 field: str | None = None) -> None:
        where = " / ".join(p for p in (f"文件 file={file}", f"标签 tag={tag}" if tag else "",
                                       f"字段 field={field}" if field else "") if p)
        super().__init__(f"{message} ({where})")
        self.file, self.tag, self.field = file, tag, field


@dataclass
class Catalog:
    """All tags in dependency order, with where each came from."""

    tags: dict[str, TagDefinition]
    order: list[str]
    overridden: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[TagDefinition]:
        return (self.tags[k] for k in self.order)

    def __len__(self) -> int:
        return len(self.tags)

    def get(self, key: str) -> TagDefinition:
        try:
            return self.tags[key]
        except KeyError:
            close = difflib.get_close_matches(key, list(self.tags), n=1, cutoff=0.6)
            hint = f"; 您是否想写 did you mean '{close[0]}'?" if close else ""
            raise MemberlensError(f"未知的标签 unknown tag '{key}'{hint}") from None

    @property
    def display_order(self) -> list[TagDefinition]:
        """By category (basic first), then as the catalog files list them."""
        rank = {c: i for i, c in enumerate(Category)}
        return sorted(self.tags.values(), key=lambda t: rank[t.category])

    def by_category(self) -> dict[Category, list[TagDefinition]]:
        out: dict[Category, list[TagDefinition]] = {c: [] for c in Category}
        for tag in self.display_order:
            out[tag.category].append(tag)
        return out


def builtin_files() -> list[tuple[str, str]]:
    """(name, text) of the catalog files shipped in the package."""
    folder = resources.files("memberlens.tags").joinpath("catalog")
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir()
                  if f.name.endswith((".yaml", ".yml")))


def load_catalog(user_dirs: Iterable[Path] = ()) -> Catalog:
    """Built-in tags, then the user's (a user tag with a built-in key replaces it)."""
    tags: dict[str, TagDefinition] = {}
    for name, text in builtin_files():
        for tag in _parse_file(text, f"builtin:{name}", builtin=True):
            if tag.key in tags:
                raise TagDefinitionError("标签重复定义 tag defined twice", file=name,
                                         tag=tag.key, field="key")
            tags[tag.key] = tag
    overridden: list[str] = []
    seen_user: dict[str, str] = {}
    for folder in user_dirs:
        files = sorted(folder.glob("*.y*ml")) if folder.is_dir() else [folder]
        for path in files:
            for tag in _parse_file(path.read_text(encoding="utf-8"), str(path), builtin=False):
                if tag.key in seen_user:
                    raise TagDefinitionError(
                        f"标签重复定义 tag defined twice (also in {seen_user[tag.key]})",
                        file=str(path), tag=tag.key, field="key")
                seen_user[tag.key] = str(path)
                if tag.key in tags:
                    overridden.append(tag.key)
                tags[tag.key] = tag
    return Catalog(tags=tags, order=_dependency_order(tags), overridden=overridden)


def _parse_file(text: str, file: str, *, builtin: bool) -> list[TagDefinition]:
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        raise TagDefinitionError(f"YAML 格式错误 invalid YAML: {e}", file=file) from e
    items = raw.get("tags") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise TagDefinitionError("文件应包含 tags: 列表 the file must hold a list `tags:`",
                                 file=file)
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise TagDefinitionError(f"每个标签应是一个映射 each tag must be a mapping of fields "
                                     f"(key: …, name: …), got {item!r}", file=file,
                                     tag=f"#{i + 1}")
        key = item.get("key")
        try:
            tag = TagDefinition.model_validate({**item, "source_file": file})
        except ValidationError as e:
            raise _explain(e, item, file, key or f"#{i + 1}") from e
        if isinstance(tag.compute, BuiltinCompute) and not builtin:
            raise TagDefinitionError("只有内置标签可以使用 builtin only built-in tags may use "
                                     "compute kind 'builtin'; use rule or aggregate",
                                     file=file, tag=tag.key, field="compute.kind")
        out.append(tag)
    return out


_CHOICES: dict[str, list[str]] = {
    "category": [c.value for c in Category],
    "freshness": [f.value for f in Freshness],
    "type": [t.value for t in ValueType],
    "kind": ["rule", "aggregate", "model", "builtin"],
    "source": list(SOURCE_COLUMNS),
    "function": list(AggregateCompute.model_fields["function"].annotation.__args__),  # type: ignore[union-attr]
}
_FIELDS = list(TagDefinition.model_fields) + list(RuleCompute.model_fields) + list(
    AggregateCompute.model_fields)


def _explain(e: ValidationError, item: Any, file: str, tag: str) -> TagDefinitionError:
    """The first problem, with the field's path and the nearest valid name or value."""
    # a misspelt field shows as "missing X" and "unknown Y"; the unknown one has the typo
    errors = sorted(e.errors(), key=lambda x: x["type"] != "extra_forbidden")
    err = errors[0]
    # the discriminated union adds the compute kind to the path: compute.aggregate.source
    raw = [str(p) for p in err["loc"] if not str(p).endswith("Compute")]
    loc = [p for i, p in enumerate(raw)
           if not (i > 0 and raw[i - 1] == "compute" and p in _CHOICES["kind"])]
    if err["type"] == "union_tag_invalid":
        loc.append("kind")
    path = ".".join(loc) or "?"
    last = loc[-1] if loc else ""
    hint = ""
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(last, _FIELDS, n=1, cutoff=0.6)
        hint = f"; 您是否想写 did you mean '{close[0]}'?" if close else ""
        msg = f"未知的字段 unknown field '{last}'{hint}"
    elif err["type"] == "missing":
        msg = f"缺少字段 missing field '{last}'"
    elif last in _CHOICES or err["type"] in ("enum", "literal_error", "union_tag_invalid"):
        value = str(err.get("ctx", {}).get("tag", err.get("input", "")))
        options = _CHOICES.get(last, [])
        close = difflib.get_close_matches(value, options, n=1, cutoff=0.5)
        hint = f"; 您是否想写 did you mean '{close[0]}'?" if close else ""
        msg = f"取值无效 invalid value '{value}'{hint}; 可选 choose from: {', '.join(options)}"
    else:
        msg = f"{err['msg']}"
    return TagDefinitionError(msg, file=file, tag=tag, field=path)


def _dependency_order(tags: dict[str, TagDefinition]) -> list[str]:
    """Tags in an order where each comes after those it reads; cycles are refused."""
    graph: dict[str, set[str]] = {}
    for key, tag in tags.items():
        deps: set[str] = set()
        where = f"{tag.source_file} / {key}"
        if isinstance(tag.compute, RuleCompute):
            try:
                checked = parse_expression(
                    tag.compute.expr, names=[k for k in tags if k != key],
                    qualified={"members": MEMBER_COLUMNS}, where=f"{where} / compute.expr")
            except ExpressionError as e:
                raise TagDefinitionError(str(e), file=tag.source_file, tag=key,
                                         field="compute.expr") from e
            deps = set(checked.tags)
        elif isinstance(tag.compute, AggregateCompute):
            _check_aggregate(tag, tag.compute)
        graph[key] = deps
    sorter = graphlib.TopologicalSorter(graph)
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as e:
        cycle = " → ".join(e.args[1])
        first = e.args[1][0]
        raise TagDefinitionError(f"标签之间存在循环依赖 tags depend on each other in a "
                                 f"cycle: {cycle}", file=tags[first].source_file, tag=first,
                                 field="compute.expr") from e


def _check_aggregate(tag: TagDefinition, agg: AggregateCompute) -> None:
    columns = SOURCE_COLUMNS[agg.source]
    for field_name in ("measure", "filter", "dimension"):
        text = getattr(agg, field_name)
        if text is None:
            continue
        try:
            parse_expression(text, names=columns,
                             where=f"{tag.source_file} / {tag.key} / compute.{field_name}")
        except ExpressionError as e:
            raise TagDefinitionError(str(e), file=tag.source_file, tag=tag.key,
                                     field=f"compute.{field_name}") from e
    needs_dimension = agg.function in ("top", "top_share", "top_n")
    if needs_dimension and not agg.dimension:
        raise TagDefinitionError(f"函数 {agg.function} 需要 dimension needs a dimension",
                                 file=tag.source_file, tag=tag.key, field="compute.dimension")
    if agg.function not in ("count", "share", "top", "top_share", "top_n") and not agg.measure:
        raise TagDefinitionError(f"函数 {agg.function} 需要 measure needs a measure",
                                 file=tag.source_file, tag=tag.key, field="compute.measure")
