"""User catalogs: errors that say where and what to write, tags built on tags, overrides."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny_warehouse import AS_OF, IN_PROFILE, load_tiny, read_profile

from memberlens.engine import open_engine
from memberlens.settings import Settings
from memberlens.tags import (
    ExpressionError,
    TagDefinitionError,
    load_catalog,
    parse_expression,
    run_tags,
)
from memberlens.tags.sources import MEMBER_COLUMNS

Edit = Callable[[dict[str, Any]], None]
Profile = dict[str, dict[str, Any]]


def tag(key: str, compute: dict[str, Any], *, category: str = "value",
        type_: str = "int") -> dict[str, Any]:
    return {"key": key, "name": {"zh": key, "en": key}, "category": category, "type": type_,
            "description": {"zh": "测试", "en": "test"}, "compute": compute}


def write_catalog(folder: Path, name: str, tags: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(yaml.safe_dump({"tags": tags}, allow_unicode=True), "utf-8")
    return folder


def rule(expr: str) -> dict[str, Any]:
    return {"kind": "rule", "expr": expr}


def _set(path: str, value: Any) -> Edit:
    def edit(t: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for p in parents:
            t = t[p]
        t[last] = value
    return edit


def _rename(old: str, new: str) -> Edit:
    def edit(t: dict[str, Any]) -> None:
        t[new] = t.pop(old)
    return edit


AGG = {"kind": "aggregate", "source": "purchases", "function": "sum", "measure": "net_amount"}
BAD_DEFINITIONS = {
    # case: (edit of a valid tag, field named, nearest name suggested)
    "misspelt field": (_rename("category", "catgory"), "catgory", "category"),
    "american category": (_set("category", "behavior"), "category", "behaviour"),
    "unknown tag in a rule": (_set("compute", rule("order_count_totl * 2")), "compute.expr",
                              "order_count_total"),
    "unknown member column": (_set("compute", rule("members.citi")), "compute.expr", "city"),
    "unknown source column": (_set("compute", {**AGG, "measure": "net_amuont"}),
                              "compute.measure", "net_amount"),
    "unknown filter column": (_set("compute", {**AGG, "filter": "chanel = 'app'"}),
                              "compute.filter", "channel"),
    "unknown source": (_set("compute", {**AGG, "source": "purchase"}), "compute.source",
                       "purchases"),
    "unknown function": (_set("compute", {**AGG, "function": "summ"}), "compute.function",
                         "sum"),
    "unknown kind": (_set("compute", {"kind": "rules", "expr": "1"}), "compute.kind", "rule"),
    "misspelt compute field": (_set("compute", {**AGG, "mesure": "net_amount"}),
                               "compute.mesure", "measure"),
}


@pytest.mark.parametrize(("edit", "field", "nearest"), BAD_DEFINITIONS.values(),
                         ids=list(BAD_DEFINITIONS))
def test_bad_definition_names_file_tag_field_and_nearest_name(
        tmp_path: Path, edit: Edit, field: str, nearest: str) -> None:
    bad = tag("my_tag", rule("order_count_total * 2"))
    edit(bad)
    folder = write_catalog(tmp_path / "mine", "loyalty.yaml", [bad])
    with pytest.raises(TagDefinitionError) as info:
        load_catalog([folder])
    e = info.value
    assert (Path(e.file).name, e.tag, e.field) == ("loyalty.yaml", "my_tag", field)
    text = str(e)
    assert "loyalty.yaml" in text and "my_tag" in text and f"field={field}" in text
    assert f"did you mean '{nearest}'" in text


def test_top_without_dimension_is_refused(tmp_path: Path) -> None:
    folder = write_catalog(tmp_path, "t.yaml", [tag("fav", {"kind": "aggregate",
                                                            "source": "items", "function": "top"},
                                                    type_="string")])
    with pytest.raises(TagDefinitionError, match="dimension") as info:
        load_catalog([folder])
    assert info.value.field == "compute.dimension"


def test_a_tag_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("tags:\n  - just a string\n", "utf-8")
    with pytest.raises(TagDefinitionError, match="mapping") as info:
        load_catalog([tmp_path])
    assert info.value.tag == "#1"


def test_builtin_kind_is_refused_in_a_user_catalog(tmp_path: Path) -> None:
    folder = write_catalog(tmp_path, "kw.yaml", [tag(
        "my_keywords", {"kind": "builtin", "name": "interest_keywords"}, type_="list")])
    with pytest.raises(TagDefinitionError, match="builtin") as info:
        load_catalog([folder])
    assert (info.value.tag, info.value.field) == ("my_keywords", "compute.kind")


def test_cycles_are_refused_naming_the_cycle(tmp_path: Path) -> None:
    folder = write_catalog(tmp_path, "loop.yaml", [
        tag("loop_a", rule("loop_b + 1")), tag("loop_b", rule("loop_c + 1")),
        tag("loop_c", rule("loop_a + order_count_total"))])
    with pytest.raises(TagDefinitionError, match="cycle") as info:
        load_catalog([folder])
    text = str(info.value)
    cycle = text.split("cycle: ")[1].split(" (")[0].split(" → ")
    assert cycle[0] == cycle[-1] and set(cycle) == {"loop_a", "loop_b", "loop_c"}
    assert info.value.field == "compute.expr" and "loop.yaml" in text


def test_the_same_key_twice_in_user_files_is_refused(tmp_path: Path) -> None:
    write_catalog(tmp_path, "a.yaml", [tag("twice", rule("1"))])
    write_catalog(tmp_path, "b.yaml", [tag("twice", rule("2"))])
    with pytest.raises(TagDefinitionError, match=r"a\.yaml") as info:
        load_catalog([tmp_path])
    assert (Path(info.value.file).name, info.value.tag) == ("b.yaml", "twice")


# --- user tags on the tiny warehouse (see tiny_warehouse.py) -----------------------------
# listed before the tags they read: the catalog orders them, no Python involved
USER_VALUE = [
    # order_count_total × 10, +5 for a beauty lover
    tag("loyalty_score", rule("order_count_total * 10 + case when beauty_lover then 5 "
                              "else 0 end")),
    tag("beauty_lover", rule("beauty_spend_90d >= 1000 and top_category_l1 = '美妆个护'"),
        type_="bool"),
    tag("shanghai_diamond", rule("members.city = '上海' and member_tier = '钻石会员'"),
        type_="bool"),
    tag("spend_rank", rule("dense_rank() over (order by spend_total desc)")),
    tag("above_median_spend", rule("spend_total > quantile_cont(spend_total, 0.5) over ()"),
        type_="bool"),
    # the built-in abc_class with other cut-offs: top half A, the rest B
    tag("abc_class", rule("case when order_count_total = 0 then null when percent_rank() over "
                          "(partition by order_count_total > 0 order by spend_total desc) "
                          "< 0.5 then 'A' else 'B' end"), type_="string"),
]
USER_BEHAVIOUR = [
    tag("beauty_spend_90d", {"kind": "aggregate", "source": "items", "function": "sum",
                             "measure": "amount", "filter": "category_l1 = '美妆个护'",
                             "window_days": 90}, category="behaviour", type_="money"),
    tag("distinct_skus_365d", {"kind": "aggregate", "source": "items",
                               "function": "count_distinct", "measure": "sku",
                               "window_days": 365}, category="behaviour"),
    tag("median_order_value", {"kind": "aggregate", "source": "purchases",
                               "function": "median", "measure": "net_amount"},
        category="behaviour", type_="money"),
    tag("usual_channel", {"kind": "aggregate", "source": "purchases", "function": "mode",
                          "measure": "channel"}, category="behaviour", type_="string"),
    tag("late_night_orders", {"kind": "aggregate", "source": "purchases", "function": "count",
                              "filter": "hour >= 22 or hour < 6"}, category="behaviour"),
]
_ = None
USER_EXPECTED: dict[str, tuple[Any, ...]] = {
    #                    M01  M02  M03  M04  M05  M06  M07  M08
    # 90 days of 美妆个护 lines: M01 口红 2000 (06-08); M05 面膜 800 + 面膜 100 + 口红 200
    "beauty_spend_90d": (D(2000), D(0), D(0), D(0), D(1100), D(0), D(0), D(0)),
    # M01 has 2000 but its favourite department is 服饰; M06, M07: false and NULL = false
    "beauty_lover": (False, False, False, False, True, False, False, False),
    # orders × 10: 7, 1, 2, 1, 5 (+5, beauty lover), 0, 0, 3
    "loyalty_score": (70, 10, 20, 10, 55, 0, 0, 30),
    "shanghai_diamond": (True, False, False, False, False, False, False, False),
    # spend 28000, 3000, 1300, 450, 1904, 0, 0, 1440 → dense rank desc, 0 shared
    "spend_rank": (1, 2, 5, 6, 3, 7, 7, 4),
    # median of 0, 0, 450, 1300, 1440, 1904, 3000, 28000 = (1300 + 1440) / 2 = 1370
    "above_median_spend": (True, True, False, False, True, False, False, True),
    # spend rank desc among the six buyers 0, .2, .4 → A; .6, .8, 1 → B
    "abc_class": ("A", "A", "B", "B", "A", _, _, "B"),
    # M01 {P6, P2, P1}; M03 {P5, P2}; M05 {P2, P5, P1, P3}; M08 {P5, P2, P3}
    "distinct_skus_365d": (3, 1, 2, 1, 4, 0, 0, 3),
    # M01 2000 3000 3000 [4000] 4000 6000 6000; M03 (400+900)/2; M05 144 240 [320] 400 800;
    # M08 240 [600] 600
    "median_order_value": (D(4000), D(3000), D(650), D(450), D(320), _, _, D(600)),
    "usual_channel": ("store", "app", "tmall", "mini_program", "store", _, _, "store"),
    # only M02's order at 00:00
    "late_night_orders": (0, 1, 0, 0, 0, 0, 0, 0),
}


def _user_dir(folder: Path) -> Path:
    write_catalog(folder, "value.yaml", USER_VALUE)
    return write_catalog(folder, "behaviour.yaml", USER_BEHAVIOUR)


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    return _user_dir(tmp_path / "my-tags")


@pytest.fixture(scope="module")
def user_profile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Profile]:
    """The tiny warehouse profiled with the user catalog (once for the module)."""
    root = tmp_path_factory.mktemp("user-tags")
    eng = open_engine(Settings(warehouse=root / "wh.duckdb"))
    try:
        run_tags(load_tiny(eng), as_of=AS_OF, user_dirs=(_user_dir(root / "my-tags"),))
        yield read_profile(eng)
    finally:
        eng.close()


def test_user_tags_are_ordered_by_what_they_read(user_dir: Path) -> None:
    catalog = load_catalog([user_dir])
    pos = catalog.order.index
    assert pos("beauty_spend_90d") < pos("beauty_lover") < pos("loyalty_score")
    assert pos("top_category_l1") < pos("beauty_lover")
    assert pos("order_count_total") < pos("loyalty_score")
    assert pos("member_tier") < pos("shanghai_diamond")
    assert catalog.overridden == ["abc_class"]
    assert catalog.tags["abc_class"].source_file.endswith("value.yaml")
    assert len(catalog) == len(load_catalog()) + len(USER_VALUE) + len(USER_BEHAVIOUR) - 1


@pytest.mark.parametrize(("key", "expected"), USER_EXPECTED.items(), ids=list(USER_EXPECTED))
def test_user_tags_compute_without_python(user_profile: Profile, key: str,
                                          expected: tuple[Any, ...]) -> None:
    got = {m: user_profile[m][key] for m in IN_PROFILE}
    assert got == dict(zip(IN_PROFILE, expected, strict=True))


# --- the expression language ---------------------------------------------------------
NOT_EXPRESSIONS = {
    "subquery": "(select max(paid_amount) from orders)",
    "in subquery": "order_count_total in (select 1)",
    "exists": "exists(select 1 from members)",
    "a statement": "select * from members",
    "another table": "orders.paid_amount",
    "no such member column": "members.password",
    "second statement": "order_count_total; DROP TABLE members",
    "injection": "order_count_total); DROP TABLE members; --",
    "unknown function": "read_parquet('/etc/passwd')",
    "unknown function 2": "random()",
    "aggregate without over": "sum(spend_total)",
    "count without over": "count(*)",
    "row_number without over": "row_number()",
    "bare star": "*",
    "open quote": "'unterminated",
    "type not allowed": "cast(order_count_total as json)",
    "empty": "",
    "only a semicolon": ";",
    "placeholder": "$1",
}
EXPRESSIONS = {
    "case": "case when age < 25 then '18-24岁' else '其他' end",
    "window": "percent_rank() over (partition by city order by spend_total)",
    "dense_rank": "dense_rank() over (order by spend_total desc)",
    "row_number over": "row_number() over (order by spend_total)",
    "quantile_cont": "quantile_cont(spend_total, 0.5) over ()",
    "starts_with": "starts_with(members.city, '上')",
    "count over": "count(*) over ()",
    "dates": "date_diff('day', cast(members.registered_at as date), as_of) > 30",
}


def _check_rule(expr: str, tmp: Path) -> None:
    load_catalog([write_catalog(tmp, "t.yaml", [tag("probe", rule(expr))])])


@pytest.mark.parametrize("expr", NOT_EXPRESSIONS.values(), ids=list(NOT_EXPRESSIONS))
def test_anything_but_an_expression_is_refused(tmp_path: Path, expr: str) -> None:
    with pytest.raises(TagDefinitionError) as info:
        _check_rule(expr, tmp_path)
    assert (info.value.tag, info.value.field) == ("probe", "compute.expr")


@pytest.mark.parametrize("expr", EXPRESSIONS.values(), ids=list(EXPRESSIONS))
def test_expressions_are_accepted(tmp_path: Path, expr: str) -> None:
    _check_rule(expr, tmp_path)


BUILTIN_KEYS = tuple(load_catalog().tags)
SQLISH = st.lists(st.sampled_from([
    "(", ")", "'", '"', ",", ";", "*", "+", "::", "[", "]", ".", "x", "members", "members.city",
    "select", "from", "over", "()", "case", "when", "then", "end", "sum", "count", "cast", "as",
    "int", "json", "1", "0.5", "'a'", "and", "not", "in", "is", "null", "drop", "table", "$",
    "?", "@", "--", "/*", "口红", "spend_total", "as_of", "partition by", "order by", "filter",
]), max_size=12).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(max_size=40), SQLISH))
def test_random_expressions_only_ever_fail_as_expression_errors(text: str) -> None:
    try:
        parse_expression(text, names=BUILTIN_KEYS, qualified={"members": MEMBER_COLUMNS})
    except ExpressionError:
        pass


@settings(max_examples=40, deadline=None)
@given(text=st.one_of(st.text(max_size=40), SQLISH), as_rule=st.booleans())
def test_random_catalog_text_only_ever_fails_as_a_definition_error(text: str,
                                                                   as_rule: bool) -> None:
    """Random text as a rule's expression, or as the whole YAML file."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if as_rule:
                _check_rule(text, Path(tmp))
            else:
                (Path(tmp) / "t.yaml").write_text(text, "utf-8")
                load_catalog([Path(tmp)])
        except TagDefinitionError:
            pass
