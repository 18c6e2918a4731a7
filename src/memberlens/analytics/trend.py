"""Consumption trend: sales, orders, buyers and average order value per calendar month.

Buyers are split into new (their first purchase ever falls in that month) and
returning (bought in an earlier month): growth that comes only from new buyers while
returning ones shrink is a retention problem that total sales hide.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot

from ..engine.base import SOURCE_DIALECT, Engine
from .rfm import NET_AMOUNT, PURCHASE_FILTER


@dataclass(frozen=True)
class TrendMonth:
    """One calendar month of purchases; sales are net of refunds, in yuan."""

    month: str  # 'YYYY-MM'
    sales: float
    orders: int
    buyers: int
    new_buyers: int

    @property
    def returning_buyers(self) -> int:
        return self.buyers - self.new_buyers

    @property
    def average_order_value(self) -> float | None:
        """Net sales per order (客单价); ``None`` in a month without orders."""
        return self.sales / self.orders if self.orders else None


def _next_month(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year + m // 12}-{m % 12 + 1:02d}"


def consumption_trend(engine: Engine, *, last: int | None = None) -> list[TrendMonth]:
    """Monthly sales, orders, buyers, new and returning buyers, oldest first.

    Months between the first and the last purchase that had none are included with
    zeros, so a chart's time axis has no silent gaps.

    Parameters
    ----------
    last
        Only the latest `last` months; every month when ``None``. A buyer's first
        purchase is always looked for over the whole history, so "new" stays right.

    Examples
    --------
    >>> months = consumption_trend(engine, last=12)  # doctest: +SKIP
    >>> months[-1].new_buyers + months[-1].returning_buyers == months[-1].buyers  # doctest: +SKIP
    True
    """
    rows = engine.fetchall(sqlglot.parse_one(f"""
        WITH purchases AS (
            SELECT member_id, date_trunc('month', ordered_at) AS month, {NET_AMOUNT} AS net
            FROM orders WHERE {PURCHASE_FILTER}
        ), firsts AS (
            SELECT member_id, min(month) AS first_month FROM purchases GROUP BY 1
        )
        SELECT strftime(p.month, '%Y-%m') AS month,
               coalesce(sum(p.net), 0) AS sales, count(*) AS orders,
               count(DISTINCT p.member_id) AS buyers,
               count(DISTINCT CASE WHEN p.month = f.first_month THEN p.member_id END)
                   AS new_buyers
        FROM purchases p JOIN firsts f ON f.member_id = p.member_id
        GROUP BY 1 ORDER BY 1""", read=SOURCE_DIALECT))
    by_month = {m: TrendMonth(month=m, sales=float(s), orders=int(o), buyers=int(b),
                              new_buyers=int(n)) for m, s, o, b, n in rows}
    months: list[TrendMonth] = []
    if by_month:
        month, final = min(by_month), max(by_month)
        while month <= final:
            months.append(by_month.get(month) or TrendMonth(month, 0.0, 0, 0, 0))
            month = _next_month(month)
    if last is not None:
        months = months[-last:] if last > 0 else []
    return months
