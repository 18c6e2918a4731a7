"""Property: on random expressions over the real catalog tags and the values present in
a generated profile, the bitmap index and the SQL query select the same members."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memberlens.engine import DuckDBEngine, open_engine
from memberlens.segments.audience import count, member_ids
from memberlens.segments.binding import compile_audience
from memberlens.segments.expression import (
    COMPARE_OPS,
    And,
    Between,
    Compare,
    Contains,
    InList,
    IsNull,
    Node,
    Not,
    Or,
    Scalar,
    Within,
    to_text,
)
from memberlens.segments.index import AudienceIndex, current_index, rebuild_index
from memberlens.settings import Settings
from memberlens.tags import Catalog, load_catalog
from memberlens.tags.definition import ValueType


@pytest.fixture(scope="module", params=["as built by run_tags", "three buckets"])
def indexed(request: pytest.FixtureRequest, tagged_warehouse: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBEngine]:
    """The run_tags index, and one with three buckets per tag (most answers then split
    a bucket on raw values)."""
    path = tagged_warehouse
    if request.param == "three buckets":
        path = tmp_path_factory.mktemp("coarse") / "wh.duckdb"
        shutil.copy(tagged_warehouse, path)
        engine = open_engine(Settings(warehouse=path))
        rebuild_index(engine, buckets=3)
        engine.close()
    engine = open_engine(Settings(warehouse=path), read_only=True)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


class Pools(dict[str, tuple[ValueType, list[Any]]]):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"<values of {len(self)} tags>"


@pytest.fixture(scope="module")
def pools(indexed: DuckDBEngine, catalog: Catalog) -> Pools:
    """For each catalog tag in the profile: values present (and a few next to them)."""
    columns = {r[0] for r in indexed.fetchall(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'member_profile'")}
    out = Pools()
    for tag in catalog:
        if tag.key not in columns:
            continue
        col = f'"{tag.key}"'
        source = f"unnest({col})" if tag.type is ValueType.LIST else col
        rows = indexed.fetchall(f"SELECT DISTINCT v FROM (SELECT {source} AS v FROM "
                                f"member_profile) WHERE v IS NOT NULL ORDER BY v")
        step = max(1, len(rows) // 60)  # spread over the whole range
        values = [_literal(r[0], tag.type) for r in rows[::step]]
        if tag.values:  # enumerated (scores 1–5): the binder takes nothing else
            out[tag.key] = (tag.type, values)
        else:
            out[tag.key] = (tag.type, _neighbours(values, tag.type))
    return out


def _literal(value: Any, typ: ValueType) -> Scalar:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(microsecond=0)  # the language writes whole seconds
    return value  # type: ignore[no-any-return]


def _neighbours(values: list[Any], typ: ValueType) -> list[Any]:
    """The values, plus values just beside them (ties and bucket edges are the risk)."""
    extra: list[Any] = []
    for v in values[:20]:
        if typ is ValueType.INT:
            extra += [v - 1, v + 1, v + 0.5]
        elif typ is ValueType.MONEY:
            extra += [round(v - 0.01, 2), round(v + 0.01, 2), v + 0.005]
        elif typ is ValueType.FLOAT:
            extra += [v * 1.000001, v + 1e-09]
        elif typ is ValueType.TIMESTAMP:
            extra += [v + timedelta(seconds=1), v - timedelta(seconds=1)]
        elif typ is ValueType.DATE:
            extra += [v + timedelta(days=1)]
    return values + extra


def _condition(draw: st.DrawFn, tag: str, typ: ValueType, values: list[Any]) -> Node:
    pick = st.sampled_from(values) if values else st.just(1)
    kinds = {
        ValueType.INT: ("compare", "in", "between", "null"),
        ValueType.FLOAT: ("compare", "in", "between", "null"),
        ValueType.MONEY: ("compare", "in", "between", "null"),
        ValueType.STRING: ("eq", "in", "null"),
        ValueType.BOOL: ("eq", "null"),
        ValueType.DATE: ("compare", "between", "null", "within"),
        ValueType.TIMESTAMP: ("compare", "between", "null", "within"),
        ValueType.LIST: ("contains", "null"),
    }[typ]
    kind = draw(st.sampled_from(kinds))
    if kind == "null" or not values:
        return IsNull(tag)
    if kind == "compare":
        return Compare(tag, draw(st.sampled_from(COMPARE_OPS)), draw(pick))
    if kind == "eq":
        return Compare(tag, draw(st.sampled_from(["=", "!="])), draw(pick))
    if kind == "in":
        return InList(tag, tuple(draw(st.lists(pick, min_size=1, max_size=4))))
    if kind == "between":
        return Between(tag, draw(pick), draw(pick))
    if kind == "within":
        return Within(tag, draw(st.integers(1, 800)))
    return Contains(tag, draw(pick))


@st.composite
def trees(draw: st.DrawFn, pools: Pools) -> Node:
    leaves = st.sampled_from(sorted(pools)).flatmap(
        lambda tag: st.composite(lambda d: _condition(d, tag, *pools[tag]))())
    return draw(st.recursive(leaves, lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs)))),
        max_leaves=6))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_index_and_sql_select_the_same_members(indexed: DuckDBEngine, catalog: Catalog,
                                               pools: Pools,
                                               data: st.DataObject) -> None:
    index = current_index(indexed)
    assert isinstance(index, AudienceIndex)
    tree = data.draw(trees(pools))
    audience = compile_audience(to_text(tree), catalog)
    expected = member_ids(indexed, audience, use_index=False).to_pylist()
    # the index must answer itself (no fallback to SQL) and agree
    assert index.count(audience) == count(indexed, audience, use_index=False) \
        == len(expected), audience.canonical
    assert index.members(audience).to_pylist() == expected, audience.canonical


def test_the_pools_cover_every_kind_of_tag(pools: Pools
                                           ) -> None:
    kinds = {typ for typ, values in pools.values() if values}
    assert kinds >= {ValueType.INT, ValueType.FLOAT, ValueType.MONEY, ValueType.STRING,
                     ValueType.BOOL, ValueType.TIMESTAMP, ValueType.LIST}
    assert date(2026, 1, 1) > date(2025, 1, 1)
