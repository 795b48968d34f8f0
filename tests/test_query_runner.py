"""The query runner: worker threads, limits, backpressure and the time limit, without HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest

from conftest import BrokenStore, GatedStore, clean_settings, collect, fill
from conftest import run_query as run
from treatygraph.errors import BadInput, Overloaded, QuerySyntaxError, QueryTimeout
from treatygraph.query_runner import QueryRequest, QueryRunner
from treatygraph.rdfformats import NotAcceptable
from treatygraph.store.base import Deadline, Store
from treatygraph.store.oxigraph import OxigraphStore


@pytest.fixture(scope="module")
def big_store() -> Iterator[Store]:
    store = fill(OxigraphStore(None), filler=3000)
    yield store
    store.close()


def test_select_and_ask(fixture_store: Store) -> None:
    runner = QueryRunner(fixture_store, clean_settings())
    stream, body = run(runner, "SELECT ?s { ?s a <https://w3id.org/treatygraph/ontology#State> }")
    assert stream.failure is None and stream.info.truncated_at is None
    assert len(json.loads(body)["results"]["bindings"]) == 2
    _, body = run(runner, "ASK { ?s ?p ?o }", accept="text/csv")
    assert body == b"true\n"
    runner.close()


def test_result_over_max_results_is_cut_and_says_so(fixture_store: Store) -> None:
    runner = QueryRunner(fixture_store, clean_settings(max_results=3))
    stream, body = run(runner, "SELECT * { ?s ?p ?o }")
    assert stream.info.truncated_at == 3
    assert len(json.loads(body)["results"]["bindings"]) == 3
    stream, body = run(runner, "SELECT * { ?s a <urn:none> }")
    assert stream.info.truncated_at is None
    stream, body = run(runner, "SELECT ?s { ?s a <https://w3id.org/treatygraph/ontology#State> }")
    assert stream.info.truncated_at is None, "exactly max_results or fewer is not a cut"
    runner.close()


def test_errors_surface_before_the_first_byte(fixture_store: Store) -> None:
    runner = QueryRunner(fixture_store, clean_settings())
    with pytest.raises(QuerySyntaxError) as caught:
        run(runner, "SELECT * WHERE {\n  ?s ?p \n}")
    assert caught.value.line == 3 and caught.value.column is not None
    with pytest.raises(NotAcceptable):
        run(runner, "SELECT * { ?s ?p ?o }", accept="text/turtle")
    with pytest.raises(NotAcceptable):
        run(runner, "SELECT * { ?s ?p ?o }", accept="image/png")
    with pytest.raises(BadInput, match="federated queries are disabled"):
        run(runner, "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    runner.close()


def test_unexpected_errors_keep_their_type(fixture_store: Store) -> None:
    runner = QueryRunner(BrokenStore(fixture_store), clean_settings())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(runner, "ASK {}")
    runner.close()


def test_no_free_slot_is_refused_at_once(fixture_store: Store) -> None:
    store = GatedStore(fixture_store)
    runner = QueryRunner(store, clean_settings(max_concurrent_queries=1))  # type: ignore[arg-type]

    async def go() -> None:
        first = asyncio.create_task(runner.start(QueryRequest("ASK {}")))
        await asyncio.to_thread(store.entered.wait, 5)
        started = time.monotonic()
        with pytest.raises(Overloaded) as caught:
            await runner.start(QueryRequest("ASK {}"))
        assert time.monotonic() - started < 0.5
        assert caught.value.retry_after >= 1
        store.gate.set()
        assert await collect(await first) == b'{"head":{},"boolean":true}\n'
        await collect(await runner.start(QueryRequest("ASK {}")))  # the slot is free again

    asyncio.run(go())
    runner.close()


def test_timeout_before_the_first_byte(fixture_store: Store) -> None:
    store = GatedStore(fixture_store)
    runner = QueryRunner(store, clean_settings(query_timeout=0.3, max_concurrent_queries=1))  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        run(runner, "ASK {}")
    assert time.monotonic() - started < 0.6
    store.gate.set()  # the stuck engine call returns; its slot comes back
    time.sleep(0.1)
    assert run(runner, "ASK {}")[1].startswith(b'{"head"')
    runner.close()


def test_runaway_rows_stop_at_the_deadline(big_store: Store) -> None:
    settings = clean_settings(query_timeout=0.5, max_results=10**9, max_concurrent_queries=1)
    runner = QueryRunner(big_store, settings)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        run(runner, "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert time.monotonic() - started < 1.0
    time.sleep(0.2)  # the worker noticed the deadline at its next check and left
    assert run(runner, "ASK {}")[1].startswith(b'{"head"')
    runner.close()


def test_slow_reader_gets_an_incomplete_stream_not_a_short_result(big_store: Store) -> None:
    settings = clean_settings(query_timeout=0.5, max_concurrent_queries=1)
    runner = QueryRunner(big_store, settings, chunk_size=1024, queue_chunks=2)

    async def go() -> None:
        stream = await runner.start(QueryRequest("SELECT * { ?s ?p ?o }"))
        chunks = stream.__aiter__()
        first = await anext(chunks)
        await asyncio.sleep(0.8)  # past the deadline, with the worker blocked on a full queue
        rest = b"".join([chunk async for chunk in chunks])
        assert isinstance(stream.failure, QueryTimeout)
        assert b"THE RESULTS ABOVE ARE INCOMPLETE" in rest
        with pytest.raises(json.JSONDecodeError):
            json.loads(first + rest)

    asyncio.run(go())
    time.sleep(0.1)
    assert run(runner, "ASK {}")[1].startswith(b'{"head"'), "the worker gave its slot back"
    runner.close()


def test_closing_the_stream_early_frees_the_slot(big_store: Store) -> None:
    runner = QueryRunner(
        big_store, clean_settings(max_concurrent_queries=1), chunk_size=1024, queue_chunks=1
    )

    async def go() -> None:
        stream = await runner.start(QueryRequest("SELECT * { ?s ?p ?o }"))
        chunks = stream.__aiter__()
        await anext(chunks)
        await chunks.aclose()  # what a client disconnect does

    asyncio.run(go())
    give_up = time.monotonic() + 2
    while True:
        try:
            assert run(runner, "ASK {}")[1].startswith(b'{"head"')
            break
        except Overloaded:
            assert time.monotonic() < give_up, "the cancelled worker kept its slot"
            time.sleep(0.02)
    runner.close()


def test_deadline_unit() -> None:
    deadline = Deadline(0.01)
    time.sleep(0.02)
    with pytest.raises(QueryTimeout, match=r"0\.01 s"):
        deadline.check()
