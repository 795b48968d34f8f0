from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from treatygraph.store.base import Store
from treatygraph.store.isolated import IsolatedOxigraphStore
from treatygraph.store.oxigraph import OxigraphStore


@pytest.fixture(params=["oxigraph-memory", "oxigraph-disk", "isolated-memory", "isolated-disk"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every backend, so the contract suite proves they behave the same."""
    backend, _, where = request.param.partition("-")
    path = None if where == "memory" else tmp_path / "db"
    opened: Store = OxigraphStore(path) if backend == "oxigraph" else IsolatedOxigraphStore(path)
    yield opened
    opened.close()
