"""Predictive tags: empty until a model writes scores to `model_scores`, then shown as typed."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml
from tiny_warehouse import AS_OF, IN_PROFILE, insert_rows, read_profile

from memberlens.engine import DuckDBEngine
from memberlens.tags import Category, load_catalog, run_tags
from memberlens.tags.model_scores import write_scores

PREDICTIVE = [t.key for t in load_catalog() if t.category == Category.PREDICTIVE]
SCORES_COLUMNS = ("member_id", "model", "output", "value", "as_of", "scored_at")


def make_scores(engine: DuckDBEngine, rows: list[tuple[str, str, str, Any]]) -> None:
    """model_scores rows as of the profile date, written straight into the table.

    Text values carry numbers and labels (churn risk 'high'); each tag casts to its type.
    """
    insert_rows(engine, "model_scores", SCORES_COLUMNS,
                [(*r, AS_OF, "2024-07-01 08:00") for r in rows])


def test_predictive_tags() -> None:
    assert PREDICTIVE[:6] == ["churn_probability", "churn_risk", "purchase_propensity_30d",
                              "clv_12m", "p_alive", "next_purchase_days"]
    assert PREDICTIVE[-2:] == ["cluster_id", "cluster_name"]   # written by clustering


def test_predictive_tags_are_null_without_model_scores(
        tiny_profile: dict[str, dict[str, Any]]) -> None:
    assert {(m, k): tiny_profile[m][k] for m in IN_PROFILE for k in PREDICTIVE} == {
        (m, k): None for m in IN_PROFILE for k in PREDICTIVE}


SCORES = [
    ("M01", "churn", "probability", "0.125"), ("M01", "churn", "risk", "low"),
    ("M03", "churn", "probability", "0.875"), ("M03", "churn", "risk", "high"),
    ("M01", "clv", "clv_12m", "5432.10"), ("M01", "clv", "p_alive", "0.9"),
    ("M08", "purchase_30d", "probability", "0.25"), ("M05", "next_purchase", "days", "12.5"),
    ("M09", "churn", "probability", "0.5"),   # not a member at the as-of date
    ("M01", "uplift", "score", "3"),          # a model no tag reads
    ("M05", "cluster", "id", "2"), ("M05", "cluster", "name", "价格敏感·品类专一"),
    ("M06", "cluster", "id", None), ("M06", "cluster", "name", None),   # not clustered
]
_ = None
EXPECTED = {
    #                           M01      M02 M03    M04 M05   M06 M07 M08
    "churn_probability": (0.125, _, 0.875, _, _, _, _, _),
    "churn_risk": ("low", _, "high", _, _, _, _, _),
    "purchase_propensity_30d": (_, _, _, _, _, _, _, 0.25),
    "clv_12m": (D("5432.10"), _, _, _, _, _, _, _),
    "p_alive": (0.9, _, _, _, _, _, _, _),
    "next_purchase_days": (_, _, _, _, 12.5, _, _, _),
    "cluster_id": (_, _, _, _, 2, _, _, _),
    "cluster_name": (_, _, _, _, "价格敏感·品类专一", _, _, _),
}


def test_predictive_tags_show_the_model_scores(tiny: DuckDBEngine) -> None:
    make_scores(tiny, SCORES)
    run_tags(tiny, as_of=AS_OF)
    profile = read_profile(tiny)
    assert tuple(profile) == IN_PROFILE
    got = {k: tuple(profile[m][k] for m in IN_PROFILE) for k in PREDICTIVE}
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    # the models that wrote nothing leave their tags empty
    assert {got[k] for k in PREDICTIVE if k not in EXPECTED} <= {(None,) * len(IN_PROFILE)}
    types = dict(tiny.fetchall("SELECT column_name, data_type FROM information_schema.columns "
                               "WHERE table_name = 'member_profile'"))
    assert [types[k] for k in EXPECTED] == ["DOUBLE", "VARCHAR", "DOUBLE", "DECIMAL(18,2)",
                                            "DOUBLE", "DOUBLE", "BIGINT", "VARCHAR"]


def test_numeric_model_scores_work_too(tiny: DuckDBEngine) -> None:
    """write_scores takes numbers too; they are kept as text and cast back by the tag."""
    write_scores(tiny, model="churn", version="v1", as_of=AS_OF,
                 table=pa.table({"member_id": ["M02"], "probability": [0.5]}))
    write_scores(tiny, model="clv", version="v1", as_of=AS_OF,
                 table=pa.table({"member_id": ["M02"], "clv_12m": [99.999]}))
    run_tags(tiny, as_of=AS_OF)
    m02 = read_profile(tiny)["M02"]
    assert (m02["churn_probability"], m02["clv_12m"], m02["churn_risk"]) == (
        pytest.approx(0.5), D("100.00"), None)   # 99.999 rounds to the cent


def test_a_user_model_tag_with_an_odd_name(tiny: DuckDBEngine, tmp_path: Path) -> None:
    """Model and output names come from YAML and are quoted, not pasted into the SQL."""
    odd = {"key": "obrien_score", "name": {"zh": "评分", "en": "Score"},
           "category": "predictive", "type": "float",
           "description": {"zh": "外部模型", "en": "external model"},
           "compute": {"kind": "model", "model": "o'brien", "output": "score"}}
    (tmp_path / "odd.yaml").write_text(yaml.safe_dump({"tags": [odd]}), "utf-8")
    make_scores(tiny, [("M07", "o'brien", "score", "0.75")])
    run_tags(tiny, as_of=AS_OF, user_dirs=(tmp_path,))
    profile = read_profile(tiny)
    assert {m: profile[m]["obrien_score"] for m in ("M06", "M07")} == {"M06": None,
                                                                        "M07": 0.75}
