"""The isolated store: queries in killable processes that stop at the deadline, stream, and
never outlive the store (or the process that opened it)."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import clean_settings
from treatygraph.cli import main
from treatygraph.errors import QueryTimeout, StoreError
from treatygraph.store import isolation_available, open_store
from treatygraph.store.base import AskResult, Change, Deadline, SelectResult, Term
from treatygraph.store.isolated import IsolatedOxigraphStore
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.store.processes import ReplicaRejected, Zygote, ZygoteLost
from treatygraph.store.written import WriteRequest

pytestmark = pytest.mark.skipif(not isolation_available(), reason="needs Linux")

G = "urn:graph:filler"
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""3 000³ solutions to count: minutes of work inside one engine call."""
PAIRS = "SELECT * { ?a ?b ?c . ?d ?e ?f }"
"""9 million rows, produced lazily."""
ALL_FILLER = f"SELECT * {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"


def filler(n: int) -> str:
    body = " ".join(f"<urn:s:{i}> <urn:p:{i % 7}> {i} ." for i in range(n))
    return f"INSERT DATA {{ GRAPH <{G}> {{ {body} }} }}"


@pytest.fixture
def isolated() -> Iterator[IsolatedOxigraphStore]:
    store = IsolatedOxigraphStore(None, workers=2)
    store.update(filler(3000))
    yield store
    store.close()


