"""`memberlens recommend run | member | similar` through Typer's CliRunner, on the hand-made
serving warehouse (serving_tiny.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from serving_tiny import tiny_copy
from typer.testing import CliRunner

from memberlens.cli import app
from memberlens.engine import DuckDBEngine


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serving_cli")


@pytest.fixture
def warehouse(root: Path, tmp_path: Path) -> Path:
    return tiny_copy(root, tmp_path / "wh.duckdb")


def invoke(warehouse: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), *args])
    return result.exit_code, result.output


def profile_lists(warehouse: Path) -> dict[str, list[str]]:
    engine = DuckDBEngine(warehouse, read_only=True)
    try:
        return {str(m): list(v) for m, v in engine.fetchall(
            "SELECT member_id, recommended_skus FROM member_profile")}
    finally:
        engine.close()


def test_run_writes_every_members_list_and_prints_a_summary(warehouse: Path) -> None:
    code, out = invoke(warehouse, "recommend", "run", "-k", "3", "--exclude-category", "烟酒",
                       "--segment-min-members", "3")
    assert code == 0, out
    assert "推荐已生成：itemcf，每位会员 3 个" in out
    assert "获得推荐的会员" in out and "14" in out
    assert "2 (14.3%)" in out                                  # CF and CM: cold start
    assert "缺货 1" in out and "类目过滤 1" in out and "未上市 1" in out
    assert "recommended_skus contains" in out
    lists = profile_lists(warehouse)
    assert len(lists) == 14 and all(len(v) == 3 for v in lists.values())
    assert all("W1" not in v and "X0" not in v and "N1" not in v for v in lists.values())
    assert lists["CF"] == ["D1", "D2", "D3"]


def test_run_with_a_policy_file_and_english(warehouse: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("exclude_brands: [茅台]\nrepeat_categories: [大米]\n", encoding="utf-8")
    code, out = invoke(warehouse, "--lang", "en", "recommend", "run", "--policy", str(policy),
                       "-k", "10")
    assert code == 0, out
    assert "Recommendations served: itemcf, 10 per member" in out
    assert "brand filter 1" in out and "大米" in out
    lists = profile_lists(warehouse)
    assert all("W1" not in v for v in lists.values())
    assert "R1" in lists["F1"]                                  # rebuying rice is offered
    policy.write_text("exclude_brand: [茅台]\n", encoding="utf-8")
    code, out = invoke(warehouse, "recommend", "run", "--policy", str(policy))
    assert code == 1 and "exclude_brand" in out


def test_member_shows_the_stored_list_or_computes_one(warehouse: Path) -> None:
    code, out = invoke(warehouse, "recommend", "member", "CF", "-k", "2")
    assert code == 0, out
    assert "即时计算" in out and "热销" in out                   # nothing stored yet
    invoke(warehouse, "recommend", "run", "-k", "3", "--segment-min-members", "3")
    code, out = invoke(warehouse, "recommend", "member", "CF")
    assert code == 0, out
    assert "已保存" in out and "碎花连衣裙" in out and "299.00" in out and "热销" in out
    code, out = invoke(warehouse, "--lang", "en", "recommend", "member", "F1", "-k", "2",
                       "--recommender", "itemcf")
    assert code == 0, out
    assert "computed now: itemcf" in out and "similar" in out
    code, out = invoke(warehouse, "recommend", "member", "F9")
    assert code == 1 and "找不到会员 F9" in out and "F1" in out


def test_similar_lists_skus_with_names(warehouse: Path) -> None:
    code, out = invoke(warehouse, "recommend", "similar", "H1", "-k", "2")
    assert code == 0, out
    assert "与 H1 降噪耳机 相似的商品（itemcf）" in out and "运动耳机" in out
    code, out = invoke(warehouse, "recommend", "similar", "H1", "--recommender", "content")
    assert code == 0, out
    assert "头戴耳机" in out
    code, out = invoke(warehouse, "recommend", "similar", "降噪")
    assert code == 1 and "H1 降噪耳机" in out
