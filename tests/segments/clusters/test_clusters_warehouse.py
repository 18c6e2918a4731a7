"""Clustering a generated warehouse: runs, profiles, the cluster tags and renaming."""

from __future__ import annotations

from datetime import timedelta

import pytest

from memberlens.analytics.report_data import collect_report_data
from memberlens.engine import DuckDBEngine
from memberlens.reports import report_html
from memberlens.segments.audience import compile_for, count
from memberlens.segments.clusters import (
    ClusterError,
    get_run,
    list_runs,
    load_member_features,
    rename_cluster,
    run_clustering,
)
from memberlens.segments.index import current_index
from memberlens.tags import load_catalog, run_tags

CATALOG = load_catalog()


def _tags(wh: DuckDBEngine) -> dict[str, tuple[int | None, str | None]]:
    return {m: (i, n) for m, i, n in wh.fetchall(
        "SELECT member_id, cluster_id, cluster_name FROM member_profile")}


def test_buyers_are_clustered_by_default(wh: DuckDBEngine) -> None:
    buyers = wh.scalar("SELECT count(*) FROM member_profile WHERE order_count_total > 0")
    everyone = wh.scalar("SELECT count(*) FROM member_profile")
    assert 0 < buyers < everyone
    assert len(load_member_features(wh, CATALOG)) == buyers
    assert len(load_member_features(wh, CATALOG, population="all")) == everyone
    with pytest.raises(ClusterError, match="unknown population 'vip'"):
        load_member_features(wh, CATALOG, population="vip")


def test_kmeans_run_profiles_and_tags(wh: DuckDBEngine) -> None:
    run = run_clustering(wh, CATALOG, method="kmeans", sample_size=400)
    buyers = dict(wh.fetchall("SELECT member_id, spend_total FROM member_profile "
                              "WHERE order_count_total > 0"))
    # every clustered member is in exactly one profile, and only buyers are clustered
    assert run.members == len(buyers) == sum(p.size for p in run.profiles)
    assert [p.cluster_id for p in run.profiles] == list(range(1, run.k + 1))
    assert [p.size for p in run.profiles] == sorted((p.size for p in run.profiles),
                                                    reverse=True)
    assert sum(p.share for p in run.profiles) == pytest.approx(1.0)
    assert sum(p.revenue_share or 0 for p in run.profiles) == pytest.approx(1.0)
    assert len({p.name for p in run.profiles}) == run.k
    # the tags: buyers carry their cluster, the others none
    tags = _tags(wh)
    names = {p.cluster_id: p.name for p in run.profiles}
    assert {m for m, (i, _) in tags.items() if i is not None} == set(buyers)
    assert all(names[i] == n for i, n in tags.values() if i is not None)
    assert all(n is None for i, n in tags.values() if i is None)
    # profile sizes and revenue agree with the tags, counted independently in SQL
    counted = {i: (n, float(rev)) for i, n, rev in wh.fetchall(
        "SELECT cluster_id, count(*), sum(spend_total) FROM member_profile "
        "WHERE cluster_id IS NOT NULL GROUP BY 1")}
    total = sum(rev for _, rev in counted.values())
    for p in run.profiles:
        assert counted[p.cluster_id][0] == p.size
        assert counted[p.cluster_id][1] / total == pytest.approx(p.revenue_share)
    # the dated snapshot holds the same, and so does a full tag run afterwards
    as_of = wh.scalar("SELECT max(as_of) FROM member_profile")
    assert dict(wh.fetchall("SELECT member_id, cluster_id FROM tag_history "
                            "WHERE as_of = ?", [as_of])) == {m: i for m, (i, _) in tags.items()}
    run_tags(wh, as_of=as_of)
    assert _tags(wh) == tags


