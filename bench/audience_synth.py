"""A member_profile-shaped table for the audience benchmark, made inside DuckDB.

Thirty catalog tags with the shapes real profiles have: skewed categories (a few large
cities, many small ones), money with many zeros and a long tail, integers with heavy
ties, nulls, timestamps, and a top-3 category list. Pseudo-random values come from
``hash(i, salt)``, so the same member count gives the same table on any machine.
"""

from __future__ import annotations

TAGS = 30


def _u(salt: int) -> str:
    """A uniform number in [0, 1) per member."""
    return f"(hash(i, {salt}) % 1000000007) / 1000000007.0"


def _normal(salt: int) -> str:
    return f"(sqrt(-2 * ln(1 - {_u(salt)})) * cos(2 * pi() * {_u(salt + 1)}))"


def _pick(values: list[str], salt: int, skew: float = 1.0) -> str:
    """One of `values`, the first ones more often when `skew` > 1 (u ** skew)."""
    items = ", ".join("'" + v + "'" for v in values)
    return f"([{items}])[1 + floor(pow({_u(salt)}, {skew}) * {len(values)})::INTEGER]"


def _nullable(expr: str, salt: int, share: float) -> str:
    return f"CASE WHEN {_u(salt)} < {share} THEN NULL ELSE {expr} END"


PROVINCES = ["广东省", "江苏省", "浙江省", "山东省", "河南省", "四川省", "湖北省", "福建省",
             "湖南省", "安徽省", "上海市", "北京市", "河北省", "陕西省", "江西省", "重庆市",
             "辽宁省", "云南省", "广西壮族自治区", "山西省", "内蒙古自治区", "贵州省",
             "新疆维吾尔自治区", "天津市", "黑龙江省", "吉林省", "甘肃省", "海南省",
             "宁夏回族自治区", "青海省", "西藏自治区"]
CITIES = ["上海市", "北京市", "深圳市", "广州市", "成都市", "杭州市", "重庆市", "武汉市",
          "苏州市", "西安市", "南京市", "长沙市", "天津市", "郑州市", "东莞市"] + \
    [f"城市{i:03d}" for i in range(285)]
CATEGORIES = ["奶粉", "纸尿裤", "酒水", "零食", "粮油", "个护", "美妆", "家清", "生鲜", "冷冻",
              "饮料", "母婴用品", "宠物", "家电", "数码", "服饰", "鞋包", "图书", "玩具", "保健品"]
RFM = ["重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户", "一般价值客户",
       "一般发展客户", "一般保持客户", "一般挽留客户"]


def profile_sql(members: int) -> str:
    """CREATE TABLE member_profile … with `members` rows and TAGS tag columns."""
    spend = f"round(exp(ln(600) + 1.1 * {_normal(40)}), 2)"
    cols = {
        "gender": _pick(["女", "男", "未知"], 1, 1.3),
        "age": _nullable(f"(18 + floor(57 * pow({_u(2)}, 1.4)))::BIGINT", 3, 0.1),
        "age_band": _pick(["18岁以下", "18-24岁", "25-29岁", "30-34岁", "35-39岁", "40-49岁",
                           "50-59岁", "60岁及以上"], 2, 1.4),
        "province": _pick(PROVINCES, 4, 2.0),
        "city": _pick(CITIES, 5, 3.0),
        "city_tier": _pick(["一线城市", "新一线城市", "二线城市", "三线城市", "四线及以下"], 6),
        "registration_channel": _pick(["门店", "APP", "小程序", "天猫", "京东", "官网", "抖音",
                                       "未知"], 7, 1.5),
        "tenure_days": f"(floor(3650 * {_u(8)}))::BIGINT",
        "order_count_365d": f"(floor(-ln(1 - {_u(9)}) * 4))::BIGINT",
        "spend_365d": f"CAST(CASE WHEN {_u(41)} < 0.3 THEN 0 ELSE {spend} END "
                      "AS DECIMAL(18,2))",
        "spend_total": f"CAST({spend} * (1 + 3 * {_u(42)}) AS DECIMAL(18,2))",
        "avg_order_value": _nullable(f"CAST(round(exp(ln(150) + 0.7 * {_normal(43)}), 2) "
                                     "AS DECIMAL(18,2))", 44, 0.25),
        "last_purchase_at": _nullable("TIMESTAMP '2026-01-01' - to_seconds(floor(-ln(1 - "
                                      f"{_u(10)}) * 90 * 86400)::BIGINT)", 11, 0.2),
        "first_purchase_at": _nullable("TIMESTAMP '2023-01-01' + to_seconds(floor("
                                       f"{_u(12)} * 1000 * 86400)::BIGINT)", 11, 0.2),
        "days_since_last_purchase": _nullable(f"(floor(-ln(1 - {_u(10)}) * 90))::BIGINT",
                                              11, 0.2),
        "preferred_channel": _pick(["门店", "APP", "小程序", "天猫", "京东", "官网", "抖音"], 13,
                                   1.6),
        "refund_rate": f"CASE WHEN {_u(14)} < 0.8 THEN 0.0 ELSE round({_u(15)} * 0.5, 4) END",
        "top_categories": "CASE WHEN " + _u(16) + " < 0.15 THEN [] ELSE list_distinct(["
        + ", ".join(_pick(CATEGORIES, 17 + k, 1.8) for k in range(3)) + "]) END",
        "price_band": _pick(["大众", "中端", "高端"], 20, 1.5),
        "early_adopter": _nullable(f"{_u(21)} < 0.12", 22, 0.3),
        "r_score": f"(1 + floor(5 * {_u(23)}))::BIGINT",
        "rfm_class": _pick(RFM, 24, 1.3),
        "value_quadrant": _pick(["优质型", "消费型", "经常型", "不确定型"], 25),
        "member_tier": _pick(["普通会员", "银卡会员", "金卡会员", "钻石会员"], 26, 2.5),
        "activity_status": _pick(["活跃", "沉默", "流失"], 27, 1.2),
        "lifecycle_stage": _pick(["潜在客户", "新客", "成长期", "成熟期", "衰退期", "流失"], 28),
        "churn_probability": _nullable(f"round({_u(29)}, 6)", 30, 0.05),
        "churn_risk": _nullable(_pick(["low", "medium", "high"], 29, 1.0), 30, 0.05),
        "purchase_propensity_30d": f"{_u(31)} * {_u(32)}",
        "clv_12m": _nullable(f"CAST(round(exp(ln(800) + 1.3 * {_normal(33)}), 2) "
                             "AS DECIMAL(18,2))", 35, 0.05),
    }
    assert len(cols) == TAGS, len(cols)
    select = ",\n  ".join(f"{expr} AS {name}" for name, expr in cols.items())
    return (f"CREATE OR REPLACE TABLE member_profile AS SELECT\n"
            f"  'M' || lpad(i::VARCHAR, 9, '0') AS member_id, DATE '2026-01-01' AS as_of,\n"
            f"  {select}\nFROM range({members}) t(i)")
