"""Score every buyer in the warehouse: fit on `analytics.clv_summary`, write `model_scores`.

A thin shell over the pure estimators: the summary is in days (same-day purchases
merged, as the models expect), BG/NBD and Gamma-Gamma are fitted on it, and per member
`clv_12m`, `p_alive` and `expected_purchases` (over the same horizon) go to the model
`clv` through `tags.model_scores.write_scores`, which the predictive tags read.

BG/NBD lets a member die only after a repeat purchase, so every one-time buyer has
P(alive) = 1 whatever their age; their expected purchases and CLV do fall with age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa

from ...analytics.clv_summary import clv_summary
from ...engine.base import Engine
from ...tags.model_scores import write_scores
from .bgnbd import BGNBDModel
from .estimation import ClvModelError
from .gammagamma import GammaGammaModel

MODEL = "clv"
DAYS_PER_MONTH = 30.0


@dataclass(frozen=True)
class ClvScoring:
    """What a scoring run fitted and wrote."""

    as_of: date
    members: int
    rows_written: int
    purchase_params: dict[str, float]
    spend_params: dict[str, float]
    version: str


def score_clv(engine: Engine, as_of: date, *, horizon_months: int = 12,
              discount_rate: float = 0.01, penalizer: float = 0.0,
              version: str | None = None) -> ClvScoring:
    """Fit on purchases before `as_of` and write each buyer's CLV scores for `as_of`.

    `penalizer` applies to BG/NBD, whose fit runs off to infinite parameters when all
    members buy at much the same rate. Members whose repeat purchases net to nothing
    (fully refunded) are left out of the spend fit and valued at a cent per repeat
    purchase, so they keep a low CLV instead of the population mean.
    """
    summary = cast(pd.DataFrame, clv_summary(engine, as_of))
    if len(summary) == 0:
        raise ClvModelError(f"截至 {as_of} 没有购买记录 no purchases before {as_of}: "
                            "nothing to score")
    x = summary["frequency"].to_numpy(dtype=np.float64)
    t_x = summary["recency"].to_numpy(dtype=np.float64)
    age = summary["T"].to_numpy(dtype=np.float64)
    money = summary["monetary_value"].to_numpy(dtype=np.float64)
    # a first purchase on the last day gives T = 0: observed for no time, one day at least
    age = np.maximum(age, 1.0)
    purchases = BGNBDModel(penalizer=penalizer).fit(x, t_x, age)
    usable = (x > 0) & (money > 0)
    spend = GammaGammaModel().fit(x[usable], money[usable])
    money = np.where(x > 0, np.maximum(money, 0.01), 0.0)
    horizon = horizon_months * DAYS_PER_MONTH
    table = pa.table({
        "member_id": summary["member_id"].astype(str).to_numpy(),
        f"clv_{horizon_months}m": np.round(spend.clv(purchases, x, t_x, age, money,
                                      horizon_months=horizon_months,
                                      discount_rate=discount_rate,
                                      periods_per_month=DAYS_PER_MONTH), 2),
        "p_alive": purchases.p_alive(x, t_x, age),
        "expected_purchases": purchases.expected_purchases(horizon, x, t_x, age),
    })
    for name in table.column_names[1:]:
        if not np.isfinite(table.column(name).to_numpy()).all():
            raise ClvModelError(
                f"{name} 含无效值 has values that are not finite: the fit is degenerate "
                f"(BG/NBD {purchases.params_}); score again with a penalizer, e.g. 0.01")
    version = version or f"bgnbd+gamma-gamma {as_of.isoformat()}"
    written = write_scores(engine, model=MODEL, version=version, as_of=as_of, table=table)
    return ClvScoring(as_of=as_of, members=table.num_rows, rows_written=written,
                      purchase_params=purchases.params_, spend_params=spend.params_,
                      version=version)
