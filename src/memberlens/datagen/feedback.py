"""Feedback: ratings and short Chinese reviews after orders, tickets, surveys.

Most ratings are 4-5 stars; refunds pull them down, and a refund or a
cancellation sometimes comes with a service ticket. Review texts are stitched
from 好评/中评/差评 phrase lists, naming the product's category now and then.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .baskets import Baskets
from .catalog import Catalog
from .categories import LEAVES
from .people import Members
from .purchases import Timing
from .seasonality import SECONDS_PER_DAY, Timeline
from .textcols import format_seconds, join, pick

KINDS = ("review", "rating", "survey", "ticket")
OPENERS = (
    ("东西很好", "质量不错", "非常满意", "物超所值", "包装精美", "第二次回购了", "正品，放心"),
    ("一般般", "还可以", "中规中矩", "凑合能用", "和预期差不多"),
    ("太失望了", "质量很差", "不推荐", "和描述不符", "做工粗糙"),
)
ASPECTS = (
    ("物流很快", "客服态度很好", "和图片一样", "尺码标准", "味道很好", "用着很舒服", "性价比高"),
    ("物流有点慢", "包装有点简陋", "和描述有点差距", "价格稍贵", "颜色有色差"),
    ("发货太慢", "客服不理人", "收到有破损", "有异味", "用了过敏", "少发了东西"),
)
CLOSERS = (
    ("推荐购买", "还会再来", "五星好评", "下次还买", "值得入手"),
    ("再观察看看", "希望改进", "总体还行"),
    ("已申请退货", "不会再买了", "差评"),
)
TICKETS = ("申请退款，商品有质量问题", "物流太慢，一直未收到货", "发票开错了，请重开",
           "优惠券没有生效，请补差价", "收到的商品与订单不符", "想取消订单", "会员积分没有到账")
SURVEYS = ("希望增加更多优惠活动", "门店服务很好", "希望会员权益更多一些", "APP 有点卡",
           "小程序下单很方便", "希望增加更多新品", "配送速度可以再快一点", "整体满意")
RATING_P = {
    "completed": np.array([0.03, 0.03, 0.08, 0.22, 0.64]),
    "partially_refunded": np.array([0.12, 0.15, 0.25, 0.25, 0.23]),
    "refunded": np.array([0.35, 0.25, 0.2, 0.12, 0.08]),
}

IntArray = npt.NDArray[np.int64]


def _phrase(rng: np.random.Generator, groups: tuple[tuple[str, ...], ...],
            sentiment: IntArray) -> pa.Array:
    vocab = [p for g in groups for p in g]
    offset = np.cumsum([0] + [len(g) for g in groups])[:-1][sentiment]
    count = np.array([len(g) for g in groups])[sentiment]
    return pick(pa.array(vocab), offset + rng.integers(0, 1 << 30, len(sentiment)) % count)


def _reviews(rng: np.random.Generator, rating: IntArray, leaf: IntArray) -> pa.Array:
    """Texts like ``面霜质量不错，物流很快，推荐购买``."""
    sentiment = np.select([rating >= 4, rating == 3], [0, 1], 2)
    head = pc.if_else(pa.array(rng.random(len(rating)) < 0.4),
                      pick(pa.array([lf.name for lf in LEAVES]), leaf), "")
    return join(head, _phrase(rng, OPENERS, sentiment), "，", _phrase(rng, ASPECTS, sentiment),
                "，", _phrase(rng, CLOSERS, sentiment))


def make_feedback(
    rng: np.random.Generator, members: Members, timing: Timing, baskets: Baskets,
    catalog: Catalog, timeline: Timeline, order_id: pa.Array,
) -> pa.Table:
    """Feedback rows of a chunk, without ids (added when writing), sorted by time."""
    m = len(timing)
    status = baskets.status
    p_review = np.choose(status, [0.12, 0.30, 0.25, 0.0])
    p_rating = np.choose(status, [0.10, 0.10, 0.10, 0.0])
    p_ticket = np.choose(status, [0.004, 0.25, 0.15, 0.20])
    u = rng.random(m)
    kind = np.select([u < p_review, u < p_review + p_rating,
                      u < p_review + p_rating + p_ticket], [0, 1, 3], -1)
    rows = np.flatnonzero(kind >= 0)
    kind = kind[rows]
    k = len(rows)
    rating = np.zeros(k, dtype=np.int64)
    for s, name in ((0, "completed"), (2, "partially_refunded"), (1, "refunded")):
        here = status[rows] == s
        cdf = np.cumsum(RATING_P[name])
        rating[here] = 1 + np.searchsorted(cdf, rng.random(int(here.sum())) * 0.999999)
    product = baskets.first_product[rows]
    content = _reviews(rng, rating, catalog.leaf[product])
    content = pc.if_else(pa.array(kind == 3),
                         pick(pa.array(TICKETS), rng.integers(0, len(TICKETS), k)), content)
    content = content.take(pa.array(np.arange(k), mask=kind == 1))  # rating only: no text
    delay = np.where(kind == 3, rng.integers(600, 3 * SECONDS_PER_DAY, k),
                     rng.integers(SECONDS_PER_DAY, 15 * SECONDS_PER_DAY, k))
    created = timing.seconds[rows] + delay

    # surveys: a few members answer a satisfaction survey, not tied to an order
    n = len(members)
    surveyed = np.flatnonzero(rng.random(n) < 0.03)
    lo = np.maximum(members.registered_at[surveyed], timeline.start * SECONDS_PER_DAY)
    hi = (timeline.end + 1) * SECONDS_PER_DAY
    s_when = lo + (rng.random(len(surveyed)) * (hi - lo)).astype(np.int64)
    s_rating = 1 + np.searchsorted(np.cumsum([0.04, 0.06, 0.2, 0.4, 0.3]),
                                   rng.random(len(surveyed)) * 0.999999)

    member = np.concatenate([timing.member[rows], surveyed])
    when = np.concatenate([created, s_when])
    keep = when < hi
    order = np.flatnonzero(keep)[np.argsort(when[keep], kind="stable")]
    kinds = np.concatenate([kind, np.full(len(surveyed), 2)])[order]
    ratings = np.concatenate([rating, s_rating])[order]
    texts = pa.concat_arrays([content, pick(pa.array(SURVEYS),
                                            rng.integers(0, len(SURVEYS), len(surveyed)))])
    on_order = np.concatenate([rows, np.full(len(surveyed), -1)])[order]
    sku = np.concatenate([product, np.full(len(surveyed), -1)])[order]
    return pa.table({
        "member_id": members.member_id.take(pa.array(member[order])),
        "order_id": order_id.take(pa.array(np.maximum(on_order, 0), mask=on_order < 0)),
        "sku": catalog.sku.take(pa.array(np.maximum(sku, 0), mask=(sku < 0) | (kinds == 3))),
        "kind": pick(pa.array(KINDS), kinds),
        "rating": pa.array(ratings, mask=kinds == 3),
        "content": texts.take(pa.array(order)),
        "created_at": format_seconds(when[order]),
    })
