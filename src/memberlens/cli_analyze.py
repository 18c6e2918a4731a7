"""`memberlens analyze …`: activity, migration, cohorts, funnel and trend as Rich tables.

Each command parses its options, calls one analytics function and prints what it
returned; the numbers are computed in :mod:`memberlens.analytics`, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from .cli_common import console, fail, settings_of
from .engine import DuckDBEngine, open_engine
from .errors import MemberlensError

if TYPE_CHECKING:
    from .analytics.migration import Migration

analyze_app = typer.Typer(help="分析 analyses: activity, migration, cohorts, funnel, trend",
                          no_args_is_help=True)
T = TypeVar("T")

# (中文, English) for every word the tables show
_TEXT: dict[str, tuple[str, str]] = {
    "activity": ("活跃度分布", "Activity by snapshot"),
    "as_of": ("快照日", "As of"),
    "total": ("合计", "Total"),
    "migration": ("状态迁移 {tag}：{d_from} → {d_to}（行：前一快照；列：后一快照）",
                  "Migration of {tag}: {d_from} → {d_to} (rows: earlier, columns: later)"),
    "stayed": ("两次快照都在的会员 {members} 人，保持原状态 {stayed}（{share}）；"
               "新增 {new} 人", "{members} members in both snapshots, {stayed} kept their "
               "state ({share}); {new} new"),
    "from_to": ("前 \\ 后", "from \\ to"),
    "cohorts": ("按注册月的留存（截至 {through}）：注册后第 k 个月有购买的会员占比",
                "Retention by registration month (through {through}): share who bought "
                "in month k after registering"),
    "cohort": ("注册月", "Cohort"),
    "members": ("会员数", "Members"),
    "offset": ("第{k}月", "M{k}"),
    "mean": ("加权平均", "Weighted mean"),
    "funnel": ("渠道转化漏斗（按会员计）：浏览 {start} 至 {end}，{days} 天内加购并下单",
               "Channel funnel (members): views {start} to {end}, cart and order within "
               "{days} days"),
    "channel": ("渠道", "Channel"),
    "viewed": ("浏览", "Viewed"),
    "carted": ("加购", "Carted"),
    "ordered": ("下单", "Ordered"),
    "view_to_cart": ("浏览→加购", "View→cart"),
    "cart_to_order": ("加购→下单", "Cart→order"),
    "view_to_order": ("浏览→下单", "View→order"),
    "funnel_note": ("同一会员可出现在多个渠道，各渠道之和可大于全部渠道",
                    "a member can appear in several channels, so they add up to more "
                    "than All channels"),
    "trend": ("消费趋势（按月）", "Consumption trend by month"),
    "month": ("月份", "Month"),
    "sales": ("销售额", "Sales"),
    "orders": ("订单数", "Orders"),
    "buyers": ("购买会员", "Buyers"),
    "new_buyers": ("新客", "New"),
    "returning": ("老客", "Returning"),
    "aov": ("客单价", "Avg order"),
    "no_data": ("暂无数据", "No data"),
}


def _day_option(*names: str, help: str) -> Any:
    """A date option in the one format the commands accept, YYYY-MM-DD."""
    return typer.Option(*names, formats=["%Y-%m-%d"], help=help)


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None




@contextmanager
def _engine(ctx: typer.Context) -> Iterator[tuple[DuckDBEngine, str]]:
    """The warehouse and the language; a MemberlensError ends the command with code 1."""
    settings = settings_of(ctx)
    try:
        engine = open_engine(settings)
        try:
            yield engine, settings.language
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, settings.language) from e


def _run(ctx: typer.Context, compute: Callable[[DuckDBEngine], T],
         show: Callable[[T, str], list[Table]]) -> None:
    with _engine(ctx) as (engine, lang):
        result = compute(engine)
    for table in show(result, lang):
        console.print(table)


def _migration_table(m: Migration, lang: str) -> list[Table]:
    from .analytics.snapshots import NEW_LABEL, state_label

    labels = [state_label(m.tag, s, lang) for s in m.states]
    t = Table(title=_t("migration", lang, tag=m.tag, d_from=m.date_from, d_to=m.date_to),
              title_justify="left")
    t.add_column(_t("from_to", lang), style="bold")
    for label in labels:
        t.add_column(label, justify="right", overflow="fold")
    t.add_column(_t("total", lang), justify="right")
    for label, row, shares in zip(labels, m.counts, m.row_shares, strict=True):
        t.add_row(label, *(f"{n:,}\n{_pct(s)}" if n else "·" for n, s in zip(row, shares,
                                                                             strict=True)),
                  f"{sum(row):,}")
    if sum(m.new):
        t.add_row(NEW_LABEL[0] if lang == "zh" else NEW_LABEL[1],
                  *(f"{n:,}" if n else "·" for n in m.new), f"{sum(m.new):,}")
    t.caption = _t("stayed", lang, members=f"{m.members:,}", stayed=f"{m.stayed:,}",
                   share=_pct(m.stayed / m.members if m.members else None),
                   new=f"{sum(m.new):,}")
    return [t]


@analyze_app.command("activity")
def activity(
    ctx: typer.Context,
    last: Annotated[int, typer.Option(help="最近几个快照 latest snapshots to show")] = 12,
    date_from: Annotated[datetime | None, _day_option(
        "--from", help="迁移起始快照 YYYY-MM-DD (default: the second latest)")] = None,
    date_to: Annotated[datetime | None, _day_option(
        "--to", help="迁移结束快照 YYYY-MM-DD (default: the one after --from)")] = None,
) -> None:
    """活跃度 活跃/沉默/流失 per snapshot and the migration between two of them."""
    from .analytics.activity import Distribution, activity_distribution, activity_migration
    from .analytics.snapshots import snapshot_dates, state_label

    def compute(engine: DuckDBEngine) -> tuple[list[Distribution], Migration | None]:
        dist = activity_distribution(engine, last=last)
        enough = len(snapshot_dates(engine)) >= 2 or date_from or date_to
        return dist, (activity_migration(engine, _day(date_from), _day(date_to))
                      if enough else None)

    def show(result: tuple[list[Distribution], Migration | None], lang: str) -> list[Table]:
        dist, migration = result
        t = Table(title=_t("activity", lang), title_justify="left")
        t.add_column(_t("as_of", lang), style="bold")
        states = dist[0].states if dist else ()
        for s in states:
            t.add_column(state_label("activity_status", s, lang), justify="right")
        t.add_column(_t("total", lang), justify="right")
        for d in dist:
            t.add_row(d.as_of.isoformat(), *(f"{n:,} ({_pct(x)})"
                                            for n, x in zip(d.counts, d.shares, strict=True)),
                      f"{d.total:,}")
        if not dist:
            t.caption = _t("no_data", lang)
        return [t, *(_migration_table(migration, lang) if migration else [])]

    _run(ctx, compute, show)


@analyze_app.command("migration")
def migration(
    ctx: typer.Context,
    tag: Annotated[str, typer.Option(help="标签 tag key with a few values, e.g. rfm_class, "
                                          "activity_status, lifecycle_stage")] = "rfm_class",
    date_from: Annotated[datetime | None, _day_option(
        "--from", help="起始快照 YYYY-MM-DD (default: the second latest)")] = None,
    date_to: Annotated[datetime | None, _day_option(
        "--to", help="结束快照 YYYY-MM-DD (default: the one after --from)")] = None,
) -> None:
    """迁移矩阵 How members moved between the values of a tag (default: RFM classes)."""
    from .analytics.migration import tag_migration

    _run(ctx, lambda engine: tag_migration(engine, tag, _day(date_from), _day(date_to)),
         _migration_table)


@analyze_app.command("cohorts")
def cohorts(
    ctx: typer.Context,
    last: Annotated[int, typer.Option(help="最近几个注册月 latest cohorts")] = 12,
    through: Annotated[datetime | None, _day_option(
        help="观察截至月 YYYY-MM-DD (default: the month of the newest order)")] = None,
) -> None:
    """留存 Retention by registration month: share who bought in month 0, 1, 2, …"""
    from .analytics.cohorts import CohortRetention, cohort_retention

    def show(r: CohortRetention, lang: str) -> list[Table]:
        t = Table(title=_t("cohorts", lang, through=r.through or "-"), title_justify="left")
        t.add_column(_t("cohort", lang), style="bold")
        t.add_column(_t("members", lang), justify="right")
        for k in range(r.max_offset + 1):
            t.add_column(_t("offset", lang, k=k), justify="right")
        for c in r.cohorts:
            t.add_row(c.month, f"{c.members:,}", *(f"{x:.0%}" for x in c.shares))
        if r.cohorts:
            t.add_row(_t("mean", lang), f"{sum(c.members for c in r.cohorts):,}",
                      *("-" if x is None else f"{x:.0%}" for x in r.mean_shares),
                      style="italic")
        else:
            t.caption = _t("no_data", lang)
        return [t]

    _run(ctx, lambda engine: cohort_retention(engine, last=last, through=_day(through)), show)


@analyze_app.command("funnel")
def funnel(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="转化窗口（天）conversion window in days")] = 7,
    start: Annotated[datetime | None, _day_option(
        help="浏览起始日 first day of views YYYY-MM-DD (default: 90 days before --end)")] = None,
    end: Annotated[datetime | None, _day_option(
        help="浏览截止日（不含）day after the last view day (default: --days before the "
             "newest view, so every view had its full window)")] = None,
) -> None:
    """漏斗 View → cart → order per channel, counted in members."""
    from .analytics.funnel import Funnel, channel_funnel, channel_label

    def show(f: Funnel, lang: str) -> list[Table]:
        last_day = f.end - timedelta(days=1)  # `end` is exclusive; people read "to" as included
        t = Table(title=_t("funnel", lang, start=f.start, end=last_day, days=f.days),
                  title_justify="left", caption=_t("funnel_note", lang))
        t.add_column(_t("channel", lang), style="bold")
        for key in ("viewed", "carted", "ordered", "view_to_cart", "cart_to_order",
                    "view_to_order"):
            t.add_column(_t(key, lang), justify="right")
        for i, c in enumerate((f.total, *f.channels)):
            t.add_row(channel_label(c.channel, lang), f"{c.viewed:,}", f"{c.carted:,}",
                      f"{c.ordered:,}", _pct(c.view_to_cart), _pct(c.cart_to_order),
                      _pct(c.view_to_order), end_section=i == 0)
        return [t]

    _run(ctx, lambda engine: channel_funnel(engine, days=days, start=_day(start),
                                            end=_day(end)), show)


@analyze_app.command("trend")
def trend(
    ctx: typer.Context,
    last: Annotated[int, typer.Option(help="最近几个月 latest months")] = 12,
) -> None:
    """消费趋势 Monthly sales, orders, buyers, new and returning buyers, average order."""
    from .analytics.trend import TrendMonth, consumption_trend

    def show(months: list[TrendMonth], lang: str) -> list[Table]:
        t = Table(title=_t("trend", lang), title_justify="left")
        for i, key in enumerate(("month", "sales", "orders", "buyers", "new_buyers",
                                 "returning", "aov")):
            t.add_column(_t(key, lang), justify="left" if i == 0 else "right",
                         style="bold" if i == 0 else None)
        for m in months:
            aov = m.average_order_value
            t.add_row(m.month, f"¥{m.sales:,.0f}", f"{m.orders:,}", f"{m.buyers:,}",
                      f"{m.new_buyers:,}", f"{m.returning_buyers:,}",
                      "-" if aov is None else f"¥{aov:,.2f}")
        if not months:
            t.caption = _t("no_data", lang)
        return [t]

    _run(ctx, lambda engine: consumption_trend(engine, last=last), show)
