"""Each cleaning rule: a row that breaks it, and the quarantine reason and action it gets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from memberlens.engine import DuckDBEngine
from memberlens.ingest import ingest_file

ORDER_HEADER = "order_id,member_id,ordered_at,paid_amount,total_amount,status,channel\n"
GOOD_ORDER = "O{n},M1,2024-03-01 10:00:00,90.00,100.00,completed,app\n"
MEMBER_HEADER = "member_id,name,phone,email,gender,birthday,registered_at,city_tier\n"
GOOD_MEMBER = "M{n},张伟,13812345678,zw@qq.com,男,1990-05-01,2023-01-01 09:00,1\n"

# (table, column, bad value, reason, action)
CASES = [
    ("orders", "member_id", "", "missing_required", "rejected"),
    ("orders", "ordered_at", "昨天", "invalid_timestamp", "rejected"),
    ("orders", "ordered_at", "2024-13-45", "invalid_timestamp", "rejected"),
    ("orders", "ordered_at", "2099-01-01 10:00", "future_timestamp", "rejected"),
    ("orders", "ordered_at", "1980-01-01", "out_of_range", "rejected"),
    ("orders", "paid_amount", "abc", "invalid_amount", "rejected"),
    ("orders", "paid_amount", "-5.00", "negative_amount", "rejected"),
    ("orders", "paid_amount", "99999999.99", "absurd_amount", "rejected"),
    ("orders", "total_amount", "-1", "negative_amount", "cleared"),
    ("orders", "status", "不知道", "invalid_value", "cleared"),
    ("orders", "channel", "火星", "invalid_value", "cleared"),
    ("members", "member_id", "", "missing_required", "rejected"),
    ("members", "phone", "1381234567", "invalid_phone", "cleared"),
    ("members", "phone", "23812345678", "invalid_phone", "cleared"),
    ("members", "email", "not-an-email", "invalid_email", "cleared"),
    ("members", "gender", "x", "invalid_value", "cleared"),
    ("members", "birthday", "2999-01-01", "out_of_range", "cleared"),
    ("members", "birthday", "生日", "invalid_date", "cleared"),
    ("members", "city_tier", "9", "out_of_range", "cleared"),
    ("members", "registered_at", "2024-02-30", "invalid_timestamp", "cleared"),
]


def _file_with_bad_row(table: str, column: str, value: str,
                       write_file: Callable[[str, str], Path]) -> Path:
    header, good = (ORDER_HEADER, GOOD_ORDER) if table == "orders" else (MEMBER_HEADER,
                                                                          GOOD_MEMBER)
    cols = header.strip().split(",")
    bad = good.format(n=99).strip().split(",")
    bad[cols.index(column)] = value
    text = header + good.format(n=1) + ",".join(bad) + "\n" + good.format(n=2)
    return write_file(f"{table}.csv", text)


@pytest.mark.parametrize(("table", "column", "value", "reason", "action"), CASES)
def test_rule_quarantines_bad_value(engine: DuckDBEngine, write_file: Callable[[str, str], Path],
                                    table: str, column: str, value: str, reason: str,
                                    action: str) -> None:
    path = _file_with_bad_row(table, column, value, write_file)
    result = ingest_file(engine, table, path)
    rows = engine.fetchall("SELECT source_file, source_row, field, value, reason, action "
                           "FROM quarantine")
    assert (str(path), 3, column, value or None, reason, action) in rows
    assert result.reasons.get(reason) == 1
    loaded = engine.scalar(f"SELECT count(*) FROM {table}")
    if action == "rejected":
        assert result.rejected == 1 and loaded == 2
    else:  # the row is kept with the field emptied
        assert result.rejected == 0 and loaded == 3
        assert engine.scalar(f'SELECT "{column}" FROM {table} '
                             f"WHERE {table[:-1] if table == 'members' else 'order'}_id "
                             f"IN ('M99', 'O99')") is None


def test_normalisation_of_good_values(engine: DuckDBEngine,
                                      write_file: Callable[[str, str], Path]) -> None:
    path = write_file("members.csv", MEMBER_HEADER
                      + " M1 , 张伟 ,+86 138-1234-5678, ZW@QQ.COM ,女,1990/5/1,20230101,2\n"
                      + "M2,李娜,8613912345678,,F,19880312,2023-01-01T09:00:00+00:00,\n")
    ingest_file(engine, "members", path)
    rows = engine.fetchall("SELECT member_id, name, phone, email, gender, birthday, "
                           "CAST(registered_at AS VARCHAR), city_tier FROM members "
                           "ORDER BY member_id")
    assert rows[0][:5] == ("M1", "张伟", "13812345678", "zw@qq.com", "F")
    assert str(rows[0][5]) == "1990-05-01" and rows[0][6] == "2023-01-01 00:00:00"
    assert rows[1][2] == "13912345678" and rows[1][4] == "F"
    assert str(rows[1][5]) == "1988-03-12"
    # an explicit UTC offset is converted to the warehouse's Asia/Shanghai wall clock
    assert rows[1][6] == "2023-01-01 17:00:00"
    assert engine.scalar("SELECT count(*) FROM quarantine") == 0


def test_money_with_currency_signs(engine: DuckDBEngine,
                                   write_file: Callable[[str, str], Path]) -> None:
    path = write_file("o.csv", "订单号,会员ID,下单时间,实付金额\n"
                               'A,M1,2024-03-01,"¥1,299.50"\nB,M1,2024-03-02,35元\n')
    ingest_file(engine, "orders", path)
    assert [str(r[0]) for r in engine.fetchall(
        "SELECT paid_amount FROM orders ORDER BY order_id")] == ["1299.50", "35.00"]


def test_exact_duplicates_dropped_and_named(engine: DuckDBEngine,
                                            write_file: Callable[[str, str], Path]) -> None:
    row = GOOD_ORDER.format(n=1)
    path = write_file("o.csv", ORDER_HEADER + row + GOOD_ORDER.format(n=2) + row)
    result = ingest_file(engine, "orders", path)
    assert result.duplicates == 1 and result.new == 2
    rec = engine.fetchall("SELECT source_row, reason, action, record FROM quarantine")
    assert rec == [(4, "duplicate_row", "dropped", '{"kept_row":2}')]


def test_outliers_flagged_but_kept(engine: DuckDBEngine,
                                   write_file: Callable[[str, str], Path]) -> None:
    lines = [f"O{i},M{i % 50},2024-03-01 10:00:00,{50 + i % 200}.00,,completed,app\n"
             for i in range(400)]
    lines.append("O999,M1,2024-03-01 10:00:00,500000.00,,completed,app\n")
    result = ingest_file(engine, "orders", write_file("o.csv", ORDER_HEADER + "".join(lines)))
    assert result.flagged == 1 and result.new == 401
    assert engine.fetchall("SELECT source_row, reason, action FROM quarantine") == [
        (402, "outlier_amount", "flagged")]


def test_every_reason_a_rule_can_give_has_labels() -> None:
    from memberlens.ingest import REASON_LABELS
    from memberlens.ingest.cleaning_rules import build_rule
    from memberlens.schema import CANONICAL_TABLES

    reasons = {"duplicate_row", "duplicate_key", "outlier_amount"}
    for table in CANONICAL_TABLES.values():
        reasons |= {c.reason for c in table.checks}
        for col in table.columns:
            for source_type in ("VARCHAR", "BIGINT"):
                rule = build_rule(col, source_type, timezone="Asia/Shanghai")
                reasons |= {p.reason for p in rule.problems}
    assert reasons <= set(REASON_LABELS)
    assert all(zh and en and zh != en for zh, en in REASON_LABELS.values())


def test_null_spellings_are_missing_not_invalid(engine: DuckDBEngine,
                                                write_file: Callable[[str, str], Path]) -> None:
    path = write_file("members.csv", MEMBER_HEADER
                      + "M1,张伟,NULL,无,-,N/A,2023-01-01 09:00,\n")
    assert ingest_file(engine, "members", path).cleared == 0
    assert engine.fetchall("SELECT phone, email, gender, birthday FROM members") == [
        (None, None, None, None)]


def test_checks_between_fields(engine: DuckDBEngine,
                               write_file: Callable[[str, str], Path]) -> None:
    path = write_file("o.csv", "order_id,member_id,ordered_at,total_amount,paid_amount,"
                               "refund_amount,status\n"
                               "A,M1,2024-03-01,100,90,0,completed\n"
                               "B,M1,2024-03-02,100,120,0,completed\n"       # paid > total
                               "C,M1,2024-03-03,100,90,95,partially_refunded\n"  # refund > paid
                               # a negative payment is reported once, not also as a mismatch
                               "D,M1,2024-03-04,100,-5,0,completed\n")
    result = ingest_file(engine, "orders", path)
    assert (result.new, result.rejected, result.flagged, result.cleared) == (3, 1, 1, 1)
    assert engine.fetchall("SELECT source_row, field, reason, action FROM quarantine "
                           "ORDER BY source_row") == [
        (3, "paid_amount", "paid_exceeds_total", "flagged"),
        (4, "refund_amount", "refund_exceeds_paid", "cleared"),
        (5, "paid_amount", "negative_amount", "rejected")]
    assert engine.scalar("SELECT refund_amount FROM orders WHERE order_id = 'C'") is None
    assert engine.scalar("SELECT paid_amount FROM orders WHERE order_id = 'B'") == 120
