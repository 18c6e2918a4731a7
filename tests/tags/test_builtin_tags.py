"""Every non-predictive built-in tag against values computed by hand on the tiny fixture.

Each row lists the expected value for M01 … M08 (see conftest.py for the stories and the
windows); the comments carry the arithmetic. M09 registered after the as-of date.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D
from statistics import stdev
from typing import Any

import pytest
from tiny_warehouse import IN_PROFILE

from memberlens.tags import Category, load_catalog

Profile = dict[str, dict[str, Any]]


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _want(value: Any) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-12) if isinstance(value, float) else value


def check(profile: Profile, tag: str, expected: tuple[Any, ...]) -> None:
    got = {m: profile[m][tag] for m in IN_PROFILE}
    assert got == {m: _want(v) for m, v in zip(IN_PROFILE, expected, strict=True)}


_ = None  # reads better than None in the tables below

# --- 基础属性 basic -------------------------------------------------------------------
BASIC: dict[str, tuple[Any, ...]] = {
    #            M01     M02     M03     M04     M05     M06     M07     M08
    "gender": ("女", "男", "男", "未知", "女", "女", "男", "男"),
    # 2024-1990; 2024-2000 (birthday on the as-of date counts); 2024-1960-1 (Dec 31 not
    # yet); no birthday; 2024-1998-1; 2024-1970-1 (Jul 2 is tomorrow); 2024-1978; 2024-1996
    "age": (34, 24, 63, _, 25, 53, 46, 28),
    "age_band": ("30-34岁", "18-24岁", "60岁及以上", _, "25-29岁", "50-59岁", "40-49岁",
                 "25-29岁"),
    "birthday_month": (3, 7, 12, _, 9, 7, 1, 2),
    "province": ("上海", "四川", "广东", "浙江", "河北", "北京", "湖南", "广东"),
    "city": ("上海", "成都", "佛山", "杭州", "保定", "北京", "岳阳", "深圳"),
    # city_tier 1, 2, 3, NULL, 4, 1, 5, 1
    "city_tier": ("一线城市", "新一线城市", "二线城市", _, "三线城市", "一线城市", "四线及以下",
                  "一线城市"),
    # M01 2022-01-10: 365+365 to 2024-01-10, +21+29+31+30+31+30+1 = 903
    # M02 2024-03-01: 31+30+31+30 = 122
    # M03 2021-05-01: 365+365+366 to 2024-05-01, +31+30 = 1157
    # M04 2024-06-20: 11;  M05 2023-08-15: 17 + 304 (Sep…Jun) = 321
    # M06 2023-12-01: 31+31+29+31+30+31+30 = 213;  M07 2023-02-14: 365 + 16+31+30+31+30 = 503
    # M08 2023-10-01: 31+30+31+31+29+31+30+31+30 = 274
    "tenure_days": (903, 122, 1157, 11, 321, 213, 503, 274),
    "registration_channel": ("门店", "APP", "天猫", "小程序", "抖音", "官网", "京东", "未知"),
}

# --- 行为 behaviour ---------------------------------------------------------------------
# purchases (not cancelled, not fully refunded; net = paid - refund) before 2024-07-01:
# M01 2023-05-10 3000 | 2023-11-16 6000 | 2024-02-14 5000-1000 | 03-20 4000 | 05-15 6000 |
#     06-08 2000 | 06-20 3000      (O108 refunded, O109 on the as-of day)
# M02 2024-06-01 00:00 3000        (O202 at 2024-07-01 00:00 is out)
# M03 2023-03-06 400 | 2023-07-02 900
# M04 2024-06-25 450
# M05 2024-01-06 400 | 03-16 320 | 04-13 800 | 05-18 240 | 06-22 144   (O505 cancelled)
# M08 2024-01-20 600 | 03-05 600 | 04-02 240
BEHAVIOUR: dict[str, tuple[Any, ...]] = {
    # 30d from 2024-06-01 00:00 (M02's order is its first instant); 90d from 2024-04-02
    # (M08's 04-02 16:00 is in); 365d from 2023-07-02 (M03's 2023-07-02 is in)
    "order_count_30d": (2, 1, 0, 1, 1, 0, 0, 0),
    "order_count_90d": (3, 1, 0, 1, 3, 0, 0, 1),
    "order_count_365d": (6, 1, 1, 1, 5, 0, 0, 3),
    "order_count_total": (7, 1, 2, 1, 5, 0, 0, 3),
    # M01 2000+3000; M05 144
    "spend_30d": (D(5000), D(3000), D(0), D(450), D(144), D(0), D(0), D(0)),
    # M01 6000+2000+3000; M05 800+240+144; M08 240
    "spend_90d": (D(11000), D(3000), D(0), D(450), D(1184), D(0), D(0), D(240)),
    # [2024-01-03, 2024-04-02): M01 4000+4000; M05 400+320; M08 600+600
    "spend_prev_90d": (D(8000), D(0), D(0), D(0), D(720), D(0), D(0), D(1200)),
    # M01 28000-3000; M03 900; M05 all five = 1904; M08 1440
    "spend_365d": (D(25000), D(3000), D(900), D(450), D(1904), D(0), D(0), D(1440)),
    "spend_total": (D(28000), D(3000), D(1300), D(450), D(1904), D(0), D(0), D(1440)),
    # 28000/7; 3000/1; 1300/2; 450/1; 1904/5; no purchase; 1440/3
    "avg_order_value": (D(4000), D(3000), D(650), D(450), D("380.80"), _, _, D(480)),
    "first_purchase_at": (ts("2023-05-10 20:00"), ts("2024-06-01 00:00"),
                          ts("2023-03-06 10:00"), ts("2024-06-25 15:30"),
                          ts("2024-01-06 12:30"), _, _, ts("2024-01-20 16:00")),
    "last_purchase_at": (ts("2024-06-20 20:00"), ts("2024-06-01 00:00"),
                         ts("2023-07-02 10:00"), ts("2024-06-25 15:30"),
                         ts("2024-06-22 20:00"), _, _, ts("2024-04-02 16:00")),
    # 06-20→07-01 11; 06-01→07-01 30; 2023-07-02→2024-07-01 366-1 = 365; 6; 9; -; -;
    # 04-02→07-01 30+31+29 = 90
    "days_since_last_purchase": (11, 30, 365, 6, 9, _, _, 90),
    # M01 gaps 190, 90, 35, 56, 24, 12 (all at 20:00): sum 407 = 2023-05-10→2024-06-20
    # M03 one gap: 2023-03-06→07-02 = 31+30+31+26 = 118
    # M05 gaps 70d+30min, 28d-1h, 35d-30min, 35d+8.5h: sum 168d 7.5h
    # M08 gaps 45d-1h, 28d+1h: sum 73 days
    "purchase_interval_mean": (407 / 6, _, 118.0, _, (168 + 7.5 / 24) / 4, _, _, 73 / 2),
    "purchase_interval_std": (
        stdev([190, 90, 35, 56, 24, 12]), _, _, _,   # one gap has no spread
        stdev([70 + 0.5 / 24, 28 - 1 / 24, 35 - 0.5 / 24, 35 + 8.5 / 24]), _, _,
        stdev([45 - 1 / 24, 28 + 1 / 24])),          # = (16 + 22/24) / sqrt(2)
    # hours: M01 all 20; M02 0; M03 10, 10; M04 15; M05 12, 13, 12, 11, 20; M08 16, 15, 16
    "preferred_hour_band": ("晚上", "凌晨", "上午", "下午", "中午", _, _, "下午"),
    # Saturdays/Sundays: M01 1 of 7 (06-08); M02 1/1; M03 1/2 (2023-07-02 Sun);
    # M04 0/1 (Tue); M05 5/5; M08 1/3 (01-20 Sat)
    "weekend_share": (1 / 7, 1.0, 0.5, 0.0, 1.0, _, _, 1 / 3),
    # weekend share above 2/7 = 0.2857 is a weekend shopper
    "preferred_weekpart": ("工作日型", "周末型", "周末型", "工作日型", "周末型", _, _, "周末型"),
    # M01 store 5 : app 2; M05 store 3 : douyin 2; M08 store 2 : jd 1
    "preferred_channel": ("门店", "APP", "天猫", "小程序", "门店", _, _, "门店"),
    # online orders have no store
    "preferred_store": ("S1", _, _, _, "S2", _, _, "S2"),
    # all orders, cancelled ones too: M01 (O103 partial + O108 full) / 8; M05 0/6
    "refund_rate": (2 / 8, 0.0, 0.0, 0.0, 0.0, _, _, 0.0),
    # M01 1 coupon in 7 purchases; M05 4 in 5 (the cancelled one is not a purchase)
    "coupon_use_rate": (1 / 7, 0.0, 0.0, 0.0, 4 / 5, _, _, 0.0),
    "spend_trend_ratio": (11000 / 8000, _, _, _, 1184 / 720, _, _, 240 / 1200),
    # 11000 > 8000*1.2; prev 0; both 0; prev 0; 1184 > 720*1.2; -; -; 240 < 1200*0.8
    "spend_trend": ("上升", "新增", "无消费", "新增", "上升", "无消费", "无消费", "下降"),
}

# --- 偏好 preference --------------------------------------------------------------------
# item lines of purchases in [2023-07-02, 2024-07-01), amount (list price):
# M01 手袋 6000+3000+3000+6000+3000 = 21000 (云锦, 服饰); 面膜 2000+1200 = 3200 and
#     口红 2000 (花颜, 美妆个护); total 26200; unit prices 3000×5, 100×2, 200 → 15400/8
# M02 手袋 3000;  M03 运动鞋 400 (疾风, 服饰), 面膜 500; total 900; units 400, 100
# M04 耳机 500 (声动, 数码), the order has a discount, launched 15 days before
# M05 面膜 500+800+100 = 1400, 运动鞋 400, 口红 200, 咖啡 160 (山豆, 食品饮料); total 2160;
#     units 100, 400, 80, 100, 200, 80 → 960/6; every line on discount (coupon, order
#     discount, or 80 < list 100); 口红 bought 17 days after launch
# M08 面膜 200+600 = 800, 运动鞋 400, 咖啡 240; total 1440; units 400, 100, 100, 80 → 680/4
PREFERENCE: dict[str, tuple[Any, ...]] = {
    "top_categories": (["手袋", "面膜", "口红"], ["手袋"], ["面膜", "运动鞋"], ["耳机"],
                       ["面膜", "运动鞋", "口红"], _, _, ["面膜", "运动鞋", "咖啡"]),
    "top_category": ("手袋", "手袋", "面膜", "耳机", "面膜", _, _, "面膜"),
    "top_category_share": (21000 / 26200, 1.0, 500 / 900, 1.0, 1400 / 2160, _, _,
                           800 / 1440),
    # M03 美妆个护 500 > 服饰 400; M05 美妆个护 1600; M08 美妆个护 800
    "top_category_l1": ("服饰", "服饰", "美妆个护", "数码", "美妆个护", _, _, "美妆个护"),
    "top_brands": (["云锦", "花颜"], ["云锦"], ["花颜", "疾风"], ["声动"],
                   ["花颜", "疾风", "山豆"], _, _, ["花颜", "疾风", "山豆"]),
    # M05 花颜 = 面膜 1400 + 口红 200
    "top_brand_share": (21000 / 26200, 1.0, 500 / 900, 1.0, 1600 / 2160, _, _, 800 / 1440),
    "avg_item_price": (D(1925), D(3000), D(250), D(500), D(160), _, _, D(170)),
    # percent rank of the average price among the six: M05 160 → 0, M08 170 → 0.2,
    # M03 250 → 0.4, M04 500 → 0.6, M01 1925 → 0.8, M02 3000 → 1; cuts at 1/3 and 2/3
    "price_band": ("高端", "高端", "中端", "中端", "大众", _, _, "大众"),
    # M01 O104 (coupon + discount) 4200/26200
    "price_sensitivity": (4200 / 26200, 0.0, 0.0, 1.0, 1.0, _, _, 0.0),
    "price_sensitivity_level": ("低", "低", "低", "高", "高", _, _, "低"),
    # M01's 口红 was 38 days after launch (not new); M03's 运动鞋 123 days
    "new_product_share": (0.0, 0.0, 0.0, 1.0, 200 / 2160, _, _, 0.0),
    "early_adopter": (False, False, False, True, False, _, _, False),
    # searches + reviews/surveys/tickets in the last 365 days, segmented, stop words out,
    # ranked by count, ties by the word; five at most:
    # M01 手袋 2 (search, review); 面膜, 做工, 精美, 物流, 很快 1 each (非常, 满意 are stop
    #     words; the 2023-05-12 review is too old)
    # M02 only a review after the as-of date; M03 only a review from 2023-06-20
    # M04 耳机 (search); the rating's text is not read
    # M05 优惠券 2 searches + 1 ticket; 无法, 使用 1 each;  M06 咖啡 (survey)
    # M07 防晒霜 3, 耳机 2 ("蓝牙 耳机", "耳机" at 23:59:59), 蓝牙 1 (咖啡 is too old)
    "interest_keywords": (["手袋", *sorted(["面膜", "做工", "精美", "物流", "很快"])[:4]], _,
                          _, ["耳机"], ["优惠券", *sorted(["无法", "使用"])], ["咖啡"],
                          ["防晒霜", "耳机", "蓝牙"], _),
}

# --- 价值 value -------------------------------------------------------------------------
# six buyers, percent rank p = (rank-1)/5, score = min(5, 1 + floor(5p)):
# R by days desc: M03 365 → 1, M08 90 → 2, M02 30 → 3, M01 11 → 4, M05 9 → 5, M04 6 → 5
# F by orders:    M02 1, M04 1 → 1 (tie), M03 2 → 3, M08 3 → 4, M05 5 → 5, M01 7 → 5
# M by spend:     M04 450 → 1, M03 1300 → 2, M08 1440 → 3, M05 1904 → 4, M02 3000 → 5,
#                 M01 28000 → 5
# means: R 20/6 = 3.33, F 19/6 = 3.17, M 20/6 = 3.33
VALUE: dict[str, tuple[Any, ...]] = {
    "r_score": (4, 3, 1, 5, 5, _, _, 2),
    "f_score": (5, 1, 3, 1, 5, _, _, 4),
    "m_score": (5, 5, 2, 1, 4, _, _, 3),
    # M01 RFM all high; M02 M high only; M03 none; M04 R only; M05 all; M08 F only
    "rfm_class": ("重要价值客户", "重要挽留客户", "一般挽留客户", "一般发展客户", "重要价值客户",
                  _, _, "一般保持客户"),
    # mean orders 19/6 = 3.17; mean AOV (4000+3000+650+450+380.8+480)/6 = 1493.47
    "value_quadrant": ("优质型", "消费型", "不确定型", "不确定型", "经常型", _, _, "不确定型"),
    # spend rank desc: M01 0 → A; M02 0.2 → B; M05 0.4 (not < 0.40), M08, M03, M04 → C
    "abc_class": ("A", "B", "C", "C", "C", _, _, "C"),
    # spend_365d / current tier: 25000 → 钻石; 3000 普通 → 银卡 (upgrade); 900 银卡 ≥ 800 →
    # keeps 银卡; 450 → 普通; 1904 金卡 < 4000 → drops to 银卡; 0 → 普通; 0 no tier → 普通;
    # 1440 银卡 → 银卡
    "member_tier": ("钻石会员", "银卡会员", "银卡会员", "普通会员", "银卡会员", "普通会员",
                    "普通会员", "银卡会员"),
    # spend_total - 50 - 20 × max(days since first purchase / 365.25, 1/12):
    # M01 28000 - 50 - 20×418/365.25 = 27927.1116;  M02 3000 - 50 - 20/12 (30 days) = 2948.33
    # M03 1300 - 50 - 20×483/365.25 = 1223.5524;     M04 450 - 50 - 20/12 = 398.33
    # M05 1904 - 50 - 20×177/365.25 = 1844.3080;     M08 1440 - 50 - 20×163/365.25 = 1381.0746
    "clv_historical": (D("27927.11"), D("2948.33"), D("1223.55"), D("398.33"), D("1844.31"),
                       _, _, D("1381.07")),
}

# --- 活跃度 activity --------------------------------------------------------------------
# member events before 2024-07-01 (the anonymous visitor's are nobody's):
# M01 03-01 search, 05-20 login, 06-28 09:00 login, 09:02 search, 09:05 view
# M02 only one on 2024-07-01;  M03 2023-12-01 10:00 view;  M04 06-20 login, 06-24 search,
# view, cart (20:10);  M05 05-02 two searches and a login (10:00);  M06, M08 none
# M07 06-05 login + search, 06-10, 06-15 ×3, 06-30 23:59:59 (and one in 2023-06)
ACTIVITY: dict[str, tuple[Any, ...]] = {
    "last_event_at": (ts("2024-06-28 09:05"), _, ts("2023-12-01 10:00"),
                      ts("2024-06-24 20:10"), ts("2024-05-02 10:00"), _,
                      ts("2024-06-30 23:59:59"), _),
    # 3; -; 2023-12-01→2024-07-01 = 213; 7; 05-02→07-01 = 31+29 = 60; -; 1; -
    "days_since_last_event": (3, _, 213, 7, 60, _, 1, _),
    "event_count_30d": (3, 0, 0, 4, 0, 0, 7, 0),
    "login_count_30d": (1, 0, 0, 1, 0, 0, 1, 0),
    # active: a purchase in the last 90 days (days ≤ 90) or an event in the last 30;
    # churned: no purchase for more than 365 days and no event for more than 180.
    # M03 bought 365 days ago - inside the 365-day window - so silent, not churned;
    # M08 bought 90 days ago - inside the 90-day window - so active; M06 has nothing
    "activity_status": ("活跃", "活跃", "沉默", "活跃", "活跃", "流失", "活跃", "活跃"),
    # M01, M05 ≥ 5 orders; M02 first purchase 30 days ago, 1 order; M03 silent;
    # M04 joined 11 days ago; M07 never bought, tenure 503 (≥ 90), active → prospect;
    # M08 spend falling
    "lifecycle_stage": ("成熟期", "新客", "衰退期", "新客", "成熟期", "流失", "潜在客户",
                        "衰退期"),
}

ALL = {**BASIC, **BEHAVIOUR, **PREFERENCE, **VALUE, **ACTIVITY}


def test_every_non_predictive_builtin_tag_is_checked() -> None:
    catalog = load_catalog()
    builtin = {t.key for t in catalog if t.category != Category.PREDICTIVE}
    assert set(ALL) == builtin
    assert len(builtin) >= 40


def test_profile_holds_members_known_at_the_as_of_date(tiny_profile: Profile) -> None:
    assert tuple(tiny_profile) == IN_PROFILE       # M09 joined on 2024-07-05
    assert {row["as_of"].isoformat() for row in tiny_profile.values()} == {"2024-07-01"}


@pytest.mark.parametrize(("tag", "expected"), BASIC.items(), ids=list(BASIC))
def test_basic(tiny_profile: Profile, tag: str, expected: tuple[Any, ...]) -> None:
    check(tiny_profile, tag, expected)


@pytest.mark.parametrize(("tag", "expected"), BEHAVIOUR.items(), ids=list(BEHAVIOUR))
def test_behaviour(tiny_profile: Profile, tag: str, expected: tuple[Any, ...]) -> None:
    check(tiny_profile, tag, expected)


@pytest.mark.parametrize(("tag", "expected"), PREFERENCE.items(), ids=list(PREFERENCE))
def test_preference(tiny_profile: Profile, tag: str, expected: tuple[Any, ...]) -> None:
    check(tiny_profile, tag, expected)


@pytest.mark.parametrize(("tag", "expected"), VALUE.items(), ids=list(VALUE))
def test_value(tiny_profile: Profile, tag: str, expected: tuple[Any, ...]) -> None:
    check(tiny_profile, tag, expected)


@pytest.mark.parametrize(("tag", "expected"), ACTIVITY.items(), ids=list(ACTIVITY))
def test_activity(tiny_profile: Profile, tag: str, expected: tuple[Any, ...]) -> None:
    check(tiny_profile, tag, expected)
