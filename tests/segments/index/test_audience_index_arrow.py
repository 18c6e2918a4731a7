"""Building from Arrow in any chunking: odd chunk lengths and sliced chunks (offsets into
validity bits, decimal words, dictionary codes, list offsets) give the same bitmaps as
the values say."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from memberlens.segments.index import build_tag
from memberlens.segments.index.arrays import keys
from memberlens.segments.index.columns import ColumnType, Kind, Space
from memberlens.segments.index.ranges import RangeIndex
from memberlens.segments.index.values import ValueIndex


def _chunked(values: list[Any], typ: pa.DataType, cuts: list[int],
             lead: int) -> pa.ChunkedArray:
    """`values` in chunks cut at `cuts`, each chunk a slice (offset `lead`) of a longer
    array."""
    bounds = sorted({0, len(values), *(c % (len(values) + 1) for c in cuts)})
    chunks = [pa.array([None] * lead + values[a:b], type=typ).slice(lead, b - a)
              for a, b in pairwise(bounds)]
    return pa.chunked_array(chunks, type=typ)


def _members(bitmap: Any) -> list[int]:
    return list(bitmap)


NUMBERS = st.lists(st.one_of(st.none(), st.integers(-300, 300)), min_size=1, max_size=300)
CUTS = st.lists(st.integers(0, 400), max_size=6)


@settings(max_examples=80, deadline=None)
@given(values=NUMBERS, cuts=CUTS, lead=st.integers(0, 11), t=st.integers(-310, 310),
       buckets=st.integers(1, 9))
def test_integers_and_decimals(values: list[int | None], cuts: list[int], lead: int, t: int,
                               buckets: int) -> None:
    n = len(values)
    for ctype, typ, conv in [
        (ColumnType("n", "BIGINT", Kind.RANGE, Space.INT), pa.int64(), lambda v: v),
        (ColumnType("m", "DECIMAL(18,2)", Kind.RANGE, Space.DECIMAL, 2),
         pa.decimal128(18, 2), lambda v: Decimal(v) / 100),
        (ColumnType("ts", "TIMESTAMP", Kind.RANGE, Space.TIMESTAMP), pa.timestamp("us"),
         lambda v: datetime(2025, 1, 1) + timedelta(microseconds=v)),
    ]:
        column = _chunked([None if v is None else conv(v) for v in values], typ, cuts, lead)
        built = build_tag(ctype, column, n, buckets)
        index = RangeIndex.load(ctype, n, built.meta, built.parts,
                                raw=lambda column=column, ctype=ctype: keys(column, ctype))
        literal = float(conv(t)) if ctype.space is Space.DECIMAL else conv(t)
        has = [i for i, v in enumerate(values) if v is not None]
        assert _members(index.present) == has
        assert _members(index.at_most(literal)) == [i for i in has if values[i] <= t]
        assert _members(index.compare(">", literal)) == [i for i in has if values[i] > t]
        assert _members(index.equal(literal)) == [i for i in has if values[i] == t]


TEXTS = st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "北京", "", "x'y"])),
                 min_size=1, max_size=200)


@settings(max_examples=60, deadline=None)
@given(values=TEXTS, cuts=CUTS, lead=st.integers(0, 11), many=st.booleans())
def test_texts_as_dictionaries_and_lists(values: list[str | None], cuts: list[int],
                                         lead: int, many: bool) -> None:
    n = len(values)
    column = _chunked(values, pa.string(), cuts, lead)
    column = pa.chunked_array([c.dictionary_encode() for c in column.chunks]) \
        if not many else column
    ctype = ColumnType("s", "VARCHAR", Kind.STRING)
    built = build_tag(ctype, column, n)
    index = ValueIndex.load(ctype, n, built.meta, built.parts)
    for v in ["a", "北京", "", "zz"]:
        assert _members(index.equal(v)) == [i for i, x in enumerate(values) if x == v]
    lists = [None if v is None else ([] if v == "" else [v, "a"]) for v in values]
    column = _chunked(lists, pa.list_(pa.string()), cuts, lead)
    ltype = ColumnType("l", "VARCHAR[]", Kind.LIST)
    built = build_tag(ltype, column, n)
    index = ValueIndex.load(ltype, n, built.meta, built.parts)
    assert _members(index.present) == [i for i, x in enumerate(lists) if x]
    for v in ["a", "北京", "x'y"]:
        assert _members(index.contains(v)) == [i for i, x in enumerate(lists) if x and v in x]


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.booleans()), min_size=1, max_size=200),
       cuts=CUTS, lead=st.integers(0, 11))
def test_yes_no(values: list[bool | None], cuts: list[int], lead: int) -> None:
    n = len(values)
    ctype = ColumnType("b", "BOOLEAN", Kind.BOOL)
    built = build_tag(ctype, _chunked(values, pa.bool_(), cuts, lead), n)
    index = ValueIndex.load(ctype, n, built.meta, built.parts)
    assert _members(index.equal(True)) == [i for i, x in enumerate(values) if x is True]
    assert _members(index.equal(False)) == [i for i, x in enumerate(values) if x is False]
