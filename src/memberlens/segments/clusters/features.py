"""The numbers members are clustered on: behaviour and value tags from member_profile.

Tags come on very different scales (yuan, days, shares) and money and counts are
skewed: a few members spend a hundred times the median. Left like that, a handful of
big spenders would decide the clusters. So skewed non-negative features are
log1p-transformed, gaps are filled with the median, and every feature is standardised
(mean 0, SD 1); a distance then weighs each feature alike.

Who is clustered: **buyers** by default (members with at least one purchase before
the profile date). Members who never bought have no behaviour to tell apart and would
only form one large cluster of their own; ``population="all"`` takes everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import skew
from sklearn.base import BaseEstimator, TransformerMixin

from ...engine.base import Engine
from ...errors import MemberlensError
from ...tags import Catalog, ValueType
from ...tags.tables import PROFILE
from .errors import ClusterError

# recency, frequency, value, basket, rhythm, price, category, online engagement, tenure
DEFAULT_FEATURES: tuple[str, ...] = (
    "days_since_last_purchase", "order_count_total", "spend_total", "spend_365d",
    "avg_order_value", "purchase_interval_mean", "price_sensitivity", "coupon_use_rate",
    "top_category_share", "event_count_30d", "tenure_days",
)
# categorical tags whose over-represented values describe a cluster
DEFAULT_DESCRIBE: tuple[str, ...] = (
    "rfm_class", "activity_status", "lifecycle_stage", "value_quadrant", "top_category",
    "preferred_channel", "city_tier", "age_band", "member_tier",
)
POPULATIONS = ("buyers", "all")
NUMERIC = (ValueType.INT, ValueType.FLOAT, ValueType.MONEY, ValueType.BOOL)
REVENUE_TAG = "spend_total"


@dataclass(frozen=True)
class MemberFeatures:
    """The clustered members: raw feature values, revenue and descriptive tags."""

    as_of: date
    population: str
    features: tuple[str, ...]
    member_ids: np.ndarray[Any, np.dtype[Any]]
    values: pd.DataFrame        # one float column per feature, NaN where missing
    revenue: np.ndarray[Any, np.dtype[np.float64]]
    categories: pd.DataFrame    # descriptive tags (categorical), missing where missing

    def __len__(self) -> int:
        return len(self.member_ids)


def check_features(catalog: Catalog, features: Sequence[str]) -> tuple[str, ...]:
    """The feature keys, each a numeric tag of the catalog (unknown names get a hint)."""
    if len(features) < 2:
        raise ClusterError("至少需要两个特征 clustering needs at least two features "
                           f"(--features), got {', '.join(features) or 'none'}")
    out = []
    for key in features:
        try:
            tag = catalog.get(key)
        except MemberlensError as e:
            raise ClusterError(f"{e} (--features)") from None
        if tag.type not in NUMERIC:
            raise ClusterError(f"特征必须是数值标签 feature '{key}' is a {tag.type.value} tag; "
                               "clustering needs numbers (int, float, money or bool) "
                               "(--features)")
        if key not in out:
            out.append(key)
    return tuple(out)


def _profile_columns(engine: Engine) -> set[str]:
    return {r[0] for r in engine.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
        [PROFILE])}


def load_member_features(engine: Engine, catalog: Catalog, *,
                         features: Sequence[str] | None = None,
                         describe: Sequence[str] | None = None,
                         population: str = "buyers",
                         revenue: str = REVENUE_TAG) -> MemberFeatures:
    """Read the features of the members to cluster from `member_profile`."""
    if population not in POPULATIONS:
        raise ClusterError(f"未知的人群 unknown population '{population}'; choose "
                           f"{' or '.join(POPULATIONS)}")
    keys = check_features(catalog, features or DEFAULT_FEATURES)
    if not engine.table_exists(PROFILE):
        raise ClusterError("还没有会员画像 there is no member_profile yet; run "
                           "`memberlens tags run` first")
    have = _profile_columns(engine)
    missing = [k for k in (*keys, revenue) if k not in have]
    if missing:
        raise ClusterError(f"会员画像中没有这些标签 member_profile has no column "
                           f"{', '.join(missing)}; run `memberlens tags run` again")
    wanted = describe if describe is not None else DEFAULT_DESCRIBE
    described = [k for k in wanted if k in have and k in catalog.tags and k not in keys
                 and catalog.tags[k].type in (ValueType.STRING, ValueType.BOOL)]
    select = ", ".join([f'CAST("{k}" AS DOUBLE) AS "{k}"' for k in keys]
                       + [f'CAST("{k}" AS VARCHAR) AS "{k}"' for k in described])
    where = "WHERE order_count_total > 0" if population == "buyers" else ""
    table = engine.fetch_arrow(f"""
        SELECT member_id, coalesce(CAST("{revenue}" AS DOUBLE), 0) AS _revenue,
               {select}
        FROM {PROFILE} {where} ORDER BY member_id""")
    if table.num_rows == 0:
        raise ClusterError(f"没有可聚类的会员 no members to cluster (population={population}); "
                           "load orders and run `memberlens tags run`")
    as_of = engine.scalar(f"SELECT max(as_of) FROM {PROFILE}")
    # descriptive tags as categoricals: a million repeated strings cost 10× the memory
    categories = pd.DataFrame({k: table.column(k).dictionary_encode().to_pandas()
                               for k in described})
    return MemberFeatures(
        as_of=as_of, population=population, features=keys,
        member_ids=table.column("member_id").to_numpy(zero_copy_only=False),
        values=table.select(list(keys)).to_pandas().astype("float64"),
        revenue=table.column("_revenue").to_numpy(),
        categories=categories)


class ProfileScaler(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """log1p for skewed non-negative columns, median imputation, standardisation.

    Parameters
    ----------
    skew_threshold
        A column whose values are all ≥ 0 and whose sample skewness is above this is
        log1p-transformed (money and counts usually are).

    Examples
    --------
    >>> import numpy as np
    >>> scaler = ProfileScaler().fit(np.array([[1.0, 0.2], [2.0, np.nan], [400.0, 0.4]]))
    >>> scaler.transform(np.array([[1.0, np.nan]])).shape
    (1, 2)
    """

    def __init__(self, skew_threshold: float = 1.0) -> None:
        self.skew_threshold = skew_threshold

    def fit(self, X: Any, y: Any = None) -> ProfileScaler:
        values = np.asarray(X, dtype="float64")
        logged = []
        for col in values.T:
            seen = col[~np.isnan(col)]
            spread = len(seen) > 2 and float(np.ptp(seen)) > 0
            logged.append(bool(spread and seen.min() >= 0
                               and float(skew(seen)) > self.skew_threshold))
        self.log_ = np.array(logged, dtype=bool)
        shaped = self._log(values)
        medians = np.array([np.median(c[~np.isnan(c)]) if (~np.isnan(c)).any() else 0.0
                            for c in shaped.T])
        self.medians_ = medians
        filled = np.where(np.isnan(shaped), medians, shaped)
        self.means_ = filled.mean(axis=0)
        scales = filled.std(axis=0)
        self.scales_ = np.where(scales > 0, scales, 1.0)  # a constant column stays 0
        self.n_features_in_ = values.shape[1]
        return self

    def _log(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        out = values.copy()
        out[:, self.log_] = np.log1p(np.clip(out[:, self.log_], 0, None))
        return out

    def transform(self, X: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
        values = np.asarray(X, dtype="float64")
        if values.ndim != 2 or values.shape[1] != self.n_features_in_:
            raise ClusterError(f"需要 {self.n_features_in_} 个特征列 expected "
                               f"{self.n_features_in_} feature columns, got {values.shape}")
        shaped = self._log(values)
        filled = np.where(np.isnan(shaped), self.medians_, shaped)
        return np.asarray((filled - self.means_) / self.scales_, dtype="float64")
