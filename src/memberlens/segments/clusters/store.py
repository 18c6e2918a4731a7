"""Cluster runs kept in the warehouse: how each was made, what it found, its names.

A run records its method, k (and whether the search chose it), the features and who
was clustered, the parameters, the k search (silhouette and within-cluster spread
per k) and one profile per cluster. Names and descriptions are editable; the
suggestions stay beside them. Tables are created on first use, like member_profile.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from ...engine.base import Engine
from .errors import ClusterError
from .profile import ClusterProfile
from .selection import KScore

RUNS = "cluster_runs"
PROFILES = "cluster_profiles"
DDL = (f"""
CREATE TABLE IF NOT EXISTS {RUNS} (
    run_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    method VARCHAR NOT NULL,          -- kmeans | twostep | som
    k INTEGER NOT NULL,
    auto_k BOOLEAN NOT NULL,          -- chosen by the silhouette search
    population VARCHAR NOT NULL,      -- buyers | all
    profile_as_of DATE NOT NULL,      -- the member_profile the features came from
    members BIGINT NOT NULL,
    features VARCHAR[] NOT NULL,
    log_features VARCHAR[] NOT NULL,  -- log1p-transformed before standardising
    params JSON NOT NULL,
    search JSON NOT NULL,             -- one object per k: k, silhouette, inertia
    silhouette DOUBLE,                -- of the chosen k
    seconds DOUBLE
)""", f"""
CREATE TABLE IF NOT EXISTS {PROFILES} (
    run_id INTEGER NOT NULL,
    cluster_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,            -- the cluster_name tag's value
    description VARCHAR,
    edited BOOLEAN NOT NULL,
    size BIGINT NOT NULL,
    share DOUBLE NOT NULL,
    revenue DOUBLE NOT NULL,
    revenue_share DOUBLE,
    profile JSON NOT NULL             -- the whole profile (features, lifts, suggestions)
)""")
MAX_NAME = 40


class ClusterRun(BaseModel):
    """One clustering run, as saved."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: int
    created_at: datetime
    method: str
    k: int
    auto_k: bool
    population: str
    as_of: date
    members: int
    features: tuple[str, ...]
    log_features: tuple[str, ...]
    params: dict[str, Any]
    search: tuple[KScore, ...]
    silhouette: float | None
    seconds: float
    profiles: tuple[ClusterProfile, ...]

    @property
    def version(self) -> str:
        """The model_version its tag values carry in model_scores."""
        return f"run-{self.run_id}"

    def profile(self, cluster_id: int) -> ClusterProfile:
        for p in self.profiles:
            if p.cluster_id == cluster_id:
                return p
        raise ClusterError(f"运行 {self.run_id} 没有聚类 run {self.run_id} has no cluster "
                           f"{cluster_id}; clusters are 1–{len(self.profiles)}")


def ensure_tables(engine: Engine) -> None:
    for ddl in DDL:
        engine.execute(ddl)


def next_run_id(engine: Engine) -> int:
    ensure_tables(engine)
    return int(engine.scalar(f"SELECT coalesce(max(run_id), 0) + 1 FROM {RUNS}"))


def save_run(engine: Engine, run: ClusterRun) -> None:
    """Insert the run and its profiles (the caller holds the transaction)."""
    ensure_tables(engine)
    engine.execute(
        f"INSERT INTO {RUNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run.run_id, run.created_at, run.method, run.k, run.auto_k, run.population,
         run.as_of, run.members, list(run.features), list(run.log_features),
         json.dumps(run.params), json.dumps([asdict(s) for s in run.search]),
         run.silhouette, run.seconds])
    for p in run.profiles:
        _insert_profile(engine, run.run_id, p)


def _insert_profile(engine: Engine, run_id: int, p: ClusterProfile) -> None:
    engine.execute(f"INSERT INTO {PROFILES} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [run_id, p.cluster_id, p.name, p.description, p.edited, p.size, p.share,
                    p.revenue, p.revenue_share, p.model_dump_json()])


def _runs(engine: Engine, where: str = "", params: list[Any] | None = None
          ) -> list[ClusterRun]:
    if not engine.table_exists(RUNS):
        return []
    rows = engine.fetchall(f"SELECT * FROM {RUNS} {where} ORDER BY run_id", params)
    profiles: dict[int, list[ClusterProfile]] = {}
    for run_id, profile in engine.fetchall(
            f"SELECT run_id, profile FROM {PROFILES} ORDER BY run_id, cluster_id"):
        profiles.setdefault(run_id, []).append(ClusterProfile.model_validate_json(profile))
    return [ClusterRun(
        run_id=r[0], created_at=r[1], method=r[2], k=r[3], auto_k=r[4], population=r[5],
        as_of=r[6], members=r[7], features=tuple(r[8]), log_features=tuple(r[9]),
        params=json.loads(r[10]), search=tuple(KScore(**s) for s in json.loads(r[11])),
        silhouette=r[12], seconds=r[13], profiles=tuple(profiles.get(r[0], [])))
        for r in rows]


def list_runs(engine: Engine) -> list[ClusterRun]:
    """Every saved run, oldest first."""
    return _runs(engine)


def get_run(engine: Engine, run_id: int | None = None) -> ClusterRun:
    """One run; the latest when `run_id` is None."""
    runs = _runs(engine, "WHERE run_id = ?", [run_id]) if run_id is not None else _runs(engine)
    if not runs:
        raise ClusterError("还没有聚类结果 there is no cluster run yet; run `memberlens "
                           "clusters run` first" if run_id is None else
                           f"找不到聚类运行 no cluster run {run_id}; see `memberlens "
                           "clusters list`")
    return runs[-1]


def rename(engine: Engine, run: ClusterRun, cluster_id: int, name: str,
           description: str | None = None) -> ClusterProfile:
    """Give a cluster the marketer's name (and description); returns the new profile."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ClusterError(f"名称应为 1–{MAX_NAME} 个字符 a cluster name must have 1–"
                           f"{MAX_NAME} characters, got {name!r}")
    old = run.profile(cluster_id)
    taken = {p.name for p in run.profiles if p.cluster_id != cluster_id}
    if name in taken:
        raise ClusterError(f"名称已被使用 another cluster of run {run.run_id} is already "
                           f"called '{name}'; the cluster_name tag needs distinct names")
    new = old.model_copy(update={"name": name, "edited": True, "description":
                                 old.description if description is None else description})
    engine.execute(f"DELETE FROM {PROFILES} WHERE run_id = ? AND cluster_id = ?",
                   [run.run_id, cluster_id])
    _insert_profile(engine, run.run_id, new)
    return new
