"""View → cart → order funnel per channel, counted in members.

Members, not sessions: the events table has no session id, and sessions guessed from
gaps in activity would cut a journey (view on Monday, buy on Wednesday) that the
conversion window is meant to keep whole; campaigns also target members, not visits.
Anonymous events (no member id) are left out, since they cannot be tied to an order.

A member enters the funnel of a channel with a view there in the period [start, end).
They reach *cart* with an add-to-cart in the same channel at or after such a view and
within `days` of it, and *order* with a purchase in that channel after that cart, still
within `days` of the view (one conversion window from the first step, as product
analytics tools count). Steps are strict: an order without a cart does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlglot

from ..engine.base import SOURCE_DIALECT, Engine
from .rfm import PURCHASE_FILTER
from .snapshots import AnalysisError

DEFAULT_DAYS = 7
DEFAULT_PERIOD_DAYS = 90

CHANNEL_LABELS: dict[str, tuple[str, str]] = {
    "store": ("门店", "Store"),
    "app": ("App", "App"),
    "mini_program": ("小程序", "Mini program"),
    "tmall": ("天猫", "Tmall"),
    "jd": ("京东", "JD"),
    "web": ("官网", "Website"),
    "douyin": ("抖音", "Douyin"),
}
ALL_CHANNELS = ("全部渠道", "All channels")


def channel_label(channel: str | None, lang: str = "zh") -> str:
    """A channel code as people say it; ``None`` is the all-channel total."""
    zh, en = ALL_CHANNELS if channel is None else CHANNEL_LABELS.get(channel, (channel, channel))
    return zh if lang == "zh" else en


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class ChannelFunnel:
    """Members at each step in one channel (``channel=None``: any channel)."""

    channel: str | None
    viewed: int
    carted: int
    ordered: int

    @property
    def view_to_cart(self) -> float | None:
        return _rate(self.carted, self.viewed)

    @property
    def cart_to_order(self) -> float | None:
        return _rate(self.ordered, self.carted)

    @property
    def view_to_order(self) -> float | None:
        return _rate(self.ordered, self.viewed)


@dataclass(frozen=True)
class Funnel:
    """The funnel of each channel (most viewers first) and of all channels together.

    A member who converts in two channels counts once in `total`, so channels do not
    add up to it.
    """

    start: date
    end: date
    days: int
    channels: tuple[ChannelFunnel, ...]
    total: ChannelFunnel


_FUNNEL_SQL = """
WITH steps AS (
    SELECT member_id, channel, occurred_at AS ts, event_type AS step,
           CASE event_type WHEN 'view' THEN 0 ELSE 1 END AS step_rank
    FROM events
    WHERE member_id IS NOT NULL AND channel IS NOT NULL AND event_type IN ('view', 'cart')
      AND occurred_at >= {start} AND occurred_at < {horizon}
    UNION ALL
    SELECT member_id, channel, ordered_at, 'order', 2
    FROM orders
    WHERE ({purchase}) AND channel IS NOT NULL
      AND ordered_at >= {start} AND ordered_at < {horizon}
), with_view AS (
    -- the latest view in the period up to each step: the best start for a journey
    SELECT *, max(CASE WHEN step = 'view' AND ts < {end} THEN ts END) OVER (
               PARTITION BY member_id, channel ORDER BY ts, step_rank
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS view_at
    FROM steps
), with_cart AS (
    -- the latest journey start among carts that made it in time, up to each step
    SELECT *, max(CASE WHEN step = 'cart' AND ts <= view_at + INTERVAL {days} DAY
                       THEN view_at END) OVER (
               PARTITION BY member_id, channel ORDER BY ts, step_rank
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cart_view_at
    FROM with_view
), per_member AS (
    SELECT member_id, channel,
           max(CASE WHEN step = 'view' AND ts < {end} THEN 1 ELSE 0 END) AS viewed,
           max(CASE WHEN step = 'cart' AND ts <= view_at + INTERVAL {days} DAY
                    THEN 1 ELSE 0 END) AS carted,
           max(CASE WHEN step = 'order' AND ts <= cart_view_at + INTERVAL {days} DAY
                    THEN 1 ELSE 0 END) AS ordered
    FROM with_cart
    GROUP BY 1, 2
)
SELECT channel,
       count(DISTINCT CASE WHEN viewed = 1 THEN member_id END) AS viewed,
       count(DISTINCT CASE WHEN carted = 1 THEN member_id END) AS carted,
       count(DISTINCT CASE WHEN ordered = 1 THEN member_id END) AS ordered
FROM per_member
GROUP BY GROUPING SETS ((channel), ())
"""


def default_end(engine: Engine, days: int) -> date | None:
    """`days` before the day after the newest event: every view had its full window."""
    newest = engine.scalar("SELECT CAST(max(occurred_at) AS DATE) FROM events "
                           "WHERE event_type = 'view'")
    return None if newest is None else newest + timedelta(days=1 - days)


def channel_funnel(engine: Engine, *, days: int = DEFAULT_DAYS, start: date | None = None,
                   end: date | None = None) -> Funnel:
    """Members who viewed, then added to cart, then bought within `days`, per channel.

    Parameters
    ----------
    days
        The conversion window, counted from the view (default 7).
    start, end
        Views on days ``start <= day < end``. Default: the 90 days ending `days` before
        the newest view, so the latest views are not cut short by the end of the data.

    Raises
    ------
    AnalysisError
        When `days` is below 1 or the period is empty.
    """
    if days < 1:
        raise AnalysisError(f"转化窗口须至少 1 天 days={days}; use a window of 1 day or more")
    if end is None:
        end = default_end(engine, days) or date.today()
    if start is None:
        start = end - timedelta(days=DEFAULT_PERIOD_DAYS)
    if start >= end:
        raise AnalysisError(f"统计区间为空 empty period start={start} end={end}; "
                            "start must be before end")
    horizon = end + timedelta(days=days)
    sql = _FUNNEL_SQL.format(
        start=f"TIMESTAMP '{start.isoformat()} 00:00:00'",
        end=f"TIMESTAMP '{end.isoformat()} 00:00:00'",
        # views are before `end`, so every step in a window is before `horizon`
        horizon=f"TIMESTAMP '{horizon.isoformat()} 00:00:00'",
        days=int(days), purchase=PURCHASE_FILTER)
    rows = engine.fetchall(sqlglot.parse_one(sql, read=SOURCE_DIALECT))
    total = ChannelFunnel(channel=None, viewed=0, carted=0, ordered=0)
    channels: list[ChannelFunnel] = []
    # GROUPING SETS gives the total as the row whose channel is NULL; channel is never
    # NULL otherwise (filtered above)
    for channel, viewed, carted, ordered in rows:
        row = ChannelFunnel(channel=channel, viewed=int(viewed), carted=int(carted),
                            ordered=int(ordered))
        if channel is None:
            total = row
        elif row.viewed:
            channels.append(row)
    channels.sort(key=lambda c: (-c.viewed, c.channel or ""))
    return Funnel(start=start, end=end, days=days, channels=tuple(channels), total=total)
