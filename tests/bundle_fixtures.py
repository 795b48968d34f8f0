"""Fixtures over the bundled graph, shared by the core, CLI and web tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from treatygraph.config import Settings
from treatygraph.loader import load_bundled
from treatygraph.store.base import Store
from treatygraph.store.oxigraph import OxigraphStore


@pytest.fixture(scope="session")
def bundled_settings() -> Settings:
    """Settings of the default service, unaffected by TREATYGRAPH_* in the environment."""
    return Settings.model_construct()


@pytest.fixture(scope="session")
def bundled_store(bundled_settings: Settings) -> Iterator[Store]:
    """An in-memory store with the bundled graph; tests must not write to it."""
    store = OxigraphStore(None)
    load_bundled(store, bundled_settings)
    yield store
    store.close()
