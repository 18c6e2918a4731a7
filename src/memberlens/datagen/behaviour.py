"""Behaviour events: a purchase funnel before online orders, browsing, and visitors.

Online orders placed in our own app, mini program or web shop are preceded by a
session (login, search, views, add-to-cart) minutes before the order. Members
also browse without buying, as long as they are active: a member who dropped out
stops browsing some weeks after the last order, which is what churn models read.
Some events are anonymous: visitors, and members' devices before they joined.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .baskets import Baskets
from .catalog import Catalog
from .geography import Geography
from .people import Members
from .purchases import Tastes, Timing
from .seasonality import ONLINE_HOURS, SECONDS_PER_DAY, Timeline, sample_seconds
from .textcols import fixed_text, format_seconds, join, literal, pick

EVENT_TYPES = ("view", "search", "cart", "click", "login", "open", "share", "favorite")
VIEW, SEARCH, CART, CLICK, LOGIN, OPEN, SHARE, FAVORITE = range(8)
BROWSE_MIX = np.array([0.46, 0.12, 0.04, 0.14, 0.08, 0.08, 0.03, 0.05])
EVENT_CHANNELS = ("app", "mini_program", "web")
DEVICES = ("iOS", "Android", "PC", "小程序")
PAGE = ("商品详情", "搜索结果", "商品详情", "首页", "登录", "消息", "商品详情", "商品详情")
# (key, numeric?) of the one extra property each type carries
EXTRA_KEY = ("dwell_seconds", "results", "quantity", "element", "method", "source", "to", "")
TEXT_VALUES = {
    CLICK: ("banner", "猜你喜欢", "优惠券", "秒杀", "会员中心"),
    LOGIN: ("短信验证码", "微信", "密码", "一键登录"),
    OPEN: ("push", "sms", "email"),
    SHARE: ("微信好友", "朋友圈", "微博"),
}
ANONYMOUS_SHARE = 0.08
FUNNEL_SHARE = 0.35
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)

IntArray = npt.NDArray[np.int64]


def device_ids(key: npt.NDArray[np.uint64]) -> pa.Array:
    """Stable pseudo-random device ids (``dev-3f9a0c12b7e4``) from integer keys."""
    h = (key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(16)
    shifts = np.arange(44, -1, -4, dtype=np.uint64)
    nibbles = ((h[:, None] >> shifts) & np.uint64(15)).astype(np.int64)
    return fixed_text(literal("dev-", len(key)), _HEX[nibbles])


def _funnel(
    rng: np.random.Generator, timing: Timing, baskets: Baskets, catalog: Catalog,
    budget: float,
) -> dict[str, np.ndarray]:
    """Sessions that end in an online order on our own channels.

    At most ``FUNNEL_SHARE`` of the event budget goes to them, so that browsing
    without buying remains the bulk of the events, as on a real site.
    """
    own = np.flatnonzero(np.isin(timing.channel, [0, 1, 4]))
    lines = np.diff(np.append(baskets.line_start, len(baskets.line_order)))[own]
    login = (rng.random(len(own)) < 0.3).astype(np.int64)
    search = (rng.random(len(own)) < 0.55).astype(np.int64)
    views = 1 + rng.poisson(1.5, len(own))
    carts = np.minimum(lines, 3)
    size = login + search + views + carts
    p = min(0.85, FUNNEL_SHARE * budget / max(float(size.sum()), 1.0))
    chosen = rng.random(len(own)) < p
    orders = own[chosen]
    k = len(orders)
    login, search, views, carts = login[chosen], search[chosen], views[chosen], carts[chosen]
    size = size[chosen]
    session = np.repeat(np.arange(k), size)
    j = np.arange(len(session)) - np.repeat(np.cumsum(size) - size, size)
    b1, b2, b3 = login[session], (login + search)[session], (login + search + views)[session]
    etype = np.select([j < b1, j < b2, j < b3], [LOGIN, SEARCH, VIEW], CART)
    order = orders[session]
    end = timing.seconds[order] - 20
    lead = rng.integers(3 * 60, 90 * 60, k)[session]
    when = end - lead + (lead * (j + 1)) // (size[session] + 1)
    cart_line = baskets.line_start[order] + np.maximum(j - b3, 0)
    first = baskets.product[baskets.line_start[order]]
    leaf = catalog.leaf[first]
    alt = catalog.pick_product(rng, leaf, rng.random(len(j)), timing.day[order])
    last_view = j == b3 - 1
    product = np.where(etype == CART, baskets.product[cart_line],
                       np.where(last_view, first, alt))
    product = np.where((etype == VIEW) | (etype == CART), product, -1)
    member = timing.member[order]
    return {"member": member, "seconds": when, "type": etype, "product": product,
            "leaf": np.where(etype == SEARCH, leaf, -1),
            "channel": np.array([0, 1, -1, -1, 2])[timing.channel[order]]}


def _browsing(
    rng: np.random.Generator, members: Members, tastes: Tastes, timing: Timing,
    catalog: Catalog, timeline: Timeline, budget: float,
) -> dict[str, np.ndarray]:
    """Browsing sessions spread over each member's active span."""
    n = len(members)
    reg = np.maximum(members.registered_at, timeline.start * SECONDS_PER_DAY)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, timing.member, timing.seconds)
    quiet = np.where(last >= 0, last, members.registered_at)
    fade = quiet + (rng.exponential(45, n) * SECONDS_PER_DAY).astype(np.int64)
    stop = np.where(timing.alive, (timeline.end + 1) * SECONDS_PER_DAY - 1, fade)
    stop = np.minimum(stop, (timeline.end + 1) * SECONDS_PER_DAY - 1)
    span = np.maximum(stop - reg, 0) / SECONDS_PER_DAY
    weight = (0.3 + tastes.rate / max(float(tastes.rate.mean()), 1e-9)) * span
    per_session = 3.0
    mean = budget / per_session * weight / max(float(weight.sum()), 1e-9)
    sessions = rng.poisson(mean)
    owner = np.repeat(np.arange(n), sessions)
    s = len(owner)
    op0 = timeline.op_time(reg[owner] / SECONDS_PER_DAY)
    op1 = timeline.op_time(stop[owner] / SECONDS_PER_DAY)
    day = timeline.day_of(op0 + rng.random(s) * (op1 - op0))
    start = day * SECONDS_PER_DAY + sample_seconds(rng, ONLINE_HOURS, s)
    start = np.clip(start, reg[owner], stop[owner])
    size = 1 + rng.poisson(per_session - 1, s)
    session = np.repeat(np.arange(s), size)
    j = np.arange(len(session)) - np.repeat(np.cumsum(size) - size, size)
    etype = np.searchsorted(np.cumsum(BROWSE_MIX), rng.random(len(session)) * 0.999999)
    etype = np.where((j == 0) & (rng.random(len(session)) < 0.35), LOGIN, etype)
    member = owner[session]
    when = start[session] + j * rng.integers(15, 240, len(session))
    k = (tastes.favourite_cdf[member] < rng.random(len(member))[:, None]).sum(axis=1)
    leaf = tastes.favourite[member, np.minimum(k, tastes.favourite.shape[1] - 1)]
    product = catalog.pick_product(rng, leaf, tastes.price_level[member],
                                   when // SECONDS_PER_DAY)
    with_sku = np.isin(etype, [VIEW, CART, SHARE, FAVORITE])
    own = np.array([0, 1, 0, 1, 2])[tastes.online_channel[member]]
    return {"member": member, "seconds": when, "type": etype,
            "product": np.where(with_sku, product, -1),
            "leaf": np.where(etype == SEARCH, leaf, -1), "channel": own}


def _properties(rng: np.random.Generator, etype: IntArray, quantity: IntArray) -> pa.Array:
    """A small JSON object per event, e.g. ``{"page":"商品详情","dwell_seconds":35}``."""
    n = len(etype)
    numeric = np.select(
        [etype == VIEW, etype == SEARCH, etype == CART],
        [np.round(rng.lognormal(3.3, 0.8, n)).astype(np.int64) + 1,
         rng.integers(0, 500, n), quantity], 0)
    text_vocab = [v for t in sorted(TEXT_VALUES) for v in TEXT_VALUES[t]]
    offset = {t: sum(len(TEXT_VALUES[u]) for u in sorted(TEXT_VALUES) if u < t)
              for t in TEXT_VALUES}
    off = np.array([offset.get(t, 0) for t in range(len(EVENT_TYPES))])[etype]
    cnt = np.array([len(TEXT_VALUES.get(t, ("",))) for t in range(len(EVENT_TYPES))])[etype]
    text = pick(pa.array([f'"{v}"' for v in text_vocab]),
                off + rng.integers(0, 1 << 30, n) % cnt)
    value = pc.if_else(pa.array(etype <= CART), pa.array(numeric).cast(pa.string()), text)
    has_extra = pa.array(etype != FAVORITE)
    key = pick(pa.array([f',"{k}":' if k else "" for k in EXTRA_KEY]), etype)
    extra = pc.if_else(has_extra, join(key, value), "")
    return join('{"page":"', pick(pa.array(PAGE), etype), '"', extra, "}")


def make_events(
    rng: np.random.Generator, members: Members, tastes: Tastes, timing: Timing,
    baskets: Baskets, catalog: Catalog, timeline: Timeline, geography: Geography,
    events_per_member: float,
) -> pa.Table:
    """All events of a chunk, sorted by time (the rows of ``events.jsonl``)."""
    n = len(members)
    target = events_per_member * n
    funnel = _funnel(rng, timing, baskets, catalog, target)
    anonymous = int(rng.poisson(ANONYMOUS_SHARE * target)) if n else 0
    budget = max(target - len(funnel["member"]) - anonymous, 0.0)
    browse = _browsing(rng, members, tastes, timing, catalog, timeline, budget)

    # anonymous: half are members' devices before they joined, half are visitors
    joined = np.flatnonzero(members.registered_at > (timeline.start + 1) * SECONDS_PER_DAY)
    pre = anonymous // 2 if len(joined) else 0
    who = joined[rng.integers(0, max(len(joined), 1), pre)]
    lead = np.minimum(members.registered_at[who] - timeline.start * SECONDS_PER_DAY,
                      14 * SECONDS_PER_DAY)
    pre_when = members.registered_at[who] - (rng.random(pre) * (lead - 60)).astype(np.int64) - 60
    visitors = anonymous - pre
    v_op = timeline.clock[timeline.start - timeline.origin] + rng.random(visitors) * (
        timeline.clock[-1] - timeline.clock[timeline.start - timeline.origin])
    v_when = timeline.day_of(v_op) * SECONDS_PER_DAY + sample_seconds(rng, ONLINE_HOURS, visitors)
    a_type = np.searchsorted(np.cumsum([0.6, 0.25, 0.15]), rng.random(anonymous) * 0.999999)
    a_type = np.array([VIEW, SEARCH, CLICK])[a_type]
    a_leaf = np.minimum(np.searchsorted(np.cumsum(catalog.popularity), rng.random(anonymous)),
                        catalog.n_leaves - 1)
    a_when = np.concatenate([pre_when, v_when])
    a_product = catalog.pick_product(rng, a_leaf, rng.random(anonymous),
                                     a_when // SECONDS_PER_DAY)

    member = np.concatenate([funnel["member"], browse["member"], who, np.full(visitors, -1)])
    seconds = np.concatenate([funnel["seconds"], browse["seconds"], a_when])
    etype = np.concatenate([funnel["type"], browse["type"], a_type])
    product = np.concatenate([funnel["product"], browse["product"],
                              np.where(a_type == VIEW, a_product, -1)])
    leaf = np.concatenate([funnel["leaf"], browse["leaf"], np.where(a_type == SEARCH, a_leaf, -1)])
    channel = np.concatenate([funnel["channel"], browse["channel"],
                              rng.integers(0, 3, anonymous)])
    logged_in = np.concatenate([np.ones(len(funnel["member"]) + len(browse["member"]), bool),
                                np.zeros(anonymous, bool)])
    inside = (seconds >= timeline.start * SECONDS_PER_DAY) & (
        seconds < (timeline.end + 1) * SECONDS_PER_DAY)
    safe = np.maximum(member, 0)
    logged_in &= (member >= 0) & (seconds >= members.registered_at[safe])

    order = np.flatnonzero(inside)[np.argsort(seconds[inside], kind="stable")]
    member, seconds, etype, product, leaf, channel, logged_in = (
        a[order] for a in (member, seconds, etype, product, leaf, channel, logged_in))
    safe = np.maximum(member, 0)
    m = len(member)
    member_device = device_ids(members.index.astype(np.uint64))
    # visitors come back a few times; their keys never collide with another chunk's
    pool = min(max(visitors // 3, 1), 4 * max(n, 1))
    visitor_keys = (np.uint64(1 << 40) + np.uint64(4 * (members.index[0] if n else 0))
                    + rng.integers(0, pool, m).astype(np.uint64))
    device_id = pc.if_else(pa.array(member >= 0), pick(member_device, safe),
                           device_ids(visitor_keys))
    phone_os = (members.index[safe] * 2_654_435_761 % 100 < 42).astype(np.int64)  # iOS share
    device = np.select([channel == 0, channel == 1], [1 - phone_os, 3], 2)
    city = np.where(member >= 0, members.city[safe],
                    geography.sample(rng, m))
    sku = catalog.sku.take(pa.array(np.maximum(product, 0), mask=product < 0))
    keyword = catalog.keyword(rng, np.maximum(leaf, 0))
    keyword = keyword.take(pa.array(np.arange(m), mask=leaf < 0))
    member_id = members.member_id.take(pa.array(safe, mask=~logged_in))
    quantity = 1 + (rng.random(m) < 0.15).astype(np.int64)
    return pa.table({
        "member_id": member_id,
        "anonymous_id": device_id,
        "event_type": pick(pa.array(EVENT_TYPES), etype),
        "occurred_at": format_seconds(seconds),
        "sku": sku,
        "keyword": keyword,
        "channel": pick(pa.array(EVENT_CHANNELS), channel),
        "device": pick(pa.array(DEVICES), device),
        "city": pick(geography.city, city),
        "properties": _properties(rng, etype, quantity),
    })

