"""Serving: exclusions, cold start, the lists in the profile, lookups — on a hand-made warehouse
(serving_tiny.py tells its story)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from serving_tiny import AS_OF, MEN, WOMEN, Everything, tiny_copy

from memberlens.engine import DuckDBEngine, open_engine
from memberlens.errors import NotFound
from memberlens.recommend.base import RecommendError
from memberlens.recommend.exclusions import ExclusionPolicy, repeat_rates, resolve_exclusions
from memberlens.recommend.itemcf import ItemCFRecommender
from memberlens.recommend.lookups import member_recommendations, similar_skus
from memberlens.recommend.serving import recommend_for_members, serve
from memberlens.recommend.store import (
    personalisation_variables,
    stored_list,
    write_recommendations,
)
from memberlens.schema import ensure_schema
from memberlens.segments.audience import compile_for, count, member_ids
from memberlens.settings import Settings
from memberlens.tags import load_catalog

# the tiny segments hold six members each; the default (30) would leave only "overall"
SMALL = {"segment_min_members": 3}
MEASURED = ExclusionPolicy(repeat_min_buyers=3)   # 大米 (rate 0.75) is a repeat category


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serving")


@pytest.fixture
def tiny(root: Path, tmp_path: Path) -> Iterator[DuckDBEngine]:
    engine = open_engine(Settings(warehouse=tiny_copy(root, tmp_path / "wh.duckdb")))
    yield engine
    engine.close()


def lists(frame: pd.DataFrame) -> dict[str, list[str]]:
    return {str(m): g.sort_values("rank")["sku"].tolist() for m, g in frame.groupby("member_id")}


def everything(engine: DuckDBEngine, policy: ExclusionPolicy = MEASURED,
               as_of: date = AS_OF) -> dict[str, list[str]]:
    return lists(recommend_for_members(engine, recommender=Everything(), k=20, as_of=as_of,
                                       policy=policy, **SMALL))


def test_repeat_rate_is_measured_per_leaf_category(tiny: DuckDBEngine) -> None:
    rates = repeat_rates(tiny, AS_OF).set_index("category")
    assert rates.loc["大米", "buyers"] == 4 and rates.loc["大米", "repeat_buyers"] == 3
    assert rates.loc["大米", "repeat_rate"] == pytest.approx(0.75)
    assert rates.loc["连衣裙", "repeat_rate"] == 0 and rates.loc["耳机", "repeat_rate"] == 0
    ex = resolve_exclusions(tiny, MEASURED, ["R1", "D1"], AS_OF)
    assert ex.repeat_categories == ("大米",)
    # the default needs 30 buyers before it trusts a rate: nothing is a repeat category
    assert resolve_exclusions(tiny, ExclusionPolicy(), ["R1"], AS_OF).repeat_categories == ()


def test_bought_skus_are_excluded_except_in_repeat_categories(tiny: DuckDBEngine) -> None:
    got = everything(tiny)
    assert "D1" not in got["F1"] and "R1" in got["F1"]         # rice is rebought
    assert not {"D1", "D2", "D3"} & set(got["F3"])
    assert not {"H1", "H2", "H3"} & set(got["M3"]) and "R1" in got["M3"]
    # the same, with the repeat categories given instead of measured
    none = everything(tiny, ExclusionPolicy(repeat_categories=()))
    assert "R1" not in none["F1"] and "R1" not in none["M1"]
    assert "R1" in none["F3"]                                  # F3 never bought rice
    kept = everything(tiny, ExclusionPolicy(exclude_bought=False))
    assert {"D1", "R1"} <= set(kept["F1"])


def test_out_of_stock_is_excluded_and_unknown_stock_allowed(tiny: DuckDBEngine) -> None:
    got = everything(tiny)
    assert all("X0" not in skus for skus in got.values())      # stock 0
    assert "D3" in got["F1"]                                    # stock unknown (NULL)
    allowed = everything(tiny, ExclusionPolicy(exclude_out_of_stock=False))
    assert "X0" in allowed["F1"]


def test_filtered_categories_brands_and_skus_are_excluded(tiny: DuckDBEngine) -> None:
    assert "W1" in everything(tiny)["F1"]
    for policy in (ExclusionPolicy(exclude_categories=("烟酒",)),        # 一级类目
                   ExclusionPolicy(exclude_categories=("白酒",)),        # 末级类目
                   ExclusionPolicy(exclude_brands=("茅台",)),
                   ExclusionPolicy(exclude_skus=("W1",))):
        got = everything(tiny, policy)
        assert all("W1" not in skus for skus in got.values()), policy
    ex = resolve_exclusions(tiny, ExclusionPolicy(exclude_categories=("耳机",)),
                            ["H1", "H2", "H3", "N1", "X0", "D1"], AS_OF)
    # a SKU is counted under the first reason that removed it
    assert ex.counts == {"category": 4, "out_of_stock": 1, "unlaunched": 0}


def test_not_yet_launched_is_excluded_until_its_launch(tiny: DuckDBEngine) -> None:
    assert all("N1" not in skus for skus in everything(tiny).values())
    assert "N1" in everything(tiny, as_of=date(2024, 8, 2))["F1"]


def test_cold_start_members_get_their_segments_best_sellers(tiny: DuckDBEngine) -> None:
    frame = recommend_for_members(tiny, recommender=ItemCFRecommender(shrinkage=0), k=3,
                                  policy=MEASURED, **SMALL)
    got = lists(frame)
    assert set(got) == {*WOMEN, *MEN, "CF", "CM"}               # everyone gets a list
    # 5 of 6 women bought D1, 4 D2, 3 D3 (X0 is out of stock); 5 men H1, 4 H2, 3 H3
    assert got["CF"] == ["D1", "D2", "D3"] and got["CM"] == ["H1", "H2", "H3"]
    cold = frame[frame["member_id"].isin(["CF", "CM"])]
    assert set(cold["reason"]) == {"popular"}


def test_members_with_history_get_collaborative_filtering(tiny: DuckDBEngine) -> None:
    frame = recommend_for_members(tiny, recommender=ItemCFRecommender(shrinkage=0), k=3,
                                  policy=MEASURED, **SMALL)
    f1 = frame[frame["member_id"] == "F1"].sort_values("rank")
    # F1 bought D1 and rice: the other dresses, bought with D1, come first, from CF
    assert set(f1["sku"].head(2)) == {"D2", "D3"} and set(f1["reason"].head(2)) == {"cf"}
    assert f1["rank"].tolist() == [1, 2, 3]
    m6 = lists(frame)["M6"]
    assert "H1" not in m6 and {"H2", "H3"} <= set(m6)


def test_lists_round_trip_through_the_profile(tiny: DuckDBEngine) -> None:
    run = serve(tiny, recommender=ItemCFRecommender(shrinkage=0), k=3, policy=MEASURED,
                **SMALL)
    assert run.summary.served == run.summary.members == 14
    assert run.summary.cold_start == 2 and run.summary.personalised == 12
    assert run.refresh is not None and "recommended_skus" in run.refresh.tags
    want = lists(run.frame)
    rows = tiny.fetchall("SELECT member_id, recommended_skus, recommended_names, "
                         "recommended_categories, recommendation_source FROM member_profile "
                         "ORDER BY member_id")
    profile = {r[0]: r[1:] for r in rows}
    assert {m: list(v[0]) for m, v in profile.items()} == want
    assert profile["CF"][1:] == (["碎花连衣裙", "针织连衣裙", "真丝连衣裙"], ["连衣裙"],
                                 "popular")
    assert profile["F1"][3] == "personalised"
    # an audience on the list finds exactly the members whose list holds the SKU
    audience = compile_for(tiny, 'recommended_skus contains "D2"', load_catalog())
    holders = sorted(m for m, skus in want.items() if "D2" in skus)
    assert "CF" in holders and "F1" in holders
    assert count(tiny, audience) == count(tiny, audience, use_index=False) == len(holders)
    assert member_ids(tiny, audience).to_pylist() == holders
    # scores and reasons are kept beside the lists; campaigns read variables
    stored, version, day = stored_list(tiny, "F1")
    assert stored["sku"].tolist() == want["F1"] and day == AS_OF
    assert version is not None and version.startswith("itemcf-k3-")
    assert stored["reason"].iloc[0] == "cf" and stored["score"].iloc[0] > 0
    variables = personalisation_variables(tiny, "CF", n=4)
    assert variables["rec_count"] == 3
    assert (variables["rec_1_sku"], variables["rec_1_name"], variables["rec_1_price"],
            variables["rec_1_category"], variables["rec_1_reason"]) == (
        "D1", "碎花连衣裙", 299.0, "连衣裙", "popular")
    assert variables["rec_4_sku"] is None and "rec_4_price" in variables


def test_a_member_left_out_of_a_later_write_gets_no_list(tiny: DuckDBEngine) -> None:
    frame = recommend_for_members(tiny, recommender=Everything(), k=2, policy=MEASURED)
    write_recommendations(tiny, frame, model_version="a", as_of=AS_OF)
    assert tiny.scalar("SELECT recommended_skus FROM member_profile "
                       "WHERE member_id = 'F1'") == ["D2", "D3"]
    later = frame[frame["member_id"] != "F1"]
    write_recommendations(tiny, later, model_version="b", as_of=AS_OF, members=[*WOMEN, *MEN])
    got = dict(tiny.fetchall("SELECT member_id, recommended_skus FROM member_profile"))
    assert got["F1"] is None and got["F2"] == lists(frame)["F2"]
    assert stored_list(tiny, "F1")[0].empty


def test_member_lookup_reads_the_stored_list_or_computes_one(tiny: DuckDBEngine) -> None:
    computed = member_recommendations(tiny, "CF", k=2, recommender="popularity", **SMALL)
    assert computed.source == "computed" and computed.frame["sku"].tolist() == ["D1", "D2"]
    serve(tiny, recommender=Everything(), k=2, policy=MEASURED, **SMALL)
    stored = member_recommendations(tiny, "F1", k=5)
    # Everything ranks by SKU code; F1 bought D1
    assert stored.source == "stored" and stored.frame["sku"].tolist() == ["D2", "D3"]
    assert stored.frame["name"].tolist() == ["针织连衣裙", "真丝连衣裙"]
    with pytest.raises(NotFound, match="F1"):
        member_recommendations(tiny, "F7")


def test_similar_skus_and_unknown_sku(tiny: DuckDBEngine) -> None:
    # men who bought H1 also bought H2 (3 of them), H3, rice, liquor (2) and X0 (out of
    # stock); N1 is not launched and no man bought a dress
    similar = similar_skus(tiny, "H1", k=10)
    assert similar["sku"].iloc[0] == "H2" and set(similar["sku"]) == {"H2", "H3", "R1", "W1"}
    assert similar["name"].notna().all() and (similar["score"] > 0).all()
    assert similar["rank"].tolist() == [1, 2, 3, 4]
    no_liquor = similar_skus(tiny, "H1", policy=ExclusionPolicy(exclude_categories=("烟酒",)))
    assert set(no_liquor["sku"]) == {"H2", "H3", "R1"}
    with pytest.raises(NotFound, match="H1"):
        similar_skus(tiny, "H11")
    with pytest.raises(NotFound, match="D1 碎花连衣裙"):
        similar_skus(tiny, "碎花")
    with pytest.raises(RecommendError, match="similar"):
        similar_skus(tiny, "H1", recommender="nope")


def test_policy_from_yaml_and_flags(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("exclude_categories: [烟酒]\nrepeat_threshold: 0.4\n", encoding="utf-8")
    policy = ExclusionPolicy.from_yaml(path).merged(exclude_categories=["香烟", "烟酒"],
                                                    exclude_bought=False)
    assert policy.exclude_categories == ("烟酒", "香烟") and policy.repeat_threshold == 0.4
    assert policy.exclude_bought is False
    path.write_text("exclude_category: [烟酒]\n", encoding="utf-8")
    with pytest.raises(RecommendError, match="exclude_category"):
        ExclusionPolicy.from_yaml(path)


def test_old_warehouse_gets_the_stock_column(tmp_path: Path) -> None:
    engine = DuckDBEngine(tmp_path / "old.duckdb")
    try:
        engine.execute("CREATE TABLE products (sku VARCHAR PRIMARY KEY, name VARCHAR)")
        engine.execute("INSERT INTO products VALUES ('A', '苹果')")
        ensure_schema(engine)
        assert engine.fetchall("SELECT sku, stock FROM products") == [("A", None)]
    finally:
        engine.close()
