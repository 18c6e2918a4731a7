"""Per-store facts from the warehouse: what store indicators and class rules are built on.

One row per store open before the as-of date. Sales are net of refunds and leave out
cancelled orders; the window is the `window_days` before the as-of date, growth compares
it with the window before (only for stores open for both windows, so a young store's
first months do not read as growth). The query is ours, built from schema names; the
user's indicator expressions are checked and applied on top of this table.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ...engine.base import Engine
from ...errors import NotFound

# column → (中文, English): documented in the example config and shown by `weights`
STORE_FACTS: dict[str, tuple[str, str]] = {
    "store_id": ("门店编号", "store id"),
    "name": ("门店名称", "store name"),
    "province": ("省份", "province"),
    "city": ("城市", "city"),
    "store_type": ("门店类型", "store format"),
    "opened_at": ("开业日期", "opening date"),
    "age_days": ("开业天数", "days open"),
    "city_tier": ("城市等级（会员所在城市等级的众数）", "city tier (most common among members)"),
    "city_members": ("同城会员数", "members living in the city"),
    "city_stores": ("同城门店数", "stores open in the city"),
    "catchment_members": ("商圈会员数（同城会员 ÷ 同城门店）", "members per store in the city"),
    "sales": ("净销售额", "net sales in the window"),
    "sales_prev": ("上期净销售额", "net sales in the window before"),
    "orders": ("订单数", "orders in the window"),
    "members": ("消费会员数", "distinct buying members"),
    "aov": ("客单价", "average order value"),
    "sales_per_day": ("日均销售额（按营业天数）", "sales per day open"),
    "growth": ("销售同比增长", "sales growth on the window before"),
    "refund_rate": ("退款率（退款额 ÷ 实付额）", "refunds ÷ payments"),
    "cancel_rate": ("取消率", "cancelled ÷ all orders"),
    "repeat_rate": ("复购率（两单及以上会员占比）", "share of members with two orders or more"),
    "complaints": ("投诉数", "complaint tickets"),
    "complaints_per_k": ("千单投诉数", "complaints per 1,000 orders"),
    "rating": ("平均评分", "average rating"),
}

_QUERY = """
WITH bounds AS (SELECT DATE '{as_of}' AS as_of, CAST({window} AS INTEGER) AS w),
o AS (
    SELECT o.order_id, o.store_id, o.member_id, o.status, o.paid_amount,
           coalesce(o.refund_amount, 0) AS refund,
           o.ordered_at >= b.as_of - b.w AS cur
    FROM orders o, bounds b
    WHERE o.store_id IS NOT NULL AND o.ordered_at < b.as_of
      AND o.ordered_at >= b.as_of - 2 * b.w
),
per_store AS (
    SELECT store_id,
        sum(paid_amount - refund) FILTER (cur AND status <> 'cancelled') AS sales,
        sum(paid_amount - refund) FILTER (NOT cur AND status <> 'cancelled') AS sales_prev,
        count(*) FILTER (cur AND status <> 'cancelled') AS orders,
        count(*) FILTER (cur) AS orders_all,
        count(*) FILTER (cur AND status = 'cancelled') AS cancelled,
        count(DISTINCT member_id) FILTER (cur AND status <> 'cancelled') AS members,
        sum(refund) FILTER (cur AND status <> 'cancelled') AS refunds,
        sum(paid_amount) FILTER (cur AND status <> 'cancelled') AS paid
    FROM o GROUP BY store_id
),
repeaters AS (
    SELECT store_id, count(*) FILTER (n >= 2) / count(*) AS repeat_rate
    FROM (SELECT store_id, member_id, count(*) AS n FROM o
          WHERE cur AND status <> 'cancelled' GROUP BY ALL)
    GROUP BY store_id
),
fb AS (
    SELECT o.store_id, count(*) FILTER (f.kind = 'ticket') AS complaints,
           avg(f.rating) AS rating
    FROM feedback f JOIN o ON f.order_id = o.order_id AND o.cur
    GROUP BY o.store_id
),
open_stores AS (
    SELECT s.* FROM stores s, bounds b WHERE s.opened_at IS NULL OR s.opened_at < b.as_of
),
cities AS (
    SELECT city, mode(city_tier) AS city_tier, count(*) AS city_members
    FROM members WHERE city IS NOT NULL GROUP BY city
),
city_stores AS (SELECT city, count(*) AS city_stores FROM open_stores GROUP BY city)
SELECT s.store_id, s.name, s.province, s.city, s.store_type, s.opened_at,
    date_diff('day', s.opened_at, b.as_of) AS age_days,
    c.city_tier, coalesce(c.city_members, 0) AS city_members, cs.city_stores,
    coalesce(c.city_members, 0) / cs.city_stores AS catchment_members,
    CAST(coalesce(p.sales, 0) AS DOUBLE) AS sales,
    CAST(p.sales_prev AS DOUBLE) AS sales_prev,
    coalesce(p.orders, 0) AS orders,
    coalesce(p.members, 0) AS members,
    CAST(p.sales / nullif(p.orders, 0) AS DOUBLE) AS aov,
    CAST(coalesce(p.sales, 0) / greatest(least(b.w, date_diff('day', s.opened_at, b.as_of)), 1)
         AS DOUBLE) AS sales_per_day,
    CASE WHEN date_diff('day', s.opened_at, b.as_of) >= 2 * b.w
         THEN CAST(p.sales / nullif(p.sales_prev, 0) - 1 AS DOUBLE) END AS growth,
    CAST(p.refunds / nullif(p.paid, 0) AS DOUBLE) AS refund_rate,
    p.cancelled / nullif(p.orders_all, 0) AS cancel_rate,
    r.repeat_rate,
    coalesce(f.complaints, 0) AS complaints,
    1000.0 * coalesce(f.complaints, 0) / nullif(p.orders, 0) AS complaints_per_k,
    f.rating
FROM open_stores s CROSS JOIN bounds b
LEFT JOIN per_store p USING (store_id)
LEFT JOIN repeaters r USING (store_id)
LEFT JOIN fb f USING (store_id)
LEFT JOIN cities c ON c.city = s.city
LEFT JOIN city_stores cs ON cs.city = s.city
ORDER BY s.store_id
"""

NEEDED = ("stores", "orders", "members", "feedback")


def default_as_of(engine: Engine) -> date:
    """The day after the newest order: historical data is scored at its end."""
    last = engine.scalar("SELECT CAST(max(ordered_at) AS DATE) FROM orders")
    return date.today() if last is None else date.fromordinal(last.toordinal() + 1)


def store_facts(engine: Engine, *, as_of: date, window_days: int = 365) -> pd.DataFrame:
    """One row per store open before `as_of`, with the columns of `STORE_FACTS`."""
    missing = [t for t in NEEDED if not engine.table_exists(t)]
    if missing:
        raise NotFound(f"数据仓库缺少表 the warehouse has no table: {', '.join(missing)}; "
                       "请先导入门店与订单 load stores and orders first (memberlens ingest "
                       "stores FILE; or memberlens demo)")
    # both values are typed (a date, an int), so formatting them in is safe; bound
    # parameters would cost DuckDB an extra copy of the result
    query = _QUERY.format(as_of=as_of.isoformat(), window=int(window_days))
    frame: pd.DataFrame = engine.frame(query)
    if frame.empty:
        raise NotFound(f"截至 {as_of} 没有已开业的门店 no store open before {as_of}: load "
                       "stores first (memberlens ingest stores FILE)")
    return frame
