"""`memberlens demo` on a fresh directory: data, warehouse, profiles and report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from memberlens.cli import app
from memberlens.engine import DuckDBEngine


def test_demo_on_fresh_directory(tmp_path: Path) -> None:
    workdir = tmp_path / "fresh"
    result = CliRunner().invoke(app, ["demo", "--dir", str(workdir), "--members", "1500"])
    assert result.exit_code == 0, result.output
    report = workdir / "memberlens-report.html"
    assert str(report.resolve()) in result.output.replace("\n", "")
    assert "演示完成" in result.output
    html = report.read_text(encoding="utf-8")
    assert 'data-chart="rfm"' in html and "重要价值客户" in html and "echarts" in html
    # the demo clusters the buyers with K-Means, so the report has that section too
    assert 'id="clusters"' in html and 'data-chart="cluster_k"' in html
    # and trains, registers and scores a churn model and CLV: the models section
    assert 'id="models"' in html and 'data-chart="model_lift_0"' in html
    assert 'id="clv"' in html and "流失风险分层与建议动作" in html

    manifest = json.loads((workdir / "data" / "manifest.json").read_text(encoding="utf-8"))
    engine = DuckDBEngine(workdir / "memberlens.duckdb", read_only=True)
    try:
        loaded = dict(engine.fetchall(
            "SELECT target, sum(rows_in) FROM run_log WHERE step = 'ingest' GROUP BY 1"))
        for entry in manifest["files"]:
            assert entry["table"] in loaded
        # every row read is accounted for: loaded, rejected or dropped
        for table in ("orders", "members", "events"):
            rows_in, loaded_n, rejected, dropped = engine.fetchall(f"""
                SELECT sum(rows_in), sum(rows_loaded), sum(rows_rejected), sum(rows_duplicate)
                FROM run_log WHERE step = 'ingest' AND target = '{table}'""")[0]
            assert rows_in == loaded_n + rejected + dropped
            assert engine.scalar(f"SELECT count(*) FROM {table}") == loaded_n
        reasons = {r[0] for r in engine.fetchall("SELECT DISTINCT reason FROM quarantine")}
        assert {"duplicate_row", "missing_required"} <= reasons
        classes = engine.scalar("SELECT count(DISTINCT rfm_class) FROM member_profile")
        assert classes == 8
        clustered = engine.scalar("SELECT count(*) FROM member_profile WHERE cluster_id "
                                  "IS NOT NULL")
        buyers = engine.scalar("SELECT count(*) FROM member_profile WHERE "
                               "order_count_total > 0")
        assert clustered == buyers > 0
        scored = engine.scalar("SELECT count(*) FROM member_profile WHERE churn_risk "
                               "IS NOT NULL")
        assert 0 < scored < buyers
        assert engine.scalar("SELECT count(*) FROM member_profile WHERE clv_12m "
                             "IS NOT NULL") == buyers
        # and serves every member a top-10 (item-CF; segment best sellers for the rest)
        assert engine.scalar("SELECT count(*) FROM member_profile WHERE "
                             "len(recommended_skus) = 10") == engine.scalar(
            "SELECT count(*) FROM member_profile")
    finally:
        engine.close()
