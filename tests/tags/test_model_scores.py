"""The model_scores contract: point-in-time reads, write_scores, refresh_profile."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml
from tiny_warehouse import AS_OF, IN_PROFILE, insert_rows, read_profile

from memberlens.engine import DuckDBEngine
from memberlens.tags import load_catalog, run_tags
from memberlens.tags.model_scores import ModelScoresError, refresh_profile, write_scores

COLUMNS = ("member_id", "model", "output", "value", "as_of", "scored_at")


def _history(engine: DuckDBEngine, day: date, key: str) -> dict[str, Any]:
    return dict(engine.fetchall(f'SELECT member_id, "{key}" FROM tag_history '
                                "WHERE as_of = ? ORDER BY 1", [day]))


def test_the_warehouse_creates_model_scores(engine: DuckDBEngine) -> None:
    cols = engine.fetchall("SELECT column_name, data_type, is_nullable FROM "
                           "information_schema.columns WHERE table_name = 'model_scores' "
                           "ORDER BY ordinal_position")
    assert cols == [("member_id", "VARCHAR", "NO"), ("model", "VARCHAR", "NO"),
                    ("output", "VARCHAR", "NO"), ("value", "VARCHAR", "YES"),
                    ("model_version", "VARCHAR", "YES"), ("as_of", "DATE", "NO"),
                    ("scored_at", "TIMESTAMP", "NO")]


# M01's churn probability, scored on several profile dates (one of them twice)
HISTORY_ROWS = [
    ("M01", "churn", "probability", "0.1", "2024-05-01", "2024-05-01 09:00"),
    ("M01", "churn", "probability", "0.2", "2024-06-15", "2024-06-15 09:00"),
    ("M01", "churn", "probability", "0.3", "2024-07-01", "2024-07-01 09:00"),
    ("M01", "churn", "probability", "0.35", "2024-07-01", "2024-07-02 09:00"),  # rescored
    ("M01", "churn", "probability", "0.9", "2024-08-01", "2024-08-01 09:00"),   # future
    ("M03", "churn", "probability", "0.6", "2024-05-01", "2024-05-01 09:00"),
    ("M03", "churn", "probability", None, "2024-06-15", "2024-06-15 09:00"),  # not scored
    ("M05", "churn", "risk", "high", "2024-06-15", "2024-06-15 09:00"),
]


@pytest.mark.parametrize(("day", "m01", "m03", "m05_risk"), [
    (date(2024, 5, 1), 0.1, 0.6, None),        # scores of the run date itself count
    (date(2024, 6, 1), 0.1, 0.6, None),
    (date(2024, 6, 20), 0.2, None, "high"),    # a newer NULL wins over an older value
    (AS_OF, 0.35, None, "high"),               # two writes for one date: the later wins
])
def test_a_run_reads_the_newest_score_up_to_its_date(
        tiny: DuckDBEngine, day: date, m01: float, m03: float | None,
        m05_risk: str | None) -> None:
    insert_rows(tiny, "model_scores", COLUMNS, HISTORY_ROWS)
    run_tags(tiny, as_of=day)
    assert _history(tiny, day, "churn_probability")["M01"] == pytest.approx(m01)
    assert _history(tiny, day, "churn_probability")["M03"] == m03
    assert _history(tiny, day, "churn_risk")["M05"] == m05_risk


def test_back_dated_runs_do_not_see_later_scores(tiny: DuckDBEngine) -> None:
    insert_rows(tiny, "model_scores", COLUMNS, HISTORY_ROWS)
    run_tags(tiny, as_of=AS_OF)
    run_tags(tiny, as_of=date(2024, 6, 1))   # history only: the profile is later
    assert read_profile(tiny)["M01"]["churn_probability"] == pytest.approx(0.35)
    assert _history(tiny, date(2024, 6, 1), "churn_probability")["M01"] == pytest.approx(0.1)


def _scores(**columns: list[Any]) -> pa.Table:
    return pa.table(columns)


def test_write_scores_replaces_one_model_and_date(tiny: DuckDBEngine) -> None:
    june = date(2024, 6, 1)
    write_scores(tiny, model="churn", version="v1", as_of=june,
                 table=_scores(member_id=["M01", "M02"], probability=[0.5, 0.25],
                               risk=["medium", "low"]))
    write_scores(tiny, model="clv", version="c1", as_of=AS_OF,
                 table=_scores(member_id=["M01"], clv_12m=[100.0]))
    n = write_scores(tiny, model="churn", version="v1", as_of=AS_OF,
                     table=_scores(member_id=["M01", "M02"], probability=[0.5, 0.25],
                                   risk=["medium", "low"]))
    assert n == 4
    # rescoring the same date replaces every row of it, including members now left out
    n = write_scores(tiny, model="churn", version="v2", as_of=AS_OF,
                     table=_scores(member_id=["M03"], probability=[None], risk=["high"]))
    assert n == 2
    rows = tiny.fetchall("SELECT model, as_of, member_id, output, value, model_version, "
                         "scored_at IS NOT NULL FROM model_scores ORDER BY ALL")
    assert rows == [
        ("churn", june, "M01", "probability", "0.5", "v1", True),
        ("churn", june, "M01", "risk", "medium", "v1", True),
        ("churn", june, "M02", "probability", "0.25", "v1", True),
        ("churn", june, "M02", "risk", "low", "v1", True),
        ("churn", AS_OF, "M03", "probability", None, "v2", True),
        ("churn", AS_OF, "M03", "risk", "high", "v2", True),
        ("clv", AS_OF, "M01", "clv_12m", "100.0", "c1", True),
    ]


@pytest.mark.parametrize(("table", "message"), [
    (_scores(id=["M01"], probability=[0.5]), "member_id"),
    (_scores(member_id=["M01"]), "output"),
    (_scores(member_id=["M01", "M01"], probability=[0.5, 0.6]), "M01 appears 2 times"),
    (_scores(member_id=["M01", None], probability=[0.5, 0.6]), "member_id"),
])
def test_write_scores_refuses_malformed_tables(tiny: DuckDBEngine, table: pa.Table,
                                               message: str) -> None:
    write_scores(tiny, model="churn", version="v1", as_of=AS_OF,
                 table=_scores(member_id=["M02"], probability=[0.1]))
    with pytest.raises(ModelScoresError, match=message):
        write_scores(tiny, model="churn", version="v2", as_of=AS_OF, table=table)
    # the earlier scores are untouched
    assert tiny.fetchall("SELECT member_id, value FROM model_scores") == [("M02", "0.1")]


def test_refresh_profile_equals_a_full_run(tiny: DuckDBEngine) -> None:
    run_tags(tiny, as_of=AS_OF)
    write_scores(tiny, model="churn", version="v1", as_of=AS_OF,
                 table=_scores(member_id=["M01", "M03", "M07"],
                               probability=[0.125, 0.875, None], risk=["low", "high", "low"]))
    write_scores(tiny, model="churn", version="v1", as_of=date(2024, 8, 1),   # not yet
                 table=_scores(member_id=["M02"], probability=[0.5], risk=["medium"]))
    result = refresh_profile(tiny, load_catalog(), "churn")
    assert (result.as_of, result.tags, result.members, result.stale) == (
        AS_OF, ("churn_probability", "churn_risk"), 3, ())
    refreshed = read_profile(tiny)
    refreshed_history = read_profile(tiny, "tag_history", f"WHERE as_of = '{AS_OF}'")
    assert refreshed["M01"]["churn_probability"] == 0.125
    assert refreshed["M07"]["churn_risk"] == "low"
    assert refreshed["M02"]["churn_risk"] is None
    run_tags(tiny, as_of=AS_OF)
    assert read_profile(tiny) == refreshed
    assert read_profile(tiny, "tag_history", f"WHERE as_of = '{AS_OF}'") == refreshed_history
    assert tuple(refreshed) == IN_PROFILE


def test_refresh_profile_without_a_profile_does_nothing(tiny: DuckDBEngine) -> None:
    result = refresh_profile(tiny, load_catalog(), "churn")
    assert (result.as_of, result.tags, result.members) == (None, (), 0)
    assert not tiny.table_exists("member_profile")


def test_refresh_adds_a_new_tag_and_names_stale_rules(tiny: DuckDBEngine,
                                                      tmp_path: Path) -> None:
    """A tag added since the last run gets its column; rules reading it are reported."""
    run_tags(tiny, as_of=AS_OF)
    user = [
        {"key": "upsell_score", "name": {"zh": "追加销售", "en": "Upsell"},
         "category": "predictive", "type": "float",
         "description": {"zh": "外部模型", "en": "external model"},
         "compute": {"kind": "model", "model": "upsell", "output": "score"}},
        {"key": "upsell_target", "name": {"zh": "追加目标", "en": "Upsell target"},
         "category": "predictive", "type": "bool",
         "description": {"zh": "规则", "en": "rule"},
         "compute": {"kind": "rule", "expr": "upsell_score > 0.5"}},
    ]
    (tmp_path / "upsell.yaml").write_text(yaml.safe_dump({"tags": user}), "utf-8")
    catalog = load_catalog((tmp_path,))
    write_scores(tiny, model="upsell", version="u1", as_of=AS_OF,
                 table=_scores(member_id=["M05"], score=[0.75]))
    result = refresh_profile(tiny, catalog, "upsell")
    assert result.stale == ("upsell_target",)
    assert read_profile(tiny)["M05"]["upsell_score"] == 0.75
    assert _history(tiny, AS_OF, "upsell_score")["M05"] == 0.75
