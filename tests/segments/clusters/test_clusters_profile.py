"""Preparing features, profiling clusters and suggesting names, on hand-made numbers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from memberlens.segments.clusters import (
    ClusterError,
    ClusterFacts,
    FeatureContrast,
    MemberFeatures,
    ProfileScaler,
    TagLift,
    build_profiles,
)
from memberlens.segments.clusters.features import check_features
from memberlens.segments.clusters.naming import name_clusters
from memberlens.tags import load_catalog

CATALOG = load_catalog()


def test_scaler_logs_skewed_money_and_standardises() -> None:
    spend = np.array([10.0, 20.0, 30.0, 40.0, 5000.0, 50.0])       # skewed, ≥ 0
    share = np.array([0.1, 0.9, 0.5, np.nan, 0.3, 0.7])              # symmetric, a gap
    change = np.array([-500.0, 1.0, 2.0, 3.0, 9000.0, 4.0])          # skewed but negative
    X = np.column_stack([spend, share, change])
    scaler = ProfileScaler().fit(X)
    assert scaler.log_.tolist() == [True, False, False]
    assert scaler.medians_[1] == 0.5                                  # median of the seen
    out = scaler.transform(X)
    assert np.allclose(out.mean(axis=0), 0) and np.allclose(out.std(axis=0), 1)
    logged = np.log1p(spend)
    assert out[:, 0] == pytest.approx((logged - logged.mean()) / logged.std())
    assert out[3, 1] == pytest.approx((0.5 - 0.5) / np.array(
        [0.1, 0.9, 0.5, 0.5, 0.3, 0.7]).std())                        # the gap got the median
    # a constant column stays 0 instead of dividing by zero
    assert ProfileScaler().fit_transform(np.ones((4, 2))).tolist() == [[0.0, 0.0]] * 4
    with pytest.raises(ClusterError, match="expected 3 feature columns"):
        scaler.transform(np.zeros((2, 2)))


def test_features_must_be_numeric_tags_of_the_catalog() -> None:
    assert check_features(CATALOG, ["spend_total", "age", "spend_total"]) == ("spend_total",
                                                                             "age")
    with pytest.raises(ClusterError, match="did you mean 'spend_total'"):
        check_features(CATALOG, ["spend_totl", "age"])
    with pytest.raises(ClusterError, match="'rfm_class' is a string tag"):
        check_features(CATALOG, ["rfm_class", "age"])
    with pytest.raises(ClusterError, match="at least two features"):
        check_features(CATALOG, ["age"])


def _members() -> tuple[MemberFeatures, np.ndarray, np.ndarray]:
    """Six members: 1-3 big, frequent, recent spenders of class A; 4-6 the opposite."""
    values = pd.DataFrame({
        "spend_total": [900.0, 1100.0, 1000.0, 10.0, 20.0, 30.0],
        "order_count_total": [9.0, 11.0, 10.0, 1.0, 1.0, np.nan],
        "days_since_last_purchase": [5.0, 10.0, 15.0, 300.0, 400.0, 500.0],
    })
    categories = pd.DataFrame({"rfm_class": ["重要价值客户"] * 3 + ["一般挽留客户", None,
                                                              "一般挽留客户"]})
    members = MemberFeatures(
        as_of=date(2024, 7, 1), population="buyers", features=tuple(values.columns),
        member_ids=np.array([f"M{i}" for i in range(6)], dtype=object), values=values,
        revenue=values["spend_total"].to_numpy(), categories=categories)
    prepared = ProfileScaler().fit_transform(values)
    return members, prepared, np.array([1, 1, 1, 2, 2, 2])


def test_profiles_by_hand() -> None:
    members, prepared, labels = _members()
    big, small = build_profiles(members, prepared, labels, tags=CATALOG.tags)
    assert (big.size, small.size, big.share) == (3, 3, 0.5)
    assert big.revenue == 3000.0 and small.revenue == 60.0
    assert big.revenue_share + small.revenue_share == pytest.approx(1.0)
    assert big.revenue_share == pytest.approx(3000 / 3060)
    spend = big.features[0]
    assert (spend.key, spend.mean, spend.population_mean) == ("spend_total", 1000.0, 510.0)
    assert spend.z == pytest.approx(prepared[:3, 0].mean())
    assert big.features[1].mean == 10.0 and small.features[1].mean == 1.0  # gap left out
    # 重要价值客户: all of cluster 1, half of everyone → lift 2
    assert big.lifts == (TagLift(key="rfm_class", value="重要价值客户", share=1.0,
                                 population_share=0.5, lift=2.0),)
    # 一般挽留客户: two of the three in cluster 2 (one has no class), two of all six
    assert small.lifts[0].share == pytest.approx(2 / 3)
    assert small.lifts[0].lift == pytest.approx(2.0)
    assert big.name == "高价值·高频·近期活跃" and big.suggested_name_en == (
        "High-value · Frequent · Recently active")
    assert small.name == "低价值·低频·久未购买"
    assert big.description.startswith("3 位会员（占 50.0%），贡献 98.0% 的销售额。")
    assert "“重要价值客户”" in big.description and "（总体的 2.0 倍）" in big.description
    assert "Important value" in big.suggested_description_en          # values in English
    english = build_profiles(members, prepared, labels, tags=CATALOG.tags, lang="en")
    assert english[0].name == "High-value · Frequent · Recently active"


def _facts(cluster_id: int, share: float, revenue_share: float,
           z: dict[str, float]) -> ClusterFacts:
    return ClusterFacts(cluster_id=cluster_id, size=100, share=share, revenue=1.0,
                        revenue_share=revenue_share,
                        features=tuple(FeatureContrast(key=k, mean=1.0, population_mean=1.0,
                                                       z=v) for k, v in z.items()),
                        lifts=())


def test_names_are_plain_when_nothing_stands_out_and_distinct_within_a_run() -> None:
    plain = _facts(1, 0.5, 0.5, {"spend_total": 0.1, "tenure_days": -0.2})
    twin_a = _facts(2, 0.25, 0.25, {"price_sensitivity": 1.5, "tenure_days": 0.9})
    twin_b = _facts(3, 0.25, 0.25, {"price_sensitivity": 1.4, "tenure_days": -0.8})
    user = _facts(4, 0.1, 0.1, {"age": 1.0, "birthday_month": -0.7})
    texts = name_clusters([plain, twin_a, twin_b, user], CATALOG.tags)
    assert texts[0].name_zh == "大众会员" and texts[0].name_en == "Mainstream members"
    assert "各项特征接近总体" in texts[0].description_zh
    # both are 价格敏感 first; the next word tells them apart
    assert [t.name_zh for t in texts[1:3]] == ["价格敏感·老会员", "价格敏感·新会员"]
    # tags outside the known dimensions are named after themselves
    assert texts[3].name_zh == "年龄高·生日月份低"
    # value comes from revenue per member: 4× the average is 高价值 even if spend is flat
    rich = _facts(5, 0.1, 0.4, {"spend_total": 0.0})
    assert name_clusters([rich], CATALOG.tags)[0].name_zh == "高价值"


def test_identical_clusters_are_numbered() -> None:
    same = [_facts(i, 0.5, 0.5, {"spend_total": 0.0}) for i in (1, 2)]
    assert [t.name_zh for t in name_clusters(same, CATALOG.tags)] == ["大众会员（1）",
                                                                     "大众会员（2）"]
