"""`memberlens clusters …` and the cluster tags in `memberlens profile`, via CliRunner."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from memberlens.cli import app
from memberlens.engine import DuckDBEngine

runner = CliRunner()


def _run(wh: Path, *args: str) -> tuple[int, str]:
    """Exit code and output; Rich wraps at 80 columns, so sentences are compared with
    the whitespace taken out (tables keep theirs)."""
    result = runner.invoke(app, ["--warehouse", str(wh), *args])
    return result.exit_code, result.output


def _flat(text: str) -> str:
    return "".join(text.split())


def _one_row(wh: Path, sql: str) -> tuple[object, ...]:
    engine = DuckDBEngine(wh, read_only=True)
    try:
        return engine.fetchall(sql)[0]
    finally:
        engine.close()


def test_run_list_show_rename_profile(warehouse: Path) -> None:
    code, out = _run(warehouse, "clusters", "run", "--sample", "400", "--seed", "1")
    assert code == 0, out
    assert "聚类运行 #1：kmeans" in out and "轮廓系数" in out and "组内平方和" in out
    assert "◀ 选中" in out
    for k in range(3, 9):                              # the whole k search is printed
        assert f"│ {k} │" in out
    assert "已写入标签cluster_id、cluster_name" in _flat(out)
    member, name = _one_row(warehouse, "SELECT member_id, cluster_name FROM member_profile "
                                       "WHERE cluster_id = 1 ORDER BY member_id LIMIT 1")
    assert f"1.{name}：" in _flat(out)                  # the descriptions name it

    code, out = _run(warehouse, "clusters", "run", "--method", "twostep", "--k", "3",
                     "-f", "spend_total,order_count_total", "-f", "days_since_last_purchase",
                     "--sample", "400")
    assert code == 0, out
    assert "k=3（指定k）" in _flat(out) and "days_since_last_purchase" in _flat(out)

    code, out = _run(warehouse, "clusters", "list")
    assert code == 0 and "kmeans" in out and "twostep" in out, out

    code, out = _run(warehouse, "--lang", "en", "clusters", "show", "1")
    assert code == 0, out
    assert "Cluster run #1: kmeans" in out and "Silhouette" in out and "◀ chosen" in out

    code, out = _run(warehouse, "clusters", "rename", "2", "1", "高潜力会员",
                     "--description", "可以重点跟进")
    assert code == 0 and "已改名：运行 #2 第 1 类 → 高潜力会员" in out, out
    member = _one_row(warehouse, "SELECT member_id FROM member_profile WHERE cluster_id = 1 "
                                 "ORDER BY member_id LIMIT 1")[0]
    code, out = _run(warehouse, "profile", str(member))
    assert code == 0, out
    assert "聚类名称 (cluster_name)" in out and "高潜力会员" in out
    code, out = _run(warehouse, "clusters", "show")    # the latest run, with the new name
    assert code == 0 and "1.高潜力会员：可以重点跟进" in _flat(out), out


def test_errors_name_what_was_wrong(warehouse: Path) -> None:
    code, out = _run(warehouse, "clusters", "run", "--method", "dbscan")
    assert code == 1 and "unknownmethod'dbscan'" in _flat(out)
    code, out = _run(warehouse, "clusters", "run", "--k", "many")
    assert code == 2 and "kmustbe'auto'oraninteger" in _flat(out)
    code, out = _run(warehouse, "clusters", "run", "-f", "spend_totl,age")
    assert code == 1 and "didyoumean'spend_total'" in _flat(out)
    code, out = _run(warehouse, "clusters", "show")
    assert code == 1 and "memberlensclustersrun" in _flat(out)
    code, out = _run(warehouse, "clusters", "list")
    assert code == 0 and "还没有聚类运行" in out
