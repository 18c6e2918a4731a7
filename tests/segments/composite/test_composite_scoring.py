"""Standardisation, scores, ranks, missing values and class rules, on small dealer files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberlens.engine import DuckDBEngine
from memberlens.segments.composite import (
    CompositeConfigError,
    CompositeDataError,
    parse_config,
    score_composite,
)
from memberlens.segments.composite.scoring import competition_rank, standardise
from memberlens.tags.expressions import ExpressionError

WriteFile = Callable[[str, str], Path]

DEALERS = """
经销商编号,名称,销售额,回款率,投诉数,地区
D1,华东一号,"1,200",95%,2,城市
D2,华东二号,800,90%,0,城市
D3,西部一号,400,99%,1,农村
D4,西部二号,400,80%,6,农村
D5,北方一号,1000,,3,城市
"""


def _cfg(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "zh": "经销商指数", "entity_zh": "经销商",
        "data": {"source": "file", "id": "经销商编号", "label": "名称"},
        "indicators": [
            {"key": "sales", "zh": "销售额", "column": "销售额", "weight": 0.5},
            {"key": "collection", "zh": "回款率", "column": "回款率", "weight": 0.3},
            {"key": "complaints", "zh": "投诉数", "column": "投诉数", "weight": 0.2,
             "direction": "cost"},
        ],
    }
    return base | overrides


@pytest.fixture
def engine() -> DuckDBEngine:
    return DuckDBEngine(":memory:")


def test_minmax_reverses_cost_and_centres_constant_columns() -> None:
    x = np.array([[10.0, 1.0, 7.0], [20.0, 3.0, 7.0], [40.0, 2.0, 7.0]])
    s = standardise(x, [False, True, False], "minmax")
    assert s[:, 0] == pytest.approx([0, 1 / 3, 1])
    assert s[:, 1] == pytest.approx([1, 0, 0.5])
    assert s[:, 2] == pytest.approx([0.5, 0.5, 0.5])


def test_zscore_uses_the_sample_sd_and_flips_cost() -> None:
    x = np.array([[1.0, 1.0, 3.0], [2.0, 2.0, 3.0], [6.0, 3.0, 3.0]])
    z = standardise(x, [False, True, False], "zscore")
    mean, sd = 3.0, float(np.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 2))
    assert z[:, 0] == pytest.approx([(1 - mean) / sd, (2 - mean) / sd, (6 - mean) / sd])
    assert z[:, 1] == pytest.approx([1, 0, -1])  # sd 1, mean 2, reversed
    assert z[:, 2] == pytest.approx([0, 0, 0])


def test_competition_rank_shares_ties() -> None:
    assert competition_rank(np.array([50.0, 70.0, 50.0, 10.0])).tolist() == [2, 1, 2, 4]


def test_scores_from_a_dealer_file(engine: DuckDBEngine, write_file: WriteFile) -> None:
    path = write_file("dealers.csv", DEALERS)
    r = score_composite(parse_config(_cfg()), engine, data=path)
    t = r.table.set_index("entity_id")
    # sales 1200/800/400/400/1000 → (x − 400)/800; collection 95/90/99/80 and D5 missing
    # → median 92.5 %; complaints 2/0/1/6/3 reversed over 6
    coll = {"D1": 0.95, "D2": 0.90, "D3": 0.99, "D4": 0.80, "D5": 0.925}
    comp = {"D1": 2, "D2": 0, "D3": 1, "D4": 6, "D5": 3}
    sales = {"D1": 1200, "D2": 800, "D3": 400, "D4": 400, "D5": 1000}
    for d in coll:
        expected = 100 * (0.5 * (sales[d] - 400) / 800 + 0.3 * (coll[d] - 0.80) / 0.19
                          + 0.2 * (6 - comp[d]) / 6)
        assert t.loc[d, "score"] == pytest.approx(expected), d
    assert t.loc["D1", "rank"] == 1 and t.loc["D4", "rank"] == 5
    assert t.loc["D1", "entity_label"] == "华东一号"
    assert t.loc["D1", "percentile"] == 1.0 and t.loc["D4", "percentile"] == 0.0
    assert np.isnan(t.loc["D5", "collection"])  # the raw value stays missing
    assert r.filled == {"collection": 1}
    assert r.strengths("D1")[0] == "sales"
    # D4 is the worst on all three; points = 100 × w × (its value − the mean value):
    # sales 0.5 × (0 − 0.45) = −22.5, collection 0.3 × (0 − 0.595) = −17.8,
    # complaints 0.2 × (0 − 0.6) = −12
    assert r.weaknesses("D4", 3) == ["sales", "collection", "complaints"]
    assert r.points.loc["D4", "sales"] == pytest.approx(-22.5)


def test_missing_worst_and_error(engine: DuckDBEngine, write_file: WriteFile) -> None:
    path = write_file("dealers.csv", DEALERS)
    cfg = _cfg()
    cfg["indicators"][1]["missing"] = "worst"
    r = score_composite(parse_config(cfg), engine, data=path)
    s = r.standardised.loc["D5", "collection"]
    assert s == pytest.approx(0.0)  # the lowest collection rate, like D4
    cfg["indicators"][1]["missing"] = "error"
    with pytest.raises(CompositeDataError, match="D5"):
        score_composite(parse_config(cfg), engine, data=path)


def test_indicator_expressions_and_bad_columns(engine: DuckDBEngine,
                                               write_file: WriteFile) -> None:
    path = write_file("dealers.csv", DEALERS)
    cfg = _cfg(indicators=[{"key": "per_complaint", "zh": "每投诉销售额", "weight": 1,
                            "expr": "销售额 / nullif(投诉数, 0)"}])
    r = score_composite(parse_config(cfg), engine, data=path)
    raw = r.table.set_index("entity_id")["per_complaint"]
    assert raw["D1"] == pytest.approx(600) and np.isnan(raw["D2"])
    cfg = _cfg(indicators=[{"key": "x", "zh": "x", "weight": 1, "column": "地区"}])
    with pytest.raises(CompositeDataError, match=r"not numeric: '城市'.*row=2"):
        score_composite(parse_config(cfg), engine, data=path)
    cfg = _cfg(indicators=[{"key": "x", "zh": "x", "weight": 1, "column": "销量"}])
    with pytest.raises(CompositeDataError, match="no column '销量'"):
        score_composite(parse_config(cfg), engine, data=path)
    cfg = _cfg(indicators=[{"key": "x", "zh": "x", "weight": 1,
                            "expr": "(select 1) + 销售额"}])
    with pytest.raises(ExpressionError, match=r"indicators\[x\]\.expr"):
        score_composite(parse_config(cfg), engine, data=path)


def test_duplicate_ids_are_refused_with_rows(engine: DuckDBEngine,
                                             write_file: WriteFile) -> None:
    path = write_file("dup.csv", DEALERS + "D2,重复,1,1%,1,城市\n")
    with pytest.raises(CompositeDataError, match=r"duplicate id 'D2'.*rows=\[3, 7\]"):
        score_composite(parse_config(_cfg()), engine, data=path)


RULES: list[dict[str, Any]] = [
    {"key": "tier", "zh": "等级", "rules": [
        {"class": "VIP", "when": "rank = 1"},
        {"class": "风险", "when": "complaints >= 3"},
        {"class": "农村", "when": "地区 = '农村' and score >= avg(score) over ()"},
        {"class": "高回款", "when": "collection >= 0.95"},   # D5's missing value: no match
    ], "default": {"class": "普通", "en": "ordinary"}},
    {"key": "visit", "zh": "拜访", "rules": [
        {"class": "每周", "when": "tier in ('VIP', '风险') or percentile >= 0.75"},
    ], "default": "每月"},
]


def test_class_rules_first_match_wins(engine: DuckDBEngine, write_file: WriteFile) -> None:
    path = write_file("dealers.csv", DEALERS)
    r = score_composite(parse_config(_cfg(classifications=RULES)), engine, data=path)
    t = r.table.set_index("entity_id")
    scores = t["score"]
    # D1 is first (VIP before its 2 complaints matter); D4 and D5 have ≥ 3 complaints
    assert t.loc["D1", "tier"] == "VIP"
    assert t.loc["D4", "tier"] == "风险" and t.loc["D5", "tier"] == "风险"
    d3_rural = scores["D3"] >= scores.mean()
    assert t.loc["D3", "tier"] == ("农村" if d3_rural else "高回款")
    assert t.loc["D2", "tier"] == "普通"  # 90 % collection, city, not first
    for d in t.index:
        weekly = t.loc[d, "tier"] in ("VIP", "风险") or t.loc[d, "percentile"] >= 0.75
        assert t.loc[d, "visit"] == ("每周" if weekly else "每月"), d
    counts = r.class_counts("tier").set_index("code")["count"]
    assert counts.sum() == 5 and list(counts.index) == ["VIP", "风险", "农村", "高回款", "普通"]


def test_rule_errors_name_the_rule(engine: DuckDBEngine, write_file: WriteFile) -> None:
    path = write_file("dealers.csv", DEALERS)
    bad = [{"key": "tier", "zh": "等级", "rules": [{"class": "A", "when": "scroe > 50"}],
            "default": "B"}]
    with pytest.raises(ExpressionError, match=r"rules\[0\] \(A\).*did you mean 'score'"):
        score_composite(parse_config(_cfg(classifications=bad)), engine, data=path)
    not_bool = [{"key": "tier", "zh": "等级", "rules": [{"class": "A", "when": "地区"}],
                 "default": "B"}]
    with pytest.raises(CompositeConfigError, match=r"classifications\[tier\]"):
        score_composite(parse_config(_cfg(classifications=not_bool)), engine, data=path)


def test_zscore_scores_span_0_to_100(engine: DuckDBEngine, write_file: WriteFile) -> None:
    path = write_file("dealers.csv", DEALERS)
    r = score_composite(parse_config(_cfg(standardise="zscore")), engine, data=path)
    assert r.table["score"].max() == pytest.approx(100)
    assert r.table["score"].min() == pytest.approx(0)
    x = pd.DataFrame({"s": [1200, 800, 400, 400, 1000]}, dtype=float)["s"]
    assert r.standardised["sales"].to_numpy() == pytest.approx(
        ((x - x.mean()) / x.std(ddof=1)).to_numpy())
    # points add up to each entity's distance from the mean score
    total = r.points.sum(axis=1).to_numpy()
    by_id = r.table.set_index("entity_id").loc[r.points.index, "score"].to_numpy()
    assert total == pytest.approx(by_id - by_id.mean())


def test_excel_input(engine: DuckDBEngine, tmp_path: Path) -> None:
    path = tmp_path / "dealers.xlsx"
    pd.DataFrame({"经销商编号": ["D1", "D2"], "名称": ["甲", "乙"], "销售额": [5.0, 9.0],
                  "回款率": [0.9, 0.8], "投诉数": [1, 1]}).to_excel(path, index=False)
    r = score_composite(parse_config(_cfg()), engine, data=path)
    assert r.table["entity_id"].tolist() == ["D2", "D1"]
    assert any("投诉数" in w or "complaints" in w for w in r.warnings)  # constant column
