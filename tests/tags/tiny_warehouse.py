"""A tiny warehouse, small enough to compute every tag by hand, profiled as of 2024-07-01.

The as-of date is exclusive: records at or after 2024-07-01 00:00 never count. Windows:
30 days = [2024-06-01, 2024-07-01), 90 days = [2024-04-02, 2024-07-01), the previous
90 days = [2024-01-03, 2024-04-02), 365 days = [2023-07-02, 2024-07-01) (2024 is a leap
year). 2024-07-01 is a Monday; DuckDB's dayofweek gives Sunday 0 and Saturday 6.

The members and their stories:

- M01 王芳  loyal big spender: 7 purchases (handbags), a partial refund, a full refund,
            one coupon; comes back on the as-of day itself (not counted).
- M02 李强  one-time buyer: a single order (status NULL) at 2024-06-01 00:00:00, the first
            instant of the 30-day window; a second order at 2024-07-01 00:00 (not counted).
- M03 张伟  lapsed: last purchase 2023-07-02, exactly 365 days before the as-of date.
- M04 刘洋  new member: joined 2024-06-20, no gender or birthday, one discounted order of
            a product launched 15 days before.
- M05 陈静  discount hunter: 5 purchases, 4 with coupons, one below list price, one
            cancelled order, all at weekends and around noon.
- M06 赵敏  member with no orders and no events (one survey answer).
- M07 孙磊  events only: logins, views and searches in Chinese, never bought.
- M08 黄涛  cooling down: last purchase 2024-04-02, exactly 90 days before; spend falls.
- M09 周杰  registered (and bought) after the as-of date: not in the profile at all.

Every other row that exists only to be ignored says so in a comment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from memberlens.engine import DuckDBEngine

AS_OF = date(2024, 7, 1)
IN_PROFILE = ("M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08")

MEMBERS_COLUMNS = ("member_id", "name", "gender", "birthday", "province", "city", "city_tier",
                   "registered_at", "channel", "tier")
MEMBERS: list[tuple[Any, ...]] = [
    ("M01", "王芳", "F", "1990-03-15", "上海", "上海", 1, "2022-01-10 10:00", "store", "金卡会员"),
    ("M02", "李强", "M", "2000-07-01", "四川", "成都", 2, "2024-03-01 09:00", "app", "普通会员"),
    ("M03", "张伟", "M", "1960-12-31", "广东", "佛山", 3, "2021-05-01 11:00", "tmall", "银卡会员"),
    ("M04", "刘洋", None, None, "浙江", "杭州", None, "2024-06-20 15:00", "mini_program",
     "普通会员"),
    ("M05", "陈静", "F", "1998-09-09", "河北", "保定", 4, "2023-08-15 12:00", "douyin", "金卡会员"),
    ("M06", "赵敏", "F", "1970-07-02", "北京", "北京", 1, "2023-12-01 09:00", "web", "普通会员"),
    ("M07", "孙磊", "M", "1978-01-20", "湖南", "岳阳", 5, "2023-02-14 20:00", "jd", None),
    ("M08", "黄涛", "M", "1996-02-29", "广东", "深圳", 1, "2023-10-01 12:00", None, "银卡会员"),
    # registered after the as-of date: not a member yet on 2024-07-01
    ("M09", "周杰", "M", "1992-05-05", "江苏", "南京", 2, "2024-07-05 10:00", "app", "普通会员"),
]

PRODUCTS_COLUMNS = ("sku", "name", "category_l1", "category_l2", "category", "brand", "price",
                    "launched_at")
PRODUCTS: list[tuple[Any, ...]] = [
    ("P1", "丝绒口红", "美妆个护", "彩妆", "口红", "花颜", 200, "2024-05-01"),
    ("P2", "补水面膜", "美妆个护", "护肤", "面膜", "花颜", 100, "2022-01-01"),
    ("P3", "云南咖啡豆", "食品饮料", "饮料", "咖啡", "山豆", 80, "2023-01-01"),
    ("P4", "降噪耳机", "数码", "音频", "耳机", "声动", 500, "2024-06-10"),
    ("P5", "缓震跑鞋", "服饰", "鞋", "运动鞋", "疾风", 400, "2023-03-01"),
    ("P6", "真皮手袋", "服饰", "箱包", "手袋", "云锦", 3000, "2021-01-01"),
]

STORES_COLUMNS = ("store_id", "name", "province", "city")
STORES: list[tuple[Any, ...]] = [
    ("S1", "上海南京路店", "上海", "上海"),
    ("S2", "保定万博店", "河北", "保定"),
]

ORDERS_COLUMNS = ("order_id", "member_id", "store_id", "channel", "ordered_at", "total_amount",
                  "discount_amount", "paid_amount", "coupon_code", "status", "refund_amount")
ORDERS: list[tuple[Any, ...]] = [
    # M01: Wed, Thu, Wed, Wed, Wed, Sat, Thu - all at 20:00
    ("O101", "M01", "S1", "store", "2023-05-10 20:00", 3000, 0, 3000, None, "completed", None),
    ("O102", "M01", "S1", "store", "2023-11-16 20:00", 6000, 0, 6000, None, "completed", None),
    ("O103", "M01", None, "app", "2024-02-14 20:00", 5000, 0, 5000, None,
     "partially_refunded", 1000),
    ("O104", "M01", "S1", "store", "2024-03-20 20:00", 4200, 200, 4000, "C-SPRING",
     "completed", None),
    ("O105", "M01", "S1", "store", "2024-05-15 20:00", 6000, 0, 6000, None, "completed", None),
    ("O106", "M01", None, "app", "2024-06-08 20:00", 2000, 0, 2000, None, "completed", None),
    ("O107", "M01", "S1", "store", "2024-06-20 20:00", 3000, 0, 3000, None, "completed", None),
    # refunded in full: an order (refund rate) but not a purchase
    ("O108", "M01", "S1", "store", "2024-06-25 19:00", 1500, 0, 1500, None, "refunded", 1500),
    # on the as-of date: ignored
    ("O109", "M01", "S1", "store", "2024-07-01 00:00", 9999, 0, 9999, None, "completed", None),
    # M02: Saturday 00:00, status unknown (NULL counts as a purchase)
    ("O201", "M02", None, "app", "2024-06-01 00:00:00", 3000, 0, 3000, None, None, None),
    ("O202", "M02", None, "app", "2024-07-01 00:00:00", 300, 0, 300, None, "completed", None),
    # M03: Monday, Sunday
    ("O301", "M03", None, "tmall", "2023-03-06 10:00", 400, 0, 400, None, "completed", None),
    ("O302", "M03", None, "tmall", "2023-07-02 10:00", 900, 0, 900, None, "completed", None),
    # M04: Tuesday, a discount but no coupon
    ("O401", "M04", None, "mini_program", "2024-06-25 15:30", 500, 50, 450, None, "completed",
     None),
    # M05: all Saturdays
    ("O501", "M05", "S2", "store", "2024-01-06 12:30", 500, 100, 400, "C-NEWYEAR", "completed",
     None),
    ("O502", "M05", None, "douyin", "2024-03-16 13:00", 400, 80, 320, "C-SPRING", "completed",
     None),
    ("O503", "M05", "S2", "store", "2024-04-13 12:00", 800, 0, 800, None, "completed", None),
    ("O504", "M05", "S2", "store", "2024-05-18 11:30", 300, 60, 240, "C-MAY", "completed", None),
    ("O505", "M05", None, "douyin", "2024-06-15 13:30", 600, 0, 600, None, "cancelled", None),
    ("O506", "M05", None, "douyin", "2024-06-22 20:00", 160, 16, 144, "C-618", "completed",
     None),
    # M08: Saturday, Tuesday, Tuesday
    ("O801", "M08", "S2", "store", "2024-01-20 16:00", 600, 0, 600, None, "completed", None),
    ("O802", "M08", "S2", "store", "2024-03-05 15:00", 600, 0, 600, None, "completed", None),
    ("O803", "M08", None, "jd", "2024-04-02 16:00", 240, 0, 240, None, "completed", None),
    # M09: after the as-of date
    ("O901", "M09", None, "app", "2024-07-06 10:00", 200, 0, 200, None, "completed", None),
]

ORDER_ITEMS_COLUMNS = ("order_id", "line_no", "sku", "quantity", "unit_price", "amount")
ORDER_ITEMS: list[tuple[Any, ...]] = [
    ("O101", 1, "P6", 1, 3000, 3000),
    ("O102", 1, "P6", 2, 3000, 6000),
    ("O103", 1, "P6", 1, 3000, 3000),
    ("O103", 2, "P2", 20, 100, 2000),
    ("O104", 1, "P6", 1, 3000, 3000),
    ("O104", 2, "P2", 12, 100, 1200),
    ("O105", 1, "P6", 2, 3000, 6000),
    ("O106", 1, "P1", 10, 200, 2000),
    ("O107", 1, "P6", 1, 3000, 3000),
    ("O108", 1, "P2", 15, 100, 1500),
    ("O109", 1, "P6", 3, 3333, 9999),
    ("O201", 1, "P6", 1, 3000, 3000),
    ("O202", 1, "P3", 3, 100, 300),
    ("O301", 1, "P5", 1, 400, 400),
    ("O302", 1, "P5", 1, 400, 400),
    ("O302", 2, "P2", 5, 100, 500),
    ("O401", 1, "P4", 1, 500, 500),
    ("O501", 1, "P2", 5, 100, 500),
    ("O502", 1, "P5", 1, 400, 400),
    ("O503", 1, "P2", 10, 80, 800),       # below the list price of 100
    ("O504", 1, "P2", 1, 100, 100),
    ("O504", 2, "P1", 1, 200, 200),       # 17 days after launch
    ("O505", 1, "P2", 6, 100, 600),
    ("O506", 1, "P3", 2, 80, 160),
    ("O801", 1, "P5", 1, 400, 400),
    ("O801", 2, "P2", 2, 100, 200),
    ("O802", 1, "P2", 6, 100, 600),
    ("O803", 1, "P3", 3, 80, 240),
    ("O901", 1, "P3", 2, 100, 200),
]

EVENTS_COLUMNS = ("event_id", "member_id", "anonymous_id", "event_type", "occurred_at", "sku",
                  "keyword", "channel", "device")
EVENTS: list[tuple[Any, ...]] = [
    ("E101", "M01", None, "search", "2024-03-01 08:00", None, "面膜", "app", "ios"),
    ("E102", "M01", None, "login", "2024-05-20 08:00", None, None, "app", "ios"),
    ("E103", "M01", None, "login", "2024-06-28 09:00", None, None, "app", "ios"),
    ("E104", "M01", None, "search", "2024-06-28 09:02", None, "手袋", "app", "ios"),
    ("E105", "M01", None, "view", "2024-06-28 09:05", "P6", None, "app", "ios"),
    ("E201", "M02", None, "login", "2024-07-01 08:00", None, None, "app", "android"),  # later
    ("E301", "M03", None, "view", "2023-12-01 10:00", "P5", None, "tmall", "android"),
    ("E401", "M04", None, "login", "2024-06-20 15:05", None, None, "mini_program", "ios"),
    ("E402", "M04", None, "search", "2024-06-24 20:00", None, "耳机", "mini_program", "ios"),
    ("E403", "M04", None, "view", "2024-06-24 20:05", "P4", None, "mini_program", "ios"),
    ("E404", "M04", None, "cart", "2024-06-24 20:10", "P4", None, "mini_program", "ios"),
    ("E501", "M05", None, "search", "2024-05-02 09:58", None, "优惠券", "douyin", "android"),
    ("E502", "M05", None, "search", "2024-05-02 09:59", None, "优惠券", "douyin", "android"),
    ("E503", "M05", None, "login", "2024-05-02 10:00", None, None, "douyin", "android"),
    # older than the keywords' 365-day window
    ("E700", "M07", None, "search", "2023-06-20 10:00", None, "咖啡", "jd", "web"),
    ("E701", "M07", None, "login", "2024-06-05 10:00", None, None, "jd", "web"),
    ("E702", "M07", None, "search", "2024-06-05 10:01", None, "防晒霜", "jd", "web"),
    ("E703", "M07", None, "search", "2024-06-10 21:00", None, "防晒霜", "jd", "web"),
    ("E704", "M07", None, "search", "2024-06-15 22:30", None, "防晒霜", "jd", "web"),
    ("E705", "M07", None, "search", "2024-06-15 22:31", None, "蓝牙 耳机", "jd", "web"),
    ("E706", "M07", None, "view", "2024-06-15 22:35", "P4", None, "jd", "web"),
    ("E707", "M07", None, "search", "2024-06-30 23:59:59", None, "耳机", "jd", "web"),
    ("E708", "M07", None, "login", "2024-07-01 00:00", None, None, "jd", "web"),  # as-of day
    # anonymous visitor: no member, never in any member's tags
    ("E901", None, "anon-7f3a", "search", "2024-06-18 11:00", None, "手袋", "web", "web"),
    ("E902", None, "anon-7f3a", "view", "2024-06-18 11:01", "P6", None, "web", "web"),
]

FEEDBACK_COLUMNS = ("feedback_id", "member_id", "order_id", "sku", "kind", "rating", "content",
                    "created_at")
FEEDBACK: list[tuple[Any, ...]] = [
    ("F100", "M01", "O101", "P6", "review", 5, "手袋做工精美", "2023-05-12 10:00"),  # too old
    ("F101", "M01", "O107", "P6", "review", 5, "手袋做工精美，物流很快，非常满意",
     "2024-06-22 10:00"),
    ("F201", "M02", "O201", "P6", "review", 4, "咖啡豆香", "2024-07-02 10:00"),  # later
    ("F301", "M03", "O301", "P5", "review", 3, "运动鞋", "2023-06-20 10:00"),  # too old
    # a bare rating: its text is not read for keywords
    ("F401", "M04", "O401", "P4", "rating", 4, "耳机音质", "2024-06-27 10:00"),
    ("F501", "M05", "O505", None, "ticket", None, "优惠券无法使用", "2024-06-16 10:00"),
    ("F601", "M06", None, None, "survey", None, "咖啡", "2024-06-10 10:00"),
]

TABLES: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {
    "members": (MEMBERS_COLUMNS, MEMBERS),
    "products": (PRODUCTS_COLUMNS, PRODUCTS),
    "stores": (STORES_COLUMNS, STORES),
    "orders": (ORDERS_COLUMNS, ORDERS),
    "order_items": (ORDER_ITEMS_COLUMNS, ORDER_ITEMS),
    "events": (EVENTS_COLUMNS, EVENTS),
    "feedback": (FEEDBACK_COLUMNS, FEEDBACK),
}


def insert_rows(engine: DuckDBEngine, table: str, columns: Sequence[str],
                rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT rows into a canonical table (strings are cast by DuckDB to the column type)."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    for row in rows:
        engine.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row))


def load_tiny(engine: DuckDBEngine) -> DuckDBEngine:
    for table, (columns, rows) in TABLES.items():
        insert_rows(engine, table, columns, rows)
    return engine


def read_profile(engine: DuckDBEngine, table: str = "member_profile",
                 where: str = "") -> dict[str, dict[str, Any]]:
    """member_id -> {column: value} of a profile table."""
    cursor = engine.execute(f"SELECT * FROM {table} {where} ORDER BY member_id")
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
