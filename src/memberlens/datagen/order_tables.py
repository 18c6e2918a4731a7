"""Orders as the source systems export them.

Online orders come from the e-commerce platform (English codes, Parquet or CSV);
in-store orders come from the tills with Chinese headers and text amounts;
order lines for both go to one Parquet file.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .baskets import STATUSES, Baskets
from .catalog import Catalog
from .purchases import ONLINE_CHANNELS, Timing
from .seasonality import date_parts
from .stores import Stores
from .textcols import format_seconds, join, money, number_text, pick, timestamps

STATUS_ZH = ("已完成", "已退款", "部分退款", "已取消")
POS_COLUMNS = {
    "order_id": "订单号", "member_id": "会员ID", "phone": "手机号", "store_id": "门店编号",
    "channel": "渠道", "ordered_at": "下单时间", "total_amount": "订单金额",
    "discount_amount": "优惠金额", "paid_amount": "实付金额", "coupon_code": "优惠券",
    "status": "订单状态", "refund_amount": "退款金额",
}
ONLINE_SCHEMA = pa.schema([
    ("order_id", pa.string()), ("member_id", pa.string()), ("store_id", pa.string()),
    ("channel", pa.string()), ("ordered_at", pa.timestamp("ms")),
    ("total_amount", pa.decimal128(18, 2)), ("discount_amount", pa.decimal128(18, 2)),
    ("paid_amount", pa.decimal128(18, 2)), ("coupon_code", pa.string()),
    ("status", pa.string()), ("refund_amount", pa.decimal128(18, 2)),
])
POS_SCHEMA = pa.schema([(zh, pa.string()) for zh in POS_COLUMNS.values()])
ITEM_SCHEMA = pa.schema([
    ("order_id", pa.string()), ("line_no", pa.int32()), ("sku", pa.string()),
    ("quantity", pa.int32()), ("unit_price", pa.decimal128(18, 2)),
    ("amount", pa.decimal128(18, 2)),
])

IntArray = npt.NDArray[np.int64]


def order_ids(timing: Timing, first_number: int) -> pa.Array:
    """``O2024111100001234`` (online) / ``P…`` (till): letter, order date, sequence."""
    y, mo, d = date_parts(timing.day)
    number = (y * 10_000 + mo * 100 + d) * 1_000_000_000 + first_number + np.arange(len(timing))
    letter = pc.if_else(pa.array(timing.store >= 0), "P", "O")
    return join(letter, number_text(number))


def online_table(
    rows: IntArray, ids: pa.Array, member_id: pa.Array, timing: Timing, baskets: Baskets,
    stores: Stores,
) -> pa.Table:
    """Rows of ``orders.parquet`` / ``orders.csv`` for the order positions ``rows``."""
    take = pa.array(rows)
    store = timing.store[rows]
    channel_codes = pa.array((*ONLINE_CHANNELS, "store"))
    channel = np.where(store >= 0, len(ONLINE_CHANNELS), timing.channel[rows])
    return pa.Table.from_arrays([
        ids.take(take),
        member_id.take(take),
        stores.store_id.take(pa.array(np.maximum(store, 0), mask=store < 0)),
        pick(channel_codes, channel),
        timestamps(timing.seconds[rows]).cast(pa.timestamp("ms")),
        money(baskets.total[rows]),
        money(baskets.discount[rows]),
        money(baskets.paid[rows]),
        baskets.coupon.take(take),
        pick(pa.array(STATUSES), baskets.status[rows]),
        money(baskets.refund[rows]),
    ], schema=ONLINE_SCHEMA)


def pos_table(
    rows: IntArray, ids: pa.Array, member_id: pa.Array, phone: pa.Array, timing: Timing,
    baskets: Baskets, stores: Stores,
) -> pa.Table:
    """Rows of ``orders_pos.csv`` (Chinese headers, text dates and amounts).

    ``phone`` is the member's phone for each of ``rows`` (tills record it).
    """
    take = pa.array(rows)

    def text(cents: IntArray) -> pa.Array:
        return money(cents).cast(pa.string())

    return pa.Table.from_arrays([
        ids.take(take),
        member_id.take(take),
        phone,
        stores.store_id.take(pa.array(timing.store[rows])),
        pa.repeat(pa.scalar("门店"), len(rows)),
        format_seconds(timing.seconds[rows]),
        text(baskets.total[rows]),
        text(baskets.discount[rows]),
        text(baskets.paid[rows]),
        baskets.coupon.take(take),
        pick(pa.array(STATUS_ZH), baskets.status[rows]),
        text(baskets.refund[rows]),
    ], schema=POS_SCHEMA)


def items_table(ids: pa.Array, baskets: Baskets, catalog: Catalog) -> pa.Table:
    """Rows of ``order_items.parquet`` for every order of the chunk."""
    return pa.Table.from_arrays([
        ids.take(pa.array(baskets.line_order)),
        pa.array(baskets.line_no.astype(np.int32)),
        catalog.sku.take(pa.array(baskets.product)),
        pa.array(baskets.quantity.astype(np.int32)),
        money(baskets.unit_cents),
        money(baskets.amount_cents),
    ], schema=ITEM_SCHEMA)
