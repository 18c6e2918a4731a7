"""When members buy: a BG/NBD-like process on the seasonal clock.

Each member has a purchase rate λ ~ Gamma(r, α) (per average day) and a drop-out
probability p ~ Beta(a, b): after every purchase the member leaves for good with
probability p, so the number of purchases ever is K ~ Geometric(p). Purchases
run from registration (up to two years before the window) and only those inside
the window are written. Given the count M ~ Poisson(λ·L) of a Poisson process on
the member's span L, the first min(K, M) uniform order statistics are the
purchase times; they are drawn directly as normalised exponential sums, so the
cost is proportional to the orders written, not to a day-by-day simulation.
The scale α is calibrated so the expected number of orders written per member
equals ``orders_per_member``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from memberlens.errors import ConfigError

from .catalog import Catalog
from .people import PRE_WINDOW_SHARE, REG_CHANNELS, Members
from .seasonality import ONLINE_HOURS, SECONDS_PER_DAY, STORE_HOURS, Timeline, sample_seconds
from .stores import Stores

RATE_SHAPE = 0.8  # r of the Gamma prior on purchase rates
DROPOUT_A, DROPOUT_B = 1.0, 3.5  # Beta prior on the drop-out probability (at 6 orders)
MIN_DROPOUT = 1e-4
MAX_RATE = 1.0  # no member buys more than about once a day on average
FAVOURITES = 5  # leaf categories a member mostly buys from

# online order channels (English codes as the e-commerce systems export them)
ONLINE_CHANNELS = ("app", "mini_program", "tmall", "jd", "web")
ONLINE_SHARE = np.array([0.34, 0.30, 0.18, 0.12, 0.06])
# registration channel -> preferred online channel (门店 members spread out)
PREFERRED_ONLINE = {"门店": -1, "APP": 0, "小程序": 1, "天猫": 2, "京东": 3, "官网": 4}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class Tastes:
    """Latent traits of a chunk's members; they drive orders, baskets and events."""

    rate: FloatArray
    dropout: FloatArray
    price_level: FloatArray  # 0..1 quantile within a leaf's price range
    basket_p: FloatArray  # chance of each extra basket line
    store_share: FloatArray  # chance an order is placed in a store
    online_channel: IntArray  # preferred online channel, index into ONLINE_CHANNELS
    deal_affinity: FloatArray  # 0..1, price sensitivity
    favourite: IntArray  # (n, FAVOURITES) leaf indices
    favourite_cdf: FloatArray  # (n, FAVOURITES) cumulative Dirichlet weights
    home_store: IntArray  # -1 where the member's city has no store


@dataclass
class Timing:
    """Orders of a chunk (unsorted): who, when, where."""

    member: IntArray  # position in the chunk
    seconds: IntArray  # epoch seconds, local wall clock
    first_ever: npt.NDArray[np.bool_]  # the member's first purchase since registration
    store: IntArray  # -1 for online orders
    channel: IntArray  # index into ONLINE_CHANNELS, -1 for in-store
    alive: npt.NDArray[np.bool_]  # per member: still active at the end of the window

    def __len__(self) -> int:
        return len(self.member)

    @property
    def day(self) -> IntArray:
        return self.seconds // SECONDS_PER_DAY


@dataclass(frozen=True)
class Calibration:
    """Population parameters of the purchase process for one run."""

    scale: float  # α: mean purchase rate per average day is RATE_SHAPE * scale
    dropout_b: float  # b of the Beta(a, b) drop-out prior


def dropout_b(orders_per_member: float) -> float:
    """Members live longer when more orders per member are asked for.

    b = 3.5 at the default 6 orders; it grows with the target so that the rate of
    members still alive stays about 13 times the target over the window instead of
    exploding (with b fixed, 20 orders per member would need daily shoppers).
    """
    return float(np.clip(DROPOUT_B * orders_per_member / 6.0, 3.0, 60.0))


