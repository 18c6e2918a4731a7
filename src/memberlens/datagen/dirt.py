"""Realistic defects, injected in a configurable share and counted exactly.

Each kind of defect takes a disjoint set of rows (so every count in the manifest
is the number of rows that really carry it); the rest of the data stays clean.
A share of 0 turns all of it off.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .textcols import format_seconds, join, money, replace_at, unpadded_date

IntArray = npt.NDArray[np.int64]
Rows = dict[str, IntArray]

MEMBER_DIRT = {
    "duplicate_rows": 0.14, "alias_source_id": 0.14, "missing_phone": 0.08,
    "missing_email": 0.06, "missing_birthday": 0.08, "missing_gender": 0.06,
    "birthday_format": 0.12, "registered_at_format": 0.12, "invalid_phone": 0.06,
    "invalid_email": 0.06, "gender_code": 0.08,
}
POS_DIRT = {
    "duplicate_rows": 0.2, "ordered_at_format": 0.3, "unparseable_date": 0.03,
    "negative_amount": 0.07, "absurd_amount": 0.05, "missing_member_id": 0.15,
    "currency_format": 0.2,
}
ONLINE_DIRT = {"negative_amount": 0.05, "absurd_amount": 0.05}  # system exports: rare
EVENT_DIRT = {"duplicate_rows": 0.5}
ABSURD_CENTS = 9_999_999_999  # 99999999.99


@dataclass
class DirtLog:
    """Injected defects per file and kind."""

    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, file: str, kind: str, n: int) -> None:
        self.counts[file][kind] = self.counts[file].get(kind, 0) + int(n)

    def by_file(self) -> dict[str, dict[str, int]]:
        return {f: dict(sorted(k.items())) for f, k in sorted(self.counts.items())}

    def by_kind(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for kinds in self.counts.values():
            for kind, n in kinds.items():
                total[kind] = total.get(kind, 0) + n
        return dict(sorted(total.items()))


def choose_rows(
    rng: np.random.Generator, n: int, share: float, kinds: dict[str, float]
) -> Rows:
    """Disjoint random rows for every defect kind; about ``share * n`` in total."""
    if share <= 0 or n == 0:
        return {k: np.zeros(0, dtype=np.int64) for k in kinds}
    sizes = [int(rng.binomial(n, min(share * w, 1.0))) for w in kinds.values()]
    total = min(sum(sizes), n)
    picked = np.sort(rng.choice(n, total, replace=False)) if total else np.zeros(0, np.int64)
    picked = rng.permutation(picked)
    out: Rows = {}
    at = 0
    for kind, size in zip(kinds, sizes, strict=True):
        out[kind] = np.sort(picked[at:at + size]).astype(np.int64)
        at += size
    return out


def insert_copies(
    rng: np.random.Generator, table: pa.Table, rows: IntArray, copies: pa.Table | None = None
) -> pa.Table:
    """Insert ``copies`` (default: exact copies of ``rows``) somewhere after the originals."""
    if len(rows) == 0:
        return table
    n = table.num_rows
    extra = table.take(pa.array(rows)) if copies is None else copies
    key = np.concatenate([np.arange(n, dtype=np.float64),
                          rows + 0.5 + rng.random(len(rows)) * (n - 1 - rows)])
    order = np.argsort(key, kind="stable")
    return pa.concat_tables([table, extra.cast(table.schema)]).take(pa.array(order))


def set_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, values)


def blank(table: pa.Table, name: str, rows: IntArray) -> pa.Table:
    """Empty the cells (missing values)."""
    col = table.column(name).combine_chunks()
    return set_column(table, name, replace_at(col, rows, pa.nulls(len(rows), col.type)))


def mixed_dates(rng: np.random.Generator, seconds: IntArray, with_time: bool) -> pa.Array:
    """The same instants written as ``2024/3/1``, ``20240301`` or ``2024-03-01 10:00``
    (and ``2024/3/1 10:00`` for till exports)."""
    day = seconds // 86_400
    styles = [unpadded_date(day), format_seconds(seconds, "%Y%m%d"),
              format_seconds(seconds, "%Y-%m-%d %H:%M")]
    if with_time:
        styles.append(join(unpadded_date(day), format_seconds(seconds, "%H:%M"), sep=" "))
    choice = rng.integers(0, len(styles), len(seconds))
    out = styles[0]
    for i, s in enumerate(styles[1:], start=1):
        out = pc.if_else(pa.array(choice == i), s, out)
    return out


def reformat_phone(rng: np.random.Generator, phone: IntArray) -> pa.Array:
    """Same number, other spelling: ``+86 138-1234-5678``, ``138 1234 5678``, ``86-138…``."""
    text = [str(p) for p in phone.tolist()]
    style = rng.integers(0, 3, len(text))
    out = [
        f"+86 {t[:3]}-{t[3:7]}-{t[7:]}" if s == 0 else
        f"{t[:3]} {t[3:7]} {t[7:]}" if s == 1 else f"86-{t}"
        for t, s in zip(text, style, strict=True)
    ]
    return pa.array(out, pa.string())


def currency_text(cents: IntArray) -> pa.Array:
    """Amounts as a cashier types them into a sheet: ``¥1,299.00``."""
    return pa.array([f"¥{c / 100:,.2f}" for c in cents.tolist()], pa.string())


def unparseable_dates(rng: np.random.Generator, n: int) -> pa.Array:
    bad = ("2024-13-45", "昨天", "0000-00-00", "2024/02/30 25:61", "#VALUE!")
    return pa.array([bad[i] for i in rng.integers(0, len(bad), n)], pa.string())


def dirty_members(
    rng: np.random.Generator, table: pa.Table, rows: Rows, birthday_seconds: IntArray,
    registered_seconds: IntArray, phone: IntArray, aliases: pa.Table, log: DirtLog,
) -> pa.Table:
    """Apply the member defects chosen in ``rows``; ``aliases`` are the second-id copies."""
    f = "members.csv"
    has_email = table.column("email").is_valid().to_numpy(zero_copy_only=False)
    for kind, column in (("missing_phone", "phone"), ("missing_birthday", "birthday"),
                         ("missing_gender", "gender")):
        table = blank(table, column, rows[kind])
        log.add(f, kind, len(rows[kind]))
    gone = rows["missing_email"][has_email[rows["missing_email"]]]
    table = blank(table, "email", gone)
    log.add(f, "missing_email", len(gone))
    r = rows["birthday_format"]
    table = set_column(table, "birthday", replace_at(
        table.column("birthday").combine_chunks(), r,
        mixed_dates(rng, birthday_seconds[r], with_time=False)))
    log.add(f, "birthday_format", len(r))
    r = rows["registered_at_format"]
    table = set_column(table, "registered_at", replace_at(
        table.column("registered_at").combine_chunks(), r,
        mixed_dates(rng, registered_seconds[r], with_time=False)))
    log.add(f, "registered_at_format", len(r))
    r = rows["invalid_phone"]
    table = set_column(table, "phone", replace_at(
        table.column("phone").combine_chunks(), r, pa.array([str(p)[:10] for p in phone[r]])))
    log.add(f, "invalid_phone", len(r))
    r = rows["invalid_email"][has_email[rows["invalid_email"]]]
    emails = table.column("email").combine_chunks().take(pa.array(r)).to_pylist()
    style = rng.integers(0, 3, len(r))
    broken = [e.replace("@", "") if s == 0 else e.replace("@", "@@") if s == 1
              else e.rsplit(".", 1)[0] for e, s in zip(emails, style, strict=True)]
    table = set_column(table, "email", replace_at(
        table.column("email").combine_chunks(), r, pa.array(broken, pa.string())))
    log.add(f, "invalid_email", len(r))
    r = rows["gender_code"]
    gender = table.column("gender").combine_chunks().take(pa.array(r))
    table = set_column(table, "gender", replace_at(
        table.column("gender").combine_chunks(), r,
        pc.if_else(pc.equal(gender, "女"), "F", "M")))
    log.add(f, "gender_code", len(r))
    copies = pa.concat_tables([aliases.cast(table.schema),
                               table.take(pa.array(rows["duplicate_rows"]))])
    at = np.concatenate([rows["alias_source_id"], rows["duplicate_rows"]])
    log.add(f, "alias_source_id", len(rows["alias_source_id"]))
    log.add(f, "duplicate_rows", len(rows["duplicate_rows"]))
    return insert_copies(rng, table, at, copies)


def dirty_pos(
    rng: np.random.Generator, table: pa.Table, rows: Rows, seconds: IntArray,
    total: IntArray, paid: IntArray, log: DirtLog,
) -> pa.Table:
    """Till export defects (Chinese headers): dates, amounts, missing member ids, dupes."""
    f = "orders_pos.csv"

    def put(t: pa.Table, column: str, r: IntArray, values: pa.Array) -> pa.Table:
        return set_column(t, column, replace_at(t.column(column).combine_chunks(), r, values))

    r = rows["ordered_at_format"]
    table = put(table, "下单时间", r, mixed_dates(rng, seconds[r], with_time=True))
    r = rows["unparseable_date"]
    table = put(table, "下单时间", r, unparseable_dates(rng, len(r)))
    r = rows["negative_amount"]
    table = put(table, "实付金额", r, pa.array([f"-{max(c, 100) / 100:.2f}" for c in paid[r]]))
    r = rows["absurd_amount"]
    table = put(table, "实付金额", r, pa.array(["99999999.99"] * len(r), pa.string()))
    r = rows["currency_format"]
    table = put(table, "实付金额", r, currency_text(paid[r]))
    table = put(table, "订单金额", r, currency_text(total[r]))
    table = blank(table, "会员ID", rows["missing_member_id"])
    for kind in POS_DIRT:
        log.add(f, kind, len(rows[kind]))
    return insert_copies(rng, table, rows["duplicate_rows"])


def dirty_online(
    table: pa.Table, rows: Rows, paid: IntArray, files: tuple[str, ...], log: DirtLog
) -> pa.Table:
    """A few impossible amounts even in the platform export."""
    col = table.column("paid_amount").combine_chunks()
    negative = rows["negative_amount"]
    col = replace_at(col, negative, money(-np.maximum(paid[negative], 100)))
    col = replace_at(col, rows["absurd_amount"],
                     money(np.full(len(rows["absurd_amount"]), ABSURD_CENTS)))
    for f in files:
        for kind in ONLINE_DIRT:
            log.add(f, kind, len(rows[kind]))
    return set_column(table, "paid_amount", col)
