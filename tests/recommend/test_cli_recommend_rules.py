"""`memberlens recommend rules | together | bundles` through Typer's CliRunner."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rules_warehouse import demo_warehouse
from typer.testing import CliRunner

from memberlens.cli import app
from memberlens.engine import DuckDBEngine

runner = CliRunner()


@pytest.fixture
def wh(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    shutil.copy(demo_warehouse(tmp_path_factory.getbasetemp()), path)
    return path


def _run(wh: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--warehouse", str(wh), *args], env={"COLUMNS": "160"})
    return result.exit_code, result.output


def _query(wh: Path, sql: str) -> list[tuple[object, ...]]:
    engine = DuckDBEngine(wh, read_only=True)
    try:
        return engine.fetchall(sql)
    finally:
        engine.close()


def test_rules_category_and_sku_with_names_and_csv(wh: Path, tmp_path: Path) -> None:
    code, out = _run(wh, "recommend", "rules", "--level", "category", "--min-support",
                     "0.002", "--top", "3", "--engine", "duckdb")
    assert code == 0, out
    assert "关联规则：类目" in out and "引擎 duckdb" in out
    for header in ("购买了", "也会购买", "支持度", "置信度", "提升度", "篮数"):
        assert header in out
    assert "显示前 3 条" in out

    target = tmp_path / "rules.csv"
    code, out = _run(wh, "--lang", "en", "recommend", "rules", "--min-support", "0.0005",
                     "--top", "2", "--out", str(target))
    assert code == 0, out
    assert "Association rules: SKUs" in out and "If bought" in out and "Wrote" in out
    with target.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 2 and rows[0]["antecedent"].startswith("SP")
    sku = rows[0]["antecedent"].split(" + ")[0]
    name = _query(wh, f"SELECT name FROM products WHERE sku = '{sku}'")[0][0]
    assert rows[0]["antecedent_names"].split(" + ")[0] == name
    assert f"{sku} {name}" in " ".join(out.split())  # the name is shown beside the SKU
    assert float(rows[0]["lift"]) >= float(rows[-1]["lift"])


def test_rules_for_a_segment_and_errors(wh: Path) -> None:
    code, out = _run(wh, "recommend", "rules", "--level", "category", "--min-support",
                     "0.005", "--segment", 'rfm_class = "重要价值客户"')
    assert code == 0, out
    assert "分群 rfm_class" in out
    code, out = _run(wh, "recommend", "rules", "--min-support", "0")
    assert code == 1 and "min_support" in out
    code, out = _run(wh, "recommend", "rules", "--level", "brand")
    assert code == 1 and "unknown level 'brand'" in out
    code, out = _run(wh, "recommend", "rules", "--out", "rules.txt")
    assert code == 1 and ".csv" in out


def test_together_live_and_saved(wh: Path) -> None:
    sku = _query(wh, "SELECT i.sku FROM order_items i GROUP BY i.sku "
                     "ORDER BY count(*) DESC, i.sku LIMIT 1")[0][0]
    code, out = _run(wh, "recommend", "together", str(sku), "-k", "3", "--save")
    assert code == 0, out
    assert "已写入 sku_together" in out and f"常与 {sku}" in out
    for header in ("商品编码", "商品名称", "共同购买篮数", "置信度", "提升度"):
        assert header in out
    stored = _query(wh, f"SELECT other_sku FROM sku_together WHERE sku = '{sku}' "
                        "ORDER BY rank")
    assert 1 <= len(stored) <= 3
    assert all(str(s) in out for (s,) in stored)
    code, out = _run(wh, "--lang", "en", "recommend", "together", "NOPE")
    assert code == 1 and "SKU NOPE is not in the catalogue" in out


def test_bundles_by_tag(wh: Path) -> None:
    code, out = _run(wh, "recommend", "bundles", "--by", "rfm_class", "--top", "2",
                     "--min-count", "3", "--level", "category")
    assert code == 0, out
    assert "捆绑推荐（rfm_class" in out
    for header in ("分群", "主商品", "搭配", "搭售率", "相对全体", "套装价", "期望价值"):
        assert header in out
    assert "重要价值客户" in out
    code, out = _run(wh, "--lang", "en", "recommend", "bundles", "--by", "top_categories")
    assert code == 1 and "holds lists" in out
    code, out = _run(wh, "recommend", "bundles")
    assert code == 1 and "--by TAG" in out
