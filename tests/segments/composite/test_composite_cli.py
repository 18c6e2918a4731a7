"""`memberlens composite …` through Typer's runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from memberlens.cli import app

runner = CliRunner()
WriteFile = Callable[[str, str], Path]

HOUSE = """
zh: 购房决策
en: House choice
data: {source: file, id: house}
weighting:
  method: ahp
  pairwise:
    - [1,   5,   3,   7, 6,   6,   1/3, 1/4]
    - [1/5, 1,   1/3, 5, 3,   3,   1/5, 1/7]
    - [1/3, 3,   1,   6, 3,   4,   6,   1/5]
    - [1/7, 1/5, 1/6, 1, 1/3, 1/4, 1/7, 1/8]
    - [1/6, 1/3, 1/3, 3, 1,   1/2, 1/5, 1/6]
    - [1/6, 1/3, 1/4, 4, 2,   1,   1/5, 1/6]
    - [3,   5,   1/6, 7, 5,   5,   1,   1/2]
    - [4,   7,   5,   8, 6,   6,   2,   1]
indicators:
  - {key: size, zh: 面积}
  - {key: transport, zh: 交通}
  - {key: neighborhood, zh: 周边环境}
  - {key: age, zh: 房龄, direction: cost}
  - {key: yard, zh: 院子}
  - {key: modern, zh: 现代设施}
  - {key: condition, zh: 整体状况}
  - {key: financing, zh: 贷款条件}
"""

DEALERS_YAML = """
zh: 经销商指数
entity_zh: 经销商
data: {source: file, id: 编号, path: dealers.csv}
weighting: {method: entropy}
indicators:
  - {key: sales, zh: 销售额, column: 销售额}
  - {key: complaints, zh: 投诉数, column: 投诉数, direction: cost}
classifications:
  - key: level
    zh: 等级
    rules: [{class: 重点, zh: 重点经销商, when: percentile >= 0.5}]
    default: {class: 一般, zh: 一般经销商}
"""
DEALERS_CSV = "编号,销售额,投诉数\nD1,100,1\nD2,300,0\nD3,200,5\nD4,50,2\n"


def _output(result: object) -> str:
    text = getattr(result, "output", "")
    try:
        text += getattr(result, "stderr", "")
    except ValueError:  # stderr not captured separately
        pass
    return str(text)


def test_score_the_demo_stores(store_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "stores.csv"
    result = runner.invoke(app, ["-w", str(store_warehouse), "composite", "score",
                                 "retail_stores", "--limit", "5", "--out", str(out)])
    text = _output(result)
    assert result.exit_code == 0, text
    assert "零售门店综合指数" in text and "排名" in text and "门店类型" in text
    assert "层次分析法" in text and "服务类别" in text
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert frame["rank"].tolist() == sorted(frame["rank"].tolist())
    assert str(frame["entity_id"].iloc[0]) in text  # the best store is shown


def test_score_in_english(store_warehouse: Path) -> None:
    result = runner.invoke(app, ["-w", str(store_warehouse), "--lang", "en", "composite",
                                 "score", "retail_stores", "--limit", "3"])
    assert result.exit_code == 0, _output(result)
    assert "Retail store composite index" in result.output and "rank" in result.output


def test_weights_of_the_example_show_ahp_consistency() -> None:
    result = runner.invoke(app, ["composite", "weights", "retail_stores"])
    assert result.exit_code == 0, _output(result)
    assert "λmax" in result.output and "CR =" in result.output
    assert "groups[scale].pairwise" in result.output


def test_an_inconsistent_matrix_is_refused(write_file: WriteFile) -> None:
    path = write_file("house.yaml", HOUSE)
    result = runner.invoke(app, ["composite", "weights", str(path)])
    text = _output(result)
    assert result.exit_code == 1
    assert "CR = 0.169" in text and "house.yaml" in text and "weighting.pairwise" in text


def test_file_data_with_entropy_weights(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("dealers.csv", DEALERS_CSV)
    config = write_file("dealers.yaml", DEALERS_YAML)
    out = tmp_path / "dealers.xlsx"
    result = runner.invoke(app, ["composite", "score", str(config), "--out", str(out)])
    assert result.exit_code == 0, _output(result)
    assert "熵权法" in result.output and "重点经销商" in result.output
    scores = pd.read_excel(out, sheet_name="得分", engine="openpyxl")
    assert scores["编号"].tolist()[0] == "D2"   # most sales, fewest complaints
    weights = runner.invoke(app, ["composite", "weights", str(config)])
    assert weights.exit_code == 0, _output(weights)
    assert "d = 1 − e" in weights.output


def test_a_missing_warehouse_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["-w", str(tmp_path / "none.duckdb"), "composite", "score",
                                 "retail_stores"])
    assert result.exit_code == 1
    assert "none.duckdb" in _output(result)
