"""Sales overviews for the report: totals, months, Pareto and the RFM class mix."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlglot
from sqlglot import exp

from ..engine.base import SOURCE_DIALECT, Engine
from .rfm import NET_AMOUNT, PURCHASE_FILTER, RFM_CLASSES


def _portable(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read=SOURCE_DIALECT)


def _profile_has_spend(engine: Engine) -> bool:
    """Whether member_profile has the tag columns yet.

    A fresh warehouse has no member_profile until the first `memberlens tags run`; its
    report shows empty charts rather than failing.
    """
    return bool(engine.scalar(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'member_profile' AND column_name = 'spend_total'"))


def totals(engine: Engine) -> dict[str, Any]:
    profiled = "member_profile" if engine.table_exists("member_profile") else "members"
    row = engine.fetchall(_portable(f"""
        SELECT (SELECT count(*) FROM {profiled}) AS members,
               count(DISTINCT member_id) AS buyers, count(*) AS orders,
               coalesce(sum({NET_AMOUNT}), 0) AS revenue,
               CAST(min(ordered_at) AS DATE) AS first_order,
               CAST(max(ordered_at) AS DATE) AS last_order
        FROM orders WHERE {PURCHASE_FILTER}"""))[0]
    keys = ("members", "buyers", "orders", "revenue", "first_order", "last_order")
    return dict(zip(keys, row, strict=True))


def monthly(engine: Engine) -> list[dict[str, Any]]:
    """Net sales, orders and buying members per calendar month."""
    rows = engine.fetchall(_portable(f"""
        SELECT strftime(date_trunc('month', ordered_at), '%Y-%m') AS month,
               sum({NET_AMOUNT}) AS sales, count(*) AS orders,
               count(DISTINCT member_id) AS active_members
        FROM orders WHERE {PURCHASE_FILTER}
        GROUP BY 1 ORDER BY 1"""))
    return [{"month": m, "sales": float(s), "orders": int(o), "active_members": int(a)}
            for m, s, o, a in rows]


def pareto(engine: Engine, points: int = 100) -> list[tuple[float, float]]:
    """Cumulative revenue share against member share, members by revenue descending.

    Sampled at `points` evenly spaced member shares (plus the origin), so the chart stays
    small for ten million members.
    """
    if not _profile_has_spend(engine):
        return [(0.0, 0.0)]
    rows = engine.fetchall(_portable(f"""
        WITH ranked AS (
            SELECT row_number() OVER (ORDER BY spend_total DESC, member_id) AS k,
                   sum(spend_total) OVER (ORDER BY spend_total DESC, member_id
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
                   count(*) OVER () AS n, sum(spend_total) OVER () AS total
            FROM member_profile WHERE spend_total > 0
        )
        SELECT CAST(k AS DOUBLE) / n, CAST(cum AS DOUBLE) / total FROM ranked
        WHERE k = n OR k % greatest(1, CAST(n / {points} AS BIGINT)) = 0
        ORDER BY k"""))
    return [(0.0, 0.0), *[(float(a), float(b)) for a, b in rows]]


def pareto_headline(curve: list[tuple[float, float]], member_share: float = 0.2
                    ) -> tuple[float, float]:
    """Revenue share of the top `member_share` of buyers, read off the curve."""
    best = min(curve, key=lambda p: abs(p[0] - member_share))
    return best


def rfm_distribution(engine: Engine) -> list[dict[str, Any]]:
    if not _profile_has_spend(engine):
        return []
    rows = {r[0]: r[1:] for r in engine.fetchall(_portable("""
        SELECT rfm_class, count(*), coalesce(sum(spend_total), 0)
        FROM member_profile WHERE rfm_class IS NOT NULL GROUP BY 1"""))}
    members_total = sum(int(v[0]) for v in rows.values()) or 1
    revenue_total = float(sum(v[1] for v in rows.values())) or 1.0
    out = []
    for c in RFM_CLASSES:
        n, rev = rows.get(c.label_zh, (0, 0))  # the tag's values are the Chinese names
        out.append({"code": c.code, "label_zh": c.label_zh, "label_en": c.label_en,
                    "members": int(n), "member_share": int(n) / members_total,
                    "revenue": float(rev), "revenue_share": float(rev) / revenue_total})
    return out


def as_of_of_profile(engine: Engine) -> date | None:
    if not engine.table_exists("member_profile"):
        return None
    value = engine.scalar("SELECT max(as_of) FROM member_profile")
    return value if isinstance(value, date) else None
