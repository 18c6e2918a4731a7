"""Every planted defect is counted exactly in the manifest, and dirt=0 means clean."""

from __future__ import annotations

import re
from datetime import datetime

import pyarrow.compute as pc
import pyarrow.parquet as pq
from datagen_fixtures import Dataset

PHONE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[a-z0-9.]+@[a-z0-9]+\.com$")
STANDARD = "%Y-%m-%d %H:%M:%S"
OTHER_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y%m%d")


def parses(text: str, formats: tuple[str, ...]) -> bool:
    for fmt in formats:
        try:
            datetime.strptime(text, fmt)
            return True
        except ValueError:
            continue
    return False


def duplicates(lines: list[str]) -> int:
    return len(lines) - len(set(lines))


def test_member_defects_are_counted(dirty: Dataset) -> None:
    counts = dirty.manifest.dirt.by_file["members.csv"]
    lines = dirty.lines("members.csv")[1:]
    assert duplicates(lines) == counts["duplicate_rows"] > 0
    rows = {tuple(r.values()): r for r in dirty.rows("members.csv")}.values()  # distinct
    own = [r for r in rows if r["member_id"].startswith("M")]
    alias = [r for r in rows if r["member_id"].startswith("A")]
    assert len(own) == 2_000
    assert len(alias) == counts["alias_source_id"] > 0
    by_name_phone = {(r["name"], r["phone"]) for r in own}
    for r in alias:
        assert not PHONE.match(r["phone"])
        digits = re.sub(r"\D", "", r["phone"]).removeprefix("86")
        assert (r["name"], digits) in by_name_phone
        assert r["channel"] == "APP"
    assert sum(r["phone"] == "" for r in own) == counts["missing_phone"]
    assert sum(bool(re.fullmatch(r"\d{10}", r["phone"])) for r in own) == counts["invalid_phone"]
    assert sum(r["birthday"] == "" for r in own) == counts["missing_birthday"]
    assert sum(r["gender"] == "" for r in own) == counts["missing_gender"]
    assert sum(r["gender"] in ("M", "F") for r in own) == counts["gender_code"]
    assert sum(r["email"] != "" and not EMAIL.match(r["email"]) for r in own) == counts[
        "invalid_email"]
    assert sum(r["birthday"] != "" and not parses(r["birthday"], ("%Y-%m-%d",))
               for r in own) == counts["birthday_format"]
    assert sum(not parses(r["registered_at"], (STANDARD,)) for r in own) == counts[
        "registered_at_format"]
    assert all(parses(r["birthday"], ("%Y-%m-%d", *OTHER_FORMATS))
               for r in own if r["birthday"])


def test_till_defects_are_counted(dirty: Dataset) -> None:
    counts = dirty.manifest.dirt.by_file["orders_pos.csv"]
    assert duplicates(dirty.lines("orders_pos.csv")[1:]) == counts["duplicate_rows"] > 0
    rows = list({tuple(r.values()): r for r in dirty.rows("orders_pos.csv")}.values())
    when = [r["下单时间"] for r in rows]
    assert sum(not parses(w, (STANDARD, *OTHER_FORMATS)) for w in when) == counts[
        "unparseable_date"] > 0
    assert sum(parses(w, OTHER_FORMATS) and not parses(w, (STANDARD,)) for w in when) == counts[
        "ordered_at_format"] > 0
    paid = [r["实付金额"] for r in rows]
    assert sum(p.startswith("¥") for p in paid) == counts["currency_format"] > 0
    assert sum(p.startswith("-") for p in paid) == counts["negative_amount"] > 0
    assert sum(p == "99999999.99" for p in paid) == counts["absurd_amount"] > 0
    assert sum(r["会员ID"] == "" for r in rows) == counts["missing_member_id"] > 0
    assert all(r["手机号"] for r in rows)  # the phone still identifies the member


def test_online_and_event_defects_are_counted(dirty: Dataset) -> None:
    counts = dirty.manifest.dirt.by_file
    paid = pq.read_table(dirty.path / "orders.parquet", columns=["paid_amount"]).column(0)
    assert pc.sum(pc.less(paid, 0)).as_py() == counts["orders.parquet"]["negative_amount"]
    absurd = pc.sum(pc.equal(paid.cast("double"), 99999999.99)).as_py()
    assert absurd == counts["orders.parquet"]["absurd_amount"]
    assert duplicates(dirty.lines("events.jsonl")) == counts["events.jsonl"]["duplicate_rows"]
    assert counts["events.jsonl"]["duplicate_rows"] > 0


def test_second_ids_also_place_app_orders(dirty: Dataset) -> None:
    ids = pq.read_table(dirty.path / "orders.parquet", columns=["member_id", "channel"])
    alias_orders = [c for m, c in zip(*ids.to_pydict().values(), strict=True)
                    if m.startswith("A")]
    assert len(alias_orders) == dirty.manifest.dirt.by_file["orders.parquet"]["alias_member_id"]
    assert set(alias_orders) <= {"app", "mini_program"}


def test_totals_add_up(dirty: Dataset) -> None:
    d = dirty.manifest.dirt
    assert d.share == 0.1
    assert d.total == sum(d.by_kind.values()) == sum(
        n for kinds in d.by_file.values() for n in kinds.values())
    member_rows = dirty.manifest.file("members.csv").rows
    planted = sum(d.by_file["members.csv"].values())
    assert 0.05 < planted / member_rows < 0.15  # about the share asked for


def test_default_dirt_is_mostly_clean(default: Dataset) -> None:
    d = default.manifest.dirt
    rows = sum(f.rows for f in default.manifest.files)
    assert 0 < d.total < 0.03 * rows


def test_no_dirt_means_clean_files(clean: Dataset) -> None:
    d = clean.manifest.dirt
    assert d.total == 0 and all(n == 0 for n in d.by_kind.values())
    for name in ("members.csv", "orders_pos.csv", "events.jsonl"):
        assert duplicates(clean.lines(name)[1:]) == 0, name
    members = clean.rows("members.csv")
    assert all(r["member_id"].startswith("M") for r in members)
    assert all(PHONE.match(r["phone"]) and r["birthday"] and r["gender"] in ("男", "女")
               for r in members)
    for r in clean.rows("orders_pos.csv"):
        assert parses(r["下单时间"], (STANDARD,))
        assert r["会员ID"] and re.fullmatch(r"\d+\.\d\d", r["实付金额"])
        assert float(r["实付金额"]) < 1_000_000
    paid = pq.read_table(clean.path / "orders.parquet", columns=["paid_amount"]).column(0)
    assert pc.min(paid).as_py() >= 0 and pc.max(paid).as_py() < 1_000_000
