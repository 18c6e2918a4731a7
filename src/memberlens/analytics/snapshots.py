"""The dated tag snapshots in `tag_history` that trends and migrations read.

Every `memberlens tags run --as-of D` leaves one snapshot: one row per member known on
D, one column per tag. Analyses over time compare these snapshots rather than
recomputing tags, so they show exactly what a marketer saw on each date.

Tag names come from users (CLI, API), so they are checked against the table's columns
and put into queries as quoted identifiers, never as text.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import sqlglot
from sqlglot import exp

from ..engine.base import SOURCE_DIALECT, Engine
from ..errors import MemberlensError
from ..tags.tables import HISTORY
from .rfm import RFM_CLASSES

TAG_PLACEHOLDER = "_tag_"
# More distinct values than this and a from × to matrix stops being readable: the tag is
# a measure (spend, days), not a state.
MAX_STATES = 40

ACTIVITY_STATES: tuple[str, ...] = ("活跃", "沉默", "流失")

# English names of the tag values users see most; other values are shown as stored.
_VALUE_LABELS_EN: dict[str, str] = {
    "活跃": "Active",
    "沉默": "Silent",
    "流失": "Churned",
    "新客": "New",
    "成长期": "Growing",
    "成熟期": "Mature",
    "衰退期": "Declining",
    **{c.label_zh: c.label_en for c in RFM_CLASSES},
}
# What an empty value means for the tags where it is expected.
_EMPTY_LABELS: dict[str, tuple[str, str]] = {
    "rfm_class": ("未购买", "No purchase"),
}
NEW_LABEL = ("新增", "New")


class AnalysisError(MemberlensError):
    """An analysis was asked for something the warehouse cannot answer.

    The message names the tag or date and what to do (run the tags, pick another date).
    """

    http_status = 400


def state_label(tag: str, value: str | None, lang: str = "zh") -> str:
    """How a tag value is shown: English names for known values, a word for empty ones.

    Examples
    --------
    >>> state_label("activity_status", "沉默", "en")
    'Silent'
    >>> state_label("rfm_class", None)
    '未购买'
    """
    if value is None:
        zh, en = _EMPTY_LABELS.get(tag, ("（空）", "(empty)"))
        return zh if lang == "zh" else en
    return value if lang == "zh" else _VALUE_LABELS_EN.get(value, value)


def snapshot_dates(engine: Engine) -> list[date]:
    """The as-of dates of the stored snapshots, oldest first (empty without history)."""
    if not engine.table_exists(HISTORY):
        return []
    return [r[0] for r in engine.fetchall(f"SELECT DISTINCT as_of FROM {HISTORY} ORDER BY 1")]


def has_tag(engine: Engine, tag: str) -> bool:
    """Whether the snapshots have a column for `tag` (False without snapshots)."""
    if not engine.table_exists(HISTORY):
        return False
    columns = {r[0] for r in engine.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [HISTORY])}
    return tag in columns - {"member_id", "as_of"}


def check_tag(engine: Engine, tag: str) -> None:
    """Raise unless `tag` is a column of the snapshots (so it is safe to query)."""
    if not engine.table_exists(HISTORY):
        raise AnalysisError(
            f"没有标签快照 no tag snapshots ({HISTORY} is missing); "
            "run `memberlens tags run` (once per as-of date) first")
    if not has_tag(engine, tag):
        raise AnalysisError(
            f"标签不存在 unknown tag '{tag}' in {HISTORY}; "
            "`memberlens tags list` shows the tag keys")


def tag_query(sql: str, tag: str) -> exp.Expr:
    """Parse `sql` (DuckDB dialect) and put the quoted column `tag` where `_tag_` stands."""
    tree = sqlglot.parse_one(sql, read=SOURCE_DIALECT)

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name == TAG_PLACEHOLDER:
            return exp.column(tag, table=node.table or None, quoted=True)
        return node

    return tree.transform(swap)


def date_literal(d: date) -> str:
    """A DATE literal from a typed date (never from user text)."""
    return f"DATE '{d.isoformat()}'"


@lru_cache(maxsize=1)
def _catalog_values() -> dict[str, tuple[str, ...]]:
    from ..tags import load_catalog

    return {t.key: tuple(t.values) for t in load_catalog() if t.values}


def state_order(tag: str, seen: dict[str | None, int]) -> list[str | None]:
    """The order rows and columns are shown in: the catalog's value list, then the rest.

    Every value the catalog declares is listed, seen or not, so a chart's axes stay the
    same from one report to the next (流失 with 0 members is worth seeing). Values the
    catalog does not list (user tags) follow by count, largest first; the empty value
    comes last.
    """
    declared = list(_catalog_values().get(tag, ()))
    rest = sorted((v for v in seen if v is not None and v not in declared),
                  key=lambda v: (-seen[v], v))
    ordered: list[str | None] = [*declared, *rest]
    if None in seen:
        ordered.append(None)
    if len(ordered) > MAX_STATES:
        raise AnalysisError(
            f"标签取值过多 tag '{tag}' has {len(ordered)} distinct values; a migration needs "
            "a tag with a few states such as activity_status or rfm_class")
    return ordered


def pick_dates(available: list[date], date_from: date | None, date_to: date | None
               ) -> tuple[date, date]:
    """The two snapshots to compare: as given, or the neighbour of the one given.

    Without dates, the two latest; with one, its next (or previous) snapshot.
    """
    if len(available) < 2:
        raise AnalysisError(
            f"需要至少两个标签快照 need two tag snapshots, found {len(available)}; "
            "run `memberlens tags run --as-of YYYY-MM-DD` for an earlier date")
    shown = ", ".join(d.isoformat() for d in available)
    for d in (date_from, date_to):
        if d is not None and d not in available:
            raise AnalysisError(f"没有该日期的快照 no snapshot as of {d}; available: {shown}")
    if date_from is None and date_to is None:
        return available[-2], available[-1]
    if date_from is None:
        assert date_to is not None  # noqa: S101 - narrowed by the branch above
        earlier = [d for d in available if d < date_to]
        if not earlier:
            raise AnalysisError(f"{date_to} 之前没有快照 no snapshot before {date_to}")
        return earlier[-1], date_to
    if date_to is None:
        later = [d for d in available if d > date_from]
        if not later:
            raise AnalysisError(f"{date_from} 之后没有快照 no snapshot after {date_from}")
        return date_from, later[0]
    if date_from >= date_to:
        raise AnalysisError(
            f"起始日期须早于结束日期 date_from {date_from} must be before date_to {date_to}")
    return date_from, date_to
