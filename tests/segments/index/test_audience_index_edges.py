"""The index answers exactly like SQL on hand-made edge cases: ties at bucket edges,
nulls, NaN, -0.0, negative numbers, decimals, microsecond timestamps, empty lists."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyroaring import BitMap

from memberlens.engine import DuckDBEngine
from memberlens.segments.audience import count, member_ids
from memberlens.segments.binding import compile_audience
from memberlens.segments.index import AudienceIndex, current_index, rebuild_index
from memberlens.segments.index import bitmaps as bm
from memberlens.tags.catalog import Catalog
from memberlens.tags.definition import (
    Category,
    Names,
    RuleCompute,
    TagDefinition,
    ValueType,
)

COLUMNS = {  # column → (SQL type, catalog type, values; one per member, cycled)
    "n": ("BIGINT", ValueType.INT,
          [-5, -5, -1, 0, 0, 0, 1, 2, 2, 2, 3, 10, 10, None, 7, 2, -5, 0]),
    "money": ("DECIMAL(18,2)", ValueType.MONEY,
              ["-0.01", "0.00", "0.00", "99.99", "99.99", "100.00", "100.01",
               "1234567.89", None, "0.01", "99.98", "-250.50"]),
    "f": ("DOUBLE", ValueType.FLOAT,
          ["nan", "-0.0", "0.0", "0.1", "0.30000000000000004", "1e-05", "inf", None,
           "2.5", "2.5", "-inf", "-3.75", "0.3"]),
    "d": ("DATE", ValueType.DATE,
          ["2025-12-31", "2025-12-02", "2025-12-01", "2024-02-29", None, "2026-01-01",
           "2025-12-02"]),
    "ts": ("TIMESTAMP", ValueType.TIMESTAMP,
           ["2025-12-31 23:59:59.999999", "2026-01-01 00:00:00", "2025-12-02 00:00:00",
            "2025-12-01 23:59:59", None, "2025-12-02 00:00:00.000001",
            "2025-12-02 00:00:00"]),
    "s": ("VARCHAR", ValueType.STRING, ["a", "A", "", "it's", 'a"b', None, "北京市", "a"]),
    "b": ("BOOLEAN", ValueType.BOOL, [True, False, None, True, True]),
    "l": ("VARCHAR[]", ValueType.LIST,
          [[], None, ["x", "x"], [None], ["x", None, "y"], ["y"], ["奶粉", "x"]]),
}
MEMBERS = 61  # a prime: the value lists above cycle out of step


def _catalog() -> Catalog:
    tags = {key: TagDefinition(key=key, name=Names(zh=key + "标签", en=key + " tag"),
                               category=Category.BASIC, type=typ,
                               description=Names(zh="测试", en="test"),
                               compute=RuleCompute(expr="1"))
            for key, (_, typ, _) in COLUMNS.items()}
    return Catalog(tags=tags, order=list(tags))


CATALOG = _catalog()


@pytest.fixture
def profile(engine: DuckDBEngine) -> Iterator[DuckDBEngine]:
    cols = ", ".join(f"{k} {sql}" for k, (sql, _, _) in COLUMNS.items())
    engine.execute(f"CREATE TABLE member_profile (member_id VARCHAR, as_of DATE, {cols})")
    # rows in a shuffled id order: positions are row numbers, member lists id order
    order = np.random.default_rng(3).permutation(MEMBERS)
    for i in order.tolist():
        row = [f"M{i:03d}"] + [vals[i % len(vals)] for _, _, vals in COLUMNS.values()]
        casts = ", ".join(f"CAST(? AS {sql})" for sql, _, _ in COLUMNS.values())
        engine.execute(f"INSERT INTO member_profile VALUES (?, DATE '2026-01-01', {casts})",
                       row)
    yield engine


def _index(engine: DuckDBEngine, buckets: int) -> AudienceIndex:
    rebuild_index(engine, buckets=buckets)
    index = current_index(engine)
    assert index is not None
    return index


def _same(engine: DuckDBEngine, index: AudienceIndex, text: str) -> list[str]:
    audience = compile_audience(text, CATALOG)
    want = member_ids(engine, audience, use_index=False).to_pylist()
    assert index.members(audience).to_pylist() == want, text
    assert index.count(audience) == len(want), text
    return list(want)


NUMBER_LITERALS = {
    "n": ["-6", "-5", "-4.5", "-1", "0", "0.5", "1", "2", "2.0", "3", "9.99", "10", "11",
          "1e-05", "-1e-05"],
    "money": ["-0.01", "-0.005", "0", "0.001", "99.98", "99.985", "99.99", "99.995",
              "100", "100.01", "1234567.89", "1234567.9", "-300", "5e-05"],
    "f": ["-4", "-3.75", "-0.0", "0", "1e-05", "0.1", "0.3", "0.30000000000000004",
          "2.5", "3", "1e+300", "-1e+300"],
}
OPS = ["=", "!=", "<", "<=", ">", ">="]


@pytest.mark.parametrize("buckets", [1, 2, 3, 32])
def test_numbers_compare_exactly_like_sql(profile: DuckDBEngine, buckets: int) -> None:
    index = _index(profile, buckets)
    for tag, literals in NUMBER_LITERALS.items():
        for op, lit in itertools.product(OPS, literals):
            _same(profile, index, f"{tag} {op} {lit}")
            _same(profile, index, f"not {tag} {op} {lit}")
        for low, high in itertools.combinations(literals[::2], 2):
            _same(profile, index, f"{tag} between {low} and {high}")
            _same(profile, index, f"{tag} between {high} and {low}")
        _same(profile, index, f"{tag} in ({', '.join(literals[:5])})")
        _same(profile, index, f"{tag} is null or {tag} is not null")


@pytest.mark.parametrize("buckets", [2, 32])
def test_dates_times_and_within(profile: DuckDBEngine, buckets: int) -> None:
    index = _index(profile, buckets)
    moments = ['"2025-12-01"', '"2025-12-02"', '"2025-12-31"', '"2026-01-01"',
               '"2025-12-02 00:00:00"', '"2025-12-02 00:00:01"', '"2025-12-31 23:59:59"',
               '"2024-02-29"', '"2030-01-01"']
    for tag in ("d", "ts"):
        for op, lit in itertools.product(OPS, moments):
            _same(profile, index, f"{tag} {op} {lit}")
        for days in (1, 29, 30, 31, 700, 36_600):
            _same(profile, index, f"{tag} within {days} days")
        _same(profile, index, f'{tag} between "2025-12-02" and "2025-12-31"')
    # within 30 days of 2026-01-01: from 2025-12-02 00:00 (included) to the date (excluded)
    assert _same(profile, index, "ts within 30 days") == sorted(
        f"M{i:03d}" for i in range(MEMBERS) if i % 7 in (0, 2, 5, 6))


@pytest.mark.parametrize("buckets", [2, 32])
def test_text_yes_no_and_lists(profile: DuckDBEngine, buckets: int) -> None:
    index = _index(profile, buckets)
    for text in ['s = "a"', 's != "a"', 's = ""', 's = "it\'s"', 's = "a\\"b"', 's = "北京市"',
                 's = "zzz"', 's in ("a", "A", "")', "s is null", "not s = \"a\"",
                 "b = true", "b = false", "b != true", "b is null", "not b = true",
                 'l contains "x"', 'l contains "y"', 'l contains "奶粉"', 'l contains "z"',
                 "l is null", "l is not null", 'l not contains "x"',
                 'not (l contains "x" or s = "a") and b is not null']:
        _same(profile, index, text)
    # an empty list counts as no value; a list of one NULL is a value
    assert _same(profile, index, "l is null") == sorted(
        f"M{i:03d}" for i in range(MEMBERS) if i % 7 in (0, 1))


def test_nan_sorts_above_every_number(profile: DuckDBEngine) -> None:
    index = _index(profile, 2)
    above = _same(profile, index, "f > 1e+300")  # NaN and +inf
    assert len(above) == len([i for i in range(MEMBERS) if i % 13 in (0, 6)])
    assert "M000" in _same(profile, index, "f != 0")  # NaN != 0
    assert "M000" not in _same(profile, index, "f = 0 or f < 0 or f between -1 and 1")


def test_through_the_audience_functions(profile: DuckDBEngine) -> None:
    rebuild_index(profile, buckets=2)
    audience = compile_audience('money > 99.99 and s = "a" or not n between 0 and 2',
                                CATALOG)
    assert count(profile, audience) == count(profile, audience, use_index=False)
    assert member_ids(profile, audience).to_pylist() == \
        member_ids(profile, audience, use_index=False).to_pylist()


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 300_000), data=st.data())
def test_bitmaps_from_masks_and_positions(n: int, data: st.DataObject) -> None:
    density = data.draw(st.sampled_from([0.0, 1e-4, 0.01, 0.07, 0.5, 1.0]))
    seed = data.draw(st.integers(0, 2**32 - 1))
    mask = np.random.default_rng(seed).random(n) < density
    positions = np.flatnonzero(mask).astype(np.uint32)
    expected = BitMap(positions)
    assert bm.bitmap_of_mask(mask) == expected
    assert bm.bitmap_of_sorted(positions, n) == expected
