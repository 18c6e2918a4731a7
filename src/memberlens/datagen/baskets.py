"""What members buy: basket lines, amounts, discounts, coupons and refunds.

A basket's first line comes from the member's favourite leaves; further lines
follow either the first line's companion leaves (what is bought together) or
the member's other favourites, so baskets carry association structure. Money is
kept in integer cents throughout and line amounts add up to the order total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .catalog import Catalog
from .categories import LEAVES
from .purchases import Tastes, Timing
from .seasonality import PROMO_CODES, Timeline
from .textcols import fixed_text, join, pick, random_chars

STATUSES = ("completed", "refunded", "partially_refunded", "cancelled")
COUPON_PREFIXES = (*PROMO_CODES[1:], "NEW", "VIP", "WEEK", "FLASH")
_EVERYDAY = np.array([COUPON_PREFIXES.index(c) for c in ("VIP", "WEEK", "FLASH")])
_FASHION = np.array([lf.l1 == "服饰鞋包" for lf in LEAVES])
_FOOD = np.array([lf.l1 == "食品生鲜" for lf in LEAVES])

IntArray = npt.NDArray[np.int64]


@dataclass
class Baskets:
    """Lines and money of a chunk's orders (aligned with a :class:`Timing`)."""

    line_start: IntArray  # first line of each order
    line_order: IntArray  # order position of each line
    line_no: IntArray  # 1..n within the order
    product: IntArray
    quantity: IntArray
    unit_cents: IntArray
    amount_cents: IntArray
    total: IntArray
    discount: IntArray
    paid: IntArray
    refund: IntArray
    status: IntArray  # index into STATUSES
    coupon: pa.Array  # null where no coupon was used

    @property
    def first_product(self) -> IntArray:
        return self.product[self.line_start]


def _leaves(
    rng: np.random.Generator, catalog: Catalog, tastes: Tastes, owner: IntArray,
    line_order: IntArray, line_no: IntArray,
) -> IntArray:
    """Leaf category of every line."""
    n = len(owner)
    u = rng.random(n)
    k = (tastes.favourite_cdf[owner] < u[:, None]).sum(axis=1)
    favourite = tastes.favourite[owner, np.minimum(k, tastes.favourite.shape[1] - 1)]
    anywhere = np.minimum(np.searchsorted(np.cumsum(catalog.popularity), rng.random(n)),
                          catalog.n_leaves - 1)
    choice = rng.random(n)
    leaf = np.where(choice < 0.85, favourite, anywhere)
    first = line_no == 1
    first_leaf = leaf[first][line_order]  # lines are grouped by order, first line first
    companion = catalog.companion(rng, first_leaf)
    later = np.where(choice < 0.45, companion, np.where(choice < 0.85, favourite, anywhere))
    return np.where(first, leaf, later)


def make_baskets(
    rng: np.random.Generator, timing: Timing, tastes: Tastes, catalog: Catalog,
    timeline: Timeline,
) -> Baskets:
    """Fill every order with lines and work out its money and status."""
    m = len(timing)
    owner = timing.member
    lines = 1 + rng.binomial(4, tastes.basket_p[owner])
    line_order = np.repeat(np.arange(m), lines)
    line_start = (np.cumsum(lines) - lines).astype(np.int64)
    line_no = np.arange(len(line_order)) - line_start[line_order] + 1
    line_owner = owner[line_order]
    day = timing.day
    leaf = _leaves(rng, catalog, tastes, line_owner, line_order, line_no)
    product = catalog.pick_product(rng, leaf, tastes.price_level[line_owner], day[line_order])
    # the same SKU twice in one basket becomes another long-standing product of the leaf
    key = line_order * len(catalog) + product
    _, first_seen = np.unique(key, return_index=True)
    dup = np.ones(len(key), dtype=bool)
    dup[first_seen] = False
    if dup.any():
        lf = leaf[dup]
        k = rng.integers(0, 1 << 30, int(dup.sum())) % catalog.old_count[lf]
        product[dup] = catalog.old_flat[catalog.old_offset[lf] + k]

    unit = catalog.price_cents[product]
    multi = np.where(unit < 50_00, 0.35, np.where(unit < 300_00, 0.12, 0.03))
    quantity = 1 + np.where(rng.random(len(unit)) < multi,
                            np.minimum(rng.geometric(0.55, len(unit)), 11), 0)
    amount = unit * quantity
    total = np.add.reduceat(amount, line_start) if m else np.zeros(0, dtype=np.int64)

    di = timeline.index(day)
    promo, intensity = timeline.promo[di], timeline.intensity[di]
    affinity = tastes.deal_affinity[owner]
    in_store = timing.store >= 0
    p_discount = np.clip(0.22 + 0.55 * intensity + 0.3 * (affinity - 0.5), 0.05, 0.95)
    p_discount = np.where(in_store, p_discount * 0.6, p_discount)
    discounted = rng.random(m) < p_discount
    # 满减: "every 200 off 20", in promotions "every 300 off 50"; else a percentage
    step = np.where(promo > 0, 300_00, 200_00)
    off = np.where(promo > 0, 50_00, 20_00)
    full_reduction = (rng.random(m) < 0.5) & (total >= step)
    rate = rng.beta(2, 12, m) + 0.12 * intensity
    discount = np.where(full_reduction, total // step * off, np.round(total * rate))
    discount = np.where(discounted, np.minimum(discount, total * 6 // 10), 0).astype(np.int64)
    paid = total - discount

    uses_coupon = discounted & (rng.random(m) < 0.3 + 0.35 * affinity)
    prefix = np.where(promo > 0, promo - 1, _EVERYDAY[rng.integers(0, 3, m)])
    prefix = np.where(timing.first_ever & (promo == 0), COUPON_PREFIXES.index("NEW"), prefix)
    coupon = _coupons(rng, prefix, uses_coupon)

    first_leaf = leaf[line_start] if m else np.zeros(0, dtype=np.int64)
    risk = np.where(_FASHION[first_leaf], 2.0, np.where(_FOOD[first_leaf], 0.5, 1.0))
    risk = risk * (1 + 0.3 * intensity) * np.where(in_store, 0.5, 1.0)
    u = rng.random(m)
    status = np.select(
        [u < 0.028 * risk, u < 0.047 * risk, u < 0.057 * risk], [1, 2, 3], default=0
    ).astype(np.int64)
    fraction = rng.uniform(0.1, 0.7, m)
    refund = np.select([status == 1, status == 2], [paid, np.round(paid * fraction)], 0)
    return Baskets(
        line_start=line_start, line_order=line_order, line_no=line_no, product=product,
        quantity=quantity, unit_cents=unit, amount_cents=amount, total=total,
        discount=discount, paid=paid, refund=refund.astype(np.int64), status=status,
        coupon=coupon,
    )


def _coupons(
    rng: np.random.Generator, prefix: IntArray, used: npt.NDArray[np.bool_]
) -> pa.Array:
    """Codes like ``D11-7KQX9M``, null where no coupon was used."""
    rows = np.flatnonzero(used)
    codes = join(pick(pa.array(COUPON_PREFIXES), prefix[rows]), "-",
                 fixed_text(random_chars(rng, len(rows), 6)))
    position = np.zeros(len(used), dtype=np.int64)
    position[rows] = np.arange(len(rows))
    return codes.take(pa.array(position, mask=~used))
