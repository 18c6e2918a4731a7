"""The composite index definition: plain, frozen data loaded from YAML.

A definition names the indicator system (indicators, optionally in groups), how values
are standardised, how weights are set (by hand, entropy, AHP, or a mix) and the class
rules. It knows nothing of the engine; `data.py`, `weights.py`, `scoring.py` and
`classes.py` turn it into numbers.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from ...errors import ConfigError

RESERVED = frozenset({"score", "rank", "percentile", "entity_id", "entity_label", "as_of"})
KEY_PATTERN = r"^[^\W\d]\w*$"  # an identifier; Chinese letters are letters


class CompositeConfigError(ConfigError):
    """The composite definition is wrong; names the file and the field."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None
                 ) -> None:
        where = ", ".join(p for p in (f"文件 file={file}" if file else "",
                                      f"字段 field={field}" if field else "") if p)
        super().__init__(f"{message} ({where})" if where else message)
        self.file, self.field = file, field


def _judgement(value: object) -> float:
    """A pairwise judgement: a number, or a fraction written as text ("1/3")."""
    if isinstance(value, bool):
        raise ValueError("判断值应为数字 a judgement must be a number, e.g. 3 or \"1/3\"")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            pass
    raise ValueError(f"判断值无法识别 cannot read judgement {value!r}; write 3 or \"1/3\"")


def _matrix(value: object) -> tuple[tuple[float, ...], ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(r, list | tuple)
                                                      for r in value):
        raise ValueError("判断矩阵应为行的列表 the pairwise matrix is a list of rows")
    return tuple(tuple(_judgement(v) for v in row) for row in value)


