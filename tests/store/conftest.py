"""Every backend for the contract suite: embedded (plain and isolated, memory and disk), and
remote over a real Oxigraph server, and over Virtuoso when it is installed (marked remote).

Remote stores get a clean dataset per test (every graph dropped) and a small write batch, so
that changes of a few hundred triples already go through staging graphs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import clean_settings
from remote_fixtures import Server
from treatygraph.store.base import Store
from treatygraph.store.isolated import IsolatedOxigraphStore
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.store.sparql import SparqlStore

REMOTE_BATCH = 100
EMBEDDED = ["oxigraph-memory", "oxigraph-disk", "isolated-memory", "isolated-disk"]
SERVERS: dict[str, tuple[str, dict[str, object]]] = {
    "oxigraph-server": ("oxigraph_server", {}),
    # Any SPARQL 1.1 store: the union by listing the graphs, dumps graph by graph, no PUT.
    "generic-over-oxigraph": ("oxigraph_server", {"store_dialect": "generic"}),
    "virtuoso": ("virtuoso_server", {}),
}
REMOTE = [
    "oxigraph-server",
    "generic-over-oxigraph",
    pytest.param("virtuoso", marks=pytest.mark.remote),
]


def remote_store(server: Server, **overrides: object) -> SparqlStore:
    """A store over ``server`` whose dataset was emptied first."""
    settings = clean_settings(
        **{**server.settings, "store_batch_triples": REMOTE_BATCH, **overrides}
    )
    store = SparqlStore.from_settings(settings)
    try:
        drops = [f"DROP SILENT GRAPH <{g}>" for g in store.graphs()]
        if drops:
            store.update(" ;\n".join(drops))
    except BaseException:
        store.close()
        raise
    return store


@pytest.fixture(params=[*EMBEDDED, *REMOTE])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every backend, so the contract suite proves they behave the same."""
    if request.param in SERVERS:
        fixture, overrides = SERVERS[request.param]
        server: Server = request.getfixturevalue(fixture)
        if overrides.get("store_dialect") == "generic":  # nothing is derived for it
            overrides = {**overrides, "update_endpoint": server.update}
        opened: Store = remote_store(server, **overrides)
    else:
        backend, _, where = request.param.partition("-")
        path = None if where == "memory" else tmp_path / "db"
        opened = OxigraphStore(path) if backend == "oxigraph" else IsolatedOxigraphStore(path)
    yield opened
    opened.close()
