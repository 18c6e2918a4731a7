"""The warehouse is created from the canonical definitions and migrates forward."""

from __future__ import annotations

import pytest

from memberlens.engine import DuckDBEngine
from memberlens.errors import EngineError
from memberlens.schema import CANONICAL_TABLES, ensure_schema


def test_every_canonical_table_exists_with_its_columns(engine: DuckDBEngine) -> None:
    for table in CANONICAL_TABLES.values():
        cols = [r[0] for r in engine.fetchall(f"DESCRIBE {table.name}")]
        assert cols == [*table.column_names, "_run_id"]
    assert engine.table_exists("quarantine") and engine.table_exists("run_log")


def test_money_is_decimal_and_constraints_hold(engine: DuckDBEngine) -> None:
    types = dict(engine.fetchall("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 'orders'"))
    assert types["paid_amount"] == "DECIMAL(18,2)"
    assert types["ordered_at"] == "TIMESTAMP"
    with pytest.raises(EngineError, match="NOT NULL"):
        engine.execute("INSERT INTO orders (order_id, ordered_at, paid_amount) "
                       "VALUES ('x', TIMESTAMP '2024-01-01', 1)")
    with pytest.raises(EngineError, match="CHECK"):
        engine.execute("INSERT INTO orders (order_id, member_id, ordered_at, paid_amount) "
                       "VALUES ('x', 'm', TIMESTAMP '2024-01-01', -1)")


def test_pii_marks() -> None:
    assert set(CANONICAL_TABLES["members"].pii_columns) == {"name", "birthday", "phone", "email"}


def test_migration_adds_new_columns(engine: DuckDBEngine) -> None:
    engine.execute('ALTER TABLE members DROP COLUMN "consent_push"')
    ensure_schema(engine)
    assert "consent_push" in [r[0] for r in engine.fetchall("DESCRIBE members")]
    assert engine.scalar("SELECT max(version) FROM schema_version") >= 1
