"""Tag quality: PSI arithmetic, coverage, drift flags, and `memberlens tags quality`."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memberlens.cli import app
from memberlens.engine import DuckDBEngine, open_engine
from memberlens.errors import NotFound
from memberlens.ingest import ingest_file
from memberlens.tags import Catalog, TagDefinition, load_catalog, run_tags
from memberlens.tags.quality import (
    EPSILON,
    describe,
    drift_level,
    population_stability_index,
    tag_quality,
)

runner = CliRunner()


# --- PSI on hand-computed distributions ----------------------------------------------------

def test_psi_two_bins() -> None:
    # expected 50/50, actual 40/60:
    # (0.4 - 0.5)·ln(0.4/0.5) + (0.6 - 0.5)·ln(0.6/0.5)
    # = (-0.1)(-0.2231436) + (0.1)(0.1823216) = 0.0223144 + 0.0182322 = 0.0405465
    assert population_stability_index([50, 50], [40, 60]) == pytest.approx(0.0405465, abs=1e-6)


def test_psi_three_bins_from_shares() -> None:
    # expected 0.2/0.3/0.5, actual 0.1/0.3/0.6:
    # (0.1 - 0.2)·ln(0.5) = 0.0693147; (0.3 - 0.3)·ln(1) = 0; (0.6 - 0.5)·ln(1.2) = 0.0182322
    # total 0.0875469; counts instead of shares give the same
    assert population_stability_index([0.2, 0.3, 0.5], [0.1, 0.3, 0.6]) == pytest.approx(
        0.0875469, abs=1e-6)
    assert population_stability_index([20, 30, 50], [10, 30, 60]) == pytest.approx(
        0.0875469, abs=1e-6)


def test_psi_empty_bin_uses_epsilon() -> None:
    # expected 100/0, actual 50/50; the empty expected share becomes ε = 0.0001:
    # (0.5 - 1)·ln(0.5/1) = 0.3465736
    # (0.5 - 0.0001)·ln(0.5/0.0001) = 0.4999 · ln(5000) = 0.4999 · 8.5171932 = 4.2577449
    # total 4.6043185
    assert EPSILON == 1e-4
    assert population_stability_index([100, 0], [50, 50]) == pytest.approx(4.6043185, abs=1e-6)


def test_psi_identical_is_zero_and_levels() -> None:
    assert population_stability_index([3, 5, 2], [30, 50, 20]) == pytest.approx(0.0)
    assert [drift_level(x) for x in (0.0, 0.0999, 0.1, 0.2499, 0.25, 4.6)] == [
        "stable", "stable", "moderate", "moderate", "sharp", "sharp"]
    with pytest.raises(ValueError, match="same bins"):
        population_stability_index([1, 2], [1, 2, 3])


# --- coverage and distributions on a hand-made history ------------------------------------

def _tag(key: str, type_: str, **extra: Any) -> TagDefinition:
    return TagDefinition.model_validate({
        "key": key, "name": {"zh": key, "en": key}, "category": "behaviour", "type": type_,
        "description": {"zh": key, "en": key}, "compute": {"kind": "rule", "expr": "1"},
        **extra})


def _catalog(*tags: TagDefinition) -> Catalog:
    return Catalog(tags={t.key: t for t in tags}, order=[t.key for t in tags])


CATALOG = _catalog(_tag("amount", "int"), _tag("colour", "string"), _tag("items", "list"),
                   _tag("vip", "bool"), _tag("seen_at", "date"),
                   _tag("score", "int", values=["1", "2", "3"]))
PREV, CUR = date(2024, 1, 1), date(2024, 2, 1)


def _history(engine: DuckDBEngine) -> None:
    engine.execute("""CREATE TABLE tag_history (member_id VARCHAR, as_of DATE, amount BIGINT,
                      colour VARCHAR, items VARCHAR[], vip BOOLEAN, seen_at DATE,
                      score BIGINT)""")
    # previous: members 1..100 with amount = i (deciles 10, 20, …, 90), stable columns
    # current: amount = i + 50 for members 1..100, and 25 more members with no values
    engine.execute("""
        INSERT INTO tag_history
        SELECT printf('M%03d', i), DATE '2024-01-01', i,
               CASE WHEN i % 4 = 0 THEN 'red' ELSE 'blue' END,
               CASE WHEN i <= 50 THEN ['a', 'b'] ELSE [] END,
               i <= 20, DATE '2023-12-31' - CAST(i AS INTEGER), 1 + i % 3
        FROM range(1, 101) t(i)""")
    engine.execute("""
        INSERT INTO tag_history
        SELECT printf('M%03d', i), DATE '2024-02-01',
               CASE WHEN i <= 100 THEN i + 50 END,
               CASE WHEN i <= 100 THEN (CASE WHEN i % 4 = 0 THEN 'red' ELSE 'blue' END)
                    ELSE '' END,
               CASE WHEN i <= 50 THEN ['a', 'b'] WHEN i <= 100 THEN [] END,
               CASE WHEN i <= 100 THEN i <= 20 END,
               CASE WHEN i <= 100 THEN DATE '2024-01-31' - CAST(i AS INTEGER) END,
               CASE WHEN i <= 100 THEN 1 + i % 3 END
        FROM range(1, 126) t(i)""")


def test_coverage_distribution_and_psi(engine: DuckDBEngine) -> None:
    _history(engine)
    report = tag_quality(engine, CATALOG)
    assert (report.as_of, report.previous_as_of, report.members) == (CUR, PREV, 125)
    by = {q.tag.key: q for q in report.tags}
    # 100 of 125 members have a value now (a blank string and an empty list do not count);
    # before, all 100 did: coverage fell by 20 points
    for key in ("amount", "colour", "vip", "seen_at", "score"):
        assert by[key].coverage == pytest.approx(100 / 125)
        assert by[key].previous_coverage == pytest.approx(1.0)
        assert by[key].coverage_change == pytest.approx(-0.2)
        assert "coverage" in by[key].flags
    assert by["items"].coverage == pytest.approx(50 / 125)
    assert by["items"].previous_coverage == pytest.approx(0.5)

    # amount: previous deciles 10, 20, …, 90 cut 10 bins of 10 % each; now 51..150 fills
    # five bins with nothing (share ε), four with 10 % and the last, (90, ∞), with 60 %:
    # 5 · (0.0001 - 0.1)·ln(0.0001/0.1) = 5 · 0.0999 · 6.9077553 = 3.4504238
    # + (0.6 - 0.1)·ln(6) = 0.5 · 1.7917595 = 0.8958797   → 4.3463035
    amount = by["amount"]
    assert amount.psi == pytest.approx(4.3463035, abs=1e-6)
    assert amount.drift == "sharp" and amount.flags == ("sharp", "coverage")
    assert amount.numeric is not None
    assert (amount.numeric.min, amount.numeric.median, amount.numeric.max) == (51, 100.5, 150)
    assert amount.numeric.mean == pytest.approx(100.5)

    # same shares before and after: no drift
    assert by["colour"].psi == pytest.approx(0.0)
    assert by["colour"].top == (("blue", 0.75), ("red", 0.25))
    assert by["vip"].true_share == pytest.approx(0.2) and by["vip"].psi == pytest.approx(0)
    assert by["items"].top == (("a", 1.0), ("b", 1.0)) and by["items"].psi == pytest.approx(0)
    assert by["score"].psi == pytest.approx(0.0)
    assert by["items"].flags == ()
    # dates are compared as days before the snapshot: a month later, the same ages
    assert by["seen_at"].psi == pytest.approx(0.0)
    assert describe(by["seen_at"], CUR, "en").startswith("min 2023-10-23 ·")
    assert "median 100.5 ·" in describe(amount, CUR, "en")


def test_first_snapshot_has_no_drift_and_unknown_date_is_refused(engine: DuckDBEngine) -> None:
    _history(engine)
    first = tag_quality(engine, CATALOG, as_of=PREV)
    assert first.previous_as_of is None
    assert all(q.psi is None and q.coverage_change is None and not q.flagged
               for q in first.tags)
    with pytest.raises(NotFound, match="2024-03-01"):
        tag_quality(engine, CATALOG, as_of=date(2024, 3, 1))


def test_no_history_says_what_to_run(engine: DuckDBEngine) -> None:
    with pytest.raises(NotFound, match="tags run"):
        tag_quality(engine, CATALOG)


# --- a sharp shift in real tags between two monthly runs ----------------------------------

def _warehouse(tmp_path: Path) -> Path:
    """200 members; in January they spend about 100 each, in February about ten times more."""
    members = ["member_id,gender,birthday,registered_at"] + [
        f"M{i:03d},{'男' if i % 2 else '女'},{1970 + i % 30}-05-01,2023-06-01"
        for i in range(200)]
    orders = ["order_id,member_id,ordered_at,paid_amount,status"]
    for i in range(200):
        orders.append(f"J{i:03d},M{i:03d},2024-01-{10 + i % 15} 12:00,{100 + i % 50},completed")
        orders.append(f"F{i:03d},M{i:03d},2024-02-{5 + i % 20} 12:00,"
                      f"{1000 + 10 * (i % 50)},completed")
    (tmp_path / "m.csv").write_text("\n".join(members), encoding="utf-8")
    (tmp_path / "o.csv").write_text("\n".join(orders), encoding="utf-8")
    wh = tmp_path / "q.duckdb"
    engine = open_engine(path=wh)
    ingest_file(engine, "members", tmp_path / "m.csv")
    ingest_file(engine, "orders", tmp_path / "o.csv")
    catalog = load_catalog()
    run_tags(engine, as_of=date(2024, 2, 1), catalog=catalog)
    run_tags(engine, as_of=date(2024, 3, 1), catalog=catalog)
    engine.close()
    return wh


@pytest.fixture(scope="module")
def shifted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _warehouse(tmp_path_factory.mktemp("quality"))


def test_sharp_shift_is_flagged_and_stable_tag_is_not(shifted: Path) -> None:
    engine = DuckDBEngine(shifted, read_only=True)
    report = tag_quality(engine, load_catalog())
    engine.close()
    by = {q.tag.key: q for q in report.tags}
    assert (report.as_of, report.previous_as_of) == (date(2024, 3, 1), date(2024, 2, 1))
    spend = by["spend_30d"]
    assert spend.drift == "sharp" and spend.psi is not None and spend.psi >= 0.25
    assert spend in report.flagged
    for stable in ("gender", "age_band", "birthday_month"):
        assert by[stable].psi == pytest.approx(0.0, abs=1e-9)
        assert not by[stable].flagged and by[stable] not in report.flagged
    assert all(math.isfinite(q.psi) for q in report.tags if q.psi is not None)


def test_cli_quality(shifted: Path) -> None:
    result = runner.invoke(app, ["--warehouse", str(shifted), "tags", "quality"])
    assert result.exit_code == 0, result.output
    assert "标签质量" in result.output and "覆盖率" in result.output
    flagged = result.output.split("需关注的标签")[1]
    assert "spend_30d" in flagged and "剧烈" in flagged and "gender" not in flagged

    result = runner.invoke(app, ["--warehouse", str(shifted), "--lang", "en", "tags",
                                 "quality", "--as-of", "2024-02-01"])
    assert result.exit_code == 0, result.output
    assert "Tag quality as of 2024-02-01" in result.output
    assert "no previous snapshot" in result.output and "Flagged" not in result.output

    result = runner.invoke(app, ["--warehouse", str(shifted), "--lang", "en", "tags",
                                 "quality", "--as-of", "2024-13-01"])
    assert result.exit_code == 1 and "YYYY-MM-DD" in result.output
