"""Sixteen clients at once, for a bounded time: queries, dereferencing and (with the token)
small updates, against a production-like server (isolated queries, a disk store).

Designed refusals (503 + Retry-After when every query slot or the write queue is full) are
allowed; anything else but 2xx is an error and fails the test. Every acknowledged update
must be in the store afterwards. The figures (requests, 5xx, lost writes, p50/p99 per kind)
are printed, and kept in ``load-report.json`` in the test's temporary folder; the long run
(``pytest -m slow``, or TREATYGRAPH_LONG_TESTS=1 for a longer short run) produced the
numbers in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from conftest import run_server
from treatygraph.bundle import queries_dir
from treatygraph.store.base import SelectResult
from treatygraph.store.isolated import IsolatedOxigraphStore
from treatygraph.store.oxigraph import OxigraphStore
from write_fixtures import RDFS_COMMENT, UPDATE, disk_store, scaled, write_settings

CLIENTS = 16


@dataclass
class Tally:
    """What the clients saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    acknowledged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def record(self, kind: str, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.latencies.setdefault(kind, []).append(seconds)
            if not (200 <= status < 300 or status == 503):
                self.errors.append(f"{kind} {status}: {detail[:300]}")


@pytest.fixture
def loaded_server(
    bundled_nquads: Path, tmp_path: Path
) -> Iterator[tuple[str, IsolatedOxigraphStore]]:
    disk_store(tmp_path / "db", bundled_nquads).close()
    store = IsolatedOxigraphStore(tmp_path / "db", workers=8)
    with run_server(write_settings(tmp_path, query_timeout=20), store) as url:
        yield url, store
    store.close()


def resource_paths(store: IsolatedOxigraphStore) -> list[str]:
    result = store.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
        'FILTER(STRSTARTS(STR(?s), "https://w3id.org/treatygraph/id/")) } LIMIT 200'
    )
    assert isinstance(result, SelectResult)
    prefix = "https://w3id.org/treatygraph"
    return [row[0].value.removeprefix(prefix) for row in result.rows if row[0] is not None]


def run_load(url: str, seconds: float, paths: list[str], tally: Tally) -> None:
    queries = [p.read_text("utf-8") for p in sorted(queries_dir().glob("*.rq"))]
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(number)  # noqa: S311 (a workload, not a secret)
        with httpx.Client(base_url=url, timeout=60) as http:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                roll = rng.random()
                started = time.monotonic()
                try:
                    if roll < 0.55:
                        kind = "query"
                        response = http.get(
                            "/sparql",
                            params={"query": rng.choice(queries)},
                            headers={"Accept": "application/sparql-results+json"},
                        )
                    elif roll < 0.85:
                        kind = "dereference"
                        response = http.get(
                            rng.choice(paths), headers={"Accept": "application/ld+json"}
                        )
                    else:
                        kind = "update"
                        graph = f"urn:x-load:{number}/{n}"
                        update = (
                            f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:c{number}> "
                            f'<{RDFS_COMMENT}> "{number}/{n}" }} }}'
                        )
                        response = http.post("/sparql", content=update, headers=UPDATE)
                        if response.status_code == 204:
                            with tally.lock:
                                tally.acknowledged.append(graph)
                except httpx.HTTPError as exc:
                    tally.record(kind, 599, time.monotonic() - started, repr(exc))
                    continue
                tally.record(kind, response.status_code, time.monotonic() - started, response.text)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)


def report(tally: Tally, seconds: float, lost: int) -> dict[str, object]:
    def percentile(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    every = [v for values in tally.latencies.values() for v in values]
    return {
        "clients": CLIENTS,
        "seconds": seconds,
        "requests": sum(tally.statuses.values()),
        "by_status": {f"{k} {s}": n for (k, s), n in sorted(tally.statuses.items())},
        "server_errors_5xx_other_than_503": sum(
            n for (_, s), n in tally.statuses.items() if s >= 500 and s != 503
        ),
        "acknowledged_writes": len(tally.acknowledged),
        "acknowledged_writes_lost": lost,
        "p50_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in tally.latencies.items()}
        | {"all": round(statistics.median(every) * 1000, 1)},
        "p99_ms": {k: round(percentile(v, 0.99), 1) for k, v in tally.latencies.items()}
        | {"all": round(percentile(every, 0.99), 1)},
    }


def check_load(
    loaded_server: tuple[str, IsolatedOxigraphStore], seconds: float, tmp_path: Path
) -> dict[str, object]:
    url, store = loaded_server
    tally = Tally()
    run_load(url, seconds, resource_paths(store), tally)
    present = set(store.graphs())
    lost = [graph for graph in tally.acknowledged if graph not in present]
    figures = report(tally, seconds, len(lost))
    (tmp_path / "load-report.json").write_text(json.dumps(figures, indent=1))
    print("\n" + json.dumps(figures, indent=1))
    assert not tally.errors, tally.errors[:5]
    assert lost == []
    assert tally.acknowledged, "no update got through"
    assert sum(n for (kind, s), n in tally.statuses.items() if kind == "query" and s == 200) > 0
    return figures


def test_sixteen_clients_for_a_bounded_time(
    loaded_server: tuple[str, IsolatedOxigraphStore], tmp_path: Path
) -> None:
    check_load(loaded_server, scaled(8, 30), tmp_path)


@pytest.mark.slow
def test_sixteen_clients_for_a_minute(
    loaded_server: tuple[str, IsolatedOxigraphStore], tmp_path: Path
) -> None:
    check_load(loaded_server, 60, tmp_path)


def test_store_reopens_with_every_acknowledged_write(bundled_nquads: Path, tmp_path: Path) -> None:
    """The writes of a load are on disk, not only in the replica: reopen and count."""
    disk_store(tmp_path / "db", bundled_nquads).close()
    store = IsolatedOxigraphStore(tmp_path / "db", workers=2)
    acknowledged = []
    with run_server(write_settings(tmp_path), store) as url, httpx.Client(base_url=url) as http:
        for n in range(5):
            update = (
                f'INSERT DATA {{ GRAPH <urn:x-load:{n}> {{ <urn:x:a> <{RDFS_COMMENT}> "{n}" }} }}'
            )
            if http.post("/sparql", content=update, headers=UPDATE).status_code == 204:
                acknowledged.append(f"urn:x-load:{n}")
    store.close()
    reopened = OxigraphStore(tmp_path / "db")
    try:
        assert set(acknowledged) <= set(reopened.graphs()) and len(acknowledged) == 5
    finally:
        reopened.close()
