"""Saved segments: versions, resolution by name, export with masking, overlap, the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from memberlens.cli import app
from memberlens.engine import DuckDBEngine
from memberlens.errors import NotFound
from memberlens.segments.audience import compile_for
from memberlens.segments.export import ExportError, export_members
from memberlens.segments.overlap import OverlapError, overlap
from memberlens.segments.parser import AudienceError
from memberlens.segments.store import (
    SegmentDefinition,
    SegmentError,
    get,
    list_latest,
    load_definitions,
    resolve,
    save,
    versions,
)
from memberlens.tags import Catalog, load_catalog

# member_id, name, phone, email, gender, age, rfm_class, top_categories
MEMBERS = [
    ("M1", "张伟", "13812345678", "zhangwei@qq.com", "女", 30, "重要价值客户", ["奶粉"]),
    ("M2", "李娜", "13912345678", "lina@163.com", "男", 25, "重要保持客户", ["酒水"]),
    ("M3", "王芳", "13700001111", None, "女", 41, "一般发展客户", ["奶粉", "酒水"]),
    ("M4", "欧阳娜娜", "13600002222", "oy@qq.com", "女", None, None, None),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def wh(engine: DuckDBEngine) -> DuckDBEngine:
    engine.execute("""CREATE TABLE member_profile (member_id VARCHAR, as_of DATE,
        gender VARCHAR, age BIGINT, rfm_class VARCHAR, top_categories VARCHAR[])""")
    for m in MEMBERS:
        engine.execute("INSERT INTO members (member_id, name, phone, email, gender) "
                       "VALUES (?, ?, ?, ?, ?)", list(m[:5]))
        engine.execute("INSERT INTO member_profile VALUES (?, DATE '2026-01-01', ?, ?, ?, ?)",
                       [m[0], *m[4:]])
    return engine


def test_versions_are_added_only_when_the_expression_changes(wh: DuckDBEngine,
                                                              catalog: Catalog) -> None:
    first = save(wh, catalog, SegmentDefinition(name="宝妈", expression='top_categories '
                                                "contains '奶粉'", description="买奶粉的"))
    assert first.created and first.segment.version == 1 and first.segment.member_count == 2
    # same tree, different spelling: nothing new
    again = save(wh, catalog, SegmentDefinition(name="宝妈",
                                                expression='top_categories contains "奶粉"'))
    assert not again.created and again.segment.version == 1
    second = save(wh, catalog, SegmentDefinition(
        name="宝妈", expression='top_categories contains "奶粉" and gender = "女"'))
    assert second.created and second.segment.version == 2
    assert second.segment.description == "买奶粉的"  # kept from the previous version
    assert [s.version for s in versions(wh, "宝妈")] == [1, 2]
    assert get(wh, "宝妈", 1).written_as == "top_categories contains '奶粉'"
    assert [s.name for s in list_latest(wh)] == ["宝妈"]
    assert list_latest(wh)[0].version == 2


def test_a_bad_expression_or_name_saves_nothing(wh: DuckDBEngine, catalog: Catalog) -> None:
    with pytest.raises(AudienceError):
        save(wh, catalog, SegmentDefinition(name="x", expression="agee > 3"))
    with pytest.raises(SegmentError):
        save(wh, catalog, SegmentDefinition(name="a'; drop", expression="age > 3"))
    assert list_latest(wh) == []


def test_resolve_by_name_version_or_expression(wh: DuckDBEngine, catalog: Catalog) -> None:
    save(wh, catalog, SegmentDefinition(name="年轻", expression="age < 28"))
    save(wh, catalog, SegmentDefinition(name="年轻", expression="age < 35"))
    label, audience = resolve(wh, catalog, "年轻")
    assert label == "年轻 v2" and audience.canonical == "age < 35"
    assert resolve(wh, catalog, "年轻", 1)[1].canonical == "age < 28"
    assert resolve(wh, catalog, "age > 40")[1].canonical == "age > 40"
    with pytest.raises(NotFound, match="年轻"):
        resolve(wh, catalog, "年青")  # a typo of a saved name is not parsed as a tag
    with pytest.raises(NotFound):
        resolve(wh, catalog, "年轻", 7)


def test_export_masks_personal_data_unless_asked(wh: DuckDBEngine, catalog: Catalog,
                                                 tmp_path: Path) -> None:
    audience = compile_for(wh, 'gender = "女"', catalog)
    result = export_members(wh, catalog, audience, tmp_path / "a.csv", extra_tags=["age"])
    assert result.rows == 3 and result.masked
    with (tmp_path / "a.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["会员ID"] for r in rows] == ["M1", "M3", "M4"]
    assert rows[0]["手机号"] == "138****5678" and rows[0]["姓名"] == "张*"
    assert rows[0]["邮箱"] == "z***@qq.com" and rows[2]["姓名"] == "欧***"
    assert rows[1]["年龄"] == "41" and rows[2]["年龄"] == ""
    assert "13812345678" not in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")

    plain = export_members(wh, catalog, audience, tmp_path / "b.xlsx", show_pii=True,
                           lang="en")
    sheet = load_workbook(plain.path).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][:4] == ("member_id", "name", "phone", "email")
    assert values[1][:3] == ("M1", "张伟", "13812345678") and len(values) == 4
    with pytest.raises(ExportError, match=r"\.csv"):
        export_members(wh, catalog, audience, tmp_path / "c.json")


def test_overlap_counts_every_region(wh: DuckDBEngine, catalog: Catalog) -> None:
    a = ("宝妈", compile_for(wh, 'top_categories contains "奶粉"', catalog))  # M1 M3
    b = ("女", compile_for(wh, 'gender = "女"', catalog))  # M1 M3 M4
    c = ("酒", compile_for(wh, 'top_categories contains "酒水"', catalog))  # M2 M3
    result = overlap(wh, [a, b, c])
    assert result.total == 4
    assert result.regions == {(True, True, False): 1, (True, True, True): 1,
                              (False, False, True): 1, (False, True, False): 1}
    assert [result.size(i) for i in range(3)] == [2, 3, 2]
    assert result.intersection((0, 1)) == 2 and result.union() == 4
    pairs = {(i, j): (n, round(jac, 3)) for i, j, n, jac in result.pairs()}
    assert pairs[(0, 1)] == (2, round(2 / 3, 3)) and pairs[(1, 2)] == (1, 0.25)
    with pytest.raises(OverlapError):
        overlap(wh, [a])


def test_definitions_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("segments:\n  - name: 宝妈\n    expression: top_categories contains '奶粉'\n"
                    "  - name: 年轻\n    expresion: age < 30\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"第 2 个分群.*expresion"):
        load_definitions(path)


def test_cli(wh: DuckDBEngine, tmp_path: Path) -> None:
    path = str(wh.path) if hasattr(wh, "path") else str(tmp_path / "wh.duckdb")
    wh.close()
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--warehouse", path, "segments", *args])
        return result.exit_code, result.output

    code, out = run("create", "宝妈", 'top_categories contains "奶粉"', "-d", "买奶粉")
    assert code == 0 and "第 1 版" in out and "2 人" in out, out
    code, out = run("create", "女", 'gender = "女"')
    assert code == 0
    code, out = run("count", "宝妈")
    assert code == 0 and "2 人" in out and "50.0%" in out, out
    code, out = run("count", 'age between 20 and 30')
    assert code == 0 and "2 人" in out, out
    code, out = run("count", "agee > 1")
    assert code == 1 and "did you mean: age" in out and "^" in out, out
    code, out = run("list")
    assert code == 0 and "宝妈" in out and "女" in out
    code, out = run("show", "宝妈")
    assert code == 0 and "买奶粉" in out and "当前人数: 2" in out, out
    code, out = run("overlap", "宝妈", "女")
    assert code == 0 and "A 且 B" in out and "都不在" in out, out
    out_file = tmp_path / "out.csv"
    code, out = run("export", "宝妈", "--out", str(out_file))
    assert code == 0 and "已导出 2 位会员" in out and "脱敏" in out, out
    assert "138****5678" in out_file.read_text(encoding="utf-8-sig")
