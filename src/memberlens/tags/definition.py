"""What a tag is: a plain, frozen definition loaded from YAML, knowing nothing of engines."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    """The families of DOMAIN.md's tag system, in the order a profile shows them."""

    BASIC = "basic"
    BEHAVIOUR = "behaviour"
    PREFERENCE = "preference"
    VALUE = "value"
    ACTIVITY = "activity"
    PREDICTIVE = "predictive"


CATEGORY_LABELS: dict[Category, tuple[str, str]] = {
    Category.BASIC: ("基础属性", "Basic attributes"),
    Category.BEHAVIOUR: ("行为", "Behaviour"),
    Category.PREFERENCE: ("偏好", "Preferences"),
    Category.VALUE: ("价值", "Value"),
    Category.ACTIVITY: ("活跃度", "Activity"),
    Category.PREDICTIVE: ("预测", "Predictive"),
}


class Freshness(StrEnum):
    STATIC = "static"
    DAILY = "daily"
    REALTIME = "realtime"


class ValueType(StrEnum):
    INT = "int"
    FLOAT = "float"
    MONEY = "money"
    STRING = "string"
    BOOL = "bool"
    DATE = "date"
    TIMESTAMP = "timestamp"
    LIST = "list"  # a list of strings, e.g. top categories

    @property
    def sql_type(self) -> str:
        return {
            "int": "BIGINT", "float": "DOUBLE", "money": "DECIMAL(18,2)", "string": "VARCHAR",
            "bool": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP",
            "list": "VARCHAR[]",
        }[self.value]


class Names(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str
    en: str


class RuleCompute(BaseModel):
    """A value from other tags and member columns, e.g. `case when age < 25 then ...`.

    `expr` is a restricted expression (no queries, no tables): names of tags and member
    columns, literals, arithmetic, comparisons, CASE, and a list of safe functions,
    including window functions over all members (percent_rank, ntile, sum … over).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["rule"] = "rule"
    expr: str


AggregateFunction = Literal[
    "count", "count_distinct", "sum", "avg", "min", "max", "stddev", "median",
    "mode", "share", "top", "top_share", "top_n",
]


class AggregateCompute(BaseModel):
    """A value aggregated over a member's records in a time window before the as-of date.

    `source` is one of the prepared record sets (purchases, orders, items, events,
    feedback); `filter` and `measure` are restricted expressions over its columns.
    `share` is sum(measure where filter) / sum(measure); `top`, `top_share` and `top_n`
    rank the values of `dimension` by sum(measure) (count when no measure).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["aggregate"] = "aggregate"
    source: Literal["purchases", "purchase_gaps", "orders", "items", "events", "feedback"]
    function: AggregateFunction
    measure: str | None = None
    filter: str | None = None
    window_days: int | None = Field(default=None, ge=1)
    # window ending window_offset_days before as-of (e.g. "the previous 90 days")
    window_offset_days: int = Field(default=0, ge=0)
    dimension: str | None = None
    n: int = Field(default=3, ge=1, le=20)
    default: float | int | str | None = None


class ModelCompute(BaseModel):
    """A predictive score written by a trained model (models capability)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["model"] = "model"
    model: str
    output: str = "score"


class BuiltinCompute(BaseModel):
    """Computed by memberlens' own code where SQL alone does not fit (Chinese word
    segmentation). Only the built-in catalog may use it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["builtin"] = "builtin"
    name: str
    params: dict[str, float | int | str] = Field(default_factory=dict)


Compute = Annotated[RuleCompute | AggregateCompute | ModelCompute | BuiltinCompute,
                    Field(discriminator="kind")]


class TagDefinition(BaseModel):
    """One tag, as declared in a catalog file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    name: Names
    category: Category
    freshness: Freshness = Freshness.DAILY
    type: ValueType
    values: list[str] | None = None
    unit: str | None = None
    description: Names
    compute: Compute
    source_file: str = Field(default="", exclude=True)

    def label(self, lang: str) -> str:
        return self.name.zh if lang == "zh" else self.name.en