Matrix = Annotated[tuple[tuple[float, ...], ...], BeforeValidator(_matrix)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Indicator(_Frozen):
    """One indicator: where its value comes from and which way is better."""

    key: str = Field(pattern=KEY_PATTERN)
    zh: str
    en: str = ""
    column: str | None = None   # a column of the data (default: the key)
    expr: str | None = None     # or a restricted SQL expression over the data's columns
    direction: Literal["benefit", "cost"] = "benefit"
    weight: float | None = Field(default=None, ge=0)
    group: str | None = None
    missing: Literal["median", "mean", "zero", "worst", "error"] = "median"
    unit: str = ""

    @model_validator(mode="after")
    def _one_source(self) -> Indicator:
        if self.column is not None and self.expr is not None:
            raise ValueError("column 与 expr 只能写一个 give either column or expr, not both")
        return self

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" or not self.en else self.en


class Group(_Frozen):
    """A first-level indicator (一级指标): its indicators share one weight."""

    key: str = Field(pattern=KEY_PATTERN)
    zh: str
    en: str = ""
    weight: float | None = Field(default=None, ge=0)
    pairwise: Matrix | None = None  # AHP among this group's indicators, in config order

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" or not self.en else self.en


class Weighting(_Frozen):
    """How indicator weights are set.

    `hand`: the `weight` of each indicator (and group). `entropy`: from the data.
    `ahp`: from `pairwise` (over groups when there are groups, else over indicators) and
    each group's own `pairwise`. `combined`: `alpha` × subjective (hand or ahp) +
    (1 − `alpha`) × entropy (主客观组合赋权).
    """

    method: Literal["hand", "entropy", "ahp", "combined"] = "hand"
    pairwise: Matrix | None = None
    subjective: Literal["hand", "ahp"] = "ahp"
    alpha: float = Field(default=0.5, ge=0, le=1)


class ClassLabel(_Frozen):
    code: str = Field(min_length=1)
    zh: str = ""
    en: str = ""
    advice_zh: str = ""
    advice_en: str = ""

    def label(self, lang: str) -> str:
        text = self.zh if lang == "zh" else self.en
        return text or self.zh or self.en or self.code


class ClassRule(ClassLabel):
    when: str = Field(min_length=1)


class Classification(_Frozen):
    """Rules tried in order; the first that holds gives the class, else `default`."""

    key: str = Field(pattern=KEY_PATTERN)
    zh: str
    en: str = ""
    rules: tuple[ClassRule, ...] = Field(min_length=1)
    default: ClassLabel

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" or not self.en else self.en

    def labels(self) -> dict[str, ClassLabel]:
        out: dict[str, ClassLabel] = {}
        for item in (*self.rules, self.default):
            out.setdefault(item.code, item)
        return out


class FileData(_Frozen):
    """Indicators from a file (CSV, Excel, Parquet, JSON lines): one row per entity."""

    source: Literal["file"]
    path: str | None = None         # relative to the config file; --data overrides
    id: str                         # the column naming each entity
    label: str | None = None        # a display name column
    sheet: str | int | None = None


class WarehouseData(_Frozen):
    """Indicators computed per entity from the warehouse (see `store_facts.py`)."""

    source: Literal["warehouse"]
    entity: Literal["stores"] = "stores"
    window_days: int = Field(default=365, ge=28, le=1100)


class CompositeConfig(_Frozen):
    """A composite index model (综合指数模型)."""

    zh: str
    en: str = ""
    entity_zh: str = "对象"
    entity_en: str = "entity"
    data: FileData | WarehouseData = Field(discriminator="source")
    standardise: Literal["minmax", "zscore"] = "minmax"
    weighting: Weighting = Weighting()
    groups: tuple[Group, ...] = ()
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    classifications: tuple[Classification, ...] = ()

    _path: Path | None = PrivateAttr(default=None)

    @property
    def origin(self) -> str:
        """The file this came from, for messages ('' when built in code)."""
        return str(self._path) if self._path else ""

    @property
    def base_dir(self) -> Path:
        return self._path.parent if self._path else Path()

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" or not self.en else self.en

    def group_members(self) -> dict[str, list[Indicator]]:
        return {g.key: [i for i in self.indicators if i.group == g.key] for g in self.groups}

    @model_validator(mode="after")
    def _consistent(self) -> CompositeConfig:
        _check_names(self)
        _check_weighting(self)
        return self


def _check_names(cfg: CompositeConfig) -> None:
    seen: dict[str, str] = {}
    named = [("indicators", i.key) for i in cfg.indicators] + \
        [("groups", g.key) for g in cfg.groups] + \
        [("classifications", c.key) for c in cfg.classifications]
    for where, key in named:
        if key in RESERVED:
            raise ValueError(f"{where}: 名称 '{key}' 是保留字 is reserved "
                             f"({', '.join(sorted(RESERVED))})")
        if key in seen:
            raise ValueError(f"{where}: 名称重复 duplicate name '{key}' (also in {seen[key]})")
        seen[key] = where
    groups = {g.key for g in cfg.groups}
    for ind in cfg.indicators:
        if cfg.groups and ind.group is None:
            raise ValueError(f"indicators[{ind.key}].group: 已定义分组时每个指标都要属于一个分组 "
                             f"every indicator needs a group when groups are defined "
                             f"({', '.join(sorted(groups))})")
        if ind.group is not None and ind.group not in groups:
            raise ValueError(f"indicators[{ind.key}].group: 未知的分组 unknown group "
                             f"'{ind.group}'")
    for g, members in cfg.group_members().items():
        if not members:
            raise ValueError(f"groups[{g}]: 分组没有指标 the group has no indicators")


def _check_weighting(cfg: CompositeConfig) -> None:
    method = cfg.weighting.method
    subjective = method if method in ("hand", "ahp") else \
        (cfg.weighting.subjective if method == "combined" else None)
    if subjective == "hand":
        missing = [i.key for i in cfg.indicators if i.weight is None]
        if missing:
            raise ValueError(f"indicators: 手工赋权需要每个指标的 weight; hand weighting needs "
                             f"a weight for every indicator; missing: {', '.join(missing)}")
        if cfg.groups and any(g.weight is None for g in cfg.groups) and \
                any(g.weight is not None for g in cfg.groups):
            raise ValueError("groups: 分组权重要么都写，要么都不写 give a weight to every group "
                             "or to none")
    if subjective == "ahp":
        top = [g.key for g in cfg.groups] or [i.key for i in cfg.indicators]
        _check_square(cfg.weighting.pairwise, top, "weighting.pairwise")
        for g, members in cfg.group_members().items():
            group = next(x for x in cfg.groups if x.key == g)
            if len(members) > 1 or group.pairwise is not None:
                _check_square(group.pairwise, [i.key for i in members],
                              f"groups[{g}].pairwise")


SAATY_MIN, SAATY_MAX = 1 / 9, 9.0


def _check_square(m: tuple[tuple[float, ...], ...] | None, keys: list[str], field: str
                  ) -> None:
    n = len(keys)
    order = ", ".join(keys)
    if m is None:
        raise ValueError(f"{field}: 层次分析法需要 {n}×{n} 判断矩阵 AHP needs a {n}×{n} "
                         f"pairwise matrix (rows and columns in this order: {order})")
    if len(m) != n or any(len(row) != n for row in m):
        raise ValueError(f"{field}: 判断矩阵应为 {n}×{n} the matrix must be {n}×{n} "
                         f"(order: {order}); got {len(m)} rows of "
                         f"{sorted({len(r) for r in m})} values")
    for i in range(n):
        if abs(m[i][i] - 1) > 1e-9:
            raise ValueError(f"{field}: 对角线应为 1 the diagonal must be 1 "
                             f"(row {i + 1} {keys[i]}: {m[i][i]:g})")
        for j in range(n):
            a = m[i][j]
            if not SAATY_MIN - 1e-9 <= a <= SAATY_MAX + 1e-9:
                raise ValueError(f"{field}: {keys[i]} 比 {keys[j]} = {a:g} 超出 1/9–9 标度 "
                                 f"is outside Saaty's 1/9–9 scale")
            if j > i and abs(a * m[j][i] - 1) > 0.02:
                raise ValueError(f"{field}: 矩阵应互反 the matrix must be reciprocal: "
                                 f"{keys[i]}→{keys[j]} = {a:g} but {keys[j]}→{keys[i]} = "
                                 f"{m[j][i]:g} (expected {as_fraction(1 / a)})")


def as_fraction(value: float) -> str:
    """3.0 → '3', 0.333 → '1/3' (Saaty's scale reads as whole numbers or reciprocals)."""
    if value >= 1:
        return f"{value:.3g}" if abs(value - round(value)) > 1e-6 else str(round(value))
    inverse = 1 / value
    return f"1/{round(inverse)}" if abs(inverse - round(inverse)) < 1e-6 else f"{value:.3g}"


def load_config(path: Path | str) -> CompositeConfig:
    """Read a composite definition from YAML; errors name the file and the field."""
    path = Path(path)
    if not path.exists():
        raise CompositeConfigError("配置文件不存在 config file not found", file=str(path))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise CompositeConfigError(f"YAML 格式错误 invalid YAML: {e}", file=str(path)) from e
    if not isinstance(raw, dict):
        raise CompositeConfigError("配置应为映射 the config must be a mapping of fields",
                                   file=str(path))
    cfg = parse_config(raw, origin=str(path))
    cfg._path = path
    return cfg


def parse_config(raw: dict[str, Any], *, origin: str = "") -> CompositeConfig:
    """Validate a definition given as data (`origin` names it in messages)."""
    try:
        return CompositeConfig.model_validate(_keyed(raw))
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"] if not _is_union_tag(p))
        text = re.sub(r"^Value error, ", "", first["msg"])
        # whole-model checks say which field in front of the message: "groups[x].pairwise: …"
        named = re.match(r"^([\w.\[\]]+): (.*)$", text, flags=re.S)
        if named and not field:
            field, text = named.group(1), named.group(2)
        more = f"（另有 {e.error_count() - 1} 处 and {e.error_count() - 1} more）" \
            if e.error_count() > 1 else ""
        raise CompositeConfigError(f"配置无效 invalid config: {text}{more}",
                                   file=origin or None, field=field or None) from e


def _is_union_tag(part: object) -> bool:
    return part in ("file", "warehouse")


def _keyed(raw: dict[str, Any]) -> dict[str, Any]:
    """Accept a `class` key in rules (what people write) for the `code` field."""
    out = dict(raw)
    classifications = []
    for c in raw.get("classifications") or []:
        if isinstance(c, dict):
            c = dict(c)
            c["rules"] = [_code(r) for r in c.get("rules") or []]
            if "default" in c:
                c["default"] = _code(c["default"])
        classifications.append(c)
    if "classifications" in raw:
        out["classifications"] = classifications
    return out


def _code(item: object) -> object:
    if isinstance(item, str):
        return {"code": item}
    if isinstance(item, dict) and "class" in item and "code" not in item:
        item = dict(item)
        item["code"] = item.pop("class")
    return item
