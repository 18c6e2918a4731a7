"""Frequent itemsets counted inside the warehouse (Apriori pruning, self-joins).

Items below the minimum count are dropped before any pair is formed, pairs are
counted by joining a basket's lines with themselves, and triples only grow from
baskets' frequent pairs whose other two sub-pairs are frequent too. Every count is per
group (``grp``) with its own minimum count, so one pass serves all baskets and each
segment alike. Tables are temporary and belong to a :class:`BasketLines` reading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .baskets import BasketLines

MAX_SQL_LEN = 3
"""Itemsets the warehouse counts go up to triples; longer ones are mlxtend's."""


@dataclass(frozen=True)
class Estimate:
    """How many itemsets a minimum count lets through, bounded before counting them.

    A frequent j-itemset needs ``min_count`` baskets, and a basket with k frequent items
    holds C(k, j) j-itemsets, so there are at most Σ C(k, j) / min_count of them.
    """

    frequent_items: int
    combos: dict[int, float]  # size → Σ over baskets of C(frequent items in basket, size)
    bound: int  # upper bound of frequent itemsets of every size up to max_len
    min_count: int  # the smallest minimum count among the groups

    def min_count_for(self, limit: int) -> int:
        """The minimum count at which the bound drops to ``limit`` (items kept as now)."""
        room = max(limit - self.frequent_items, 1)
        return max(self.min_count + 1, math.ceil(sum(self.combos.values()) / room))


def set_min_counts(lines: BasketLines, min_counts: dict[int, int]) -> None:
    """Each group's minimum count (baskets an itemset must appear in)."""
    values = ", ".join(f"({int(g)}, {max(int(m), 1)})" for g, m in sorted(min_counts.items()))
    lines.engine.execute(f"CREATE OR REPLACE TEMP TABLE {lines.table('min')} AS "
                         f"SELECT * FROM (VALUES {values}) v(grp, min_count)")
    baskets = ", ".join(f"({int(g)}, {int(n)})" for g, n in sorted(lines.baskets.items()))
    lines.engine.execute(f"CREATE OR REPLACE TEMP TABLE {lines.table('n')} AS "
                         f"SELECT * FROM (VALUES {baskets or '(0, 0)'}) v(grp, baskets)")


def _frequent(select: str, lines: BasketLines) -> str:
    """Keep rows of a grouped count whose ``n`` reaches their group's minimum."""
    return (f"SELECT c.* FROM ({select}) c JOIN {lines.table('min')} m ON m.grp = c.grp "
            "WHERE c.n >= m.min_count")


def prune(lines: BasketLines) -> None:
    """Frequent items (``freq1``) and the lines holding them (``pruned``)."""
    engine = lines.engine
    engine.execute(f"CREATE OR REPLACE TEMP TABLE {lines.table('freq1')} AS " + _frequent(
        f"SELECT grp, item, count(*) AS n FROM {lines.lines} GROUP BY grp, item", lines))
    engine.execute(f"CREATE OR REPLACE TEMP TABLE {lines.table('pruned')} AS "
                   f"SELECT l.grp, l.basket, l.item FROM {lines.lines} l "
                   f"SEMI JOIN {lines.table('freq1')} f ON f.grp = l.grp AND f.item = l.item")


def _choose(k: str, j: int) -> str:
    """SQL for C(k, j) as a double."""
    terms = " * ".join(f"({k} - {i})" for i in range(j))
    return f"CAST({terms} AS DOUBLE) / {math.factorial(j)}"


def estimate(lines: BasketLines, max_len: int) -> Estimate:
    """Bound the frequent itemsets up to ``max_len`` before counting them (after prune)."""
    engine = lines.engine
    sizes = range(2, max_len + 1)
    sums = ", ".join(f"sum({_choose('k', j)})" for j in sizes)
    rows = engine.fetchall(
        f"SELECT grp, {sums} FROM (SELECT grp, basket, count(*) AS k "
        f"FROM {lines.table('pruned')} GROUP BY grp, basket) GROUP BY grp") if sums else []
    items = dict(engine.fetchall(f"SELECT grp, count(*) FROM {lines.table('freq1')} "
                                 "GROUP BY grp"))
    mins = dict(engine.fetchall(f"SELECT grp, min_count FROM {lines.table('min')}"))
    combos: dict[int, float] = {j: 0.0 for j in sizes}
    bound = sum(int(n) for n in items.values())
    for row in rows:
        grp, per_size = int(row[0]), row[1:]
        f_items, m = int(items.get(grp, 0)), int(mins.get(grp, 1))
        for j, total in zip(sizes, per_size, strict=True):
            combos[j] += float(total or 0.0)
            bound += min(math.comb(f_items, j), int(float(total or 0.0) // m))
    return Estimate(sum(int(n) for n in items.values()), combos, bound,
                    min((int(m) for m in mins.values()), default=1))


def count_pairs(lines: BasketLines) -> None:
    """Frequent pairs (``freq2``: grp, i1 < i2, n) by a self-join of the pruned lines."""
    pruned = lines.table("pruned")
    lines.engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {lines.table('freq2')} AS " + _frequent(
            f"SELECT a.grp, a.item AS i1, b.item AS i2, count(*) AS n FROM {pruned} a "
            f"JOIN {pruned} b ON b.grp = a.grp AND b.basket = a.basket AND b.item > a.item "
            "GROUP BY a.grp, a.item, b.item", lines))