def _expected_in_window(
    scale: float, g: FloatArray, p: FloatArray, reg_op: FloatArray, timeline: Timeline
) -> float:
    """Mean orders per member inside the window, E[X(b)] - E[X(a)] of BG/NBD."""
    lam = np.minimum(scale * g, MAX_RATE)
    s_op = timeline.clock[timeline.start - timeline.origin]
    e_op = timeline.clock[-1]
    before = np.maximum(s_op - reg_op, 0.0)
    span = e_op - reg_op
    count = (np.exp(-lam * p * before) - np.exp(-lam * p * span)) / p
    return float(count.mean())


def _solve_scale(timeline: Timeline, target: float, b: float) -> tuple[float, float]:
    """Bisect α on a fixed pilot sample; returns α and the mean it reaches."""
    rng = np.random.default_rng(0x5EED_CA11)
    n = 60_000
    g = rng.gamma(RATE_SHAPE, 1.0, n)
    p = np.clip(rng.beta(DROPOUT_A, b, n), MIN_DROPOUT, 1.0)
    v = rng.random(n)
    pre = v < PRE_WINDOW_SHARE
    pre_span = timeline.start - timeline.origin
    day = np.where(pre, timeline.origin + v / PRE_WINDOW_SHARE * pre_span, 0.0)
    op0 = timeline.clock[timeline.start - timeline.origin]
    q = (v - PRE_WINDOW_SHARE) / (1 - PRE_WINDOW_SHARE)
    reg_op = np.where(pre, timeline.op_time(day), op0 + q * (timeline.clock[-1] - op0))
    lo, hi = np.log(1e-7), np.log(1e3)
    for _ in range(60):
        mid = (lo + hi) / 2
        if _expected_in_window(float(np.exp(mid)), g, p, reg_op, timeline) < target:
            lo = mid
        else:
            hi = mid
    scale = float(np.exp(hi))
    return scale, _expected_in_window(scale, g, p, reg_op, timeline)


def calibrate(timeline: Timeline, orders_per_member: float) -> Calibration:
    """Find α so that members write ``orders_per_member`` orders on average.

    Depends only on the calendar and the parameter (a fixed pilot sample), never on
    the seed or the chunking, so every chunk uses the same value. When the target
    cannot be met even by daily shoppers (a short window), members are made to drop
    out less (larger b) until it can.
    """
    b = dropout_b(orders_per_member)
    if orders_per_member <= 0:
        return Calibration(0.0, b)
    reached = 0.0
    for _ in range(10):
        scale, reached = _solve_scale(timeline, orders_per_member, b)
        if reached >= 0.97 * orders_per_member:
            return Calibration(scale, b)
        b *= 1.6
    raise ConfigError(
        f"orders_per_member={orders_per_member} cannot be reached in a window of "
        f"{timeline.end - timeline.start + 1} days (at most about {reached:.0f}); "
        "lower it or widen the window")


def draw_tastes(
    rng: np.random.Generator, members: Members, catalog: Catalog, stores: Stores,
    calibration: Calibration,
) -> Tastes:
    """Draw every member's latent traits (independent of the seasonal clock)."""
    n = len(members)
    rate = np.minimum(rng.gamma(RATE_SHAPE, 1.0, n) * calibration.scale, MAX_RATE)
    dropout = np.clip(rng.beta(DROPOUT_A, calibration.dropout_b, n), MIN_DROPOUT, 1.0)
    # favourite leaves: drawn by popularity, tilted by gender and life stage
    weights = np.tile(catalog.popularity, (n, 1))
    weights = np.where(members.female[:, None], weights * catalog.female_bias,
                       weights / catalog.female_bias)
    age = (members.registered_day - members.birthday) / 365.25
    parent = (age > 24) & (age < 42) & (rng.random(n) < 0.45)
    weights[:, catalog.parent_leaf] *= np.where(parent, 4.0, 0.15)[:, None]
    gumbel = np.log(weights) - np.log(-np.log(rng.random(weights.shape)))
    favourite = np.argsort(-gumbel, axis=1)[:, :FAVOURITES]
    share = rng.dirichlet(np.full(FAVOURITES, 0.7), n)
    channel_names = np.array(REG_CHANNELS)[members.channel]
    preferred = np.array([PREFERRED_ONLINE[c] for c in REG_CHANNELS])[members.channel]
    random_online = np.searchsorted(np.cumsum(ONLINE_SHARE), rng.random(n) * 0.999999)
    home = stores.home_store(rng, members.city)
    in_store_member = channel_names == "门店"
    store_share = np.where(in_store_member, rng.beta(5, 2, n), rng.beta(1, 4, n))
    store_share = np.where(home >= 0, store_share, store_share * 0.05)
    return Tastes(
        rate=rate, dropout=dropout,
        price_level=rng.beta(2.0, 2.5, n),
        basket_p=rng.beta(1.2, 4.0, n),
        store_share=store_share,
        online_channel=np.where(preferred >= 0, preferred, random_online).astype(np.int64),
        deal_affinity=rng.beta(2, 2, n),
        favourite=favourite.astype(np.int64),
        favourite_cdf=np.cumsum(share, axis=1),
        home_store=home.astype(np.int64),
    )


