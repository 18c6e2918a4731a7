"""The order-based built-in tags written the straightforward pandas way, for the benchmark.

Same definitions as the YAML catalog (windows end the day before the as-of date; purchases
are orders that are completed, partially refunded or have no status; money is exact, in
integer cents, as the warehouse keeps decimals). Data is loaded from the warehouse first
and not timed, like the RFM benchmark's "data in memory": string columns become
categoricals and order ids integers (their digits), which keeps pandas' memory and its
join on order id smaller than strings would — a head start for pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PURCHASE = ("completed", "partially_refunded")
CHANNELS = {"store": "门店", "app": "APP", "mini_program": "小程序", "tmall": "天猫",
            "jd": "京东", "web": "官网", "douyin": "抖音"}
BANDS = ((6, "凌晨"), (11, "上午"), (14, "中午"), (18, "下午"), (22, "晚上"), (24, "深夜"))
TIERS = ("钻石会员", "金卡会员", "银卡会员")


@dataclass
class Frames:
    orders: pd.DataFrame
    items: pd.DataFrame
    products: pd.DataFrame
    members: pd.DataFrame


def _frame(con: Any, sql: str) -> pd.DataFrame:
    """Query → pandas with every string column as a categorical (sorted categories)."""
    df = con.execute(sql).df()
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            cats = sorted(df[col].dropna().unique())
            df[col] = pd.Categorical(df[col], categories=cats)
    return df


def load_frames(warehouse: Path, as_of: date) -> Frames:
    """The raw tables the tags read, as compact pandas frames (not timed)."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    # order ids are a letter and 17 digits (O… online, P… in store): one int64 each
    odd = con.execute("SELECT count(*) FROM orders WHERE NOT regexp_full_match(order_id, "
                      "'[A-Z][0-9]{17}')").fetchall()[0][0]
    assert odd == 0, "order ids are not a letter and 17 digits"
    oid = "ascii(order_id) * 100000000000000000 + CAST(substr(order_id, 2) AS BIGINT)"
    cents = "CAST(round({0} * 100) AS BIGINT) AS {1}"
    orders = _frame(con, f"""
        SELECT {oid} AS order_id, member_id, store_id,
               channel, ordered_at, {cents.format('paid_amount', 'paid')},
               {cents.format('refund_amount', 'refund')},
               {cents.format('discount_amount', 'discount')}, coupon_code, status
        FROM orders""")
    items = _frame(con, f"""
        SELECT {oid} AS order_id, sku,
               {cents.format('unit_price', 'unit_price')}, {cents.format('amount', 'amount')}
        FROM order_items""")
    products = _frame(con, f"""SELECT sku, category, category_l1, brand,
                                      {cents.format('price', 'price')}, launched_at
                               FROM products""")
    members = _frame(con, "SELECT member_id, registered_at, tier FROM members")
    con.close()
    # one categorical for member ids everywhere: groups align by code, not by string
    ids = pd.CategoricalDtype(sorted(set(orders.member_id.cat.categories)
                                     | set(members.member_id.cat.categories)))
    orders["member_id"] = orders.member_id.astype(ids)
    members["member_id"] = members.member_id.astype(ids)
    return Frames(orders, items, products, members)


def _spread(codes: Any, values: Any, n: int, fill: Any = None) -> np.ndarray:
    """Values given for some member codes, as an array over all members."""
    out = np.full(n, fill, dtype=object if fill is None else float)
    if isinstance(values, list):  # of tuples: keep each tuple one element
        values = np.fromiter(values, dtype=object, count=len(values))
    out[np.asarray(codes)] = values
    return out


