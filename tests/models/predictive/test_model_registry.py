"""Saved models reload without running code, score into the profile, and report drift."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from memberlens.cli import app
from memberlens.engine import DuckDBEngine
from memberlens.models import registry
from memberlens.models.features import ModelError, tag_frame
from memberlens.models.labels import LabelSpec
from memberlens.models.monitoring import baseline, drift
from memberlens.models.scoring import predict, score, score_lifetime_value
from memberlens.models.training import train
from memberlens.tags import run_tags


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ["lightgbm", "decision_tree"])
def test_round_trip_and_scores_in_profile(demo_engine: DuckDBEngine, tmp_path: Path,
                                          algorithm: str) -> None:
    run_tags(demo_engine)
    model = train(demo_engine, LabelSpec("churn"), algorithm=algorithm)
    model_id = registry.save(demo_engine, model, tmp_path / "models")
    files = {p.name for p in (tmp_path / "models" / model_id).iterdir()}
    assert files == {"meta.json", "model.txt" if algorithm == "lightgbm" else "model.skops"}
    loaded = registry.load(demo_engine, model_id, tmp_path / "models")
    assert loaded.meta["features"] == model.features
    assert loaded.meta["training_window"]["train_cutoff"] == model.train_cutoff.isoformat()
    assert loaded.meta["metrics"]["roc_auc"] == pytest.approx(model.holdout.roc_auc)

    as_of = demo_engine.scalar("SELECT max(as_of) FROM member_profile")
    ours = predict(demo_engine, loaded, as_of)
    matrix = model.encoder.transform(tag_frame(demo_engine, as_of).loc[ours.index], as_of)
    np.testing.assert_allclose(ours["probability"],
                               model.classifier.predict_proba(matrix)[:, 1], atol=1e-6)
    assert set(ours["risk"]) <= {"high", "medium", "low"}
    assert ("drivers" in ours) == (algorithm == "lightgbm")

    result = score(demo_engine, loaded)
    assert result.profile_tags == ("churn_probability", "churn_risk")
    got = demo_engine.frame("SELECT member_id, churn_probability, churn_risk FROM "
                            "member_profile WHERE churn_probability IS NOT NULL")
    assert len(got) == len(ours)
    assert registry.latest(demo_engine, "churn") == model_id


def test_untrusted_skops_file_is_refused(demo_engine: DuckDBEngine, tmp_path: Path) -> None:
    from collections import Counter

    import skops.io as sio

    folder = tmp_path / "models" / "churn-svm-x"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(
        '{"model_id": "churn-svm-x", "algorithm": "svm", "config": {"random_state": 0},'
        ' "features": [], "importance": {}, "encoder": {}}', encoding="utf-8")
    sio.dump(Counter("ab"), folder / "model.skops")  # a type skops does not trust
    with pytest.raises(ModelError, match="untrusted"):
        registry.load(demo_engine, "churn-svm-x", tmp_path / "models")


def test_clv_scores_fill_the_clv_tags(demo_engine: DuckDBEngine) -> None:
    run_tags(demo_engine)
    result = score_lifetime_value(demo_engine, penalizer=0.001)
    assert set(result.profile_tags) == {"clv_12m", "p_alive", "next_purchase_days"}
    days = demo_engine.frame("SELECT next_purchase_days, p_alive FROM member_profile "
                             "WHERE clv_12m IS NOT NULL")
    assert days["p_alive"].between(0, 1).all()
    filled = days["next_purchase_days"].dropna()
    assert len(filled) > 0 and (filled > 0).all() and (filled <= 730).all()


def test_drift_flags_a_shifted_feature_and_an_auc_drop() -> None:
    rng = np.random.default_rng(0)
    train_x = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
    ref = baseline(train_x, rng.random(2000))
    same = drift(ref, pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)}),
                 rng.random(2000), trained_auc=0.8, current_auc=0.79)
    assert not same.retrain and max(same.feature_psi.values()) < 0.1
    moved = drift(ref, pd.DataFrame({"a": rng.normal(1.5, 1, 2000),
                                     "b": rng.normal(size=2000)}),
                  rng.random(2000), trained_auc=0.8, current_auc=0.7)
    assert moved.retrain
    assert moved.feature_psi["a"] > 0.25 and moved.feature_psi["b"] < 0.1
    assert any("AUC" in r for r in moved.reasons)


@pytest.mark.slow
def test_cli_train_list_score_show(demo_copy: Callable[[], Path], tmp_path: Path) -> None:
    wh = demo_copy()
    runner = CliRunner()
    base = ["--warehouse", str(wh), "--lang", "en"]
    assert runner.invoke(app, [*base, "tags", "run"]).exit_code == 0
    trained = runner.invoke(app, [*base, "models", "train", "purchase", "--algorithm",
                                  "logistic"])
    assert trained.exit_code == 0, trained.output
    assert "Lift and gains" in trained.output and "ROC AUC" in trained.output
    listed = runner.invoke(app, [*base, "models", "list"], env={"COLUMNS": "200"})
    model_id = next(w for w in listed.output.split() if w.startswith("purchase-logistic-"))
    assert (wh.parent / "models" / model_id / "meta.json").exists()
    scored = runner.invoke(app, [*base, "models", "score", "purchase_30d"])
    assert scored.exit_code == 0, scored.output
    assert "purchase_propensity_30d" in scored.output
    shown = runner.invoke(app, [*base, "models", "show", model_id])
    assert shown.exit_code == 0, shown.output
    assert "PSI" in shown.output and ("Retrain" in shown.output or "No retraining"
                                      in shown.output)
    missing = runner.invoke(app, [*base, "models", "show", "churn-nothing"])
    assert missing.exit_code == 1
