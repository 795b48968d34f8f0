"""Fixtures for the write tests (tests/web/test_writes.py, test_graph_store.py,
test_attacks.py, test_durability.py, test_load.py): a persistent store holding the bundled
graph (made in milliseconds from one dump per session), servers with the write token over
it, a snapshot of a store to prove that a refused request changed nothing, and a tripwire
HTTP server that must never be called."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import clean_settings, run_server
from treatygraph.store.base import Store
from treatygraph.store.oxigraph import OxigraphStore

TOKEN = "s3cret-write-token-0f9e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {"Content-Type": "application/sparql-update", **AUTH}
TG = "https://w3id.org/treatygraph/ontology#"
GRAPH = "https://w3id.org/treatygraph/graph/"
INFERRED = GRAPH + "inferred"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def snapshot(store: Store) -> list[bytes]:
    """Every quad of the store, sorted: equal snapshots mean an unchanged store (the same
    store dumps its blank nodes with the same labels)."""
    out = BytesIO()
    store.dump(out, "nquads")
    return sorted(line for line in out.getvalue().splitlines() if line.strip())


@pytest.fixture(scope="session")
def bundled_nquads(bundled_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "bundled.nq"
    with path.open("wb") as out:
        bundled_store.dump(out, "nquads")
    return path


def disk_store(folder: Path, nquads: Path) -> OxigraphStore:
    """A persistent store in ``folder`` holding the quads of ``nquads``."""
    store = OxigraphStore(folder)
    store.extend_from_nquads(nquads)
    return store


@pytest.fixture
def write_store(tmp_path: Path, bundled_nquads: Path) -> Iterator[OxigraphStore]:
    store = disk_store(tmp_path / "db", bundled_nquads)
    yield store
    store.close()


def write_settings(folder: Path, **overrides: Any) -> Any:
    return clean_settings(write_token=TOKEN, store=str(folder / "db"), **overrides)


@pytest.fixture
def write_server(write_store: OxigraphStore, tmp_path: Path) -> Iterator[str]:
    """Base URL of a server with writes enabled over :func:`write_store`."""
    with run_server(
        write_settings(tmp_path, backup_dir=str(tmp_path / "backups")), write_store
    ) as url:
        yield url


@pytest.fixture
def writer_client(write_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=write_server, timeout=30) as http:
        yield http


def serve_store(store: Store, folder: Path, **overrides: Any) -> AbstractContextManager[str]:
    """Another write server over ``store``, with other settings."""
    return run_server(write_settings(folder, **overrides), store)


@dataclass
class Tripwire:
    """A local HTTP server that records every request it gets: what must never be called."""

    url: str
    hits: list[str]


@pytest.fixture
def tripwire() -> Iterator[Tripwire]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b'{"@context": {"x": "http://example.org/x"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Tripwire(f"http://127.0.0.1:{server.server_address[1]}", hits)
    server.shutdown()
    server.server_close()


def article_graphs(store: Store) -> list[str]:
    return [g for g in store.graphs() if g.startswith(GRAPH + "article-")]


LONG = os.environ.get("TREATYGRAPH_LONG_TESTS") == "1"
"""The release-check mode: more examples, longer runs (the ``slow`` tests read it too)."""


def scaled(short: int, long: int) -> int:
    """``short`` in CI, ``long`` with TREATYGRAPH_LONG_TESTS=1."""
    return long if LONG else short


@dataclass
class ServerProcess:
    """``treatygraph serve`` in a process of its own, as an operator runs it."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL, by PID: no shutdown code runs (the query processes die with it)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(store_dir: Path, log_dir: Path, *args: str) -> ServerProcess:
    """Start ``treatygraph serve --store store_dir`` with the write token; wait until
    /readyz answers 200 (at most 60 s)."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREATYGRAPH_")}
    command = [sys.executable, "-m", "treatygraph", "serve", "--port", str(port)]
    command += ["--store", str(store_dir), "--write-token", TOKEN, *args]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    raise AssertionError(f"serve was not ready within 60 s:\n{log.read_text()}")


def store_snapshot(store_dir: Path) -> list[bytes]:
    """The snapshot of a store folder no server holds (opened, read, closed)."""
    store = OxigraphStore(store_dir)
    try:
        return snapshot(store)
    finally:
        store.close()
