"""The isolated store's fast path: query children write the document, the runner reads it on
the event loop. The same answers and limits as the thread path, without a thread per query."""

from __future__ import annotations

import asyncio
import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import BNode, Graph
from rdflib.query import Result

from conftest import clean_settings
from conftest import run_query as run
from treatygraph.config import Settings
from treatygraph.errors import QuerySyntaxError, QueryTimeout
from treatygraph.query_runner import QueryRequest, QueryRunner
from treatygraph.query_text import select_limit
from treatygraph.rdfformats import NotAcceptable
from treatygraph.sparql_results import TRUNCATED_LINK
from treatygraph.store import isolation_available
from treatygraph.store.isolated import IsolatedOxigraphStore
from treatygraph.store.oxigraph import OxigraphStore

pytestmark = pytest.mark.skipif(not isolation_available(), reason="needs Linux")

G = "urn:graph:filler"
ODD = r"a\u0001b\r\nc \"q\" <&> ]]>"
"""A literal with characters SPARQL XML cannot carry, escapes, and markup."""


def fill_update(n: int) -> str:
    body = " ".join(f"<urn:s:{i}> <urn:p:{i % 7}> {i} ." for i in range(n))
    odd = f'<urn:odd> <urn:p> "{ODD}", "x"@en, _:b . _:b <urn:p> <urn:odd> .'
    return f"INSERT DATA {{ GRAPH <{G}> {{ {body} {odd} }} }}"


@pytest.fixture(scope="module")
def isolated() -> Iterator[IsolatedOxigraphStore]:
    store = IsolatedOxigraphStore(None, workers=2)
    store.update(fill_update(3000))
    yield store
    store.close()


@pytest.fixture(scope="module")
def plain() -> Iterator[OxigraphStore]:
    store = OxigraphStore(None)
    store.update(fill_update(3000))
    yield store
    store.close()


def runner(store: Any, **overrides: Any) -> QueryRunner:
    settings: Settings = clean_settings(**{"query_timeout": 5, **overrides})
    return QueryRunner(store, settings)


def free_slots(r: QueryRunner) -> int:
    return r._slots._value  # type: ignore[attr-defined]


def test_the_store_says_it_writes_results(isolated: IsolatedOxigraphStore) -> None:
    assert isolated.capabilities.writes_results
    assert not OxigraphStore(None).capabilities.writes_results


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?o { ?s <urn:p> ?o } ORDER BY ?o",
        "SELECT ?s ?o { ?s <urn:p> ?o } ORDER BY ?o LIMIT 10",  # written as produced
        "SELECT * { ?s <urn:p:3> ?o FILTER (?o < 100) }",
        "SELECT * { ?s <urn:none> ?o }",
        "SELECT * {}",
    ],
)
def test_select_reads_as_the_thread_path(
    isolated: IsolatedOxigraphStore, plain: OxigraphStore, query: str, fmt: str
) -> None:
    fast, body = run(runner(isolated), query, format=fmt)
    slow, expected = run(runner(plain), query, format=fmt)
    assert fast.info == slow.info and fast.failure is None
    if body == b"\n\n":  # one empty solution, as TSV (which rdflib cannot read)
        assert expected == body
        return
    if fmt == "csv":  # blank node labels differ between the two stores
        assert sorted(BNODE_CSV.sub(b"_:", body).split(b"\r\n")) == sorted(
            BNODE_CSV.sub(b"_:", expected).split(b"\r\n")
        )
        return
    ours = Result.parse(io.BytesIO(body), format=fmt)
    theirs = Result.parse(io.BytesIO(expected), format=fmt)
    assert [str(v) for v in ours.vars or []] == [str(v) for v in theirs.vars or []]
    assert sorted(map(rows, ours.bindings)) == sorted(map(rows, theirs.bindings))


BNODE_CSV = re.compile(rb"_:\w+")


def rows(binding: Any) -> str:
    return repr(sorted((str(k), "_" if isinstance(v, BNode) else v) for k, v in binding.items()))


def test_xml_keeps_characters_it_cannot_carry_out(isolated: IsolatedOxigraphStore) -> None:
    _, body = run(runner(isolated), "SELECT ?o { <urn:odd> <urn:p> ?o }", format="xml")
    assert b"\x01" not in body and "\ufffd".encode() in body and b"&#13;" in body


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json"])
def test_graph_results(isolated: IsolatedOxigraphStore, plain: OxigraphStore, accept: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (?s != <urn:s:5>) } LIMIT 40"
    fast, body = run(runner(isolated), query, accept=accept)
    slow, expected = run(runner(plain), query, accept=accept)
    assert fast.info == slow.info
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt"}.get(accept, "json-ld")
    ours, theirs = Graph().parse(data=body, format=fmt), Graph().parse(data=expected, format=fmt)
    assert len(ours) == len(theirs) == 40


def test_ask_and_a_point_lookup_come_whole(isolated: IsolatedOxigraphStore) -> None:
    r = runner(isolated)
    stream, body = run(r, "ASK { <urn:s:1> ?p ?o }", accept="text/csv")
    assert body == b"true\n" and stream.whole == body
    stream, body = run(r, "SELECT ?o { <urn:s:1> ?p ?o }")
    assert stream.whole == body and json.loads(body)["results"]["bindings"][0]["o"]["value"] == "1"