def purchase_times(
    rng: np.random.Generator, members: Members, tastes: Tastes, timeline: Timeline,
    stores: Stores,
) -> Timing:
    """Draw every chunk member's orders inside the window."""
    n = len(members)
    reg_op = timeline.op_time(members.registered_at / SECONDS_PER_DAY)
    span = np.maximum(timeline.clock[-1] - reg_op, 1e-6)
    ever = rng.geometric(tastes.dropout)  # purchases before dropping out, K >= 1
    poisson = rng.poisson(tastes.rate * span)  # purchases if nobody dropped out
    count = np.minimum(ever, poisson)
    total = int(count.sum())
    owner = np.repeat(np.arange(n), count)
    starts = (np.cumsum(count) - count)
    gaps = rng.standard_exponential(total)
    cum = np.cumsum(gaps)
    base = np.concatenate([[0.0], cum])[starts]
    partial = cum - np.repeat(base, count)  # S_1..S_k within each member
    last = np.zeros(n)
    has = count > 0
    last[has] = partial[starts[has] + count[has] - 1]
    rest = np.zeros(n)
    rest[has] = rng.gamma((poisson - count + 1)[has].astype(np.float64), 1.0)
    norm = (last + rest)[owner]
    op = reg_op[owner] + span[owner] * partial / norm
    rank = np.arange(total) - np.repeat(starts, count)
    keep = op >= timeline.clock[timeline.start - timeline.origin]
    owner, op, rank = owner[keep], op[keep], rank[keep]
    day = timeline.day_of(op)

    m = len(owner)
    in_store = (rng.random(m) < tastes.store_share[owner]) & (tastes.home_store[owner] >= 0)
    tod = np.where(in_store, sample_seconds(rng, STORE_HOURS, m),
                   sample_seconds(rng, ONLINE_HOURS, m))
    # 双11 starts at midnight: a rush of online orders in the first hour
    rush = (timeline.promo[timeline.index(day)] == 3) & (
        timeline.intensity[timeline.index(day)] >= 1.0) & ~in_store & (rng.random(m) < 0.2)
    tod = np.where(rush, rng.integers(0, 3600, m), tod)
    seconds = day * SECONDS_PER_DAY + tod
    reg = members.registered_at[owner]
    early = seconds <= reg
    seconds[early] = reg[early] + rng.integers(120, 3 * 3600, int(early.sum()))
    seconds = np.minimum(seconds, (timeline.end + 1) * SECONDS_PER_DAY - 1)
    day = seconds // SECONDS_PER_DAY

    store = tastes.home_store[owner]
    wander = rng.random(m) < 0.15
    store = np.where(wander, rng.integers(0, len(stores), m), store)
    store = np.where(in_store, stores.open_on(np.maximum(store, 0), day), -1)
    random_online = np.searchsorted(np.cumsum(ONLINE_SHARE), rng.random(m) * 0.999999)
    channel = np.where(rng.random(m) < 0.7, tastes.online_channel[owner], random_online)
    channel = np.where(in_store, -1, channel)
    order = np.argsort(seconds, kind="stable")  # exports list orders by time
    return Timing(member=owner[order].astype(np.int64), seconds=seconds[order].astype(np.int64),
                  first_ever=(rank == 0)[order], store=store[order].astype(np.int64),
                  channel=channel[order].astype(np.int64), alive=poisson < ever)
