"""How a canonical table is described: plain frozen definitions, no engine knowledge."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Kind(StrEnum):
    """What a column holds; decides its SQL type and the cleaning it gets."""

    ID = "id"
    TEXT = "text"
    PHONE = "phone"
    EMAIL = "email"
    GENDER = "gender"
    DATE = "date"
    TIMESTAMP = "timestamp"
    MONEY = "money"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    ENUM = "enum"
    JSON = "json"


SQL_TYPES: dict[Kind, str] = {
    Kind.ID: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.PHONE: "VARCHAR",
    Kind.EMAIL: "VARCHAR",
    Kind.GENDER: "VARCHAR",
    Kind.DATE: "DATE",
    Kind.TIMESTAMP: "TIMESTAMP",
    Kind.MONEY: "DECIMAL(18,2)",
    Kind.INT: "BIGINT",
    Kind.FLOAT: "DOUBLE",
    Kind.BOOL: "BOOLEAN",
    Kind.ENUM: "VARCHAR",
    Kind.JSON: "JSON",
}


class Column(BaseModel):
    """One canonical column: its kind, constraints and the headers sources use for it."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: Kind
    label_zh: str
    required: bool = False
    pii: bool = False
    # bounds: a value outside [min_value, max_value] is rejected (or cleared if optional)
    min_value: float | None = None
    max_value: float | None = None
    # enum columns: canonical code -> accepted spellings (case-insensitive)
    values: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # money/number columns whose unusually large values are flagged (kept, but reported)
    flag_outliers: bool = False
    # headers seen in real exports, Chinese and English, used to suggest a mapping
    synonyms: tuple[str, ...] = ()

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


class CrossCheck(BaseModel):
    """A rule between fields of one row (a real-world logic check, e.g. paid ≤ total).

    `expr` is a condition over canonical column names that is true when the row is
    wrong; it applies only when the source maps every column it names.
    """

    model_config = ConfigDict(frozen=True)

    reason: str
    field: str          # the field the problem is reported on (and cleared, for "clear")
    expr: str
    action: str = Field(pattern="^(flag|clear|reject)$")


class Table(BaseModel):
    """One canonical table with its key and the columns a source may supply."""

    model_config = ConfigDict(frozen=True)

    name: str
    label_zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # when a source omits the key, it is generated from these columns (deterministic)
    generated_key_from: tuple[str, ...] = ()
    # True: a re-sent key replaces the stored row (members, orders change state);
    # False: rows are immutable facts, a re-sent key is skipped (events).
    upsert: bool = True
    checks: tuple[CrossCheck, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def pii_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.pii)
