"""The three methods on data whose clusters are known (scikit-learn's make_blobs)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from memberlens.segments.clusters import (
    AutoKMeans,
    ClusterError,
    SelfOrganizingMap,
    TwoStep,
    make_estimator,
)
from memberlens.segments.clusters.selection import best_k, within_ss

METHODS = [AutoKMeans, TwoStep, SelfOrganizingMap]
Blobs = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]


def blobs(k: int, seed: int, n: int = 1_500, features: int = 6) -> Blobs:
    """k well-separated groups of different sizes in `features` dimensions."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(n // (2 * k), 2 * n // k, size=k)
    X, y = make_blobs(n_samples=sizes.tolist(), n_features=features, cluster_std=1.0,
                      center_box=(-12, 12), random_state=seed)
    return np.asarray(X), np.asarray(y)


@pytest.mark.parametrize(("k", "seed"), [(3, 1), (4, 2), (5, 3), (6, 4), (7, 5)])
def test_auto_k_recovers_the_true_k(k: int, seed: int) -> None:
    X, y = blobs(k, seed)
    model = AutoKMeans(random_state=0).fit(X)
    assert model.n_clusters_ == k
    assert adjusted_rand_score(y, model.labels_) > 0.98
    # the search covers the whole range and the chosen k has the best silhouette
    assert [s.k for s in model.search_] == list(range(3, 9))
    best = max(s.silhouette for s in model.search_ if s.silhouette is not None)
    assert next(s for s in model.search_ if s.k == k).silhouette == best
    # the elbow: the within-cluster spread falls as k grows, steeply until the true k
    inertia = {s.k: s.inertia for s in model.search_}
    assert inertia[8] < inertia[3]
    if k > 3:
        assert inertia[k - 1] - inertia[k] > 5 * (inertia[k] - inertia[k + 1])


@pytest.mark.parametrize("method", [TwoStep, SelfOrganizingMap])
@pytest.mark.parametrize(("k", "seed"), [(3, 11), (5, 12), (6, 13)])
def test_two_step_and_som_find_the_blobs(method: type, k: int, seed: int) -> None:
    X, y = blobs(k, seed)
    model = method(random_state=0).fit(X)
    assert model.n_clusters_ == k
    assert adjusted_rand_score(y, model.labels_) > 0.95


@pytest.mark.parametrize("method", METHODS)
def test_held_out_members_land_where_a_fit_on_everyone_puts_them(method: type) -> None:
    """Fit on one half, assign the other; compare with fitting on all members."""
    X, _ = blobs(5, 21, n=2_000)
    order = np.random.default_rng(0).permutation(len(X))
    train, held_out = order[: len(X) // 2], order[len(X) // 2:]
    half = method(random_state=0).fit(X[train])
    everyone = method(random_state=0).fit(X)
    assert adjusted_rand_score(everyone.labels_[held_out], half.predict(X[held_out])) > 0.95
    # predict on the rows it was fitted on gives its own labels
    assert (half.predict(X[train]) == half.labels_).mean() > 0.99


@pytest.mark.parametrize("method", METHODS)
def test_scikit_learn_contract(method: type) -> None:
    X, _ = blobs(4, 31, n=600)
    model = method(n_clusters=4, random_state=3, sample_size=400)
    assert not hasattr(model, "labels_")           # __init__ only stores settings
    assert model.fit(X) is model
    assert model.get_params()["n_clusters"] == 4
    again = clone(model).fit(X)
    assert (again.labels_ == model.labels_).all()  # randomness from random_state only
    assert model.n_clusters_ == 4 and [s.k for s in model.search_] == [4]
    assert len(model.labels_) == len(X)            # a sample trains, everyone is assigned
    assert set(model.labels_) == {0, 1, 2, 3}
    assert model.cluster_centers_.shape == (4, X.shape[1])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_clusters": 1}, "k must be 'auto' or an integer ≥ 2"),
    ({"n_clusters": "seven"}, "k must be 'auto'"),
    ({"k_range": (5, 3)}, "invalid k range"),
])
def test_bad_settings_are_refused(method: type, kwargs: dict[str, Any], message: str) -> None:
    X, _ = blobs(3, 41, n=300)
    with pytest.raises(ClusterError, match=message):
        method(**kwargs).fit(X)


def test_missing_values_and_too_few_rows_are_refused() -> None:
    X, _ = blobs(3, 41, n=300)
    X[0, 0] = np.nan
    with pytest.raises(ClusterError, match="NaN"):
        AutoKMeans().fit(X)
    with pytest.raises(ClusterError, match="2 members cannot form 4 clusters"):
        AutoKMeans(n_clusters=4).fit(np.zeros((2, 3)))


def test_unknown_method() -> None:
    with pytest.raises(ClusterError, match=r"unknown method 'dbscan'.*kmeans, twostep, som"):
        make_estimator("dbscan")


def test_within_ss_is_kmeans_inertia_and_best_k_ties_go_low() -> None:
    X, _ = blobs(4, 51, n=500)
    model = AutoKMeans(n_clusters=4, random_state=0).fit(X)
    assert within_ss(X, model.labels_) == pytest.approx(model.inertia_, rel=1e-6)
    from memberlens.segments.clusters import KScore

    assert best_k([KScore(3, 0.5, 1.0), KScore(4, 0.5, 0.5), KScore(5, None, 0.1)]) == 3
    with pytest.raises(ClusterError, match="no k in the range"):
        best_k([KScore(3, None, 1.0)])
