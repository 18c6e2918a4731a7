"""A clustering run from the profile to the tags, and renaming a cluster afterwards.

``run_clustering`` reads the features from member_profile, prepares them, fits the
chosen method, numbers the clusters by size (1 = the largest), profiles and names
them, saves the run, and writes membership back as the tags ``cluster_id`` and
``cluster_name`` (model "cluster" in model_scores, dated the profile's as_of) — all in
one transaction, so a failed run leaves no half-written tags.

Examples
--------
>>> run = run_clustering(engine, load_catalog(), method="kmeans")  # doctest: +SKIP
>>> [p.name for p in run.profiles]  # doctest: +SKIP
['低价值·低频·久未购买', '高价值·高频·近期活跃', ...]
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...engine.base import Engine
from ...tags import Catalog
from ...tags.model_scores import read_scores, refresh_profile, write_scores
from . import store
from .errors import ClusterError
from .features import REVENUE_TAG, ProfileScaler, load_member_features
from .kmeans import AutoKMeans
from .profile import ClusterProfile, build_profiles
from .selection import K_RANGE, SAMPLE_SIZE
from .som import SelfOrganizingMap
from .store import ClusterRun
from .twostep import TwoStep

MODEL = "cluster"   # the model the cluster_id and cluster_name tags read
METHODS = ("kmeans", "twostep", "som")


def make_estimator(method: str, *, k: int | str = "auto", k_range: tuple[int, int] = K_RANGE,
                   sample_size: int = SAMPLE_SIZE, seed: int = 0) -> Any:
    """The estimator for `method`, configured the same way for all three."""
    common: dict[str, Any] = dict(n_clusters=k, k_range=k_range, sample_size=sample_size,
                                  random_state=seed)
    if method == "kmeans":
        return AutoKMeans(**common)
    if method == "twostep":
        return TwoStep(**common)
    if method == "som":
        return SelfOrganizingMap(**common)
    raise ClusterError(f"未知的聚类方法 unknown method '{method}'; choose "
                       f"{', '.join(METHODS)} (--method)")


def by_size(labels: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Labels renumbered 1, 2, … from the largest cluster down (ties: old label order)."""
    counts = np.bincount(labels)
    order = sorted(range(len(counts)), key=lambda c: (-counts[c], c))
    mapping = np.zeros(len(counts), dtype="int64")
    for new, old in enumerate(order):
        mapping[old] = new + 1
    return np.asarray(mapping[labels])


def run_clustering(engine: Engine, catalog: Catalog, *, method: str = "kmeans",
                   k: int | str = "auto", features: list[str] | None = None,
                   population: str = "buyers", sample_size: int = SAMPLE_SIZE,
                   seed: int = 0, k_range: tuple[int, int] = K_RANGE,
                   lang: str = "zh") -> ClusterRun:
    """Cluster the members of the current profile and write the cluster tags.

    Parameters
    ----------
    method
        ``kmeans``, ``twostep`` or ``som``.
    k
        ``"auto"`` (silhouette over `k_range`) or a fixed number of clusters.
    features
        Numeric tags to cluster on (default :data:`features.DEFAULT_FEATURES`).
    population
        ``buyers`` (default: members with a purchase) or ``all``.
    sample_size
        Members the search and training use; every member is then assigned.
    lang
        Language of the suggested names written as ``cluster_name``.
    """
    started = time.perf_counter()
    estimator = make_estimator(method, k=k, k_range=k_range, sample_size=sample_size,
                               seed=seed)
    members = load_member_features(engine, catalog, features=features,
                                   population=population)
    scaler = ProfileScaler().fit(members.values)
    prepared = scaler.transform(members.values)
    estimator.fit(prepared)
    labels = by_size(np.asarray(estimator.labels_))
    profiles = build_profiles(members, prepared, labels, tags=catalog.tags, lang=lang)
    chosen = next((s for s in estimator.search_ if s.k == estimator.n_clusters_), None)
    with engine.transaction():
        run = ClusterRun(
            run_id=store.next_run_id(engine), created_at=datetime.now().replace(microsecond=0),
            method=method, k=int(estimator.n_clusters_), auto_k=k == "auto",
            population=population, as_of=members.as_of, members=len(members),
            features=members.features,
            log_features=tuple(f for f, logged in zip(members.features, scaler.log_,
                                                      strict=True) if logged),
            params={**{key: _plain(v) for key, v in estimator.get_params().items()},
                    "revenue": REVENUE_TAG},
            search=tuple(estimator.search_),
            silhouette=chosen.silhouette if chosen else None, seconds=0.0,
            profiles=tuple(profiles))
        _write_membership(engine, catalog, run,
                          pd.DataFrame({"member_id": members.member_ids, "cluster": labels}))
        # the time a marketer waited, write-back included
        run = run.model_copy(update={"seconds": round(time.perf_counter() - started, 3)})
        store.save_run(engine, run)
    return run


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _write_membership(engine: Engine, catalog: Catalog, run: ClusterRun,
                      clustered: pd.DataFrame) -> None:
    """cluster_id and cluster_name for every profiled member (NULL if not clustered).

    Writing the members left out too means an older run's cluster never shows
    through for them (the newest score up to the tag date wins, NULL included).
    """
    everyone = engine.fetch_arrow("SELECT member_id FROM member_profile").to_pandas()
    merged = everyone.merge(clustered, on="member_id", how="left")
    names = {p.cluster_id: p.name for p in run.profiles}
    table = pa.table({
        "member_id": pa.array(merged["member_id"], pa.string()),
        "id": pa.array(merged["cluster"].astype("Int64"), pa.int64(), from_pandas=True),
        "name": pa.array(merged["cluster"].map(names), pa.string(), from_pandas=True),
    })
    write_scores(engine, model=MODEL, version=run.version, as_of=run.as_of, table=table,
                 atomic=False)
    refresh_profile(engine, catalog, MODEL, atomic=False)


def rename_cluster(engine: Engine, catalog: Catalog, run_id: int, cluster_id: int,
                   name: str, description: str | None = None) -> ClusterProfile:
    """Rename a cluster; its members' ``cluster_name`` tag follows when the run is the
    one the tags show (a run replaced by a later one for the same date keeps its new
    name in the store only)."""
    with engine.transaction():
        run = store.get_run(engine, run_id)
        renamed = store.rename(engine, run, cluster_id, name, description)
        written = read_scores(engine, model=MODEL, as_of=run.as_of, version=run.version)
        if written.num_rows and "name" in written.column_names:
            new = pc.if_else(pc.equal(written.column("id"), str(cluster_id)), renamed.name,
                             written.column("name"))
            table = written.set_column(written.column_names.index("name"), "name", new)
            write_scores(engine, model=MODEL, version=run.version, as_of=run.as_of,
                         table=table, atomic=False)
            refresh_profile(engine, catalog, MODEL, atomic=False)
    return renamed
