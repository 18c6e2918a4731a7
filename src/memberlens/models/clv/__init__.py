"""Lifetime value models: BG/NBD and Pareto/NBD for purchases, Gamma-Gamma for spend.

Pure estimators (arrays in, arrays out), fitted by maximum likelihood with SciPy; see
docs/decisions/0012-clv-likelihoods-with-scipy.md.
"""

from __future__ import annotations

from .bgnbd import BGNBDModel
from .estimation import ClvModelError
from .gammagamma import GammaGammaModel
from .holdout import calibration_and_holdout, holdout_table, period_totals
from .lifetime_value import PurchaseForecaster, lifetime_value
from .paretonbd import ParetoNBDModel

__all__ = [
    "BGNBDModel",
    "ClvModelError",
    "GammaGammaModel",
    "ParetoNBDModel",
    "PurchaseForecaster",
    "calibration_and_holdout",
    "holdout_table",
    "lifetime_value",
    "period_totals",
]
