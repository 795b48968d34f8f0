from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from treatygraph.store.base import Store
from treatygraph.store.oxigraph import OxigraphStore


@pytest.fixture(params=["oxigraph-memory", "oxigraph-disk"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every backend, so the contract suite proves they behave the same."""
    opened = OxigraphStore(None if request.param == "oxigraph-memory" else tmp_path / "db")
    yield opened
    opened.close()
