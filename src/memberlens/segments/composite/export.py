"""Writing a composite result: CSV for analysts, Excel for marketers.

CSV keeps the keys as headers (easy to read back) and is written with a BOM so that
Excel opens the Chinese text right. Excel gets headers in the chosen language and two
more sheets: the weights, and the classes with their counts and advice.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...errors import MemberlensError
from .model import CompositeResult

METHOD_LABELS: dict[str, tuple[str, str]] = {
    "hand": ("手工赋权", "by hand"), "entropy": ("熵权法", "entropy weight method"),
    "ahp": ("层次分析法", "AHP"), "combined": ("主客观组合赋权", "AHP/hand + entropy"),
}
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "entity_id": ("编号", "id"), "entity_label": ("名称", "name"), "score": ("得分", "score"),
    "rank": ("排名", "rank"), "percentile": ("百分位", "percentile"),
    "strengths": ("优势指标", "strengths"), "weaknesses": ("短板指标", "weak points"),
}


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def result_frame(result: CompositeResult, lang: str = "zh", *, labels: bool = False
                 ) -> pd.DataFrame:
    """The result table with strengths and weak points; headers in `lang` if `labels`."""
    cfg = result.config
    names = {i.key: i.label(lang) for i in cfg.indicators}
    table = result.table.copy()
    ids = table["entity_id"]
    at = 5 + len(cfg.classifications)  # after the classes
    table.insert(at, "strengths",
                 ["、".join(names[k] for k in result.strengths(i)) for i in ids])
    table.insert(at + 1, "weaknesses",
                 ["、".join(names[k] for k in result.weaknesses(i)) for i in ids])
    if not labels:
        return table
    heads = {k: _t(v, lang) for k, v in COLUMN_LABELS.items()}
    heads |= {c.key: c.label(lang) for c in cfg.classifications}
    heads |= {g.key: f"{g.label(lang)}{'得分' if lang == 'zh' else ' score'}"
              for g in cfg.groups}
    heads |= {i.key: i.label(lang) + (f" ({i.unit})" if i.unit else "")
              for i in cfg.indicators}
    if cfg.classifications:  # class codes with their names, as marketers read them
        for c in cfg.classifications:
            labels_by_code = {code: lab.label(lang) for code, lab in c.labels().items()}
            table[c.key] = [f"{v} {labels_by_code.get(v, '')}".strip() for v in table[c.key]]
    return table.rename(columns=heads)


def weights_frame(result: CompositeResult, lang: str = "zh") -> pd.DataFrame:
    cfg, report = result.config, result.weights
    groups = {g.key: g.label(lang) for g in cfg.groups}
    rows = []
    for k, ind in enumerate(cfg.indicators):
        row: dict[str, object] = {
            "key": ind.key, "indicator": ind.label(lang),
            "group": groups.get(ind.group or "", ""),
            "direction": ind.direction, "weight": float(report.weights[k]),
        }
        if ind.key in report.local_weights:
            row["weight_in_group"] = report.local_weights[ind.key]
        if report.entropy is not None:
            row["entropy"] = float(report.entropy.entropy[k])
            row["divergence"] = float(report.entropy.divergence[k])
        rows.append(row)
    return pd.DataFrame(rows)


def classes_frame(result: CompositeResult, lang: str = "zh") -> pd.DataFrame:
    parts = []
    for c in result.config.classifications:
        counts = result.class_counts(c.key, lang)
        labels = c.labels()
        counts.insert(0, "classification", c.label(lang))
        counts["advice"] = [labels[code].advice_zh if lang == "zh" else
                            (labels[code].advice_en or labels[code].advice_zh)
                            for code in counts["code"]]
        parts.append(counts)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def write_result(result: CompositeResult, path: Path, lang: str = "zh") -> Path:
    """Write `.csv` or `.xlsx` (chosen by the suffix); returns the path written."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise MemberlensError(f"输出文件应为 .csv 或 .xlsx the output must be .csv or .xlsx, "
                              f"got '{path.name}'")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        result_frame(result, lang).to_csv(path, index=False, encoding="utf-8-sig")
        return path
    sheets = (("得分", "Scores"), ("权重", "Weights"), ("分类", "Classes"))
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        result_frame(result, lang, labels=True).to_excel(
            book, sheet_name=_t(sheets[0], lang), index=False)
        weights_frame(result, lang).to_excel(book, sheet_name=_t(sheets[1], lang), index=False)
        classes = classes_frame(result, lang)
        if not classes.empty:
            classes.to_excel(book, sheet_name=_t(sheets[2], lang), index=False)
    return path