def count_triples(lines: BasketLines) -> None:
    """Frequent triples (``freq3``) grown from baskets' frequent pairs (Apriori)."""
    pruned, pairs = lines.table("pruned"), lines.table("freq2")
    engine = lines.engine
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {lines.table('pruned2')} AS SELECT l.* FROM {pruned} l "
        f"SEMI JOIN (SELECT grp, i1 AS item FROM {pairs} UNION SELECT grp, i2 FROM {pairs}) f "
        "ON f.grp = l.grp AND f.item = l.item")
    p2 = lines.table("pruned2")
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {lines.table('freq3')} AS " + _frequent(f"""
        WITH pair_lines AS (
            SELECT a.grp, a.basket, a.item AS i1, b.item AS i2 FROM {p2} a
            JOIN {p2} b ON b.grp = a.grp AND b.basket = a.basket AND b.item > a.item
            SEMI JOIN {pairs} f ON f.grp = a.grp AND f.i1 = a.item AND f.i2 = b.item)
        SELECT x.grp, x.i1, x.i2, c.item AS i3, count(*) AS n FROM pair_lines x
        JOIN {p2} c ON c.grp = x.grp AND c.basket = x.basket AND c.item > x.i2
        SEMI JOIN {pairs} f13 ON f13.grp = x.grp AND f13.i1 = x.i1 AND f13.i2 = c.item
        SEMI JOIN {pairs} f23 ON f23.grp = x.grp AND f23.i1 = x.i2 AND f23.i2 = c.item
        GROUP BY x.grp, x.i1, x.i2, c.item""", lines))


def count_itemsets(lines: BasketLines, max_len: int) -> None:
    """Pairs, then triples when asked and some pair is frequent; ``sets`` unions them."""
    count_pairs(lines)
    engine = lines.engine
    parts = [f"SELECT grp, [item] AS items, n FROM {lines.table('freq1')}",
             f"SELECT grp, [i1, i2], n FROM {lines.table('freq2')}"]
    if max_len >= 3 and engine.scalar(f"SELECT count(*) FROM {lines.table('freq2')}"):
        count_triples(lines)
        parts.append(f"SELECT grp, [i1, i2, i3], n FROM {lines.table('freq3')}")
    engine.execute(f"CREATE OR REPLACE TEMP TABLE {lines.table('sets')} AS "
                   + " UNION ALL ".join(parts))


def rules_sql(lines: BasketLines, max_len: int, *, single_antecedent: bool = False) -> str:
    """Every rule of the counted itemsets with its counts and measures, per group.

    Columns: grp, antecedent, consequent (item code lists), antecedent_count,
    consequent_count, count, baskets, support, confidence, lift, leverage, conviction.
    """
    pairs = lines.table("freq2")
    splits = [f"SELECT grp, [i1] AS a, [i2] AS c, n FROM {pairs}",
              f"SELECT grp, [i2], [i1], n FROM {pairs}"]
    if max_len >= 3 and lines.engine.table_exists(lines.table("freq3")):
        t = lines.table("freq3")
        splits += [f"SELECT grp, [i1], [i2, i3], n FROM {t}",
                   f"SELECT grp, [i2], [i1, i3], n FROM {t}",
                   f"SELECT grp, [i3], [i1, i2], n FROM {t}"]
        if not single_antecedent:
            splits += [f"SELECT grp, [i2, i3], [i1], n FROM {t}",
                       f"SELECT grp, [i1, i3], [i2], n FROM {t}",
                       f"SELECT grp, [i1, i2], [i3], n FROM {t}"]
    sets = lines.table("sets")
    return f"""
    WITH r AS ({" UNION ALL ".join(splits)})
    SELECT r.grp, r.a AS antecedent, r.c AS consequent, sa.n AS antecedent_count,
           sc.n AS consequent_count, r.n AS count, t.baskets,
           r.n / t.baskets AS support,
           r.n / sa.n AS confidence,
           r.n * t.baskets / (sa.n * sc.n) AS lift,
           r.n / t.baskets - (sa.n / t.baskets) * (sc.n / t.baskets) AS leverage,
           CASE WHEN r.n = sa.n THEN CAST('inf' AS DOUBLE)
                ELSE (1 - sc.n / t.baskets) / (1 - r.n / sa.n) END AS conviction
    FROM r JOIN {sets} sa ON sa.grp = r.grp AND sa.items = r.a
    JOIN {sets} sc ON sc.grp = r.grp AND sc.items = r.c
    JOIN {lines.table('n')} t ON t.grp = r.grp"""
