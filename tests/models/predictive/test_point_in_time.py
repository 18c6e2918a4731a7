"""Training sets are point-in-time: features see only data before the cut-off, labels only after."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import pytest

from memberlens.engine import DuckDBEngine
from memberlens.models.features import FeatureEncoder, ModelError
from memberlens.models.labels import LabelSpec, training_set

CUTOFF = date(2025, 6, 1)


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv().encode("utf-8")).hexdigest()


def test_orders_after_cutoff_change_labels_not_features(demo_engine: DuckDBEngine) -> None:
    spec = LabelSpec("churn", horizon_days=90)
    before = training_set(demo_engine, spec, CUTOFF)
    churners = before.y[before.y == 1].index[:40].tolist()
    stayers = before.y[before.y == 0].index[:40].tolist()
    assert len(churners) == len(stayers) == 40
    ids = ", ".join(f"'{m}'" for m in churners)
    # churners buy the day after the cut-off; the stayers' post-cut-off orders vanish
    demo_engine.execute(f"""
        INSERT INTO orders (order_id, member_id, ordered_at, paid_amount, status)
        SELECT 'leak-' || member_id, member_id, TIMESTAMP '2025-06-02 10:00:00', 99,
               'completed'
        FROM (SELECT DISTINCT member_id FROM orders WHERE member_id IN ({ids}))""")
    stay = ", ".join(f"'{m}'" for m in stayers)
    demo_engine.execute(f"DELETE FROM orders WHERE member_id IN ({stay}) "
                        f"AND ordered_at >= TIMESTAMP '{CUTOFF} 00:00:00'")
    after = training_set(demo_engine, spec, CUTOFF)

    assert _digest(after.frame) == _digest(before.frame)  # byte-identical features
    pd.testing.assert_index_equal(after.y.index, before.y.index)
    assert (after.y[churners] == 0).all()
    assert (after.y[stayers] == 1).all()
    unchanged = before.y.index.difference(churners + stayers)
    assert (after.y[unchanged] == before.y[unchanged]).all()


def test_an_order_just_before_the_cutoff_does_change_features(
        demo_engine: DuckDBEngine) -> None:
    """The check above would pass vacuously if features ignored orders altogether."""
    spec = LabelSpec("purchase", horizon_days=30)
    before = training_set(demo_engine, spec, CUTOFF)
    member = before.frame.index[0]
    demo_engine.execute(f"""
        INSERT INTO orders (order_id, member_id, ordered_at, paid_amount, status)
        VALUES ('late-1', '{member}', TIMESTAMP '2025-05-31 23:59:00', 99, 'completed')""")
    after = training_set(demo_engine, spec, CUTOFF)
    assert _digest(after.frame) != _digest(before.frame)
    assert after.frame.loc[member, "order_count_30d"] == \
        before.frame.loc[member, "order_count_30d"] + 1
    assert after.y[member] == before.y[member]  # the label window starts at the cut-off


def test_features_leave_out_model_outputs_and_encode_strings(
        demo_engine: DuckDBEngine) -> None:
    data = training_set(demo_engine, LabelSpec("purchase", horizon_days=30), CUTOFF)
    assert "churn_probability" not in data.frame.columns
    assert "clv_12m" not in data.frame.columns
    enc = FeatureEncoder().fit(data.frame)
    matrix = enc.transform(data.frame, CUTOFF)
    assert list(matrix.columns) == enc.columns_
    assert "days_since_last_purchase" in matrix.columns
    assert any(c.startswith("rfm_class=") for c in matrix.columns)
    assert not any(c.startswith("city=") for c in matrix.columns)  # too many values
    again = FeatureEncoder.from_json(enc.to_json()).transform(data.frame, CUTOFF)
    pd.testing.assert_frame_equal(matrix, again)


def test_an_incomplete_label_window_is_refused(demo_engine: DuckDBEngine) -> None:
    with pytest.raises(ModelError, match="label window"):
        training_set(demo_engine, LabelSpec("churn", horizon_days=90), date(2025, 11, 1))
