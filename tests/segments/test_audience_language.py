"""The audience language: what parses, what is refused and where, what the query selects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memberlens.engine import DuckDBEngine
from memberlens.segments.audience import compile_for, count, member_ids
from memberlens.segments.binding import compile_audience
from memberlens.segments.expression import (
    And,
    Between,
    Compare,
    Contains,
    InList,
    IsNull,
    Node,
    Not,
    Or,
    Within,
    to_text,
)
from memberlens.segments.parser import AudienceError, parse
from memberlens.segments.sql import count_query
from memberlens.tags import Catalog, load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_the_design_example_parses_to_the_expected_tree() -> None:
    node = parse('rfm_class in ("重要价值客户", "重要保持客户") and age between 25 and 35 '
                 'and not churn_risk = "high"')
    assert node == And((InList("rfm_class", ("重要价值客户", "重要保持客户")),
                        Between("age", 25, 35), Not(Compare("churn_risk", "=", "high"))))


@pytest.mark.parametrize(("text", "tree"), [
    ("a = 1 or b = 2 and c = 3", Or((Compare("a", "=", 1), And((Compare("b", "=", 2),
                                                                 Compare("c", "=", 3)))))),
    ("(a = 1 or b = 2) and c = 3", And((Or((Compare("a", "=", 1), Compare("b", "=", 2))),
                                        Compare("c", "=", 3)))),
    ("a is not null", Not(IsNull("a"))),
    ("a not in (1, 2.5)", Not(InList("a", (1, 2.5)))),
    ("a not between -1 and 1e3", Not(Between("a", -1, 1000.0))),
    ("tags contains '奶粉'", Contains("tags", "奶粉")),
    ("last_purchase_at within 30 days", Within("last_purchase_at", 30)),
    ("x within 7 天", Within("x", 7)),
    # what a Chinese input method types
    ("城市 ＝ “北京” 且 （年龄 ≥ 30 或者 性别 ≠ ‘男’）",
     And((Compare("城市", "=", "北京"), Or((Compare("年龄", ">=", 30),
                                             Compare("性别", "!=", "男")))))),
    ("A = TRUE AND NOT b <> False", And((Compare("A", "=", True),
                                         Not(Compare("b", "!=", False))))),
    (r'a = "say \"hi\""', Compare("a", "=", 'say "hi"')),
])
def test_grammar(text: str, tree: Node) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(("text", "position", "words"), [
    ("age >", 5, "值"),
    ("age between 1", 13, "and"),
    ("(age > 1", 8, ")"),
    ('age = "x', 6, "引号"),
    ("age > 1 and", 11, "标签名"),
    ("age $ 3", 4, "'$'"),
    ("and age = 1", 0, "标签名"),
    ("", None, "为空"),
])
def test_syntax_errors_point_at_the_place(text: str, position: int | None,
                                          words: str) -> None:
    with pytest.raises(AudienceError) as info:
        parse(text)
    assert info.value.position == position
    assert words in str(info.value)
    if position is not None:
        caret_line = str(info.value).splitlines()[-1]
        assert caret_line.index("^") == 2 + position  # under the offending character


def test_deep_nesting_is_refused_cleanly() -> None:
    with pytest.raises(AudienceError, match="嵌套过深"):
        parse("(" * 500 + "a = 1" + ")" * 500)
    with pytest.raises(AudienceError, match="嵌套过深"):
        parse("not " * 2000 + "a = 1")


NAMES = st.sampled_from(["age", "rfm_class", "spend_365d", "top_categories", "x_1"])
VALUES = st.one_of(st.integers(-10**6, 10**6), st.text(max_size=8),
                   st.floats(allow_nan=False, allow_infinity=False, width=32), st.booleans())
CONDITIONS = st.one_of(
    st.builds(Compare, NAMES, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), VALUES),
    st.builds(InList, NAMES, st.lists(VALUES, min_size=1, max_size=4).map(tuple)),
    st.builds(Between, NAMES, VALUES, VALUES),
    st.builds(Contains, NAMES, st.text(max_size=8)),
    st.builds(IsNull, NAMES),
    st.builds(Within, NAMES, st.integers(1, 1000)),
)
TREES = st.recursive(CONDITIONS, lambda inner: st.one_of(
    st.builds(Not, inner),
    st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
    st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs)))), max_leaves=8)


def _flat(node: Node) -> Node:
    """And(And(a, b), c) and And(a, b, c) say the same; the parser makes the flat one."""
    if isinstance(node, And | Or):
        items: list[Node] = []
        for item in (_flat(i) for i in node.items):
            items.extend(item.items if type(item) is type(node) else (item,))  # type: ignore[union-attr]
        return type(node)(tuple(items))
    if isinstance(node, Not):
        return Not(_flat(node.item))
    return node


@settings(max_examples=300, deadline=None)
@given(TREES)
def test_canonical_text_parses_back_to_the_same_tree(tree: Node) -> None:
    assert parse(to_text(tree)) == _flat(tree)


# --- binding to the catalog ---------------------------------------------------------

@pytest.mark.parametrize(("text", "words", "suggestion"), [
    ("rfm_clas = 1", "未知标签", "rfm_class"),
    ("年纪 > 30", "未知标签", "age"),
    ('city_tier = "一线"', "不是 city_tier", '"一线城市"'),
    ('rfm_class = "重要价值"', "不是 rfm_class", '"重要价值客户"'),
    ('age = "老"', "不是数字", None),
    ('age contains "x"', "不能用 contains", 'age between 1 and 10'),
    ('top_categories = "奶粉"', "不能用 比较", 'top_categories contains "…"'),
    ('gender > "男"', "只能用 = 或 !=", None),
    ('last_purchase_at > "2024-13-01"', "不是日期", None),
    ("early_adopter = 1", "true 或 false", "true"),
    ("last_purchase_at within 0 days", "天数", None),
])
def test_catalog_errors_name_the_problem_and_suggest(catalog: Catalog, text: str, words: str,
                                                     suggestion: str | None) -> None:
    with pytest.raises(AudienceError) as info:
        compile_audience(text, catalog)
    assert words in str(info.value)
    assert info.value.suggestion == suggestion or (
        suggestion is not None and info.value.suggestion is not None
        and info.value.suggestion.startswith(suggestion))
    assert info.value.position is not None


def test_value_errors_point_at_the_value(catalog: Catalog) -> None:
    text = 'age > 20 and city_tier in ("一线城市", "二线")'
    with pytest.raises(AudienceError) as info:
        compile_audience(text, catalog)
    assert info.value.position == text.index('"二线"')


def test_binding_accepts_display_names_and_coerces_values(catalog: Catalog) -> None:
    audience = compile_audience(
        '年龄 >= "30" and last_purchase_at between "2024/3/1" and "20240401" '
        'and f_score in ("5", 4)', catalog)
    assert audience.node == And((
        Compare("age", ">=", 30),
        Between("last_purchase_at", datetime(2024, 3, 1), datetime(2024, 4, 1)),
        InList("f_score", (5, 4))))
    assert list(audience.tags) == ["age", "last_purchase_at", "f_score"]


def test_values_seen_in_the_data_are_suggested(catalog: Catalog) -> None:
    def seen(tag: str) -> list[str] | None:
        return ["北京市", "上海市"] if tag == "city" else None

    with pytest.raises(AudienceError) as info:
        compile_audience('city = "北京"', catalog, seen)
    assert info.value.suggestion == '"北京市"'
    # a value with nothing close is allowed: it just selects nobody
    assert compile_audience('city = "拉萨市"', catalog, seen).node == Compare("city", "=",
                                                                              "拉萨市")


# --- what the engine selects -----------------------------------------------------------

PROFILE_ROWS = [
    # member_id, age, gender, rfm_class, churn_risk, spend_365d, top_categories,
    # last_purchase_at, early_adopter
    ("M1", 30, "女", "重要价值客户", "low", 1200.50, ["奶粉", "纸尿裤"],
     "2025-12-20 10:00:00", True),
    ("M2", 25, "男", "重要保持客户", "high", 300.00, ["酒水"], "2025-10-01 09:00:00", False),
    ("M3", 36, "女", "一般发展客户", None, 0.00, [], None, None),
    ("M4", None, "未知", None, None, None, None, None, None),
    ("M5", 35, "女", "重要价值客户", "medium", 99.99, ["奶粉"], "2025-12-02 00:00:00", False),
]


@pytest.fixture
def profile(engine: DuckDBEngine) -> Iterator[DuckDBEngine]:
    engine.execute("""CREATE TABLE member_profile (member_id VARCHAR, as_of DATE,
        age BIGINT, gender VARCHAR, rfm_class VARCHAR, churn_risk VARCHAR,
        spend_365d DECIMAL(18,2), top_categories VARCHAR[], last_purchase_at TIMESTAMP,
        early_adopter BOOLEAN)""")
    for row in PROFILE_ROWS:
        engine.execute("INSERT INTO member_profile VALUES (?, DATE '2026-01-01', ?, ?, ?, ?, "
                       "?, ?, CAST(? AS TIMESTAMP), ?)", list(row))
    yield engine


@pytest.mark.parametrize(("text", "members"), [
    ('rfm_class in ("重要价值客户", "重要保持客户") and age between 25 and 35 '
     'and not churn_risk = "high"', ["M1", "M5"]),
    # two-valued logic: `not =` keeps members without a score, `!=` does not
    ('not churn_risk = "high"', ["M1", "M3", "M4", "M5"]),
    ('churn_risk != "high"', ["M1", "M5"]),
    ("not age > 30", ["M1", "M2", "M4"]),
    ("age is null", ["M4"]),
    ("top_categories is null", ["M3", "M4"]),  # an empty list counts as null
    ("top_categories is not null", ["M1", "M2", "M5"]),
    ('top_categories contains "奶粉"', ["M1", "M5"]),
    ('top_categories not contains "奶粉"', ["M2", "M3", "M4"]),
    # within counts back from the profile date (2026-01-01): 30 days → from 2025-12-02
    ("last_purchase_at within 30 days", ["M1", "M5"]),
    ("last_purchase_at within 29 days", ["M1"]),
    ("spend_365d > 99.99", ["M1", "M2"]),
    ("spend_365d = 99.99 or spend_365d <= 0", ["M3", "M5"]),
    ("early_adopter = false", ["M2", "M5"]),
    ('gender = "女" and (age < 31 or age > 35)', ["M1", "M3"]),
    ('last_purchase_at >= "2025-12-02" and last_purchase_at < "2025-12-20"', ["M5"]),
])
def test_the_query_selects_the_hand_picked_members(profile: DuckDBEngine, catalog: Catalog,
                                                   text: str, members: list[str]) -> None:
    audience = compile_for(profile, text, catalog)
    assert member_ids(profile, audience).to_pylist() == members
    assert count(profile, audience) == len(members)


def test_no_text_reaches_the_sql_unquoted(catalog: Catalog) -> None:
    audience = compile_audience(
        """city = "x'); DROP TABLE members; --" or province = 'a"b'""", catalog)
    sql = count_query(audience, date(2026, 1, 1)).sql("duckdb")
    assert "'x''); DROP TABLE members; --'" in sql and "DROP TABLE members;" in sql
    assert sql.count("'") % 2 == 0 and "'a\"b'" in sql


def test_compiled_audience_sql_snapshots(catalog: Catalog,
                                         snapshot: Callable[[str, str, str], None]) -> None:
    """What reaches DuckDB and Spark for an expression using every kind of condition."""
    import sqlglot

    audience = compile_audience(
        'rfm_class in ("重要价值客户", "重要保持客户") and age between 25 and 35 and not '
        'churn_risk = "high" and (top_categories contains "奶粉" or last_purchase_at '
        'within 30 days) and city is not null and not top_brands is null', catalog)
    sql = count_query(audience, date(2026, 1, 1)).sql("duckdb", pretty=True)
    snapshot("audience_count", "duckdb", sql)
    spark = sqlglot.transpile(sql, read="duckdb", write="spark", pretty=True)[0]
    snapshot("audience_count", "spark", spark)
    assert "array_contains" in spark.lower()
