"""Source files into a staging relation the cleaning query can read.

Readers never interpret values: every column arrives as text (or as the source's own
type for typed formats), so that cleaning can name the exact raw value it refused.
"""

from __future__ import annotations

import codecs
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..engine.base import Engine
from ..errors import IngestError

FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".psv": "csv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".ods": "excel",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}


# what exports write for "no value"; the reader turns exact matches into NULL
CSV_NULL_TOKENS = ("", "NULL", "null", "Null", "None", "none", "NaN", "nan", "N/A", "n/a",
                   "NA", "-", "--", "无", "空")


@dataclass
class Source:
    """What a reader produced: a relation name, its columns, and how to count rows."""

    path: Path
    fmt: str
    relation: str                 # a SQL FROM item (table function call or registered name)
    columns: list[str]
    types: dict[str, str]
    header: bool
    row_offset: int               # add to the 0-based record index to get the row a user sees
    cleanup: list[Path] = field(default_factory=list)


def detect_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(
            f"不支持的文件类型 unsupported file type '{path.suffix}'; "
            "支持 supported: CSV, Excel, Parquet, JSON lines", file=str(path))
    return fmt


def open_source(engine: Engine, path: Path, *, header: bool | None = None,
                delimiter: str | None = None, sheet: str | int | None = None) -> Source:
    """Describe `path` as a relation the engine can scan, detecting format and layout."""
    if not path.exists():
        raise IngestError("文件不存在 file not found", file=str(path))
    fmt = detect_format(path)
    if fmt == "csv":
        return _csv(engine, path, header, delimiter)
    if fmt == "parquet":
        return _typed(engine, path, "parquet", f"read_parquet({_lit(path)})")
    if fmt == "jsonl":
        rel = (f"read_json({_lit(path)}, format='newline_delimited', "
               "maximum_object_size=16777216, sample_size=-1)")
        return _typed(engine, path, "jsonl", rel)
    return _excel(engine, path, header, sheet)


def _lit(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _utf8_path(path: Path) -> tuple[Path, list[Path]]:
    """DuckDB reads UTF-8; Chinese Excel exports are often GB18030, so transcode those."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    try:
        head.decode("utf-8")
        return path, []
    except UnicodeDecodeError as e:
        if len(head) == 1 << 16 and e.start > len(head) - 4:
            return path, []  # a multi-byte character cut by the sample boundary
    tmp = Path(tempfile.mkstemp(suffix=".csv", prefix="memberlens-utf8-")[1])
    decoder = codecs.getincrementaldecoder("gb18030")()
    with path.open("rb") as src, tmp.open("w", encoding="utf-8") as dst:
        while chunk := src.read(1 << 20):
            dst.write(decoder.decode(chunk))
        dst.write(decoder.decode(b"", final=True))
    return tmp, [tmp]


def _csv(engine: Engine, path: Path, header: bool | None, delimiter: str | None) -> Source:
    readable, cleanup = _utf8_path(path)
    sniff = engine.fetchall(f"SELECT Delimiter, HasHeader FROM sniff_csv({_lit(readable)})")
    delim = delimiter or (sniff[0][0] if sniff else ",")
    has_header = header if header is not None else bool(sniff and sniff[0][1])
    nulls = ", ".join(_lit(t) for t in CSV_NULL_TOKENS)
    opts = (f"all_varchar=true, header={str(has_header).lower()}, delim={_lit(delim)}, "
            "quote='\"', escape='\"', strict_mode=false, null_padding=true, "
            f"nullstr=[{nulls}]")
    relation = f"read_csv({_lit(readable)}, {opts})"
    cols = engine.fetchall(f"DESCRIBE SELECT * FROM {relation}")
    return Source(path=path, fmt="csv", relation=relation, columns=[c[0] for c in cols],
                  types={c[0]: c[1] for c in cols}, header=has_header,
                  row_offset=2 if has_header else 1, cleanup=cleanup)


def _typed(engine: Engine, path: Path, fmt: str, relation: str) -> Source:
    try:
        cols = engine.fetchall(f"DESCRIBE SELECT * FROM {relation}")
    except Exception as e:
        raise IngestError(f"无法读取文件 cannot read file: {e}", file=str(path)) from e
    return Source(path=path, fmt=fmt, relation=relation, columns=[c[0] for c in cols],
                  types={c[0]: c[1] for c in cols}, header=True, row_offset=1)


def _excel(engine: Engine, path: Path, header: bool | None, sheet: str | int | None
           ) -> Source:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(sheet).to_python() if isinstance(sheet, str) else \
            book.get_sheet_by_index(sheet or 0).to_python()
    except Exception as e:
        raise IngestError(f"无法读取 Excel 文件 cannot read Excel file: {e}",
                          file=str(path)) from e
    if not rows:
        raise IngestError("Excel 工作表为空 the sheet is empty", file=str(path))
    has_header = header if header is not None else all(
        isinstance(v, str) and v.strip() for v in rows[0])
    width = max(len(r) for r in rows)
    names = ([str(v).strip() or f"column{i}" for i, v in enumerate(rows[0])]
             if has_header else [f"column{i}" for i in range(width)])
    names += [f"column{i}" for i in range(len(names), width)]
    body = rows[1:] if has_header else rows
    data = {
        name: pa.array([_cell_text(r[i]) if i < len(r) else None for r in body],
                       type=pa.string())
        for i, name in enumerate(names)
    }
    rel_name = f"_excel_{abs(hash(str(path)))}"
    engine.register(rel_name, pa.table(data))
    return Source(path=path, fmt="excel", relation=rel_name, columns=names,
                  types=dict.fromkeys(names, "VARCHAR"), header=has_header,
                  row_offset=2 if has_header else 1)


def _cell_text(value: object) -> str | None:
    """Excel gives floats for integers (13812345678.0) and datetimes; write them as text."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value).replace("T", " ")
    return str(value)
