"""RFM, Pareto and sales overviews; more analyses (cohorts, funnels) come with the tags."""

from __future__ import annotations

from .rfm import RFM_BY_CODE, RFM_CLASSES, RfmClass, compute_rfm, default_as_of, rfm_sql

__all__ = [
    "RFM_BY_CODE",
    "RFM_CLASSES",
    "RfmClass",
    "compute_rfm",
    "default_as_of",
    "rfm_sql",
]