def test_rename_changes_the_tag(wh: DuckDBEngine) -> None:
    first = run_clustering(wh, CATALOG, k=3, sample_size=400)
    second = run_clustering(wh, CATALOG, method="som", k=4, sample_size=400)
    members_of_2 = {m for m, (i, _) in _tags(wh).items() if i == 2}
    renamed = rename_cluster(wh, CATALOG, second.run_id, 2, "值得唤醒",
                             description="久未购买但曾经高消费")
    assert (renamed.name, renamed.edited) == ("值得唤醒", True)
    assert renamed.display_name("en") == "值得唤醒"
    after = _tags(wh)
    assert {m for m, (_, n) in after.items() if n == "值得唤醒"} == members_of_2
    assert get_run(wh, second.run_id).profile(2).description == "久未购买但曾经高消费"
    # the first run no longer shows in the tags: renaming it changes the store only
    rename_cluster(wh, CATALOG, first.run_id, 1, "旧名称")
    assert _tags(wh) == after
    assert get_run(wh, first.run_id).profile(1).name == "旧名称"
    assert [r.run_id for r in list_runs(wh)] == [first.run_id, second.run_id]
    with pytest.raises(ClusterError, match="already called '值得唤醒'"):
        rename_cluster(wh, CATALOG, second.run_id, 1, "值得唤醒")
    with pytest.raises(ClusterError, match="has no cluster 9"):
        rename_cluster(wh, CATALOG, second.run_id, 9, "新")
    with pytest.raises(ClusterError, match="no cluster run 99"):
        rename_cluster(wh, CATALOG, 99, 1, "新")


def test_a_later_run_replaces_the_earlier_ones_tags(wh: DuckDBEngine) -> None:
    """Members left out of a newer run lose an older run's cluster (no stale tags)."""
    today = wh.scalar("SELECT max(as_of) FROM member_profile")
    month_ago = today - timedelta(days=30)
    wh.execute("DROP TABLE member_profile")
    run_tags(wh, as_of=month_ago)                    # the profile of a month ago …
    run_clustering(wh, CATALOG, population="all", k=3, sample_size=400)
    run_tags(wh, as_of=today)                        # … today's, still showing that run
    # only the members who joined since then have no cluster
    unclustered = {r[0] for r in wh.fetchall(
        "SELECT member_id FROM member_profile WHERE cluster_id IS NULL")}
    joined = {r[0] for r in wh.fetchall(
        "SELECT member_id FROM member_profile EXCEPT SELECT member_id FROM tag_history "
        "WHERE as_of = ?", [month_ago])}
    assert unclustered == joined
    run_clustering(wh, CATALOG, population="buyers", k=4, sample_size=400)
    left_out = wh.fetchall("SELECT DISTINCT cluster_id, cluster_name FROM member_profile "
                           "WHERE order_count_total = 0")
    assert left_out == [(None, None)]
    assert wh.scalar("SELECT count(DISTINCT cluster_id) FROM member_profile") == 4


def test_audience_counts_see_the_cluster_tags(wh: DuckDBEngine) -> None:
    """The audience bitmap index follows the write-back and renames (no stale counts)."""
    assert current_index(wh) is not None             # built by the tag run
    run = run_clustering(wh, CATALOG, k=3, sample_size=400)

    def counted(expression: str) -> int:
        audience = compile_for(wh, expression, CATALOG)
        by_index = count(wh, audience)
        assert by_index == count(wh, audience, use_index=False)
        return by_index

    assert current_index(wh) is not None
    for p in run.profiles:
        assert counted(f'cluster_name = "{p.name}"') == p.size
        assert counted(f"cluster_id = {p.cluster_id}") == p.size
    rename_cluster(wh, CATALOG, run.run_id, 2, "换个名字")
    assert counted('cluster_name = "换个名字"') == run.profile(2).size


@pytest.mark.parametrize("method", ["twostep", "som"])
def test_other_methods_write_the_same_tags(wh: DuckDBEngine, method: str) -> None:
    run = run_clustering(wh, CATALOG, method=method, sample_size=400,
                         features=["spend_total", "order_count_total",
                                   "days_since_last_purchase"])
    assert run.method == method and run.features == ("spend_total", "order_count_total",
                                                     "days_since_last_purchase")
    assert set(run.log_features) <= set(run.features)
    sizes = dict(wh.fetchall("SELECT cluster_id, count(*) FROM member_profile "
                             "WHERE cluster_id IS NOT NULL GROUP BY 1"))
    assert sizes == {p.cluster_id: p.size for p in run.profiles}


def test_the_report_shows_the_latest_run(wh: DuckDBEngine) -> None:
    before = collect_report_data(wh)
    assert before.clusters is None and 'id="clusters"' not in report_html(before)
    run = run_clustering(wh, CATALOG, sample_size=400)
    data = collect_report_data(wh)
    assert data.clusters is not None and data.clusters.run_id == run.run_id
    html = report_html(data)
    assert 'id="clusters"' in html and 'data-chart="cluster_profile"' in html
    for p in run.profiles:
        assert p.name in html


def test_no_profile_no_clustering(engine: DuckDBEngine) -> None:
    with pytest.raises(ClusterError, match="run `memberlens tags run` first"):
        run_clustering(engine, CATALOG)