def state(pid: int) -> str | None:
    """The kernel's state letter for ``pid`` (R running, S sleeping, Z zombie), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    give_up = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > give_up:
            return False
        time.sleep(0.005)
    return True


def gone(*pids: int) -> Callable[[], bool]:
    """Whether every pid has exited and been reaped (a zombie still counts as present)."""
    return lambda: all(state(pid) is None for pid in pids)


def running_child(store: IsolatedOxigraphStore) -> int:
    """The pid of the query child that is computing, once one is."""
    zygote = store.processes().zygote
    found: list[int] = []

    def computing() -> bool:
        found[:] = [pid for pid in children_of(zygote) if state(pid) == "R"]
        return bool(found)

    assert wait_for(computing), "no query child started computing"
    return found[0]


def count(store: IsolatedOxigraphStore, query: str = ALL_FILLER) -> int:
    result = store.query(query)
    assert isinstance(result, SelectResult)
    return sum(1 for _ in result.rows)


# -- the time limit --------------------------------------------------------------------------


def test_runaway_query_is_killed_at_the_deadline(isolated: IsolatedOxigraphStore) -> None:
    outcome: list[BaseException] = []
    started = time.monotonic()

    def run() -> None:
        try:
            result = isolated.query(RUNAWAY, deadline=Deadline(1.0))
            assert isinstance(result, SelectResult)
            list(result.rows)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    busy = running_child(isolated)
    thread.join(10)
    elapsed = time.monotonic() - started
    assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeout), outcome
    assert "limit of 1 s" in str(outcome[0])
    assert 1.0 <= elapsed < 2.0
    assert wait_for(gone(busy), 1.0), f"the runaway child {busy} is still {state(busy)}"
    assert count(isolated) == 3000


def test_runaway_ask_is_killed_before_its_first_message(isolated: IsolatedOxigraphStore) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        isolated.query(
            "ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?c + ?f + ?i = -1) }",
            deadline=Deadline(0.8),
        )
    assert time.monotonic() - started < 1.8
    assert isolated.query("ASK { ?s ?p 7 }") == AskResult(True)


def test_a_child_killed_from_outside_is_a_store_error(isolated: IsolatedOxigraphStore) -> None:
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            isolated.query(RUNAWAY, deadline=Deadline(30))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    os.kill(running_child(isolated), signal.SIGKILL)
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], StoreError), outcome
    assert "stopped unexpectedly" in str(outcome[0])
    assert count(isolated) == 3000


# -- concurrency, snapshots, writes ----------------------------------------------------------


def test_eight_concurrent_queries_are_all_correct(isolated: IsolatedOxigraphStore) -> None:
    errors: list[BaseException] = []
    answers: dict[int, list[str]] = {}

    def client(n: int) -> None:
        try:
            seen = []
            for round_ in range(25):
                subject = n * 100 + round_
                result = isolated.query(f"SELECT ?o {{ <urn:s:{subject}> ?p ?o }}")
                assert isinstance(result, SelectResult)
                seen.extend(row[0].value for row in result.rows if row[0] is not None)
            answers[n] = seen
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert answers == {n: [str(n * 100 + r) for r in range(25)] for n in range(8)}


def test_every_write_is_seen_by_the_next_query(isolated: IsolatedOxigraphStore) -> None:
    for n in range(10):
        graph = Graph()
        graph.add((URIRef(f"urn:new:{n}"), URIRef("urn:p"), Literal(n)))
        isolated.apply(Change(graphs={f"urn:graph:{n}": graph}))
        assert isolated.query(f"ASK {{ <urn:new:{n}> <urn:p> {n} }}") == AskResult(True)
        isolated.update(f"DELETE DATA {{ GRAPH <{G}> {{ <urn:s:{n}> <urn:p:{n % 7}> {n} }} }}")
        assert isolated.query(f"ASK {{ <urn:s:{n}> ?p ?o }}") == AskResult(False)
    assert count(isolated) == 2990
    assert isolated.processes().replica_quads == isolated.count() == 3000


def test_a_running_query_keeps_its_snapshot(isolated: IsolatedOxigraphStore) -> None:
    before = isolated.query(f"SELECT ?s {{ GRAPH <{G}> {{ ?s ?p ?o }} }}")
    assert isinstance(before, SelectResult)
    rows = iter(before.rows)
    first = next(rows)
    isolated.apply(Change(graphs={G: Graph()}))
    assert 1 + sum(1 for _ in rows) == 3000 and first[0] is not None
    assert count(isolated) == 0


def test_updates_that_cannot_be_replayed_reload_the_replica(
    isolated: IsolatedOxigraphStore,
) -> None:
    isolated.update(
        "INSERT { GRAPH <urn:g:t> { <urn:x> <urn:id> ?id } } WHERE { BIND(STRUUID() AS ?id) }"
    )
    result = isolated.query("SELECT ?id { <urn:x> <urn:id> ?id }")
    assert isinstance(result, SelectResult)
    (row,) = list(result.rows)
    primary = io.BytesIO()
    isolated.dump(primary)
    assert row[0] is not None and f'"{row[0].value}"'.encode() in primary.getvalue()


def test_a_lost_zygote_is_replaced_and_refilled(isolated: IsolatedOxigraphStore) -> None:
    old = isolated.processes()
    os.kill(old.zygote, signal.SIGKILL)
    assert wait_for(gone(*old.children)), "children die with their zygote"
    assert count(isolated) == 3000
    new = isolated.processes()
    assert new.zygote != old.zygote and new.replica_quads == 3000
    assert state(old.zygote) is None, "the dead zygote was reaped"


def test_a_write_the_replica_refuses_reloads_it(
    isolated: IsolatedOxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_call = Zygote.call

    def refuse_updates(self: Zygote, command: tuple[object, ...], fd: int | None = None) -> object:
        if command[0] == "update":
            raise ReplicaRejected("simulated refusal")
        return real_call(self, command, fd)

    monkeypatch.setattr(Zygote, "call", refuse_updates)
    isolated.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:new> <urn:p> 1 }} }}")
    assert isolated.query("ASK { <urn:new> <urn:p> 1 }") == AskResult(True)
    assert isolated.processes().replica_quads == 3001


def test_a_committed_write_survives_a_replica_that_cannot_start(
    isolated: IsolatedOxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = isolated.processes()

    def lost(self: Zygote, command: tuple[object, ...], fd: int | None = None) -> object:
        raise ZygoteLost("simulated: the zygote died")

    def cannot_start(self: Zygote) -> None:
        raise StoreError("simulated: no processes left")

    monkeypatch.setattr(Zygote, "call", lost)
    monkeypatch.setattr(Zygote, "__init__", cannot_start)
    isolated.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:new> <urn:p> 1 }} }}")  # no error
    assert isolated.count() == 3001
    assert wait_for(gone(*old.children)), "the replica that missed the write is gone"
    with pytest.raises(StoreError):
        isolated.query("ASK { <urn:new> <urn:p> 1 }")
    monkeypatch.undo()
    assert isolated.query("ASK { <urn:new> <urn:p> 1 }") == AskResult(True)
    assert state(old.zygote) is None


def test_the_zygote_never_runs_a_thread(isolated: IsolatedOxigraphStore) -> None:
    graph = Graph()
    graph.add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
    isolated.apply(Change(descriptions={"urn:graph:prov": graph}))
    isolated.resync()
    info = isolated.processes()
    assert info.zygote_threads == 1
    assert len(os.listdir(f"/proc/{info.zygote}/task")) == 1


# -- results: streaming, abandoning, threads -------------------------------------------------


def test_large_results_stream_in_bounded_memory(isolated: IsolatedOxigraphStore) -> None:
    tracemalloc.start()
    try:
        result = isolated.query(PAIRS + " LIMIT 100000")
        assert isinstance(result, SelectResult) and result.variables == list("abcdef")
        rows = 0
        for row in result.rows:
            assert len(row) == 6 and all(isinstance(term, Term) for term in row)
            rows += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 100_000
    assert peak < 12 * 1024 * 1024, f"{peak / 2**20:.1f} MiB held while streaming"
    result = isolated.query(PAIRS + " LIMIT 100000")
    assert isinstance(result, SelectResult)
    pairs = {(row[0].value, row[3].value) for row in result.rows if row[0] and row[3]}
    assert len(pairs) == 100_000


def test_abandoned_results_free_their_child(isolated: IsolatedOxigraphStore) -> None:
    idle = set(isolated.processes().children)
    complete = isolated.query(PAIRS + " LIMIT 1000")
    assert isinstance(complete, SelectResult) and sum(1 for _ in complete.rows) == 1000
    assert set(isolated.processes().children) == idle, "a finished result gives its child back"
    for read in (1, 0):  # dropped midway, and dropped before its first row
        result = isolated.query(PAIRS)
        assert isinstance(result, SelectResult)
        rows = iter(result.rows)
        for _ in range(read):
            next(rows)
        del result, rows
        gc.collect()
        (killed,) = idle - set(isolated.processes().children)
        assert wait_for(gone(killed), 1.0), f"{killed} is still {state(killed)}"
        assert count(isolated) == 3000, "the next query is answered"
        idle = set(isolated.processes().children)
        assert len(idle) >= 1, "and a child is ready for the next one"


def test_a_timed_out_child_is_replaced_at_once(isolated: IsolatedOxigraphStore) -> None:
    before = set(isolated.processes().children)
    with pytest.raises(QueryTimeout):
        result = isolated.query(RUNAWAY, deadline=Deadline(0.3))
        assert isinstance(result, SelectResult)
        list(result.rows)
    after = set(isolated.processes().children)
    assert len(after) == len(before) and len(after - before) == 1


def test_results_can_be_read_in_another_thread(isolated: IsolatedOxigraphStore) -> None:
    result = isolated.query(PAIRS + " LIMIT 5000")
    assert isinstance(result, SelectResult)
    counted: list[int] = []
    thread = threading.Thread(target=lambda: counted.append(sum(1 for _ in result.rows)))
    thread.start()
    thread.join(10)
    assert counted == [5000]


# -- lifetime --------------------------------------------------------------------------------


def test_closing_leaves_no_process(tmp_path: Path) -> None:
    store = IsolatedOxigraphStore(tmp_path / "db", workers=3)
    store.update(filler(3000))
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            store.query(RUNAWAY, deadline=Deadline(30))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    running_child(store)
    info = store.processes()
    pids = (info.zygote, *info.children)
    assert len(pids) >= 2
    store.close()
    thread.join(10)
    assert wait_for(gone(*pids)), {pid: state(pid) for pid in pids}
    assert len(outcome) == 1 and isinstance(outcome[0], StoreError)
    with pytest.raises(StoreError):
        store.query("ASK {}")
    reopened = OxigraphStore(tmp_path / "db")  # the primary was closed too
    assert reopened.count() == 3000
    reopened.close()


def test_no_orphans_when_the_server_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, threading, time
        from treatygraph.store.isolated import IsolatedOxigraphStore
        store = IsolatedOxigraphStore(None)
        store.update({filler(3000)!r})
        threading.Thread(target=lambda: store.query({RUNAWAY!r}), daemon=True).start()
        time.sleep(0.3)
        info = store.processes()
        print(info.zygote, *info.children, flush=True)
        time.sleep(60)
        """
    )
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    pids = [int(pid) for pid in server.stdout.readline().split()]
    assert len(pids) >= 2 and all(state(pid) is not None for pid in pids)
    server.kill()
    server.wait()
    server.stdout.close()
    # The orphaned zygote is reaped by init (a zombie if init does not reap): dead either way.
    assert wait_for(lambda: all(state(pid) in (None, "Z") for pid in pids)), {
        pid: state(pid) for pid in pids
    }


