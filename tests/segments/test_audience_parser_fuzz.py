"""Fuzzing the audience language: whatever a user types — random text, or a valid
expression with pieces cut, doubled or inserted — the parser and the binder either
accept it or raise `AudienceError` (a message with a position), never anything else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memberlens.segments.binding import compile_audience
from memberlens.segments.parser import AudienceError, parse
from memberlens.tags import Catalog, load_catalog

VALID = [
    'rfm_class in ("重要价值客户", "重要保持客户") and age between 25 and 35 '
    'and not churn_risk = "high"',
    'top_categories contains "奶粉" or last_purchase_at within 30 days',
    "spend_365d >= 99.99 且 (city_tier = '一线城市' 或 gender != \"男\")",
    "年龄 ≥ 30 并且 not (early_adopter = true) and city is not null",
    'last_purchase_at between "2024/3/1" and "20240401" or f_score in (4, "5")',
    "top_brands is null || not age_band in （“25-29岁”、‘30-34岁’）",
    'interest_keywords not contains "母婴" && spend_30d < 1e3 and age <> 30.5',
]
# pieces users (and their input methods) type: keywords, brackets, quotes, operators
PIECES = ["and", "or", "not", "in", "between", "contains", "is", "null", "within", "days",
          "天", "且", "或", "(", ")", "（", "）", ",", "，", "、", '"', "'", "“", "”", "「",
          "=", "==", "!=", "<>", "<", "<=", ">", ">=", "≤", "≥", "≠", "＝", "\\", " ",
          "age", "rfm_class", "top_categories", "last_purchase_at", "x", "1", "-2.5",
          "1e999", "0x10", ".", "true", "false", "\n", "\t", "\x00", "😀", "9" * 30]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _check(text: str, catalog: Catalog) -> None:
    try:
        parse(text)
        compile_audience(text, catalog)
    except AudienceError as e:
        assert str(e)  # a message, and for syntax errors a place
        if e.position is not None:
            assert 0 <= e.position <= len(text)


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_arbitrary_text(catalog: Catalog, text: str) -> None:
    _check(text, catalog)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 12)))
        how = draw(st.sampled_from(["cut", "insert", "replace", "double", "char"]))
        if how == "cut":
            text = text[:i] + text[j:]
        elif how == "insert":
            text = text[:i] + draw(st.sampled_from(PIECES)) + text[i:]
        elif how == "replace":
            text = text[:i] + draw(st.sampled_from(PIECES)) + text[j:]
        elif how == "double":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + draw(st.characters()) + text[i:]
    return text


@settings(max_examples=1000, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated())
def test_mutations_of_valid_expressions(catalog: Catalog, text: str) -> None:
    _check(text, catalog)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join))
def test_token_soup(catalog: Catalog, text: str) -> None:
    _check(text, catalog)


@pytest.mark.parametrize("text", [
    "age > " + "9" * 5000, "age > 1e999", 'age > "' + "9" * 5000 + '"',
    "age in (" + ", ".join(["1"] * 3000) + ")", "(" * 64 + "age = 1" + ")" * 64,
    "not " * 300 + "age = 1", "age = 1 and " * 1500 + "age = 1", "\x00", "\ud7ff" * 10,
    "last_purchase_at within 99999999999999999999999 days", 'age = "\\"', "a" * 30_000,
])
def test_extremes(catalog: Catalog, text: str) -> None:
    _check(text, catalog)


def test_the_valid_expressions_are_valid(catalog: Catalog) -> None:
    for text in VALID:
        compile_audience(text, catalog)
