"""The chunk loop: members are generated in fixed-size chunks and appended to files.

The chunk size is a constant, so the output for a seed never depends on how much
memory the machine has; every chunk and every stage draws from its own random
stream (``default_rng([seed, chunk, stage])``), so leaving a file out does not
change the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from memberlens.errors import ConfigError

from . import dirt as defects
from .aliases import SecondAccounts
from .baskets import make_baskets
from .behaviour import make_events
from .catalog import Catalog, build_catalog
from .feedback import make_feedback
from .geography import Geography
from .manifest import FILES, DirtReport, FileEntry, Manifest
from .order_tables import (
    ITEM_SCHEMA,
    ONLINE_SCHEMA,
    POS_SCHEMA,
    items_table,
    online_table,
    order_ids,
    pos_table,
)
from .people import assign_tiers, make_members, members_table, phone_text
from .purchases import Calibration, calibrate, draw_tastes, purchase_times
from .seasonality import SECONDS_PER_DAY, Timeline, day_number
from .stores import Stores, build_stores, store_count
from .textcols import code
from .writers import CsvAppender, JsonlAppender, ParquetAppender, Writers

CHUNK_MEMBERS = 50_000
ALL_FILES: frozenset[str] = frozenset(
    {"members", "products", "stores", "orders", "order_items", "events", "feedback"})
Progress = Callable[[str, int, int], None]

# random stream per stage
S_MEMBERS, S_TASTES, S_TIMING, S_BASKETS, S_EVENTS, S_FEEDBACK = 1, 2, 3, 4, 5, 6
S_DIRT_MEMBERS, S_DIRT_ORDERS, S_DIRT_EVENTS, S_TIERS, S_ALIAS = 7, 8, 9, 10, 11
GLOBAL_CHUNK = 2**31


@dataclass(frozen=True)
class Plan:
    """Validated parameters of one run."""

    out_dir: Path
    members: int
    seed: int
    dirt: float
    start: date
    end: date
    orders_per_member: float
    events_per_member: float
    include: frozenset[str]
    orders_csv: bool
    split_pos: bool
    chunk_members: int
    events_format: str = "jsonl"

    @property
    def events_file(self) -> str:
        return f"events.{self.events_format}"

    def rng(self, chunk: int, stage: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, chunk, stage])

    def check(self) -> None:
        if self.members < 1:
            raise ConfigError(f"members must be at least 1, got {self.members}")
        if self.members > 99_999_999:
            raise ConfigError("members must stay below 100 million (8-digit member ids)")
        if self.seed < 0:
            raise ConfigError(f"seed must be a non-negative integer, got {self.seed}")
        if not 0 <= self.dirt <= 0.5:
            raise ConfigError(f"dirt is a share of rows between 0 and 0.5, got {self.dirt}")
        if (self.end - self.start).days < 28:
            raise ConfigError(f"the window {self.start}..{self.end} must span at least 4 weeks")
        if self.events_format not in ("jsonl", "parquet"):
            raise ConfigError(f"events_format is 'jsonl' or 'parquet', got {self.events_format!r}")
        if self.orders_per_member < 0 or self.events_per_member < 0:
            raise ConfigError("orders_per_member and events_per_member must not be negative")
        unknown = self.include - ALL_FILES
        if unknown or not self.include:
            raise ConfigError(f"include must name some of {sorted(ALL_FILES)}, got "
                              f"{sorted(self.include)}")


def _open_writers(plan: Plan, writers: Writers) -> None:
    d, inc = plan.out_dir, plan.include
    if "members" in inc:
        writers.add("members.csv", CsvAppender(d / "members.csv", MEMBERS_SCHEMA))
    if "orders" in inc:
        writers.add("orders.parquet", ParquetAppender(d / "orders.parquet", ONLINE_SCHEMA))
        if plan.orders_csv:
            writers.add("orders.csv", CsvAppender(d / "orders.csv", ONLINE_SCHEMA))
        if plan.split_pos:
            writers.add("orders_pos.csv", CsvAppender(d / "orders_pos.csv", POS_SCHEMA))
    if "order_items" in inc:
        writers.add("order_items.parquet",
                    ParquetAppender(d / "order_items.parquet", ITEM_SCHEMA))
    if "events" in inc:
        if plan.events_format == "parquet":
            writers.add("events.parquet", ParquetAppender(d / "events.parquet", EVENTS_SCHEMA))
        else:
            writers.add("events.jsonl",
                        JsonlAppender(d / "events.jsonl", frozenset({"properties"})))
    if "feedback" in inc:
        writers.add("feedback.csv", CsvAppender(d / "feedback.csv", FEEDBACK_SCHEMA))


MEMBERS_SCHEMA = pa.schema(
    [(c, pa.string()) for c in ("member_id", "name", "gender", "birthday", "phone", "email",
                                "province", "city")]
    + [("city_tier", pa.int8()), ("registered_at", pa.string()), ("channel", pa.string()),
       ("tier", pa.string())]
    + [(c, pa.int8()) for c in ("consent_sms", "consent_email", "consent_push")])
# events.parquet: the columns of events.jsonl, `properties` as JSON text
EVENTS_SCHEMA = pa.schema(
    [(c, pa.string()) for c in ("member_id", "anonymous_id", "event_type", "occurred_at",
                                "sku", "keyword", "channel", "device", "city", "properties")])
FEEDBACK_SCHEMA = pa.schema([
    ("feedback_id", pa.string()), ("member_id", pa.string()), ("order_id", pa.string()),
    ("sku", pa.string()), ("kind", pa.string()), ("rating", pa.int8()),
    ("content", pa.string()), ("created_at", pa.string()),
])


@dataclass
class Counters:
    """Running numbers that make ids unique across chunks."""

    orders: int = 0
    feedback: int = 0
    online: int = 0
    pos: int = 0
    items: int = 0
    people: int = 0


def _chunk(
    plan: Plan, chunk: int, lo: int, hi: int, timeline: Timeline, geography: Geography,
    catalog: Catalog, stores: Stores, calibration: Calibration, log: defects.DirtLog,
    count: Counters,
) -> list[tuple[str, pa.Table]]:
    """Generate members ``lo..hi-1`` and everything they did, as tables per file."""
    out: list[tuple[str, pa.Table]] = []
    members = make_members(plan.rng(chunk, S_MEMBERS), lo, hi, plan.members, timeline,
                           geography)
    tastes = draw_tastes(plan.rng(chunk, S_TASTES), members, catalog, stores, calibration)
    timing = purchase_times(plan.rng(chunk, S_TIMING), members, tastes, timeline, stores)
    baskets = make_baskets(plan.rng(chunk, S_BASKETS), timing, tastes, catalog, timeline)
    ids = order_ids(timing, count.orders + 1)
    count.orders += len(timing)
    count.people += len(members)

    # tier follows the spend of the last twelve months
    recent = (timing.day > timeline.end - 365) & np.isin(baskets.status, [0, 2])
    spend = np.bincount(timing.member[recent], weights=(baskets.paid - baskets.refund)[recent],
                        minlength=len(members)).astype(np.int64)
    tier = assign_tiers(plan.rng(chunk, S_TIERS), spend)

    # one person under two ids: the app created a second account later
    mrows = defects.choose_rows(plan.rng(chunk, S_DIRT_MEMBERS), len(members), plan.dirt,
                                defects.MEMBER_DIRT)
    arng = plan.rng(chunk, S_ALIAS)
    accounts = SecondAccounts.open(arng, members, mrows["alias_source_id"], timeline)
    member_id, moved = accounts.order_member_ids(members, timing)

    orng = plan.rng(chunk, S_DIRT_ORDERS)
    if "orders" in plan.include:
        store_rows = timing.store >= 0
        online = np.flatnonzero(~store_rows) if plan.split_pos else np.arange(len(timing))
        table = online_table(online, ids, member_id, timing, baskets, stores)
        files = ("orders.parquet", "orders.csv") if plan.orders_csv else ("orders.parquet",)
        rows = defects.choose_rows(orng, table.num_rows, plan.dirt * 0.1, defects.ONLINE_DIRT)
        table = defects.dirty_online(table, rows, baskets.paid[online], files, log)
        for f in files:
            log.add(f, "alias_member_id", int(moved[online].sum()))
            out.append((f, table))
        count.online += len(online)
        if plan.split_pos:
            pos = np.flatnonzero(store_rows)
            phone = phone_text(members.phone[timing.member[pos]])
            table = pos_table(pos, ids, member_id, phone, timing, baskets, stores)
            rows = defects.choose_rows(orng, len(pos), plan.dirt, defects.POS_DIRT)
            table = defects.dirty_pos(orng, table, rows, timing.seconds[pos],
                                      baskets.total[pos], baskets.paid[pos], log)
            out.append(("orders_pos.csv", table))
            count.pos += len(pos)
    if "order_items" in plan.include:
        out.append(("order_items.parquet", items_table(ids, baskets, catalog)))
    count.items += len(baskets.line_order)

    if "events" in plan.include:
        events = make_events(plan.rng(chunk, S_EVENTS), members, tastes, timing, baskets,
                             catalog, timeline, geography, plan.events_per_member)
        erng = plan.rng(chunk, S_DIRT_EVENTS)
        rows = defects.choose_rows(erng, events.num_rows, plan.dirt, defects.EVENT_DIRT)
        log.add(plan.events_file, "duplicate_rows", len(rows["duplicate_rows"]))
        events = defects.insert_copies(erng, events, rows["duplicate_rows"])
        out.append((plan.events_file, events))
    if "feedback" in plan.include:
        fb = make_feedback(plan.rng(chunk, S_FEEDBACK), members, timing, baskets, catalog,
                           timeline, ids)
        fid = code("F", count.feedback + 1 + np.arange(fb.num_rows), 10)
        count.feedback += fb.num_rows
        out.append(("feedback.csv", fb.add_column(0, "feedback_id", fid)))

    if "members" in plan.include:
        table = members_table(members, geography, tier)
        aliases = accounts.member_rows(arng, table, members.phone)
        table = defects.dirty_members(
            plan.rng(chunk, S_DIRT_MEMBERS + 100), table, mrows,
            members.birthday * SECONDS_PER_DAY, members.registered_at, members.phone,
            aliases, log)
        out.append(("members.csv", table))
    return out


def _write(writers: Writers, tables: list[tuple[str, pa.Table]]) -> None:
    for key, table in tables:
        appender = writers.get(key)
        if appender is not None:
            appender.write(table)


def run(plan: Plan, progress: Progress | None = None) -> Manifest:
    """Generate everything the plan asks for and write the manifest."""
    plan.check()
    began = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    timeline = Timeline.build(plan.start, plan.end)
    geography = Geography.build()
    n_products = int(np.clip(plan.members // 25, 600, 20_000))
    catalog = build_catalog(plan.rng(GLOBAL_CHUNK, 1), n_products, timeline)
    stores = build_stores(plan.rng(GLOBAL_CHUNK, 2), store_count(plan.members), geography,
                          timeline)
    calibration = calibrate(timeline, plan.orders_per_member)
    log = defects.DirtLog()
    count = Counters()
    # chunk i is written on a second thread while chunk i+1 is generated; at most one
    # write is pending, so at most two chunks are in memory
    with Writers() as writers, ThreadPoolExecutor(max_workers=1) as pool:
        if "products" in plan.include:
            writers.add("products.csv", CsvAppender(plan.out_dir / "products.csv",
                                                    catalog.table().schema))
            _write(writers, [("products.csv", catalog.table())])
        report("products", 1, 1)
        if "stores" in plan.include:
            table = stores.table(geography)
            writers.add("stores.csv", CsvAppender(plan.out_dir / "stores.csv", table.schema))
            _write(writers, [("stores.csv", table)])
        report("stores", 1, 1)
        _open_writers(plan, writers)
        pending: Future[None] | None = None
        for chunk, lo in enumerate(range(0, plan.members, plan.chunk_members)):
            hi = min(lo + plan.chunk_members, plan.members)
            tables = _chunk(plan, chunk, lo, hi, timeline, geography, catalog, stores,
                            calibration, log, count)
            if pending is not None:
                pending.result()
            pending = pool.submit(_write, writers, tables)
            del tables
            report("members", hi, plan.members)
        if pending is not None:
            pending.result()
        rows = {key: a.rows for key, a in writers.open.items()}
    manifest = _manifest(plan, rows, log, count, time.perf_counter() - began,
                         len(catalog), len(stores))
    (plan.out_dir / "manifest.json").write_text(
        manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    report("manifest", 1, 1)
    return manifest


def _manifest(
    plan: Plan, rows: dict[str, int], log: defects.DirtLog, count: Counters,
    seconds: float, products: int, stores: int,
) -> Manifest:
    entries = [
        FileEntry(path=path, table=table, rows=rows[path], format=fmt,  # type: ignore[arg-type]
                  header_language="zh" if path == "orders_pos.csv" else "en",
                  alternative_of="orders.parquet" if path == "orders.csv" else None)
        for path, table, fmt in FILES if path in rows
    ]
    by_file = {f: k for f, k in log.by_file().items() if f in rows}
    by_kind: dict[str, int] = {}
    for kinds in by_file.values():
        for kind, n in kinds.items():
            by_kind[kind] = by_kind.get(kind, 0) + n
    return Manifest(
        seed=plan.seed,
        parameters={
            "members": plan.members, "dirt": plan.dirt, "start": plan.start.isoformat(),
            "end": plan.end.isoformat(), "orders_per_member": plan.orders_per_member,
            "events_per_member": plan.events_per_member, "include": sorted(plan.include),
            "orders_csv": plan.orders_csv, "split_pos": plan.split_pos,
            "chunk_members": plan.chunk_members, "timezone": "Asia/Shanghai",
            "events_format": plan.events_format,
        },
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_seconds=round(seconds, 3),
        files=entries,
        dirt=DirtReport(share=plan.dirt, total=sum(by_kind.values()),
                        by_kind=dict(sorted(by_kind.items())), by_file=by_file),
        stats={"people": count.people, "orders": count.orders, "online_orders": count.online,
               "pos_orders": count.pos, "order_items": count.items, "products": products,
               "stores": stores, "window_days": day_number(plan.end) - day_number(plan.start)
               + 1},
    )
