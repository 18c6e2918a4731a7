"""The per-member summary that buy-till-you-die models (BG/NBD, Gamma-Gamma) fit on.

Same definitions as `lifetimes.utils.summary_data_from_transaction_data` with daily
periods, so fitted parameters compare with the literature: purchases on the same day
are one purchase; `frequency` counts repeat days, `recency` is days from the first to
the last purchase day, `T` days from the first purchase day to the end of observation,
`monetary_value` the mean value of the repeat days (0 without repeats).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlglot
from sqlglot import exp

from ..engine.base import SOURCE_DIALECT, Engine
from .rfm import NET_AMOUNT, PURCHASE_FILTER


def clv_summary_sql(as_of: date) -> exp.Expr:
    """Summary over purchases before `as_of`; observation ends the day before it."""
    end = (as_of - timedelta(days=1)).isoformat()
    return sqlglot.parse_one(f"""
        WITH daily AS (
            SELECT member_id, CAST(ordered_at AS DATE) AS day,
                   CAST(sum({NET_AMOUNT}) AS DOUBLE) AS amount
            FROM orders
            WHERE ({PURCHASE_FILTER}) AND ordered_at < DATE '{as_of.isoformat()}'
            GROUP BY member_id, CAST(ordered_at AS DATE)
        )
        SELECT member_id,
               CAST(count(*) - 1 AS DOUBLE) AS frequency,
               CAST(date_diff('day', min(day), max(day)) AS DOUBLE) AS recency,
               CAST(date_diff('day', min(day), DATE '{end}') AS DOUBLE) AS T,
               CASE WHEN count(*) > 1
                    THEN (sum(amount) - arg_min(amount, day)) / (count(*) - 1)
                    ELSE 0 END AS monetary_value
        FROM daily
        GROUP BY member_id
    """, read=SOURCE_DIALECT)


def clv_summary(engine: Engine, as_of: date) -> object:
    """The summary as a DataFrame indexed like lifetimes' (one row per buyer)."""
    return engine.frame(clv_summary_sql(as_of))
