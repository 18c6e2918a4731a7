"""The CLV summary equals lifetimes' summary_data_from_transaction_data."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
from lifetimes.utils import summary_data_from_transaction_data

from memberlens.analytics.clv_summary import clv_summary
from memberlens.engine import DuckDBEngine


def test_matches_lifetimes_on_random_transactions(engine: DuckDBEngine) -> None:
    rng = np.random.default_rng(7)
    n = 3000
    start = pd.Timestamp("2023-01-01")
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(n)],
        "member_id": [f"m{k}" for k in rng.integers(0, 400, n)],
        "ordered_at": start + pd.to_timedelta(rng.integers(0, 500 * 24 * 60, n), unit="min"),
        "paid_amount": np.round(rng.gamma(2.0, 50.0, n), 2),
    })
    engine.register("src", pa.Table.from_pandas(orders))
    engine.execute("INSERT INTO orders (order_id, member_id, ordered_at, paid_amount, status) "
                   "SELECT order_id, member_id, ordered_at, paid_amount, 'completed' FROM src")
    as_of = date(2024, 3, 1)
    ours = clv_summary(engine, as_of).set_index("member_id").sort_index()
    before = orders[orders.ordered_at < pd.Timestamp(as_of)]
    theirs = summary_data_from_transaction_data(
        before, "member_id", "ordered_at", monetary_value_col="paid_amount",
        observation_period_end=pd.Timestamp(as_of - timedelta(days=1))).sort_index()
    assert list(ours.index) == list(theirs.index)
    for col in ("frequency", "recency", "T", "monetary_value"):
        np.testing.assert_allclose(ours[col].to_numpy(), theirs[col].to_numpy(), rtol=1e-9,
                                   err_msg=col)
