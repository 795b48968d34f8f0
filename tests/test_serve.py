"""`treatygraph serve` as a user runs it: a real process on loopback, stopped by PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(folder: Path, *args: str) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = folder / f"serve-{port}.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TREATYGRAPH_")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "treatygraph", "serve", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=clean,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"serve did not answer within 60 s:\n{log.read_text()}")
        yield base, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def count(base: str) -> int:
    response = httpx.get(
        base + "/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30
    )
    response.raise_for_status()
    return int(response.text.splitlines()[1])


def test_restart_on_the_same_store_keeps_and_duplicates_nothing(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    with serving(tmp_path, "--store", store) as (base, _):
        first = count(base)
        assert first > 1000
    with serving(tmp_path, "--store", store) as (base, log):
        assert count(base) == first
        assert "already loaded" in log.read_text()


def test_a_write_token_needs_a_kept_store() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "treatygraph", "serve", "--write-token", "secret"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("TREATYGRAPH_")},
    )
    assert result.returncode == 2
    assert "--store DIR" in result.stderr
