"""Weights: entropy by hand, AHP against Saaty's published examples, refusals, mixes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from memberlens.segments.composite import (
    RANDOM_INDEX,
    InconsistentJudgmentError,
    ahp,
    entropy_weights,
    parse_config,
)
from memberlens.segments.composite.weights import check_consistency, derive_weights

# Saaty (1990), "How to make a decision: the analytic hierarchy process", European
# Journal of Operational Research 48, 9–26: buying a house. Criteria: size, transport,
# neighbourhood, age, yard, modern facilities, general condition, financing. The paper
# gives the weights .173 .054 .188 .018 .031 .036 .167 .333, λmax = 9.669, CR = 0.169.
HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_KEYS = ["size", "transport", "neighborhood", "age", "yard", "modern", "condition",
              "financing"]
HOUSE_WEIGHTS = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
# the same paper, houses A, B, C compared on the yard: .674 .101 .226, λmax = 3.086
YARD = [[1, 5, 4], [1 / 5, 1, 1 / 3], [1 / 4, 3, 1]]


def test_entropy_weights_match_a_hand_computation() -> None:
    # column 1 (benefit) 1, 2, 4 → y = 0, 1/3, 1 → p = 0, 1/4, 3/4
    # column 2 (cost)    4, 2, 1 → y = 0, 2/3, 1 → p = 0, 2/5, 3/5
    # column 3 is the same for everyone → e = 1, no weight
    e1 = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(3)   # 0.51185
    e2 = -(0.4 * math.log(0.4) + 0.6 * math.log(0.6)) / math.log(3)       # 0.61260
    d1, d2 = 1 - e1, 1 - e2
    r = entropy_weights([[1, 4, 5], [2, 2, 5], [4, 1, 5]], cost=[False, True, False])
    assert r.entropy == pytest.approx([e1, e2, 1.0])
    assert r.weights == pytest.approx([d1 / (d1 + d2), d2 / (d1 + d2), 0.0])
    assert r.weights == pytest.approx([0.5575, 0.4425, 0.0], abs=1e-4)


def test_entropy_needs_two_entities_and_some_variation() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        entropy_weights([[1, 2]])
    with pytest.raises(ValueError, match="constant"):
        entropy_weights([[1, 2], [1, 2]])


def test_ahp_reproduces_saaty_house_example_and_refuses_it() -> None:
    r = ahp(HOUSE, HOUSE_KEYS)
    assert r.weights == pytest.approx(HOUSE_WEIGHTS, abs=0.0006)
    assert r.lambda_max == pytest.approx(9.669, abs=0.001)
    assert r.ri == 1.41
    assert r.cr == pytest.approx(0.169, abs=0.001)
    assert not r.consistent
    with pytest.raises(InconsistentJudgmentError) as err:
        check_consistency(r, file="house.yaml", field="weighting.pairwise")
    text = str(err.value)
    assert "CR = 0.169" in text and "house.yaml" in text and "weighting.pairwise" in text
    # the change it proposes really makes the matrix acceptable
    i, j, value, cr_after = r.best_change()
    fixed = np.array(HOUSE, dtype=float)
    fixed[i, j], fixed[j, i] = value, 1 / value
    assert ahp(fixed, HOUSE_KEYS).cr == pytest.approx(cr_after)
    assert cr_after < 0.1
    written = f"1/{round(1 / value)}" if value < 1 else str(round(value))
    assert f"{HOUSE_KEYS[i]} → {HOUSE_KEYS[j]} 从 from " in text and f"to {written}:" in text


def test_ahp_accepts_saaty_yard_matrix() -> None:
    r = ahp(YARD, ["A", "B", "C"])
    assert r.weights == pytest.approx([0.674, 0.101, 0.226], abs=0.0006)
    assert r.lambda_max == pytest.approx(3.086, abs=0.001)
    assert r.cr == pytest.approx(0.043 / 0.58, abs=0.002)
    check_consistency(r, file=None, field="x")  # no error


def test_a_consistent_matrix_gives_back_its_weights() -> None:
    w = np.array([0.5, 0.3, 0.2])
    r = ahp(w[:, None] / w[None, :], ["a", "b", "c"])
    assert r.weights == pytest.approx(w)
    assert r.lambda_max == pytest.approx(3.0)
    assert r.cr == pytest.approx(0.0, abs=1e-9)


def test_random_index_is_saatys_table() -> None:
    assert [RANDOM_INDEX[n] for n in range(1, 11)] == \
        [0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]


def _config(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "zh": "测试", "data": {"source": "file", "id": "id"},
        "indicators": [{"key": k, "zh": k} for k in HOUSE_KEYS],
        "weighting": {"method": "ahp", "pairwise": HOUSE},
    }
    return base | overrides


def test_config_with_an_inconsistent_matrix_is_refused_naming_the_field() -> None:
    cfg = parse_config(_config(), origin="house.yaml")
    with pytest.raises(InconsistentJudgmentError, match=r"field=weighting\.pairwise"):
        derive_weights(cfg)


def test_group_matrices_are_checked_and_named() -> None:
    bad = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]  # a cycle: a ≫ b ≫ c ≫ a
    cfg = parse_config({
        "zh": "测试", "data": {"source": "file", "id": "id"},
        "groups": [{"key": "g1", "zh": "一", "pairwise": bad}, {"key": "g2", "zh": "二"}],
        "indicators": [{"key": "a", "zh": "a", "group": "g1"},
                       {"key": "b", "zh": "b", "group": "g1"},
                       {"key": "c", "zh": "c", "group": "g1"},
                       {"key": "d", "zh": "d", "group": "g2"}],
        "weighting": {"method": "ahp", "pairwise": [[1, 3], ["1/3", 1]]},
    })
    with pytest.raises(InconsistentJudgmentError, match=r"groups\[g1\]\.pairwise"):
        derive_weights(cfg)


def test_hierarchical_ahp_multiplies_group_and_local_weights() -> None:
    cfg = parse_config({
        "zh": "测试", "data": {"source": "file", "id": "id"},
        "groups": [{"key": "g1", "zh": "一", "pairwise": [[1, 3], ["1/3", 1]]},
                   {"key": "g2", "zh": "二"}],
        "indicators": [{"key": "a", "zh": "a", "group": "g1"},
                       {"key": "b", "zh": "b", "group": "g1"},
                       {"key": "c", "zh": "c", "group": "g2"}],
        "weighting": {"method": "ahp", "pairwise": [[1, 4], ["1/4", 1]]},
    })
    r = derive_weights(cfg)
    # groups 4:1 → 0.8, 0.2; inside g1 3:1 → 0.75, 0.25
    assert r.weights == pytest.approx([0.6, 0.2, 0.2])
    assert r.group_weights == pytest.approx({"g1": 0.8, "g2": 0.2})
    assert r.total_cr == pytest.approx(0.0)


def test_hand_weights_are_normalised_within_groups() -> None:
    cfg = parse_config({
        "zh": "测试", "data": {"source": "file", "id": "id"},
        "groups": [{"key": "g1", "zh": "一", "weight": 60}, {"key": "g2", "zh": "二",
                                                             "weight": 40}],
        "indicators": [{"key": "a", "zh": "a", "group": "g1", "weight": 1},
                       {"key": "b", "zh": "b", "group": "g1", "weight": 3},
                       {"key": "c", "zh": "c", "group": "g2", "weight": 7}],
    })
    assert derive_weights(cfg).weights == pytest.approx([0.15, 0.45, 0.40])


def test_combined_weights_mix_subjective_and_entropy() -> None:
    cfg = parse_config({
        "zh": "测试", "data": {"source": "file", "id": "id"},
        "indicators": [{"key": "a", "zh": "a"}, {"key": "b", "zh": "b", "direction": "cost"}],
        "weighting": {"method": "combined", "alpha": 0.25,
                      "pairwise": [[1, 3], ["1/3", 1]]},
    })
    raw = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0]])
    r = derive_weights(cfg, raw)
    entropy = entropy_weights(raw, [False, True]).weights
    assert r.weights == pytest.approx(0.25 * np.array([0.75, 0.25]) + 0.75 * entropy)
    assert r.weights.sum() == pytest.approx(1.0)
