"""The SQL the tag compiler sends to DuckDB and Spark, kept as reviewed snapshots."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest

from memberlens.tags import CompileInputs, compile_catalog, load_catalog
from memberlens.tags.catalog import Catalog, _dependency_order

KEY_TAGS = ("spend_90d", "order_count_total", "spend_total", "last_purchase_at",
            "days_since_last_purchase", "r_score", "f_score", "m_score", "rfm_class",
            "top_categories", "preferred_hour_band", "price_sensitivity")


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_key_tags_compile_snapshot(dialect: str,
                                   snapshot: Callable[[str, str, str], None]) -> None:
    full = load_catalog()
    tags = {k: full.tags[k] for k in KEY_TAGS}
    catalog = Catalog(tags=tags, order=_dependency_order(tags))
    query = compile_catalog(catalog, date(2024, 7, 1), CompileInputs({}, frozenset()))
    snapshot("tags_key", dialect, query.sql(dialect, pretty=True))


MODEL_TAGS = ("churn_probability", "churn_risk", "clv_12m")


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_model_tags_compile_snapshot(dialect: str,
                                     snapshot: Callable[[str, str, str], None]) -> None:
    """Scores present for churn only: one pre-aggregated CTE, clv_12m a typed NULL."""
    full = load_catalog()
    tags = {k: full.tags[k] for k in MODEL_TAGS}
    catalog = Catalog(tags=tags, order=_dependency_order(tags))
    present = frozenset({("churn", "probability"), ("churn", "risk")})
    query = compile_catalog(catalog, date(2024, 7, 1), CompileInputs({}, present))
    text = query.sql(dialect, pretty=True)
    snapshot("tags_model", dialect, text)
    # read once, not once per member or tag (no correlated subquery)
    assert len(re.findall(r"\bmodel_scores\b", text)) == 1
