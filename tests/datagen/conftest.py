"""Small seeded datasets shared by the datagen tests (generated once per session)."""

from __future__ import annotations

import pytest
from datagen_fixtures import Dataset

from memberlens.datagen import generate


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("clean")
    return Dataset(out, generate(out, members=2_000, seed=11, dirt=0.0))


@pytest.fixture(scope="session")
def default(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("default")
    return Dataset(out, generate(out, members=1_000, seed=5))


@pytest.fixture(scope="session")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("dirty")
    return Dataset(out, generate(out, members=2_000, seed=3, dirt=0.1))
