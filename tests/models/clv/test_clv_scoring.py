"""score_clv fits on the warehouse's CLV summary and writes the `clv` model's scores."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from memberlens.engine import DuckDBEngine
from memberlens.models.clv import BGNBDModel, ClvModelError
from memberlens.models.clv.scoring import score_clv
from memberlens.tags.model_scores import read_scores


def _orders(engine: DuckDBEngine, n_members: int = 300, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(n_members):
        first = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 300)))
        rate = rng.gamma(0.5, 4.0)  # repeat purchases per year differ between members
        days = np.sort(rng.integers(0, 400, rng.poisson(rate)))
        for k, d in enumerate([0, *days]):
            rows.append((f"o{m}-{k}", f"m{m}", first + pd.Timedelta(days=int(d)),
                         round(float(rng.gamma(3.0, 40.0)), 2)))
    frame = pd.DataFrame(rows, columns=["order_id", "member_id", "ordered_at", "paid_amount"])
    engine.register("src", pa.Table.from_pandas(frame))
    engine.execute("INSERT INTO orders (order_id, member_id, ordered_at, paid_amount, status) "
                   "SELECT order_id, member_id, ordered_at, paid_amount, 'completed' FROM src")


def test_writes_scores_for_every_buyer(engine: DuckDBEngine) -> None:
    _orders(engine)
    as_of = date(2025, 1, 1)
    run = score_clv(engine, as_of)
    scores = read_scores(engine, model="clv", as_of=as_of).to_pandas().set_index("member_id")
    assert run.rows_written == 3 * run.members == 3 * len(scores)
    assert set(scores.columns) == {"clv_12m", "p_alive", "expected_purchases"}
    p_alive = scores["p_alive"].astype(float)
    assert ((p_alive > 0) & (p_alive <= 1)).all()
    assert (scores["clv_12m"].astype(float) >= 0).all()
    assert set(run.purchase_params) == set(BGNBDModel.param_names)


def test_identical_rates_still_score(engine: DuckDBEngine) -> None:
    """Identical buying rates drive BG/NBD's r and α towards infinity (a Poisson limit);
    the scores must stay finite, with and without a penalizer."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(600)],
        "member_id": [f"m{i % 200}" for i in range(600)],
        "ordered_at": pd.Timestamp("2024-01-01")
        + pd.to_timedelta(rng.integers(0, 360, 600), unit="D"),
        "paid_amount": np.round(rng.gamma(3.0, 40.0, 600), 2)})
    engine.register("src", pa.Table.from_pandas(frame))
    engine.execute("INSERT INTO orders (order_id, member_id, ordered_at, paid_amount, status) "
                   "SELECT order_id, member_id, ordered_at, paid_amount, 'completed' FROM src")
    for penalizer in (0.0, 0.01):
        run = score_clv(engine, date(2025, 1, 1), penalizer=penalizer)
        scores = read_scores(engine, model="clv", as_of=date(2025, 1, 1)).to_pandas()
        assert run.members == 200
        assert np.isfinite(scores["clv_12m"].astype(float)).all()
        assert np.isfinite(scores["expected_purchases"].astype(float)).all()


def test_no_purchases_is_an_error(engine: DuckDBEngine) -> None:
    with pytest.raises(ClvModelError, match="no purchases"):
        score_clv(engine, date(2025, 1, 1))
