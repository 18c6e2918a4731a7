"""Composite index model (综合指数模型) for business customers: stores, dealers.

Indicator system → standardise → weight (hand, entropy, AHP, combined) → score and
rank → classes by ordered rules. Definitions are YAML (`examples/retail_stores.yaml`).
"""

from __future__ import annotations

from pathlib import Path

from .config import CompositeConfig, CompositeConfigError, load_config, parse_config
from .data import CompositeDataError
from .model import CompositeResult, compute_weights, score_composite
from .weights import (
    CR_LIMIT,
    RANDOM_INDEX,
    AhpResult,
    InconsistentJudgmentError,
    WeightReport,
    ahp,
    entropy_weights,
)

EXAMPLES = Path(__file__).parent / "examples"

__all__ = [
    "CR_LIMIT",
    "EXAMPLES",
    "RANDOM_INDEX",
    "AhpResult",
    "CompositeConfig",
    "CompositeConfigError",
    "CompositeDataError",
    "CompositeResult",
    "InconsistentJudgmentError",
    "WeightReport",
    "ahp",
    "compute_weights",
    "entropy_weights",
    "load_config",
    "parse_config",
    "score_composite",
]
