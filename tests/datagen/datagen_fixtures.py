"""A generated dataset on disk and handy readers for it (used by the datagen tests)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from memberlens.datagen import Manifest


@dataclass(frozen=True)
class Dataset:
    path: Path
    manifest: Manifest

    def rows(self, name: str) -> list[dict[str, str]]:
        """A CSV file as dicts of raw text (empty string for empty cells)."""
        with (self.path / name).open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def lines(self, name: str) -> list[str]:
        return (self.path / name).read_text(encoding="utf-8").splitlines()

    def sql(self) -> duckdb.DuckDBPyConnection:
        """DuckDB with an ``all_orders`` view over online and in-store orders."""
        con = duckdb.connect()
        con.execute(f"""
            create view all_orders as
            select order_id, member_id, ordered_at, paid_amount::double as paid, status
            from '{self.path}/orders.parquet'
            union all
            select 订单号, 会员ID, strptime(下单时间, '%Y-%m-%d %H:%M:%S'), 实付金额::double,
                   订单状态
            from read_csv('{self.path}/orders_pos.csv', all_varchar = true)
        """)
        return con

