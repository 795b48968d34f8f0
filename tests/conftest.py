"""Shared fixtures: clean settings, a small store, and real servers on 127.0.0.1.

``live_server`` runs the app in a real ``uvicorn.Server`` in a thread, on a socket bound to
port 0 before the server starts (so there is no port race), over an in-memory store filled
from ``tests/data/sparql_fixture.trig``; ``bundled_server`` does the same over the bundled
graph (``bundled_store``), for the linked-data tests that check answers against the data.
``serve`` starts more such servers with other settings for the tests that need them (short
timeouts, tiny result limits, federation).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from rdflib import Dataset, Graph, Literal, URIRef

from treatygraph.config import Settings
from treatygraph.query_runner import QueryRequest, QueryRunner, QueryStream
from treatygraph.store.base import Change, QueryResult, Store
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.web.app import create_app

pytest_plugins = ["bundle_fixtures", "remote_fixtures", "write_fixtures"]

DATA = Path(__file__).parent / "data"
SPARQL_FIXTURE = DATA / "sparql_fixture.trig"
FILLER_GRAPH = "https://w3id.org/treatygraph/graph/filler"

SettingsFactory = Callable[..., Settings]
Serve = Callable[..., AbstractContextManager[str]]


def clean_settings(**overrides: Any) -> Settings:
    """Settings from ``overrides`` and defaults only, whatever TREATYGRAPH_* variables say."""
    saved = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("TREATYGRAPH_")}
    try:
        return Settings(**{"load_bundled": False, **overrides})
    finally:
        os.environ.update(saved)


def fill(store: Store, trig: Path = SPARQL_FIXTURE, filler: int = 0) -> Store:
    """Load ``trig`` into ``store``, plus ``filler`` generated triples in a graph of their own."""
    dataset = Dataset()
    dataset.parse(trig, format="trig")
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    if filler:
        extra = Graph()
        for n in range(filler):
            extra.add((URIRef(f"urn:filler:{n}"), URIRef(f"urn:p:{n % 7}"), Literal(n)))
        graphs[FILLER_GRAPH] = extra
    store.apply(Change(graphs=graphs))
    return store


class GatedStore:
    """Delegates to a real store, but each query first waits for ``gate`` (at most 10 s):
    a query that is stuck in the engine, on demand."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.gate = threading.Event()
        self.entered = threading.Event()

    def query(self, sparql: str, **kwargs: Any) -> QueryResult:
        self.entered.set()
        self.gate.wait(10)
        return self.inner.query(sparql, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class BrokenStore(GatedStore):
    """A store whose queries fail with an error nobody planned for."""

    def query(self, sparql: str, **kwargs: Any) -> QueryResult:
        raise RuntimeError("disk on fire at /secret/path")


def run_server(settings: Settings, store: Store) -> AbstractContextManager[str]:
    """Serve ``create_app(settings, store)`` on 127.0.0.1 until the block ends; yields the
    base URL."""
    return serve_asgi(create_app(settings, store))


@contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve any ASGI app with uvicorn in a thread, on a port-0 socket bound beforehand."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws="none",
        http="h11",
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    give_up = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > give_up:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@pytest.fixture
def make_settings() -> SettingsFactory:
    return clean_settings


@pytest.fixture(scope="session")
def fixture_store() -> Iterator[Store]:
    """The small fixture dataset in memory; tests must not write to it."""
    store = fill(OxigraphStore(None))
    yield store
    store.close()


@pytest.fixture(scope="session")
def live_server(fixture_store: Store) -> Iterator[str]:
    """Base URL of a server over :func:`fixture_store`. It allows 24 queries at once so
    that the 20-client test measures correctness, not the overload rule (tested apart)."""
    settings = clean_settings(query_timeout=10, max_concurrent_queries=24)
    with run_server(settings, fixture_store) as url:
        yield url


@pytest.fixture(scope="session")
def bundled_server(bundled_store: Store) -> Iterator[str]:
    """Base URL of a server over the bundled graph (default base IRI); read-only."""
    settings = clean_settings(query_timeout=10, max_concurrent_queries=24)
    with run_server(settings, bundled_store) as url:
        yield url


@pytest.fixture
def serve() -> Serve:
    """``with serve(settings, store) as url:`` runs another server for one test."""
    return run_server


async def collect(stream: QueryStream) -> bytes:
    """Every byte of a started query result."""
    return b"".join([chunk async for chunk in stream])


def run_query(runner: QueryRunner, sparql: str, **kwargs: Any) -> tuple[QueryStream, bytes]:
    """Start ``sparql`` on ``runner`` (``kwargs`` as :class:`QueryRequest` takes them) and
    read its whole result, on an event loop of its own."""

    async def go() -> tuple[QueryStream, bytes]:
        stream = await runner.start(QueryRequest(sparql, **kwargs))
        return stream, await collect(stream)

    return asyncio.run(go())
