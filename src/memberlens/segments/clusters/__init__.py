"""Clustering members on behaviour and value: K-Means, two-step and self-organising maps.

Runs are profiled, named, saved in the warehouse and written back as the tags
``cluster_id`` and ``cluster_name``. See :func:`run_clustering`.
"""

from __future__ import annotations

from .errors import ClusterError
from .features import (
    DEFAULT_DESCRIBE,
    DEFAULT_FEATURES,
    MemberFeatures,
    ProfileScaler,
    load_member_features,
)
from .kmeans import AutoKMeans
from .profile import ClusterFacts, ClusterProfile, FeatureContrast, TagLift, build_profiles
from .runner import METHODS, MODEL, make_estimator, rename_cluster, run_clustering
from .selection import K_RANGE, KScore
from .som import SelfOrganizingMap
from .store import ClusterRun, get_run, list_runs
from .twostep import TwoStep

__all__ = [
    "DEFAULT_DESCRIBE",
    "DEFAULT_FEATURES",
    "K_RANGE",
    "METHODS",
    "MODEL",
    "AutoKMeans",
    "ClusterError",
    "ClusterFacts",
    "ClusterProfile",
    "ClusterRun",
    "FeatureContrast",
    "KScore",
    "MemberFeatures",
    "ProfileScaler",
    "SelfOrganizingMap",
    "TagLift",
    "TwoStep",
    "build_profiles",
    "get_run",
    "list_runs",
    "load_member_features",
    "make_estimator",
    "rename_cluster",
    "run_clustering",
]
