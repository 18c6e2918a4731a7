"""Append-only writers: one chunk at a time, so memory does not grow with the data."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


class Appender(Protocol):
    path: Path
    rows: int

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


class CsvAppender:
    """UTF-8 CSV with a plain header line; fields quoted only where needed."""

    format = "csv"

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path, self.schema, self.rows = path, schema, 0
        self._file: BinaryIO = path.open("wb")
        self._file.write((",".join(schema.names) + "\n").encode("utf-8"))
        self._writer = pacsv.CSVWriter(
            self._file, schema,
            write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"),
        )

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.cast(self.schema))
            self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
        self._file.close()


class ParquetAppender:
    """One row group per chunk."""

    format = "parquet"

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path, self.schema, self.rows = path, schema, 0
        self._writer = pq.ParquetWriter(path, schema, compression="snappy")

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.cast(self.schema))
            self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()


def _json_value(column: pa.Array) -> pa.Array:
    """JSON text of each value: quoted and escaped strings, bare numbers, ``null``."""
    if pa.types.is_string(column.type):
        escaped = pc.replace_substring(column, "\\", "\\\\")
        escaped = pc.replace_substring(escaped, '"', '\\"')
        text = pc.binary_join_element_wise('"', escaped, '"', "")
    else:
        text = column.cast(pa.string())
    return pc.fill_null(text, "null")


class JsonlAppender:
    """JSON lines built column-wise with Arrow kernels; ``raw`` columns hold JSON already."""

    format = "jsonl"

    def __init__(self, path: Path, raw: frozenset[str] = frozenset()) -> None:
        self.path, self.raw, self.rows = path, raw, 0
        self._file: BinaryIO = path.open("wb")

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        parts: list[pa.Array | pa.Scalar] = []
        for i, name in enumerate(table.column_names):
            col = table.column(i).combine_chunks()
            value = pc.fill_null(col, "null") if name in self.raw else _json_value(col)
            parts += [pa.scalar(("{" if i == 0 else ",") + f'"{name}":'), value]
        parts.append(pa.scalar("}\n"))
        lines = pc.binary_join_element_wise(*parts, "")
        if isinstance(lines, pa.ChunkedArray):
            lines = lines.combine_chunks()
        # the lines are contiguous in the values buffer: write it in one go
        _, offsets, data = lines.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32, count=len(lines) + 1,
                               offset=lines.offset * 4)
        self._file.write(memoryview(data)[int(bounds[0]):int(bounds[-1])])
        self.rows += table.num_rows

    def close(self) -> None:
        self._file.close()


class Writers:
    """The open appenders of a run, closed together (also on errors)."""

    def __init__(self) -> None:
        self.open: dict[str, Appender] = {}

    def add(self, key: str, appender: Appender) -> None:
        self.open[key] = appender

    def get(self, key: str) -> Appender | None:
        return self.open.get(key)

    def __enter__(self) -> Writers:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for appender in self.open.values():
            appender.close()
