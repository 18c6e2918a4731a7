"""Loading definitions: errors name the file and the field; the shipped example is sound."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from memberlens.segments.composite import (
    EXAMPLES,
    CompositeConfigError,
    ahp,
    load_config,
)

WriteFile = Callable[[str, str], Path]

HEAD = """
zh: 测试
data: {source: file, id: id}
"""


def _error(write_file: WriteFile, body: str) -> str:
    path = write_file("model.yaml", HEAD + body)
    with pytest.raises(CompositeConfigError) as err:
        load_config(path)
    assert "model.yaml" in str(err.value)
    return str(err.value)


def test_missing_file_and_bad_yaml(tmp_path: Path, write_file: WriteFile) -> None:
    with pytest.raises(CompositeConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(CompositeConfigError, match="invalid YAML"):
        load_config(write_file("bad.yaml", "zh: [unclosed"))


@pytest.mark.parametrize(("body", "field", "words"), [
    ("indicators:\n  - {key: a, zh: a, weight: 1, colour: red}\n",
     "indicators.0.colour", "Extra inputs"),
    ("indicators:\n  - {key: a, zh: a, weight: 1, direction: up}\n",
     "indicators.0.direction", "benefit"),
    ("indicators:\n  - {key: a, zh: a}\n", "indicators", "missing: a"),
    ("indicators:\n  - {key: score, zh: a, weight: 1}\n", "indicators", "reserved"),
    ("indicators:\n  - {key: a, zh: a, weight: 1}\n  - {key: a, zh: b, weight: 1}\n",
     "indicators", "duplicate"),
    ("weighting: {method: ahp}\nindicators:\n  - {key: a, zh: a}\n  - {key: b, zh: b}\n",
     "weighting.pairwise", "2×2"),
    ("weighting: {method: ahp, pairwise: [[1, 3], [3, 1]]}\n"
     "indicators:\n  - {key: a, zh: a}\n  - {key: b, zh: b}\n",
     "weighting.pairwise", "reciprocal"),
    ("weighting: {method: ahp, pairwise: [[1, 12], [1/12, 1]]}\n"
     "indicators:\n  - {key: a, zh: a}\n  - {key: b, zh: b}\n",
     "weighting.pairwise", "1/9–9"),
    ("weighting: {method: ahp, pairwise: [[1, x], [1, 1]]}\n"
     "indicators:\n  - {key: a, zh: a}\n  - {key: b, zh: b}\n",
     "weighting.pairwise", "cannot read judgement"),
    ("groups: [{key: g, zh: g}]\nindicators:\n  - {key: a, zh: a, weight: 1}\n",
     "indicators[a].group", "needs a group"),
    ("indicators:\n  - {key: a, zh: a, weight: 1, column: x, expr: 'x + 1'}\n",
     "indicators.0", "either column or expr"),
])
def test_errors_name_the_field(write_file: WriteFile, body: str, field: str,
                               words: str) -> None:
    text = _error(write_file, body)
    assert f"field={field}" in text
    assert words in text


def test_rules_accept_class_or_code_and_a_plain_default(write_file: WriteFile) -> None:
    path = write_file("model.yaml", HEAD + """
indicators: [{key: a, zh: a, weight: 1}]
classifications:
  - key: level
    zh: 等级
    rules:
      - {class: 高, when: score >= 60}
      - {code: 中, when: score >= 30}
    default: 低
""")
    cfg = load_config(path)
    assert [r.code for r in cfg.classifications[0].rules] == ["高", "中"]
    assert cfg.classifications[0].default.code == "低"
    assert cfg.origin == str(path)


def test_the_retail_store_example_is_consistent() -> None:
    cfg = load_config(EXAMPLES / "retail_stores.yaml")
    assert cfg.weighting.method == "ahp"
    top = ahp(cfg.weighting.pairwise or (), [g.key for g in cfg.groups])
    assert top.cr < 0.1
    for g, members in cfg.group_members().items():
        group = next(x for x in cfg.groups if x.key == g)
        if group.pairwise is not None:
            assert ahp(group.pairwise, [i.key for i in members]).cr < 0.1
    codes = [r.code for r in cfg.classifications[0].rules]
    assert set(codes) >= {"A", "B", "AB", "O", "N", "W"}
    assert [r.code for r in cfg.classifications[1].rules] + \
        [cfg.classifications[1].default.code] == ["监控", "维护", "普通"]
