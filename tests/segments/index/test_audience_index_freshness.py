"""The stored index: built by run_tags, detected stale when the profile changes, reloaded
only where a rebuild changed it, and never answering when it cannot do so exactly."""

from __future__ import annotations

from datetime import date

import pytest

from memberlens.engine import DuckDBEngine
from memberlens.segments.audience import compile_for, count, member_ids
from memberlens.segments.index import (
    IndexStale,
    IndexUnsupported,
    current_index,
    forget,
    rebuild_index,
)
from memberlens.segments.index import warehouse as stored
from memberlens.tags import Catalog, load_catalog, run_tags

EXPR = ('rfm_class in ("重要价值客户", "重要保持客户") and age between 25 and 35 and '
        'not churn_risk = "high" and city_tier in ("一线城市", "新一线城市") '
        "and spend_365d > 500")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_run_tags_builds_an_index_that_answers_like_sql(warehouse_copy: DuckDBEngine,
                                                         catalog: Catalog) -> None:
    index = current_index(warehouse_copy)
    assert index is not None and index.n == warehouse_copy.scalar(
        "SELECT count(*) FROM member_profile")
    assert index.as_of == date(2026, 1, 1)
    audience = compile_for(warehouse_copy, EXPR, catalog)
    sql = count(warehouse_copy, audience, use_index=False)
    assert sql > 0 and index.count(audience) == sql == count(warehouse_copy, audience)
    assert member_ids(warehouse_copy, audience).to_pylist() == \
        member_ids(warehouse_copy, audience, use_index=False).to_pylist()
    # only what the expression reads was loaded
    assert set(index._tags) == {"rfm_class", "age", "churn_risk", "city_tier", "spend_365d"}
    assert current_index(warehouse_copy) is index  # kept while fresh


def test_a_changed_profile_makes_the_index_stale(warehouse_copy: DuckDBEngine,
                                                 catalog: Catalog) -> None:
    audience = compile_for(warehouse_copy, "age >= 0 or age is null", catalog)
    before = count(warehouse_copy, audience)
    warehouse_copy.execute("INSERT INTO member_profile (member_id, as_of, age) "
                           "VALUES ('Z1', DATE '2026-01-01', 40)")
    assert current_index(warehouse_copy) is None  # more members than were indexed
    assert count(warehouse_copy, audience) == before + 1  # answered by SQL
    built = rebuild_index(warehouse_copy)
    index = current_index(warehouse_copy)
    assert index is not None and index.generation == built.generation
    assert index.count(audience) == before + 1


def test_a_new_tag_run_rebuilds_and_an_older_run_leaves_it(warehouse_copy: DuckDBEngine
                                                           ) -> None:
    first = current_index(warehouse_copy)
    assert first is not None
    run_tags(warehouse_copy, as_of=date(2025, 6, 1))  # back-dated: profile untouched
    assert current_index(warehouse_copy) is first
    run_tags(warehouse_copy, as_of=date(2026, 1, 2))
    second = current_index(warehouse_copy)
    assert second is not None and second.generation > first.generation
    assert second.as_of == date(2026, 1, 2)


def test_a_loaded_index_refuses_to_read_a_changed_profile(warehouse_copy: DuckDBEngine,
                                                          catalog: Catalog) -> None:
    index = current_index(warehouse_copy)
    assert index is not None
    audience = compile_for(warehouse_copy, "spend_365d > 123.45", catalog)
    warehouse_copy.execute("DELETE FROM member_profile WHERE member_id IN "
                           "(SELECT member_id FROM member_profile LIMIT 3)")
    with pytest.raises(IndexStale):  # a bucket's raw values would not match positions
        index.count(audience)
    assert count(warehouse_copy, audience) == count(warehouse_copy, audience,
                                                    use_index=False)


def test_updated_columns_are_rebuilt_alone(warehouse_copy: DuckDBEngine,
                                           catalog: Catalog) -> None:
    """What model scoring does: update some profile columns in place, then rebuild them.
    Tags a rebuild did not touch stay loaded."""
    index = current_index(warehouse_copy)
    assert index is not None
    age, risk = index.tag("age"), index.tag("churn_risk")
    warehouse_copy.execute("UPDATE member_profile SET churn_risk = 'high' "
                           "WHERE age < 30")
    built = rebuild_index(warehouse_copy, tags=["churn_risk"])
    assert built.tags == ("churn_risk",)
    fresh = current_index(warehouse_copy)
    assert fresh is not None and fresh is not index
    assert fresh.tag("age") is age and fresh.tag("churn_risk") is not risk
    # the kept tag reads raw values through the new index (not the stale one)
    ages = compile_for(warehouse_copy, "age = 37 or age between 41.5 and 52", catalog)
    assert fresh.count(ages) == count(warehouse_copy, ages, use_index=False) > 0
    audience = compile_for(warehouse_copy, 'churn_risk = "high"', catalog)
    assert fresh.count(audience) == count(warehouse_copy, audience, use_index=False) > 0
    assert set(stored.read_build(warehouse_copy).tags) == set(index.info.tags)  # type: ignore[union-attr]


def test_values_it_cannot_compare_exactly_go_to_sql(warehouse_copy: DuckDBEngine,
                                                    catalog: Catalog) -> None:
    index = current_index(warehouse_copy)
    assert index is not None
    audience = compile_for(warehouse_copy, "age < 1e+20 and spend_365d > 0", catalog)
    with pytest.raises(IndexUnsupported):
        index.count(audience)
    assert count(warehouse_copy, audience) == count(warehouse_copy, audience,
                                                    use_index=False) > 0


def test_no_profile_means_no_index(engine: DuckDBEngine) -> None:
    assert current_index(engine) is None
    from memberlens.errors import NotFound

    with pytest.raises(NotFound):
        rebuild_index(engine)


def test_a_dropped_index_is_not_used(warehouse_copy: DuckDBEngine, catalog: Catalog) -> None:
    assert current_index(warehouse_copy) is not None
    stored.drop(warehouse_copy)
    forget(warehouse_copy)
    assert current_index(warehouse_copy) is None
    audience = compile_for(warehouse_copy, 'gender = "女"', catalog)
    assert count(warehouse_copy, audience) > 0


def test_a_rebuild_can_join_the_callers_transaction(warehouse_copy: DuckDBEngine,
                                                    catalog: Catalog) -> None:
    """As clustering writes its tags: update and rebuild commit, or fail, together."""
    audience = compile_for(warehouse_copy, 'churn_risk = "low"', catalog)
    with warehouse_copy.transaction():
        warehouse_copy.execute("UPDATE member_profile SET churn_risk = 'low' "
                               "WHERE age > 40")
        rebuild_index(warehouse_copy, tags=["churn_risk"], atomic=False)
    index = current_index(warehouse_copy)
    assert index is not None
    assert index.count(audience) == count(warehouse_copy, audience, use_index=False) > 0
    generation = index.generation
    with pytest.raises(RuntimeError), warehouse_copy.transaction():
        rebuild_index(warehouse_copy, tags=["age"], atomic=False)
        raise RuntimeError("the caller fails after the rebuild")
    after = current_index(warehouse_copy)
    assert after is not None and after.generation == generation  # rolled back with it
