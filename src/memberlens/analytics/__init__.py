"""RFM, Pareto, activity and RFM migration, cohorts, funnels and consumption trends."""

from __future__ import annotations

from .activity import Distribution, activity_distribution, activity_migration, tag_distribution
from .cohorts import CohortRetention, cohort_retention
from .funnel import Funnel, channel_funnel
from .migration import Migration, rfm_migration, tag_migration
from .rfm import RFM_BY_CODE, RFM_CLASSES, RfmClass, compute_rfm, rfm_sql
from .trend import consumption_trend

__all__ = [
    "RFM_BY_CODE",
    "RFM_CLASSES",
    "CohortRetention",
    "Distribution",
    "Funnel",
    "Migration",
    "RfmClass",
    "activity_distribution",
    "activity_migration",
    "channel_funnel",
    "cohort_retention",
    "compute_rfm",
    "consumption_trend",
    "rfm_migration",
    "rfm_sql",
    "tag_distribution",
    "tag_migration",
]
