"""Association rules: a hand-computed example, both engines alike, the generator's
companion categories recovered, the explosion guard, and "bought together"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from rules_warehouse import demo_warehouse, fill_tiny

from memberlens.datagen.categories import LEAVES
from memberlens.engine import DuckDBEngine, open_engine
from memberlens.recommend.association import (
    AUTO_MLXTEND_MAX_BASKETS,
    RuleParams,
    RuleSet,
    choose_method,
    mine_rules,
)
from memberlens.recommend.baskets import RulesError
from memberlens.recommend.together import bought_together, read_together, together_table
from memberlens.settings import Settings

METHODS = ("mlxtend", "duckdb")


@pytest.fixture
def tiny(engine: DuckDBEngine) -> DuckDBEngine:
    fill_tiny(engine)
    return engine


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_warehouse(tmp_path_factory.getbasetemp())


@pytest.fixture
def demo_ro(demo: Path) -> DuckDBEngine:
    engine = open_engine(Settings(warehouse=demo), read_only=True)
    yield engine  # type: ignore[misc]
    engine.close()


def _rule(rules: RuleSet, antecedent: tuple[str, ...], consequent: tuple[str, ...]
          ) -> pd.Series:
    hit = rules.rules[(rules.rules["antecedent"] == antecedent)
                      & (rules.rules["consequent"] == consequent)]
    assert len(hit) == 1, f"{antecedent} → {consequent} not found"
    return hit.iloc[0]


@pytest.mark.parametrize("method", METHODS)
def test_hand_computed_example(tiny: DuckDBEngine, method: str) -> None:
    rules = mine_rules(tiny, RuleParams(min_support=2 / 6, method=method))  # type: ignore[arg-type]
    assert (rules.n_baskets, rules.min_count, rules.method) == (6, 2, method)
    sets = {items: n for items, n in zip(rules.itemsets["items"], rules.itemsets["count"],
                                         strict=True)}
    # cancelled and fully refunded orders (A + D twice) are not baskets: D stays at 2
    assert sets == {("A",): 4, ("B",): 4, ("C",): 3, ("D",): 2,
                    ("A", "B"): 3, ("A", "C"): 2, ("B", "C"): 2}
    assert len(rules.rules) == 6
    ab = _rule(rules, ("A",), ("B",))
    assert (ab["antecedent_count"], ab["consequent_count"], ab["count"]) == (4, 4, 3)
    assert ab["support"] == pytest.approx(3 / 6)
    assert ab["confidence"] == pytest.approx(3 / 4)
    assert ab["lift"] == pytest.approx((3 / 4) / (4 / 6))  # 1.125
    assert ab["leverage"] == pytest.approx(3 / 6 - (4 / 6) * (4 / 6))
    assert ab["conviction"] == pytest.approx((1 - 4 / 6) / (1 - 3 / 4))
    ca = _rule(rules, ("C",), ("A",))
    assert ca["confidence"] == pytest.approx(2 / 3) and ca["lift"] == pytest.approx(1.0)
    assert rules.rules["lift"].is_monotonic_decreasing


@pytest.mark.parametrize("method", METHODS)
def test_triples_and_filters(tiny: DuckDBEngine, method: str) -> None:
    rules = mine_rules(tiny, RuleParams(min_support=1 / 6, method=method))  # type: ignore[arg-type]
    assert ("A", "B", "C") in set(rules.itemsets["items"])
    ab_c = _rule(rules, ("A", "B"), ("C",))
    assert ab_c["confidence"] == pytest.approx(1 / 3)
    assert ab_c["lift"] == pytest.approx((1 / 3) / (3 / 6))
    d_ab = _rule(rules, ("D",), ("A", "B"))
    assert d_ab["confidence"] == pytest.approx(1 / 2) and d_ab["lift"] == pytest.approx(1.0)
    strong = mine_rules(tiny, RuleParams(min_support=1 / 6, min_confidence=0.5, min_lift=1.1,
                                         max_len=2, method=method))  # type: ignore[arg-type]
    assert len(strong.rules)
    assert (strong.rules["confidence"] >= 0.5).all() and (strong.rules["lift"] >= 1.1).all()
    assert (strong.rules["antecedent"].map(len) + strong.rules["consequent"].map(len)
            <= 2).all()
    assert set(strong.itemsets["size"]) == {1, 2}


def test_levels_window_and_members(tiny: DuckDBEngine) -> None:
    by_category = mine_rules(tiny, RuleParams(min_support=2 / 6), level="category")
    # A and B are both 水果: o2 is one 水果 line; o1 holds 水果 + 乳品
    sets = dict(zip(by_category.itemsets["items"], by_category.itemsets["count"],
                    strict=True))
    assert sets[("水果",)] == 5 and sets[("乳品", "水果")] == 3
    window = mine_rules(tiny, RuleParams(min_support=0.5), since=date(2024, 2, 1),
                        until=date(2024, 5, 1))  # o2, o3, o4
    assert window.n_baskets == 3
    m3 = mine_rules(tiny, RuleParams(min_support=0.6), members=pa.array(["m3"]))
    assert m3.n_baskets == 2 and set(m3.itemsets["items"]) == {("D",)}


def test_clear_errors(tiny: DuckDBEngine) -> None:
    with pytest.raises(RulesError, match="min_support"):
        RuleParams(min_support=0.0)
    with pytest.raises(RulesError, match="max_len"):
        RuleParams(max_len=1)
    with pytest.raises(RulesError, match="--max-len"):
        mine_rules(tiny, RuleParams(min_support=0.2, max_len=4, method="duckdb"))
    with pytest.raises(RulesError, match="no baskets"):
        mine_rules(tiny, RuleParams(), since=date(2030, 1, 1))
    # 1 basket of 6 lets every pair and triple through (bound 4 + 6 + 2 = 12): a limit
    # of 10 is refused before counting, naming the parameter and a support that passes
    with pytest.raises(RulesError, match=r"--min-support.*at least 0\.34") as err:
        mine_rules(tiny, RuleParams(min_support=1 / 6, max_itemsets=10))
    assert "min_support=0.166667" in str(err.value) and "up to 12" in str(err.value)
    assert len(mine_rules(tiny, RuleParams(min_support=0.34, max_itemsets=10)).itemsets) < 10


def test_auto_method_by_basket_count() -> None:
    assert choose_method("auto", AUTO_MLXTEND_MAX_BASKETS, 3) == "mlxtend"
    assert choose_method("auto", AUTO_MLXTEND_MAX_BASKETS + 1, 3) == "duckdb"
    assert choose_method("auto", AUTO_MLXTEND_MAX_BASKETS + 1, 4) == "mlxtend"
    assert choose_method("duckdb", 10, 2) == "duckdb"


@pytest.mark.parametrize(("level", "support"), [("sku", 0.00025), ("category", 0.001)])
def test_engines_agree_on_demo_data(demo_ro: DuckDBEngine, level: str, support: float
                                    ) -> None:
    found = {m: mine_rules(demo_ro, RuleParams(min_support=support, method=m),  # type: ignore[arg-type]
                           level=level)  # type: ignore[arg-type]
             for m in METHODS}
    a, b = found["mlxtend"], found["duckdb"]
    assert a.n_baskets == b.n_baskets > 5000
    assert len(a.rules) > 100 and (a.itemsets["size"] == 3).any()
    key = ["items"]
    pd.testing.assert_frame_equal(a.itemsets.sort_values(key).reset_index(drop=True),
                                  b.itemsets.sort_values(key).reset_index(drop=True))
    key = ["antecedent", "consequent"]
    ra = a.rules.sort_values(key).reset_index(drop=True)
    rb = b.rules.sort_values(key).reset_index(drop=True)
    exact = [*key, "antecedent_count", "consequent_count", "count"]
    pd.testing.assert_frame_equal(ra[exact], rb[exact])
    pd.testing.assert_frame_equal(ra.drop(columns=exact), rb.drop(columns=exact), rtol=1e-9)


def test_companion_categories_are_the_top_rules(demo_ro: DuckDBEngine) -> None:
    """datagen puts a leaf's companions into its baskets: the strongest category rules
    by lift must be exactly those pairs."""
    companions = {frozenset((leaf.name, c)) for leaf in LEAVES for c in leaf.companions}
    rules = mine_rules(demo_ro, RuleParams(min_support=0.002, max_len=2), level="category")
    pairs: list[frozenset[str]] = []
    for a, c in zip(rules.rules["antecedent"], rules.rules["consequent"], strict=True):
        if (pair := frozenset((*a, *c))) not in pairs:
            pairs.append(pair)
    top = pairs[:30]  # of 36 companion pairs; the first other pair ranks 34th here
    assert all(p in companions for p in top), [sorted(p) for p in top if p not in companions]
    assert companions <= set(pairs)  # every companion pair is frequent at this support
    assert rules.rules["lift"].iloc[0] > 10


def test_bought_together_tiny(tiny: DuckDBEngine) -> None:
    with_a = bought_together(tiny, "A", min_count=2, min_lift=0.99)
    assert list(with_a["other_sku"]) == ["B", "C"]
    b = with_a.iloc[0]
    assert (b["rank"], b["co_count"], b["sku_count"], b["other_count"]) == (1, 3, 4, 4)
    assert b["confidence"] == pytest.approx(0.75) and b["lift"] == pytest.approx(1.125)
    # C with A has lift 2·6 / (4·3) = 1, independence: not "together" by default
    assert list(bought_together(tiny, "A", min_count=2)["other_sku"]) == ["B"]
    assert bought_together(tiny, "A", min_count=4).empty
    with pytest.raises(RulesError, match="SKU Z"):
        bought_together(tiny, "Z")


def test_together_table_matches_live_and_is_stored(demo: Path, tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "wh.duckdb"
    shutil.copy(demo, path)
    engine = open_engine(Settings(warehouse=path))
    try:
        table = together_table(engine, k=5, min_count=3, write=True)
        assert len(table) > 100 and table.groupby("sku")["rank"].max().max() <= 5
        busiest = table["sku"].value_counts().index[:3]
        for sku in busiest:
            live = bought_together(engine, sku, 5, min_count=3)
            batch = table[table["sku"] == sku].reset_index(drop=True)
            pd.testing.assert_frame_equal(live.reset_index(drop=True), batch,
                                          check_dtype=False)
            stored = read_together(engine, sku, 5)
            assert list(stored["other_sku"]) == list(live["other_sku"])
            assert stored["computed_at"].notna().all()
        assert (table["co_count"] >= 3).all() and (table["lift"] >= 1).all()
    finally:
        engine.close()
