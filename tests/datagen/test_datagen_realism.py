"""The clean data behaves like a retailer's: valid values, seasons, skew, churn, funnel."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, datetime

import pyarrow.parquet as pq
from datagen_fixtures import Dataset

from memberlens.datagen.categories import LEAVES
from memberlens.datagen.geography import CITIES

PHONE = re.compile(r"^1[3-9]\d{9}$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_members_have_valid_values(clean: Dataset) -> None:
    rows = clean.rows("members.csv")
    assert len(rows) == 2_000
    assert all(PHONE.match(r["phone"]) for r in rows)
    assert len({r["phone"] for r in rows}) == len(rows)
    assert [r["member_id"] for r in rows] == [f"M{i:08d}" for i in range(1, 2_001)]
    assert {r["gender"] for r in rows} == {"男", "女"}
    assert all(2 <= len(r["name"]) <= 4 and CJK.match(r["name"]) for r in rows)
    cities = {(c[0], c[1], str(c[2])) for c in CITIES}
    assert all((r["province"], r["city"], r["city_tier"]) in cities for r in rows)
    assert {r["city_tier"] for r in rows} == {"1", "2", "3", "4", "5"}
    assert {r["channel"] for r in rows} <= {"门店", "APP", "小程序", "天猫", "京东", "官网"}
    assert {r["tier"] for r in rows} == {"普通会员", "银卡会员", "金卡会员", "钻石会员"}
    for r in rows:
        born = date.fromisoformat(r["birthday"])
        assert 17 <= (date(2025, 12, 31) - born).days / 365.25 <= 71
        joined = datetime.fromisoformat(r["registered_at"])
        assert datetime(2021, 1, 1) <= joined <= datetime(2025, 12, 31, 23, 59, 59)
        assert r["email"] == "" or re.match(r"^[a-z0-9.]+@[a-z0-9]+\.com$", r["email"])
        assert {r["consent_sms"], r["consent_email"], r["consent_push"]} <= {"0", "1"}
    ages = [(date(2025, 12, 31) - date.fromisoformat(r["birthday"])).days / 365.25
            for r in rows]
    assert 0.5 < sum(25 <= a <= 45 for a in ages) / len(ages) < 0.9
    assert 0.2 < sum(r["email"] != "" for r in rows) / len(rows) < 0.6
    assert len(CITIES) >= 40


def test_catalog_tree_brands_prices(clean: Dataset) -> None:
    rows = clean.rows("products.csv")
    leaves = {(r["category_l1"], r["category_l2"], r["category"]) for r in rows}
    assert len(leaves) >= 30 and len(LEAVES) >= 30
    assert len({r["category_l1"] for r in rows}) >= 6
    for leaf in leaves:
        brands = {r["brand"] for r in rows if (r["category_l1"], r["category_l2"],
                                               r["category"]) == leaf}
        assert len(brands) >= 2, leaf
    prices = {r["category"]: [] for r in rows}  # type: dict[str, list[float]]
    for r in rows:
        prices[r["category"]].append(float(r["price"]))
    assert min(min(p) for p in prices.values()) > 0
    assert sorted(prices["笔记本电脑"])[len(prices["笔记本电脑"]) // 2] > 10 * sorted(
        prices["纸品"])[len(prices["纸品"]) // 2]
    launched = [date.fromisoformat(r["launched_at"]) for r in rows]
    assert any(d >= date(2023, 1, 1) for d in launched)
    assert sum(d < date(2023, 1, 1) for d in launched) > len(launched) / 2


def test_stores_have_coordinates_in_china(clean: Dataset) -> None:
    rows = clean.rows("stores.csv")
    assert len(rows) == 6  # one per 300 members, at least 5
    for r in rows:
        assert 18 < float(r["latitude"]) < 54 and 73 < float(r["longitude"]) < 135
        assert r["store_type"] in {"旗舰店", "标准店", "社区店", "奥莱店"}
        assert r["city"] in r["address"]


def test_seasonality(clean: Dataset) -> None:
    con = clean.sql()
    by_month = dict(con.execute(
        "select month(ordered_at), sum(paid) from all_orders group by 1").fetchall())
    assert by_month[11] / (sum(by_month.values()) / 12) > 1.2
    assert by_month[6] > by_month[4]
    daily = con.execute("""
        select (select count(*) from all_orders where ordered_at::date = '2024-11-11'),
               (select median(n) from (select count(*) n from all_orders group by
                                       ordered_at::date)),
               (select count(*) from all_orders
                where ordered_at::date between '2024-02-10' and '2024-02-14'),
               (select count(*) from all_orders
                where ordered_at::date between '2024-01-25' and '2024-01-29')""").fetchone()
    assert daily is not None
    double11, median_day, cny_week, run_up = daily
    assert double11 > 5 * median_day
    assert cny_week < 0.6 * run_up  # the Spring Festival holiday is quiet
    hours = dict(con.execute(
        "select hour(ordered_at), count(*) from all_orders group by 1").fetchall())
    assert hours[21] > 5 * hours[4] and hours[11] > 3 * hours[5]


def test_spend_is_concentrated(clean: Dataset) -> None:
    share = clean.sql().execute("""
        with s as (select member_id, sum(paid) v from all_orders group by 1),
             r as (select v, ntile(5) over (order by v desc) q from s)
        select sum(v) filter (where q = 1) / sum(v) from r""").fetchone()
    assert share is not None and share[0] > 0.5


def test_members_drop_out(clean: Dataset) -> None:
    lapsed = clean.sql().execute("""
        with s as (select member_id, count(*) n, max(ordered_at) last from all_orders
                   group by 1)
        select avg((last < timestamp '2025-07-01')::int) from s where n >= 2""").fetchone()
    assert lapsed is not None and lapsed[0] > 0.3


def test_tier_follows_spend(clean: Dataset) -> None:
    con = clean.sql()
    spend = dict(con.execute(f"""
        select m.tier, avg(coalesce(s.v, 0)) from read_csv('{clean.path}/members.csv') m
        left join (select member_id, sum(paid) v from all_orders
                   where ordered_at >= '2025-01-01' group by 1) s using (member_id)
        group by 1""").fetchall())
    assert spend["钻石会员"] > spend["金卡会员"] > spend["银卡会员"] > spend["普通会员"]


def test_money_adds_up(clean: Dataset) -> None:
    con = clean.sql()
    checks = con.execute(f"""
        with o as (select * from '{clean.path}/orders.parquet'),
             i as (select order_id, sum(amount) a, count(*) n, max(line_no) l
                   from '{clean.path}/order_items.parquet' group by 1)
        select count(*) filter (where i.a is distinct from o.total_amount),
               count(*) filter (where o.paid_amount <> o.total_amount - o.discount_amount),
               count(*) filter (where o.refund_amount > o.paid_amount),
               count(*) filter (where o.status = 'refunded' and o.refund_amount <> o.paid_amount),
               count(*) filter (where i.n <> i.l or i.n > 5),
               count(*) filter (where o.discount_amount < 0 or o.paid_amount < 0)
        from o left join i using (order_id)""").fetchone()
    assert checks == (0, 0, 0, 0, 0, 0)
    statuses = dict(con.execute(
        "select status, count(*) / sum(count(*)) over () from all_orders group by 1").fetchall())
    assert 0.01 < statuses["refunded"] + statuses["已退款"] < 0.06
    assert 0.005 < statuses["partially_refunded"] + statuses["部分退款"] < 0.04
    assert 0.002 < statuses["cancelled"] + statuses["已取消"] < 0.02
    coupons = con.execute(f"select count(coupon_code) / count(*) "
                          f"from '{clean.path}/orders.parquet'").fetchone()
    assert coupons is not None and 0.05 < coupons[0] < 0.5


def test_orders_follow_registration_and_launch(clean: Dataset) -> None:
    bad = clean.sql().execute(f"""
        select
          (select count(*) from all_orders o join read_csv('{clean.path}/members.csv') m
           using (member_id) where o.ordered_at < m.registered_at),
          (select count(*) from all_orders where ordered_at < '2023-01-01'
             or ordered_at >= '2026-01-01'),
          (select count(*) from '{clean.path}/order_items.parquet' i
           join read_csv('{clean.path}/products.csv') p using (sku)
           join all_orders o using (order_id) where o.ordered_at::date < p.launched_at)
    """).fetchone()
    assert bad == (0, 0, 0)
    channels = {r[0] for r in pq.read_table(clean.path / "orders.parquet",
                                            columns=["channel"]).to_pylist() for r in [
        (r["channel"],)]}
    assert channels == {"app", "mini_program", "tmall", "jd", "web"}


def test_events_funnel_keywords_and_visitors(clean: Dataset) -> None:
    events = [json.loads(line) for line in clean.lines("events.jsonl")]
    assert 0.8 < len(events) / 2_000 / 8 < 1.3
    types = {e["event_type"] for e in events}
    assert types == {"view", "search", "cart", "click", "login", "share", "favorite", "open"}
    searches = [e["keyword"] for e in events if e["event_type"] == "search"]
    assert searches and all(CJK.search(k) for k in searches)
    anonymous = [e for e in events if e["member_id"] is None]
    assert 0.03 < len(anonymous) / len(events) < 0.15
    assert all(e["anonymous_id"] for e in anonymous)
    assert {e["device"] for e in events} == {"iOS", "Android", "PC", "小程序"}
    assert all("2023-01-01" <= e["occurred_at"] < "2026-01-01" for e in events)
    assert all(e["occurred_at"] >= prev["occurred_at"] for prev, e in
               itertools.pairwise(events[:1000]))
    # carts and views of the bought item come minutes before online orders
    funnel = clean.sql().execute(f"""
        with o as (select o.member_id, o.ordered_at, i.sku
                   from '{clean.path}/orders.parquet' o
                   join '{clean.path}/order_items.parquet' i using (order_id)
                   where o.channel in ('app', 'mini_program', 'web') and i.line_no = 1),
             e as (select member_id, occurred_at::timestamp t, sku
                   from read_json('{clean.path}/events.jsonl')
                   where event_type = 'cart')
        select avg((exists (select 1 from e where e.member_id = o.member_id
                            and e.sku = o.sku and e.t between o.ordered_at - interval 2 hour
                            and o.ordered_at))::int),
               avg((exists (select 1 from e where e.member_id = o.member_id
                            and e.sku = o.sku and e.t between o.ordered_at + interval 1 hour
                            and o.ordered_at + interval 3 hour))::int)
        from o""").fetchone()
    assert funnel is not None
    before, after = funnel
    assert before > 0.1 and before > 10 * after


def test_feedback_ratings_and_reviews(clean: Dataset) -> None:
    rows = clean.rows("feedback.csv")
    assert {r["kind"] for r in rows} == {"review", "rating", "survey", "ticket"}
    reviews = [r for r in rows if r["kind"] == "review"]
    assert all(CJK.search(r["content"]) for r in reviews)
    assert sum(int(r["rating"]) >= 4 for r in reviews) / len(reviews) > 0.65
    assert all(r["rating"] == "" and r["content"] for r in rows if r["kind"] == "ticket")
    con = clean.sql()
    by_status = dict(con.execute(f"""
        select o.status, avg(f.rating) from read_csv('{clean.path}/feedback.csv') f
        join '{clean.path}/orders.parquet' o using (order_id)
        where f.rating is not null group by 1""").fetchall())
    assert by_status["refunded"] < by_status["completed"] - 1
