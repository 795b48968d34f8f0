"""Bulk loads into a remote store: in parts, each graph whole, resumable after a failure."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tests.store.conftest import remote_store

from conftest import clean_settings
from remote_fixtures import Server
from treatygraph.errors import StoreError
from treatygraph.load_state import LoadState, graph_hash
from treatygraph.loader import load_files
from treatygraph.store.base import Store
from treatygraph.store.sparql import SparqlStore

BATCH = 300


class FailOn(httpx.BaseTransport):
    """Forwards to a real server, and answers the n-th write (update or Graph Store POST)
    with HTTP 500 instead: a store that fails in the middle of a load."""

    def __init__(self, n: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.n = n
        self.writes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in ("POST", "PUT") and "update" not in request.url.params:
            kind = request.headers.get("content-type", "")
            if kind in ("application/sparql-update", "application/n-triples"):
                self.writes += 1
                if self.writes == self.n:
                    return httpx.Response(500, text="disk full")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def export(bundled_store: Store, tmp_path: Path) -> Path:
    path = tmp_path / "export.nq"
    with path.open("wb") as out:
        bundled_store.dump(out, "nquads")
    return path


def quads(store: Store) -> set[bytes]:
    import io

    out = io.BytesIO()
    store.dump(out, "nquads")
    return {line for line in out.getvalue().splitlines() if b"_:" not in line}


def test_an_interrupted_load_resumes_where_it_stopped(
    oxigraph_server: Server, export: Path, bundled_store: Store, tmp_path: Path
) -> None:
    remote_store(oxigraph_server).close()
    settings = clean_settings(**oxigraph_server.settings, store_batch_triples=BATCH)
    state_file = tmp_path / "state" / "load.json"
    failing = SparqlStore.from_settings(settings, transport=FailOn(6))
    seen: list[tuple[str, int, int]] = []
    with pytest.raises(StoreError, match="disk full"):
        load_files(
            failing,
            [export],
            state=LoadState.read(state_file),
            progress=lambda label, done, total: seen.append((label, done, total)),
        )
    failing.close()
    written = LoadState.read(state_file).graphs
    everything = [g for g in bundled_store.graphs() if not g.endswith(("inferred", "provenance"))]
    assert 0 < len(written) < len(everything)
    assert any(label == "sending" and 0 < done < total for label, done, total in seen)

    store = SparqlStore.from_settings(settings)
    report = load_files(store, [export], state=LoadState.read(state_file), resume=True)
    assert set(report.skipped_graphs) == set(written)
    assert set(report.graphs) == set(everything) - set(written)
    assert quads(store) == quads(bundled_store)
    assert store.graphs() == bundled_store.graphs()  # no staging graph left behind

    again = load_files(store, [export], state=LoadState.read(state_file), resume=True)
    assert set(again.skipped_graphs) == set(everything) and not again.graphs
    store.close()


def test_resume_reloads_a_graph_the_store_lost(
    oxigraph_server: Server, export: Path, tmp_path: Path
) -> None:
    remote_store(oxigraph_server).close()
    settings = clean_settings(**oxigraph_server.settings, store_batch_triples=BATCH)
    state = tmp_path / "load.json"
    store = SparqlStore.from_settings(settings)
    load_files(store, [export], state=LoadState.read(state))
    lost = "https://w3id.org/treatygraph/graph/reference"
    store.update(f"DROP GRAPH <{lost}>")
    report = load_files(store, [export], state=LoadState.read(state), resume=True)
    assert lost in report.graphs and lost not in report.skipped_graphs
    store.close()


def test_graph_hash_ignores_blank_node_labels_and_order() -> None:
    from rdflib import Graph

    one = Graph().parse(data='<http://e/a> <http://e/p> _:x .\n_:x <http://e/q> "1" .', format="nt")
    two = Graph().parse(data='_:y <http://e/q> "1" .\n<http://e/a> <http://e/p> _:y .', format="nt")
    other = Graph().parse(data='<http://e/a> <http://e/p> "2" .', format="nt")
    assert graph_hash(one) == graph_hash(two) != graph_hash(other)
