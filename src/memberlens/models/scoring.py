"""Write a registered model's predictions as predictive tags (docs/decisions/0011).

Scores describe the profile's date: features are compiled as of the newest
`member_profile` snapshot (or the day after the newest data), written to `model_scores`
under that date, and `refresh_profile` puts them into the profile at once.

- churn → model ``churn``: ``probability``, ``risk`` (tier), ``drivers`` (LightGBM and
  logistic models only). Only members active in the label's `active_days` are scored,
  as in training; lapsed members are already churned by the activity tags.
- purchase → model ``purchase_30d`` (or ``purchase_30d:<category>``): ``probability``.
- engagement → model ``engagement_30d``: ``probability`` and ``contact_frequency``
  (weekly | biweekly | monthly, `models.engagement`).
- CLV → model ``clv`` (`models.clv.scoring.score_clv`: clv_12m, p_alive,
  expected_purchases) and model ``next_purchase``: ``days``, the median wait to the
  next purchase while the member keeps buying (`next_purchase.active_wait_days`, from
  the same BG/NBD fit; whether they keep buying is p_alive). Left empty above
  `MAX_NEXT_DAYS`.
- price sensitivity → model ``price_sensitivity``: ``score`` (`price_sensitivity`).
- wallet → model ``wallet``: ``estimate`` (`wallet`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa

from ..engine.base import Engine
from ..tags.catalog import Catalog, load_catalog
from ..tags.model_scores import read_scores, refresh_profile, write_scores
from .churn import risk_tier
from .classifiers import top_drivers
from .engagement import contact_frequency
from .features import tag_frame
from .labels import data_end, population
from .registry import RegisteredModel

MAX_NEXT_DAYS = 730.0


@dataclass
class ScoreResult:
    """What a scoring run wrote: per member scores and the profile refresh."""

    model: str
    model_id: str
    as_of: date
    scores: pd.DataFrame          # index member_id: probability, risk?, drivers?
    profile_tags: tuple[str, ...]


def scoring_date(engine: Engine) -> date:
    """The profile's date when there is a profile, else the day after the newest data."""
    if engine.table_exists("member_profile"):
        found = engine.scalar("SELECT max(as_of) FROM member_profile")
        if found is not None:
            return cast(date, found)
    return data_end(engine)


def predict(engine: Engine, model: RegisteredModel, as_of: date,
            catalog: Catalog | None = None) -> pd.DataFrame:
    """Per member of the model's population as of `as_of`: probability (+ tier, drivers)."""
    spec = model.spec
    frame = population(engine, spec, as_of, tag_frame(engine, as_of, catalog))
    matrix = model.encoder.transform(frame, as_of)
    p = model.classifier.predict_proba(matrix)[:, 1]
    out = pd.DataFrame({"probability": np.round(p, 6)}, index=frame.index)
    if spec.target == "churn":
        out["risk"] = risk_tier(p, model.tier_thresholds)
    if spec.target == "engagement":
        out["contact_frequency"] = contact_frequency(p, model.tier_thresholds)
    drivers = top_drivers(model.classifier.contributions(matrix))
    if len(drivers):
        out["drivers"] = drivers
    return out


def score(engine: Engine, model: RegisteredModel, *, as_of: date | None = None,
          catalog: Catalog | None = None) -> ScoreResult:
    """Predict as of the profile date, write `model_scores`, refresh the profile."""
    catalog = catalog or load_catalog()
    as_of = as_of or scoring_date(engine)
    scores = predict(engine, model, as_of, catalog)
    name = model.spec.model_name
    table = pa.Table.from_pandas(scores.reset_index(), preserve_index=False)  # None → NULL
    write_scores(engine, model=name, version=model.model_id, as_of=as_of, table=table)
    refreshed = refresh_profile(engine, catalog, name)
    return ScoreResult(model=name, model_id=model.model_id, as_of=as_of, scores=scores,
                       profile_tags=refreshed.tags)


def score_lifetime_value(engine: Engine, *, as_of: date | None = None,
                         catalog: Catalog | None = None, penalizer: float = 0.0
                         ) -> ScoreResult:
    """BG/NBD + Gamma-Gamma scores (clv_12m, p_alive) and days to the next purchase."""
    from .clv.scoring import score_clv

    catalog = catalog or load_catalog()
    as_of = as_of or scoring_date(engine)
    from ..analytics.clv_summary import clv_summary
    from .next_purchase import active_wait_days

    run = score_clv(engine, as_of, penalizer=penalizer)
    clv = read_scores(engine, model="clv", as_of=as_of).to_pandas().set_index("member_id")
    summary = cast(pd.DataFrame, clv_summary(engine, as_of))
    wait = active_wait_days(run.purchase_params["r"], run.purchase_params["alpha"],
                            summary["frequency"].to_numpy(np.float64),
                            summary["recency"].to_numpy(np.float64))
    days = pd.Series(np.round(wait, 1), index=summary["member_id"].astype(str)
                     ).reindex(clv.index)
    days = days.where(days <= MAX_NEXT_DAYS)
    write_scores(engine, model="next_purchase", version=run.version, as_of=as_of,
                 table=pa.table({"member_id": days.index.astype(str).to_numpy(),
                                 "days": pa.array(days.to_numpy(), from_pandas=True)}))
    tags = refresh_profile(engine, catalog, "clv").tags
    tags += refresh_profile(engine, catalog, "next_purchase").tags
    out = clv.astype(float).assign(next_purchase_days=days)
    return ScoreResult(model="clv", model_id=run.version, as_of=as_of, scores=out,
                       profile_tags=tags)


def score_price_sensitivity(engine: Engine, *, as_of: date | None = None,
                            catalog: Catalog | None = None) -> ScoreResult:
    """Empirical-Bayes discount share of every recent buyer → price_sensitivity_score."""
    from .price_sensitivity import MODEL, price_sensitivity_scores

    catalog = catalog or load_catalog()
    as_of = as_of or scoring_date(engine)
    table, version = price_sensitivity_scores(engine, as_of)
    write_scores(engine, model=MODEL, version=version, as_of=as_of, table=table)
    tags = refresh_profile(engine, catalog, MODEL).tags
    return ScoreResult(model=MODEL, model_id=version, as_of=as_of,
                       scores=table.to_pandas().set_index("member_id"), profile_tags=tags)


def score_wallet(engine: Engine, *, as_of: date | None = None,
                 catalog: Catalog | None = None) -> ScoreResult:
    """0.9-quantile next-year spend of every member → wallet_estimate."""
    from .wallet import MODEL, wallet_scores

    catalog = catalog or load_catalog()
    as_of = as_of or scoring_date(engine)
    table, version = wallet_scores(engine, as_of, catalog)
    write_scores(engine, model=MODEL, version=version, as_of=as_of, table=table)
    tags = refresh_profile(engine, catalog, MODEL).tags
    return ScoreResult(model=MODEL, model_id=version, as_of=as_of,
                       scores=table.to_pandas().set_index("member_id"), profile_tags=tags)