def _top(member: pd.Series, dim: pd.Series, weight: pd.Series | None, n: int = 0
         ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Per member: the top value, the top `n` values (if n) and the top value's share.

    Values ranked by summed weight (count without one), ties by the value itself, as the
    catalog's `top`, `top_n` and `top_share` are. Arrays over all member codes.
    """
    size = len(member.cat.categories)
    df = pd.DataFrame({"m": member.cat.codes, "d": dim, "v": 1 if weight is None else weight})
    g = df[df.d.notna()].groupby(["m", "d"], observed=True, sort=False).v.sum().reset_index()
    g = g[g.v > 0].sort_values(["m", "v", "d"], ascending=[True, False, True])
    m, d = g.m.to_numpy(), pd.Categorical(g.d)
    values = np.asarray(d.categories, dtype=object)[d.codes]
    starts = np.flatnonzero(np.r_[True, m[1:] != m[:-1]]) if len(m) else np.zeros(0, int)
    ends = np.r_[starts[1:], len(m)]
    first = _spread(m[starts], values[starts], size)
    lists = None
    if n:  # rows are sorted by member: each member's first n values
        lists = _spread(m[starts], [tuple(values[a:min(b, a + n)])
                                    for a, b in zip(starts, ends, strict=True)], size)
    v = g.v.to_numpy(dtype="float64")
    total = np.add.reduceat(v, starts) if len(v) else v
    share = _spread(m[starts], v[starts] / np.where(total == 0, np.nan, total), size, np.nan)
    return first, lists, share


def _percent_rank(values: pd.Series, ascending: bool) -> pd.Series:
    """SQL's percent_rank(): (rank - 1) / (rows - 1), ties sharing the lowest rank."""
    rank = values.rank(method="min", ascending=ascending)
    rows = values.notna().sum()
    return (rank - 1) / (rows - 1) if rows > 1 else rank * 0.0


def _score(values: pd.Series, ascending: bool) -> pd.Series:
    return np.minimum(5, 1 + np.floor(5 * _percent_rank(values, ascending))).astype("Int64")


def order_tags(f: Frames, as_of: date) -> pd.DataFrame:
    """The 44 order-based tags for every member known at `as_of`, indexed by member id."""
    cut = pd.Timestamp(as_of)
    days = [cut - pd.Timedelta(days=n) for n in (30, 90, 180, 365)]
    o = f.orders[f.orders.ordered_at < cut]
    m = f.members
    ids = o.member_id.cat.categories
    # members known at the as-of date, and buyers missing from the members table
    known = np.zeros(len(ids), dtype=bool)
    known[m.member_id.cat.codes[m.registered_at.isna() | (m.registered_at < cut)]] = True
    known[o.member_id.cat.codes] = True
    out = pd.DataFrame(index=pd.Index(ids, name="member_id"))

    # purchases: counts and spend by window, first and last, AOV, weekend and coupon shares
    p = o[o.status.isna() | o.status.isin(PURCHASE)]
    ts = p.ordered_at
    net = p.paid - p.refund.fillna(0)
    w30, w90, w365 = ts >= days[0], ts >= days[1], ts >= days[3]
    prev90 = (ts >= days[2]) & (ts < days[1])
    agg = pd.DataFrame({
        "m": p.member_id, "ts": ts, "net": net, "n30": w30, "n90": w90, "n365": w365,
        "s30": net.where(w30, 0), "s90": net.where(w90, 0), "sp90": net.where(prev90, 0),
        "s365": net.where(w365, 0), "weekend": ts.dt.dayofweek >= 5,
        "coupon": p.coupon_code.notna(),
    }).groupby("m", observed=False).agg(
        n=("net", "size"), spend=("net", "sum"), aov=("net", "mean"), first=("ts", "min"),
        last=("ts", "max"), n30=("n30", "sum"), n90=("n90", "sum"), n365=("n365", "sum"),
        s30=("s30", "sum"), s90=("s90", "sum"), sp90=("sp90", "sum"), s365=("s365", "sum"),
        weekend=("weekend", "mean"), coupon=("coupon", "mean"))
    agg.index = out.index
    for tag, col in (("order_count_30d", "n30"), ("order_count_90d", "n90"),
                     ("order_count_365d", "n365"), ("order_count_total", "n")):
        out[tag] = agg[col].astype("int64")
    for tag, col in (("spend_30d", "s30"), ("spend_90d", "s90"), ("spend_prev_90d", "sp90"),
                     ("spend_365d", "s365"), ("spend_total", "spend")):
        out[tag] = agg[col] / 100
    aov = agg.aov / 100
    out["avg_order_value"] = aov.round(2)
    out["first_purchase_at"], out["last_purchase_at"] = agg["first"], agg["last"]
    out["days_since_last_purchase"] = (cut - agg["last"].dt.normalize()).dt.days.astype("Int64")
    out["weekend_share"] = agg.weekend
    out["coupon_use_rate"] = agg.coupon

    # intervals between consecutive purchases, in days
    codes = p.member_id.cat.codes.to_numpy()
    order = np.lexsort((ts.to_numpy(), codes))
    codes = codes[order]
    secs = ts.to_numpy()[order].astype("datetime64[us]").astype(np.int64) / 1e6
    gap = np.diff(secs, prepend=np.nan) / 86400
    gap[np.r_[True, codes[1:] != codes[:-1]]] = np.nan
    gaps = pd.Series(gap).groupby(codes).agg(["mean", "std"])
    out["purchase_interval_mean"] = _spread(gaps.index, gaps["mean"], len(ids), np.nan)
    out["purchase_interval_std"] = _spread(gaps.index, gaps["std"], len(ids), np.nan)

    # preferred hour band, channel and store (most purchases)
    names = [name for _, name in BANDS]
    band = pd.cut(ts.dt.hour, [-1] + [b - 1 for b, _ in BANDS], labels=names).astype(
        pd.CategoricalDtype(sorted(names)))
    channel = p.channel.map(CHANNELS).astype(pd.CategoricalDtype(sorted(CHANNELS.values())))
    for tag, dim in (("preferred_hour_band", band), ("preferred_channel", channel),
                     ("preferred_store", p.store_id)):
        out[tag] = _top(p.member_id, dim, None)[0]

    # refund rate over all orders
    refunded = o.status.isin(["refunded", "partially_refunded"])
    out["refund_rate"] = refunded.groupby(o.member_id, observed=False).mean().to_numpy()

    _item_tags(f, p, days[3], out)
    _rules(out, m, cut, aov)
    return out[known]


def _item_tags(f: Frames, p: pd.DataFrame, start: pd.Timestamp, out: pd.DataFrame) -> None:
    """Favourite categories and brands, price level, discount and novelty over a year."""
    recent = p.loc[p.ordered_at >= start, ["order_id", "member_id", "ordered_at", "discount",
                                           "coupon_code"]]
    it = f.items.merge(recent, on="order_id", how="inner")
    # product attributes through the sku's categorical code (a lookup, not a second join)
    prod = f.products.set_index(f.products.sku.astype(str)).reindex(it.sku.cat.categories)
    codes = it.sku.cat.codes.to_numpy()
    known = codes >= 0

    def lookup(col: str) -> pd.Series:
        values = prod[col].to_numpy()
        return pd.Series(values[np.where(known, codes, 0)], index=it.index).where(known)

    for col in ("category", "category_l1", "brand"):
        attr = prod[col].cat.codes.to_numpy()[np.where(known, codes, 0)]
        it[col] = pd.Categorical.from_codes(np.where(known, attr, -1),
                                            dtype=prod[col].dtype)
    list_price = lookup("price").astype("float64")
    launched = pd.to_datetime(lookup("launched_at"))
    days_since_launch = (it.ordered_at.dt.normalize() - launched).dt.days
    on_discount = ((it.discount.fillna(0) > 0) | it.coupon_code.notna()
                   | (it.unit_price < list_price))
    member = it.member_id

    def share(hit: pd.Series) -> np.ndarray:
        s = pd.DataFrame({"m": member, "hit": it.amount.where(hit, 0), "all": it.amount}
                         ).groupby("m", observed=False)[["hit", "all"]].sum()
        return (s["hit"] / s["all"].replace(0, np.nan)).to_numpy()

    first, lists, shares = _top(member, it.category, it.amount, n=3)
    out["top_categories"], out["top_category"], out["top_category_share"] = lists, first, shares
    out["top_category_l1"] = _top(member, it.category_l1, it.amount)[0]
    _, lists, shares = _top(member, it.brand, it.amount, n=3)
    out["top_brands"], out["top_brand_share"] = lists, shares
    price = (it.unit_price.groupby(member, observed=False).mean() / 100).to_numpy()
    out["avg_item_price_raw"] = price
    out["avg_item_price"] = out.avg_item_price_raw.round(2)
    out["price_sensitivity"] = share(on_discount)
    out["new_product_share"] = share(days_since_launch.between(0, 30))


def _rules(out: pd.DataFrame, members: pd.DataFrame, cut: pd.Timestamp, aov: pd.Series) -> None:
    """The rule tags over the aggregates (window averages and ranks over all members)."""
    buyers = out.order_count_total > 0
    ws = out.weekend_share
    out["preferred_weekpart"] = np.select([ws.isna(), ws > 2 / 7], [None, "周末型"], "工作日型")
    # compared in whole cents, as the warehouse compares decimals: ×1.2 is ×6/5
    s90, prev = (out.spend_90d * 100).round(), (out.spend_prev_90d * 100).round()
    out["spend_trend_ratio"] = out.spend_90d / out.spend_prev_90d.replace(0, np.nan)
    out["spend_trend"] = np.select(
        [(s90 == 0) & (prev == 0), prev == 0, s90 * 5 > prev * 6, s90 * 5 < prev * 4],
        ["无消费", "新增", "上升", "下降"], "持平")
    raw_price = out.pop("avg_item_price_raw")
    pr = _percent_rank(raw_price, ascending=True)
    out["price_band"] = np.select([raw_price.isna(), pr < 1 / 3, pr < 2 / 3],
                                  [None, "大众", "中端"], "高端")
    ps = out.price_sensitivity
    out["price_sensitivity_level"] = np.select([ps.isna(), ps >= 0.6, ps < 0.3],
                                               [None, "高", "低"], "中")
    nps = out.new_product_share
    out["early_adopter"] = (nps >= 0.25).astype("boolean").where(nps.notna())

    dslp = out.days_since_last_purchase.astype("float64")
    out["r_score"] = _score(dslp, ascending=False)
    out["f_score"] = _score(out.order_count_total.where(buyers), ascending=True)
    out["m_score"] = _score(out.spend_total.where(buyers), ascending=True)
    r, f_, m_ = (out[c].astype("float64") for c in ("r_score", "f_score", "m_score"))
    value = np.where(m_ > m_.mean(), "重要", "一般")
    kind = np.select([(r > r.mean()) & (f_ > f_.mean()), r > r.mean(), f_ > f_.mean()],
                     ["价值", "发展", "保持"], "挽留")
    out["rfm_class"] = pd.Series(np.char.add(np.char.add(value, kind), "客户"),
                                 index=out.index).where(r.notna())
    raw_aov = aov
    freq_hi = out.order_count_total >= out.order_count_total.where(buyers).mean()
    aov_hi = raw_aov >= raw_aov.mean()
    out["value_quadrant"] = np.select(
        [~buyers, freq_hi & aov_hi, aov_hi, freq_hi], [None, "优质型", "消费型", "经常型"],
        "不确定型")
    abc = _percent_rank(out.spend_total.where(buyers), ascending=False)
    out["abc_class"] = np.select([~buyers, abc < 0.15, abc < 0.40], [None, "A", "B"], "C")

    tier = pd.Series(_spread(members.member_id.cat.codes.to_numpy(),
                             members.tier.astype(object).to_numpy(), len(out)), index=out.index)
    s = (out.spend_365d * 100).round()  # cents
    was_diamond, was_gold = tier == "钻石会员", tier.isin(TIERS[:2])
    out["member_tier"] = np.select(
        [s >= 2_000_000,
         (s >= 500_000) & was_diamond & (s >= 1_600_000), s >= 500_000,
         (s >= 100_000) & was_diamond & (s >= 1_600_000),
         (s >= 100_000) & was_gold & (s >= 400_000), s >= 100_000,
         tier.isin(TIERS) & (s >= 80_000), was_diamond & (s >= 400_000)],
        ["钻石会员", "钻石会员", "金卡会员", "钻石会员", "金卡会员", "银卡会员", "银卡会员",
         "金卡会员"], "普通会员")
    first_days = (cut - out.first_purchase_at.dt.normalize()).dt.days
    years = np.maximum(first_days / 365.25, 1 / 12)
    out["clv_historical"] = (out.spend_total - 50 - 20 * years).round(2).where(
        out.first_purchase_at.notna())


def _same(kind: str, a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise equality by tag type; two missing values are equal."""
    na = a.isna().to_numpy() & b.isna().to_numpy()
    if kind in ("money", "float"):
        x, y = a.astype("float64").to_numpy(), b.astype("float64").to_numpy()
        # sums are exact cents; averages and CLV are rounded to cents on both sides,
        # where half a cent may round either way
        tol = 0.0101 if kind == "money" else 1e-9
        close = np.isclose(x, y, rtol=1e-9, atol=tol)
        return pd.Series(na | np.nan_to_num(close, nan=False).astype(bool), index=a.index)
    if kind == "list":
        def key(v: Any) -> Any:
            return tuple(v) if isinstance(v, (list, tuple, np.ndarray)) else None
        return pd.Series([key(u) == key(v) for u, v in zip(a, b, strict=True)], index=a.index)
    if kind == "timestamp":
        a, b = pd.to_datetime(a), pd.to_datetime(b)
    eq = (a.astype(object) == b.astype(object)).to_numpy()
    return pd.Series(na | eq, index=a.index)


def compare_sample(ours: pd.DataFrame, warehouse: Path, as_of: date, keys: list[str], *,
                   n: int, seed: int) -> dict[str, Any]:
    """Compare pandas' tags with memberlens' snapshot for `n` random members."""
    import duckdb

    from memberlens.tags import load_catalog

    types = {t.key: t.type.value for t in load_catalog()}
    con = duckdb.connect(str(warehouse), read_only=True)
    theirs = con.execute(
        f"SELECT member_id, {', '.join(chr(34) + k + chr(34) for k in keys)} FROM tag_history "
        f"WHERE as_of = ? USING SAMPLE reservoir({int(n)} ROWS) REPEATABLE ({int(seed)})",
        [as_of]).df().set_index("member_id")
    total = con.execute("SELECT count(*) FROM tag_history WHERE as_of = ?", [as_of]).fetchone()
    con.close()
    mine = ours.reindex(theirs.index)
    mismatches = {}
    examples = {}
    for k in keys:
        same = _same(types[k], mine[k], theirs[k])
        if not same.all():
            mismatches[k] = int((~same).sum())
            who = same.index[~same.to_numpy()][0]
            examples[k] = {"member": who, "pandas": str(mine.at[who, k]),
                           "memberlens": str(theirs.at[who, k])}
    return {"sample": len(theirs), "tags_compared": len(keys),
            "same_members": bool(total and total[0] == len(ours)
                                 and mine.index.isin(ours.index).all()),
            "equal": not mismatches and bool(mine.index.isin(ours.index).all()),
            "mismatches": mismatches, "examples": examples}