# -- configuration ---------------------------------------------------------------------------


def test_open_store_isolates_unless_told_not_to() -> None:
    isolated = open_store(clean_settings(max_concurrent_queries=3))
    try:
        assert isinstance(isolated, IsolatedOxigraphStore)
        assert isolated.capabilities.interruptible
        assert len(isolated.processes().children) == 3
    finally:
        isolated.close()
    plain = open_store(clean_settings(isolate_queries=False))
    assert isinstance(plain, OxigraphStore) and not plain.capabilities.interruptible
    plain.close()
    serve = main.commands["serve"]
    assert any("--no-isolation" in param.opts for param in serve.params)


def test_children_pass_between_the_event_loop_and_threads() -> None:
    """A child that an event loop has read (and keeps watching while idle) is taken back
    for a blocking query in a thread, and the loop can have it again afterwards."""
    store = IsolatedOxigraphStore(None, workers=1)
    try:
        store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 'x' } }")
        request = WriteRequest("SELECT * { ?s ?p ?o }", (), (), None, "csv", 100, True)

        async def written() -> bytes:
            stream = await store.open_written(request, Deadline(10), lambda: None)
            return stream.first

        async def around() -> tuple[bytes, int, bytes]:
            first = await written()
            # blocking queries from a worker thread while the loop still holds its child
            rows = await asyncio.to_thread(
                lambda: sum(1 for _ in store.query("SELECT * { ?s ?p ?o }").rows)  # type: ignore[union-attr]
            )
            return first, rows, await written()

        first, rows, again = asyncio.run(around())
        assert first == again and b"urn:a" in first
        assert rows == 1
        assert len(store.processes().children) <= 2  # taken back, not forked anew each time
    finally:
        store.close()
