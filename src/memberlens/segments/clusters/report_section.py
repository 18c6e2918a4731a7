"""The report's clustering section, filled from the latest saved cluster run."""

from __future__ import annotations

from ...analytics.snapshots import state_label
from ...engine.base import Engine
from ...reports import (
    ClusterFeature,
    ClusterRow,
    ClusterSearchRow,
    ClusterSection,
    ClusterTag,
)
from ...tags import Catalog, load_catalog
from .store import ClusterRun, list_runs


def _names(catalog: Catalog, key: str) -> tuple[str, str]:
    tag = catalog.tags.get(key)
    return (tag.name.zh, tag.name.en) if tag else (key, key)


def section_of(run: ClusterRun, catalog: Catalog) -> ClusterSection:
    """A saved run in the report's terms (display names in both languages)."""
    features = [ClusterFeature(key=k, label_zh=_names(catalog, k)[0],
                               label_en=_names(catalog, k)[1]) for k in run.features]
    clusters = []
    for p in run.profiles:
        z = {f.key: f.z for f in p.features}
        tags = [ClusterTag(label_zh=_names(catalog, t.key)[0], label_en=_names(catalog, t.key)[1],
                           value_zh=t.value, value_en=state_label(t.key, t.value, "en"),
                           share=t.share, lift=t.lift) for t in p.lifts]
        clusters.append(ClusterRow(
            cluster_id=p.cluster_id, name_zh=p.display_name("zh"), name_en=p.display_name("en"),
            description_zh=p.display_description("zh"),
            description_en=p.display_description("en"), members=p.size,
            member_share=p.share, revenue=p.revenue, revenue_share=p.revenue_share,
            z=[z[k] for k in run.features], tags=tags))
    return ClusterSection(
        run_id=run.run_id, method=run.method, as_of=run.as_of.isoformat(),
        population=run.population, members=run.members, k=run.k, auto_k=run.auto_k,
        silhouette=run.silhouette, features=features,
        search=[ClusterSearchRow(k=s.k, silhouette=s.silhouette, inertia=s.inertia)
                for s in run.search],
        clusters=clusters)


def cluster_section(engine: Engine, catalog: Catalog | None = None) -> ClusterSection | None:
    """The latest run as a report section; None when nothing was clustered yet."""
    runs = list_runs(engine)
    if not runs:
        return None
    return section_of(runs[-1], catalog or load_catalog())
