"""Crashes and copies: a SIGKILL leaves the store before or after each write, never between;
an acknowledged write survives it; export → load and backups lose and add nothing.

The server here is ``treatygraph serve`` in a process of its own (query isolation on, as in
production), over a store folder prepared from the bundled graph, killed by PID with SIGKILL
in the middle of a large load, an ingest, and a burst of updates, then restarted on the same
folder. After each restart the store must be exactly the state before or after the operation
in flight, ``graph/inferred`` must equal a full recompute, and SHACL must pass.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import to_canonical_graph

from treatygraph.bundle import data_dir
from treatygraph.cli import main
from treatygraph.inference import compute_inferred
from treatygraph.namespaces import INFERRED_GRAPH
from treatygraph.store.base import Change
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.validation import validate
from write_fixtures import (
    AUTH,
    RDFS_COMMENT,
    UPDATE,
    disk_store,
    scaled,
    snapshot,
    start_server,
    store_snapshot,
)

ARTICLE = (data_dir() / "articles" / "12-kantei-japan-germany-summit-acsa.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def template(bundled_nquads: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder holding the bundled graph (copied for each server)."""
    folder = tmp_path_factory.mktemp("template") / "db"
    disk_store(folder, bundled_nquads).close()
    return folder


def copy_of(template: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(template, target)
    return target


def assert_consistent(store_dir: Path) -> None:
    """graph/inferred equals a full recompute, and the asserted graphs pass SHACL."""
    store = OxigraphStore(store_dir)
    try:
        dataset = Dataset()
        dump = b"\n".join(snapshot(store)).decode()
        dataset.parse(data=dump, format="nquads")
        stored = {t for t in dataset.graph(INFERRED_GRAPH)}
        assert stored == set(compute_inferred(store))
        dataset.remove_graph(dataset.graph(INFERRED_GRAPH))
        assert validate(dataset).conforms
    finally:
        store.close()


def big_graph(triples: int) -> bytes:
    return b"".join(
        f'<urn:x:big/{n}> <{RDFS_COMMENT}> "a line of text, number {n}" .\n'.encode()
        for n in range(triples)
    )


def put_big(url: str, body: bytes, answers: list[int]) -> None:
    try:
        response = httpx.put(
            url + "/store",
            params={"graph": "urn:x-test:big"},
            content=body,
            headers={"Content-Type": "application/n-triples", **AUTH},
            timeout=120,
        )
        answers.append(response.status_code)
    except httpx.TransportError:
        answers.append(0)  # the server died first


@pytest.fixture
def reference_after_load(
    template: Path, tmp_path: Path
) -> Iterator[tuple[bytes, list[bytes], float]]:
    """The big body, the store's snapshot once its PUT has completed, and how long it took."""
    body = big_graph(scaled(20_000, 80_000))
    folder = copy_of(template, tmp_path, "reference")
    server = start_server(folder, tmp_path)
    answers: list[int] = []
    started = time.monotonic()
    put_big(server.url, body, answers)
    took = time.monotonic() - started
    server.stop()
    assert answers == [201]
    yield body, store_snapshot(folder), took


def test_sigkill_during_a_large_load(
    template: Path, tmp_path: Path, reference_after_load: tuple[bytes, list[bytes], float]
) -> None:
    body, after, took = reference_after_load
    before = store_snapshot(template)
    outcomes = []
    rounds = scaled(3, 12)
    # Kill points spread over the load and a little past it (parse, check, commit, answer).
    fractions = [0.3 + 0.9 * n / max(1, rounds - 1) for n in range(rounds)]
    for round_number, delay in enumerate(took * f for f in fractions):
        folder = copy_of(template, tmp_path, f"killed-{round_number}")
        server = start_server(folder, tmp_path)
        answers: list[int] = []
        client = threading.Thread(target=put_big, args=(server.url, body, answers))
        client.start()
        time.sleep(delay)
        server.kill()
        client.join(60)
        restarted = start_server(folder, tmp_path)
        restarted.stop()
        state = store_snapshot(folder)
        assert state in (before, after), f"between states after a kill at {delay:.2f} s"
        if answers == [201]:
            assert state == after  # acknowledged: it must have survived
        outcomes.append("after" if state == after else "before")
        assert_consistent(folder)
    print(f"\nkilled during a load of {len(body)} bytes ({took:.1f} s): {outcomes}")


def test_sigkill_during_an_ingest(template: Path, tmp_path: Path) -> None:
    folder = copy_of(template, tmp_path, "reference")
    server = start_server(folder, tmp_path)
    response = httpx.post(
        server.url + "/api/articles",
        params={"slug": "durability-check"},
        content=ARTICLE.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8", **AUTH},
        timeout=120,
    )
    server.stop()
    assert response.status_code == 201, response.text
    after = normalised(store_snapshot(folder))
    before = normalised(store_snapshot(template))

    for round_number in range(scaled(1, 4)):
        folder = copy_of(template, tmp_path, f"ingest-{round_number}")
        server = start_server(folder, tmp_path)
        answers: list[int] = []

        def post(url: str = server.url, answers: list[int] = answers) -> None:
            try:
                answers.append(
                    httpx.post(
                        url + "/api/articles",
                        params={"slug": "durability-check"},
                        content=ARTICLE.encode(),
                        headers={"Content-Type": "text/plain; charset=utf-8", **AUTH},
                        timeout=120,
                    ).status_code
                )
            except httpx.TransportError:
                answers.append(0)

        client = threading.Thread(target=post)
        client.start()
        time.sleep(0.3 + 0.7 * round_number)
        server.kill()
        client.join(60)
        start_server(folder, tmp_path).stop()
        state = normalised(store_snapshot(folder))
        assert state in (before, after)
        if answers == [201]:
            assert state == after
        assert_consistent(folder)


def normalised(lines: list[bytes]) -> list[bytes]:
    """A snapshot without what differs from one ingest of the same article to the next:
    its timestamp, and blank node labels."""
    kept = [re.sub(rb"_:\S+", b"_:b", line) for line in lines if b"generatedAtTime" not in line]
    return sorted(kept)


def test_sigkill_during_an_update_burst(template: Path, tmp_path: Path) -> None:
    """Every acknowledged update survives; each update is all or nothing; nothing else."""
    folder = copy_of(template, tmp_path, "burst")
    before = store_snapshot(folder)
    server = start_server(folder, tmp_path)
    acknowledged: list[int] = []
    stop = threading.Event()

    def burst() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for n in range(100_000):
                if stop.is_set():
                    return
                try:
                    response = http.post("/sparql", content=burst_update(n), headers=UPDATE)
                except httpx.TransportError:
                    return
                if response.status_code == 204:
                    acknowledged.append(n)

    client = threading.Thread(target=burst)
    client.start()
    time.sleep(scaled(2, 8))
    server.kill()
    stop.set()
    client.join(30)
    start_server(folder, tmp_path).stop()
    state = store_snapshot(folder)
    store = OxigraphStore(folder)
    try:
        present = {
            n for n in range(max(acknowledged, default=0) + 2) if store.count(burst_graph(n)) > 0
        }
        for n in present:
            assert store.count(burst_graph(n)) == 3  # all of an update, or none of it
    finally:
        store.close()
    assert acknowledged, "no update was acknowledged before the kill"
    assert set(acknowledged) <= present  # acknowledged means durable
    assert len(present - set(acknowledged)) <= 1  # at most the one in flight
    assert present == set(range(len(present)))  # in order, none skipped
    burst_lines = {line for line in state if b"urn:x-test:burst/" in line}
    assert sorted(set(state) - burst_lines) == before
    assert_consistent(folder)
    print(f"\n{len(acknowledged)} updates acknowledged before the kill, {len(present)} present")


def burst_graph(n: int) -> str:
    return f"urn:x-test:burst/{n}"


def burst_update(n: int) -> str:
    values = ", ".join(f'"{n}-{part}"' for part in range(3))
    return (
        f"INSERT DATA {{ GRAPH <{burst_graph(n)}> {{ <urn:x:n{n}> <{RDFS_COMMENT}> {values} }} }}"
    )


# -- copies --------------------------------------------------------------------------------


def canonical(path: Path) -> dict[str, list[str]]:
    """N-Quads as graph → sorted canonical N-Triples lines (blank nodes relabelled)."""
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    out: dict[str, list[str]] = {}
    for graph in dataset.graphs():
        if not len(graph):
            continue
        plain = Graph()
        plain += graph
        lines = to_canonical_graph(plain).serialize(format="nt").splitlines()
        out[str(graph.identifier)] = sorted(line for line in lines if line.strip())
    return out


def test_export_then_load_round_trips(template: Path, tmp_path: Path) -> None:
    source = copy_of(template, tmp_path, "source")
    store = OxigraphStore(source)
    with_bnodes = Graph().parse(
        data=f'_:x <{RDFS_COMMENT}> "outer" ; <urn:x:link> _:y . _:y <{RDFS_COMMENT}> "inner" .',
        format="turtle",
    )
    store.apply(Change(graphs={"urn:x-test:bnodes": with_bnodes}))
    store.close()
    runner = CliRunner(env={"TREATYGRAPH_ISOLATE_QUERIES": "false"})
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    result = runner.invoke(main, ["export", "--store", str(source), "-o", str(first)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "target"
    result = runner.invoke(main, ["load", "-q", str(first), "--store", str(target)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["export", "--store", str(target), "-o", str(second)])
    assert result.exit_code == 0, result.output
    exported, reloaded = canonical(first), canonical(second)
    assert exported == reloaded
    assert sum(map(len, exported.values())) == sum(map(len, reloaded.values()))
    assert "urn:x-test:bnodes" in reloaded and len(reloaded["urn:x-test:bnodes"]) == 3


def test_cli_backup_copies_an_idle_store_and_refuses_a_served_one(
    template: Path, tmp_path: Path
) -> None:
    folder = copy_of(template, tmp_path, "served")
    runner = CliRunner(env={"TREATYGRAPH_ISOLATE_QUERIES": "false"})
    copy = tmp_path / "copy"
    result = runner.invoke(main, ["backup", str(copy), "--store", str(folder)])
    assert result.exit_code == 0, result.output
    assert store_snapshot(copy) == store_snapshot(folder)
    again = runner.invoke(main, ["backup", str(copy), "--store", str(folder)])
    assert again.exit_code == 2 and "exists" in again.output
    server = start_server(folder, tmp_path)
    try:
        busy = runner.invoke(main, ["backup", str(tmp_path / "busy"), "--store", str(folder)])
        assert busy.exit_code == 3
        assert "/admin/backup" in busy.output
    finally:
        server.stop()