def test_cut_at_max_results_and_announced(isolated: IsolatedOxigraphStore) -> None:
    r = runner(isolated, max_results=100)
    stream, body = run(r, "SELECT * { ?s ?p ?o }")
    data = json.loads(body)
    assert stream.info.truncated_at == 100 and len(data["results"]["bindings"]) == 100
    assert data["head"]["link"] == [TRUNCATED_LINK]
    stream, body = run(r, f"SELECT * {{ ?s ?p ?o }} LIMIT {100}")
    assert stream.info.truncated_at is None, "exactly max_results is not a cut"
    stream, body = run(r, "SELECT * { ?s ?p ?o } LIMIT 101")
    assert stream.info.truncated_at == 100, "a LIMIT above max_results is counted too"
    stream, body = run(r, "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert stream.info.truncated_at == 100 and body.startswith(b"# treatygraph: results trunc")
    assert body.count(b" .\n") == 100


def test_errors_before_the_first_byte(isolated: IsolatedOxigraphStore) -> None:
    r = runner(isolated)
    with pytest.raises(QuerySyntaxError) as caught:
        run(r, "SELECT * WHERE {\n  ?s ?p \n}")
    assert caught.value.line == 3
    with pytest.raises(NotAcceptable) as refused:
        run(r, "SELECT * { ?s ?p ?o }", accept="text/turtle")
    assert "application/sparql-results+json" in refused.value.offered
    with pytest.raises(NotAcceptable):
        run(r, "ASK {}", accept="image/png")
    assert free_slots(r) == r.settings.max_concurrent_queries
    assert run(r, "ASK {}")[1].startswith(b'{"head"'), "the children that reported stay usable"


RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_runaway_query_is_killed_at_the_deadline(isolated: IsolatedOxigraphStore) -> None:
    r = runner(isolated, query_timeout=1, max_concurrent_queries=1)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        run(r, RUNAWAY)
    assert 1.0 <= time.monotonic() - started < 1.8
    give_up = time.monotonic() + 2
    while free_slots(r) == 0:
        assert time.monotonic() < give_up, "the slot was not given back"
        time.sleep(0.01)
    assert run(r, "ASK { <urn:s:1> ?p ?o }")[1].startswith(b'{"head"')


def test_slow_reader_gets_an_incomplete_stream(isolated: IsolatedOxigraphStore) -> None:
    r = runner(isolated, query_timeout=1, max_concurrent_queries=1, max_results=10**9)

    async def go() -> None:
        stream = await r.start(QueryRequest("SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 100000000"))
        assert stream.whole is None
        chunks = stream.__aiter__()
        first = await anext(chunks)
        await asyncio.sleep(1.4)  # past the deadline: the child is killed, the slot freed
        assert free_slots(r) == 1
        rest = b"".join([chunk async for chunk in chunks])
        assert isinstance(stream.failure, QueryTimeout)
        assert b"THE RESULTS ABOVE ARE INCOMPLETE" in rest
        with pytest.raises(json.JSONDecodeError):
            json.loads(first + rest)

    asyncio.run(go())


def test_closing_early_kills_the_child_and_frees_the_slot(
    isolated: IsolatedOxigraphStore,
) -> None:
    r = runner(isolated, max_concurrent_queries=1)
    before = set(isolated.processes().children)

    async def go() -> None:
        stream = await r.start(QueryRequest("SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 100000000"))
        chunks = stream.__aiter__()
        await anext(chunks)
        await chunks.aclose()  # what a client disconnect does

    asyncio.run(go())
    give_up = time.monotonic() + 2
    while free_slots(r) == 0:
        assert time.monotonic() < give_up, "the slot was not given back"
        time.sleep(0.01)
    assert run(r, "ASK {}")[1].startswith(b'{"head"')
    assert len(set(isolated.processes().children) - before) <= 1, "one child replaced"


def test_every_write_is_seen_by_the_next_query() -> None:
    store = IsolatedOxigraphStore(None, workers=1)
    try:
        r = runner(store)
        for n in range(5):
            store.update(f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:new:{n}> <urn:p> {n} }} }}")
            _, body = run(r, f"ASK {{ <urn:new:{n}> <urn:p> {n} }}")
            assert body == b'{"head":{},"boolean":true}\n'
    finally:
        store.close()


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 5", 5),
        ("PREFIX : <urn:x#>\nselect * where { ?s :p ?o } order by ?s limit 7 offset 3", 7),
        ("SELECT * { ?s ?p ?o } LIMIT 5 VALUES ?s { <urn:a> }", None),
        ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } }", None),
        ('SELECT * { ?s ?p "} LIMIT 3" }', None),
        ("SELECT * { ?s ?p ?o } # LIMIT 3", None),
        ("SELECT ?limit { ?s ?p ?limit } ORDER BY ?LIMIT", None),
        ("ASK { ?s ?p ?o } LIMIT 1", None),
        ("DESCRIBE ?s { ?s ?p ?o } LIMIT 1", None),
    ],
)
def test_select_limit(query: str, limit: int | None) -> None:
    assert select_limit(query) == limit
