"""Every file is there, with the agreed headers, and the manifest tells the truth."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from datagen_fixtures import Dataset

from memberlens.datagen import ALL_FILES, generate
from memberlens.errors import ConfigError
from memberlens.schema.tables import CANONICAL_TABLES

HEADERS = {
    "members.csv": ["member_id", "name", "gender", "birthday", "phone", "email", "province",
                    "city", "city_tier", "registered_at", "channel", "tier", "consent_sms",
                    "consent_email", "consent_push"],
    "products.csv": ["sku", "name", "category_l1", "category_l2", "category", "brand", "price",
                     "launched_at", "stock"],
    "stores.csv": ["store_id", "name", "province", "city", "address", "latitude", "longitude",
                   "opened_at", "store_type"],
    "orders_pos.csv": ["订单号", "会员ID", "手机号", "门店编号", "渠道", "下单时间", "订单金额",
                       "优惠金额", "实付金额", "优惠券", "订单状态", "退款金额"],
    "feedback.csv": ["feedback_id", "member_id", "order_id", "sku", "kind", "rating", "content",
                     "created_at"],
}
ORDER_COLUMNS = ["order_id", "member_id", "store_id", "channel", "ordered_at", "total_amount",
                 "discount_amount", "paid_amount", "coupon_code", "status", "refund_amount"]
LOAD_ORDER = ["members.csv", "products.csv", "stores.csv", "orders.parquet", "orders_pos.csv",
              "order_items.parquet", "events.jsonl", "feedback.csv"]


def test_files_in_load_order_with_canonical_tables(default: Dataset) -> None:
    m = default.manifest
    assert [f.path for f in m.files] == LOAD_ORDER
    assert [f.table for f in m.files] == ["members", "products", "stores", "orders", "orders",
                                          "order_items", "events", "feedback"]
    assert all(f.table in CANONICAL_TABLES for f in m.files)
    on_disk = json.loads((default.path / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in on_disk["files"]] == LOAD_ORDER
    assert on_disk["seed"] == 5


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_csv_headers(default: Dataset, name: str) -> None:
    assert default.lines(name)[0].split(",") == HEADERS[name]


def test_english_headers_are_canonical_columns(default: Dataset) -> None:
    for f in default.manifest.files:
        if f.header_language == "en" and f.format == "csv":
            canonical = {c.name for c in CANONICAL_TABLES[f.table].columns}
            assert set(default.lines(f.path)[0].split(",")) <= canonical | {"feedback_id"}


def test_chinese_headers_map_to_order_columns(default: Dataset) -> None:
    synonyms = {s for c in CANONICAL_TABLES["orders"].columns for s in c.synonyms}
    header = default.lines("orders_pos.csv")[0].split(",")
    assert all(h in synonyms or h == "手机号" for h in header)


def test_parquet_and_json_columns(default: Dataset) -> None:
    assert pq.read_schema(default.path / "orders.parquet").names == ORDER_COLUMNS
    assert pq.read_schema(default.path / "order_items.parquet").names == [
        "order_id", "line_no", "sku", "quantity", "unit_price", "amount"]
    event = json.loads(default.lines("events.jsonl")[0])
    assert list(event) == ["member_id", "anonymous_id", "event_type", "occurred_at", "sku",
                           "keyword", "channel", "device", "city", "properties"]
    assert isinstance(event["properties"], dict)


def test_manifest_rows_match_files(default: Dataset) -> None:
    for f in default.manifest.files:
        if f.format == "csv":
            assert len(default.rows(f.path)) == f.rows, f.path
        elif f.format == "parquet":
            assert pq.read_metadata(default.path / f.path).num_rows == f.rows, f.path
        else:
            lines = default.lines(f.path)
            assert len(lines) == f.rows
            for line in lines[:: max(1, len(lines) // 500)]:
                json.loads(line)


def test_orders_per_member_is_honoured(default: Dataset) -> None:
    stats = default.manifest.stats
    assert stats["orders"] == stats["online_orders"] + stats["pos_orders"]
    assert 5.0 < stats["orders"] / stats["people"] < 7.0


def test_include_and_orders_csv(tmp_path: Path) -> None:
    m = generate(tmp_path, members=300, seed=1, include=frozenset({"members", "orders"}),
                 orders_csv=True)
    assert [f.path for f in m.files] == ["members.csv", "orders.parquet", "orders.csv",
                                         "orders_pos.csv"]
    assert m.file("orders.csv").alternative_of == "orders.parquet"
    assert m.file("orders.csv").rows == m.file("orders.parquet").rows
    header = (tmp_path / "orders.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == ORDER_COLUMNS
    assert not (tmp_path / "events.jsonl").exists()


def test_split_pos_false_puts_store_orders_in_orders(tmp_path: Path) -> None:
    m = generate(tmp_path, members=500, seed=1, include=frozenset({"orders"}), split_pos=False)
    assert [f.path for f in m.files] == ["orders.parquet"]
    orders = pq.read_table(tmp_path / "orders.parquet").to_pydict()
    assert m.file("orders.parquet").rows == m.stats["orders"]
    stores = [s for s, c in zip(orders["store_id"], orders["channel"], strict=True)
              if c == "store"]
    assert stores and all(s is not None for s in stores)


def test_progress_reaches_the_end(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    generate(tmp_path, members=200, progress=lambda s, d, t: calls.append((s, d, t)))
    assert ("members", 200, 200) in calls
    assert calls[-1][0] == "manifest"


@pytest.mark.parametrize("bad", [
    {"members": 0}, {"dirt": -0.1}, {"dirt": 0.9}, {"include": frozenset({"nope"})},
    {"orders_per_member": -1.0}, {"seed": -3}, {"orders_per_member": 5_000.0},
    {"start": date(2024, 1, 1), "end": date(2024, 1, 10)},
])
def test_bad_parameters_raise_config_error(tmp_path: Path,
                                           bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        generate(tmp_path, members=bad.pop("members", 100), **bad)  # type: ignore[arg-type]


def test_all_files_constant() -> None:
    assert frozenset(CANONICAL_TABLES) == ALL_FILES


def test_short_window_still_meets_orders_per_member(tmp_path: Path) -> None:
    m = generate(tmp_path, members=400, seed=2, start=date(2024, 3, 1), end=date(2024, 4, 30),
                 include=frozenset({"orders"}))
    assert 4.5 < m.stats["orders"] / m.stats["people"] < 7.5
