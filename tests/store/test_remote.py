"""The remote store beyond the contract suite: engine quirks, time limits, errors, retries."""

from __future__ import annotations

import doctest
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from tests.store.conftest import remote_store

from conftest import clean_settings
from remote_fixtures import Server, free_port
from treatygraph.errors import QueryTimeout, StoreError
from treatygraph.store import changes, dialects, open_store, staging
from treatygraph.store.base import Change, Deadline, SelectResult, Term
from treatygraph.store.json_results import JsonResults, ResultsError
from treatygraph.store.sparql import SparqlStore
from treatygraph.store.streams import redacted

EX = "http://example.org/"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@pytest.mark.parametrize("module", [changes, dialects, staging], ids=lambda m: m.__name__)
def test_docstring_examples(module: object) -> None:
    failures, _ = doctest.testmod(module)  # type: ignore[arg-type]
    assert failures == 0


# -- SPARQL JSON, as engines write it ----------------------------------------------------------

VIRTUOSO_JSON = b"""
{ "head": { "link": [], "vars": ["s", "o", "n"] },
  "results": { "distinct": false, "ordered": true, "bindings": [
    { "s": { "type": "bnode", "value": "nodeID://b10000" }\t, "o": { "type": "literal",
      "xml:lang": "EN", "value": "\\u00C4 \\"q\\"\\n" }},
    { "s": { "type": "uri", "value": "http://e/a" }\t, "n": { "type": "typed-literal",
      "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1" },
      "o": { "type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#string",
      "value": "x" }} ] } }"""


def byte_by_byte(body: bytes) -> Iterator[bytes]:
    return (body[i : i + 1] for i in range(len(body)))


@pytest.mark.parametrize("chunks", [lambda b: iter([b]), byte_by_byte], ids=["whole", "bytes"])
def test_json_results_stream_and_normalise_quirks(
    chunks: Callable[[bytes], Iterator[bytes]],
) -> None:
    results = JsonResults(chunks(VIRTUOSO_JSON))
    assert results.variables == ["s", "o", "n"]
    assert list(results.rows()) == [
        (Term("bnode", "b10000"), Term("literal", 'Ä "q"\n', RDF_LANG_STRING, "en"), None),
        (
            Term("uri", "http://e/a"),
            Term("literal", "x"),
            Term("literal", "1", "http://www.w3.org/2001/XMLSchema#integer"),
        ),
    ]


def test_json_rows_come_before_the_body_ends() -> None:
    sent: list[int] = []

    def body() -> Iterator[bytes]:
        yield b'{"head":{"vars":["x"]},"results":{"bindings":['
        for n in range(3):
            sent.append(n)
            yield b'{"x":{"type":"uri","value":"http://e/%d"}},' % n
        yield b"]}}"

    rows = JsonResults(body()).rows()
    assert next(rows) == (Term("uri", "http://e/0"),) and sent == [0]


def test_json_ask_head_last_and_broken_bodies() -> None:
    assert JsonResults(iter([b'{"head":{},"boolean":false}'])).boolean is False
    late = (
        b'{"results":{"bindings":[{"x":{"type":"uri","value":"http://e/"}}]},"head":{"vars":["x"]}}'
    )
    assert list(JsonResults(iter([late])).rows()) == [(Term("uri", "http://e/"),)]
    cut = JsonResults(iter([b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"ty']))
    with pytest.raises(ResultsError, match="inside a solution"):
        list(cut.rows())
    with pytest.raises(ResultsError):
        JsonResults(iter([b"<html>proxy error</html>"]))


# -- dialects ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("server", "url", "name"),
    [
        ("Oxigraph/0.5.13", "http://h/query", "oxigraph"),
        ("Virtuoso/07.20.3229 (Linux) x86_64", "http://h/sparql", "virtuoso"),
        ("Apache Jena Fuseki (5.1.0)", "http://h/ds/sparql", "fuseki"),
        ("", "http://h:7200/repositories/treaties", "graphdb"),
        ("", "https://db.cluster-x.eu-west-1.neptune.amazonaws.com:8182/sparql", "neptune"),
        ("nginx", "https://h/sparql", "generic"),
    ],
)
def test_dialect_detection(server: str, url: str, name: str) -> None:
    assert dialects.detect(server, url).name == name


def test_query_form_and_syntax_positions() -> None:
    assert dialects.query_form("# c <x#>\nBASE <http://e/>\nprefix : <#>\nASK {}") == "ask"
    assert dialects.query_form("define input:x <y> DESCRIBE <a>") == "describe"
    assert dialects.query_form("WITH <g> DELETE {} WHERE {}") is None
    virtuoso = dialects.DIALECTS["virtuoso"]
    error = dialects.engine_syntax_error(
        virtuoso, "Virtuoso 37000 Error SP030: SPARQL compiler, line 3: syntax error", "", "query"
    )
    assert (error.line, error.column) == (3, None) and "line 3" in str(error)
    fuseki = dialects.DIALECTS["fuseki"]
    error = dialects.engine_syntax_error(
        fuseki,
        'Encountered " "}" "} "" at line 2, column 16.',
        "SELECT ?s\nWHERE { ?s ?p }",
        "query",
    )
    assert (error.line, error.column) == (2, 16) and "^" in str(error)


def test_staging_keeps_blank_node_components_whole() -> None:
    g = Graph()
    for n in range(10):
        g.add((URIRef(f"{EX}s{n}"), URIRef(EX + "p"), Literal(n)))
    a, b, c = BNode(), BNode(), BNode()
    g.add((URIRef(EX + "x"), URIRef(EX + "p"), a))
    g.add((a, URIRef(EX + "p"), b))
    g.add((b, URIRef(EX + "p"), c))
    cut = list(staging.batches({"urn:g": g}, 3))
    assert sum(batch.size for batch in cut) == len(g)
    holding = [batch for batch in cut if batch.bnodes]
    assert len(holding) == 1 and holding[0].size == 3


# -- errors, credentials, time limits ----------------------------------------------------------


def test_an_unreachable_store_is_a_store_error_naming_it() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreError, match=f"cannot reach the SPARQL store at {url}"):
        open_store(clean_settings(store=url))


def answering(check: Callable[[httpx.Request], int]) -> httpx.MockTransport:
    """A fake engine that answers every query ``ASK`` true, with the status ``check`` gives."""

    def handle(request: httpx.Request) -> httpx.Response:
        status = check(request)
        if status != 200:
            return httpx.Response(status, text="no")
        return httpx.Response(
            200,
            json={"head": {}, "boolean": True},
            headers={"Content-Type": "application/sparql-results+json", "Server": "Oxigraph/0"},
        )

    return httpx.MockTransport(handle)


def test_credentials_from_settings_are_sent_and_never_shown() -> None:
    seen: list[str] = []

    def record(request: httpx.Request) -> int:
        seen.append(request.headers.get("Authorization", ""))
        return 200

    bearer = clean_settings(store="https://h/query", store_token="t0k3n")
    SparqlStore.from_settings(bearer, transport=answering(record)).close()
    basic = clean_settings(store="https://h/query", store_user="ann", store_password="s3cret")
    store = SparqlStore.from_settings(basic, transport=answering(record))
    assert seen == ["Bearer t0k3n", "Basic YW5uOnMzY3JldA=="]
    assert "s3cret" not in repr(store) + repr(basic) and "t0k3n" not in repr(bearer)
    store.close()


def test_refused_credentials_say_which_variables_to_set() -> None:
    settings = clean_settings(store="https://ann:s3cret@h/query")
    with pytest.raises(StoreError) as info:
        SparqlStore.from_settings(settings, transport=answering(lambda r: 401))
    assert "TREATYGRAPH_STORE_USER" in str(info.value) and "s3cret" not in str(info.value)
    assert redacted("https://ann:s3cret@h:8/q?x") == "https://h:8/q?x"


def test_a_failing_engine_is_a_store_error_with_its_status() -> None:
    calls = iter([200, 500])
    store = SparqlStore("http://h/query", transport=answering(lambda r: next(calls)))
    with pytest.raises(StoreError, match=r"HTTP 500"):
        store.query("ASK {}")


@pytest.fixture
def oxigraph(oxigraph_server: Server) -> Iterator[SparqlStore]:
    store = remote_store(oxigraph_server)
    g = Graph()
    for n in range(300):
        g.add((URIRef(f"{EX}s{n}"), URIRef(EX + "p"), Literal(n)))
    store.apply(Change(graphs={EX + "g": g}))
    yield store
    store.close()


def test_deadline_before_the_first_row(oxigraph: SparqlStore) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        oxigraph.query(
            "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", deadline=Deadline(0.5)
        )
    assert time.monotonic() - started < 3


def test_deadline_while_rows_stream(oxigraph: SparqlStore) -> None:
    started = time.monotonic()
    result = oxigraph.query("SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", deadline=Deadline(0.5))
    assert isinstance(result, SelectResult)
    with pytest.raises(QueryTimeout):
        for _ in result.rows:
            pass
    assert time.monotonic() - started < 3
    assert oxigraph.query("ASK { ?s ?p ?o }").value  # type: ignore[union-attr]


@pytest.mark.remote
def test_virtuoso_stops_at_its_own_limit(virtuoso_server: Server) -> None:
    store = remote_store(virtuoso_server)
    try:
        g = Graph()
        for n in range(300):
            g.add((URIRef(f"{EX}s{n}"), URIRef(EX + "p"), Literal(n)))
        store.apply(Change(graphs={EX + "g": g}))
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            result = store.query(
                f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{EX}g> {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
                f". ?j ?k ?l }} }}",
                deadline=Deadline(1.0),
            )
            list(result.rows)  # type: ignore[union-attr]
        assert time.monotonic() - started < 5
    finally:
        store.close()


def test_a_native_union_that_is_not_one_is_refused(oxigraph: SparqlStore) -> None:
    with pytest.raises(StoreError, match="not the union of its named graphs"):
        SparqlStore(oxigraph.endpoint, dialect="neptune")


# -- retries and staging -----------------------------------------------------------------------


class Flaky(httpx.BaseTransport):
    """Forwards to a real server, but fails chosen writes (updates, Graph Store POSTs):
    ``fail(body, n)`` returns an HTTP status to answer instead, or an exception to raise,
    or None to let the n-th write pass."""

    WRITES = ("application/sparql-update", "application/n-triples")

    def __init__(self, fail: Callable[[str, int], int | Exception | None]) -> None:
        self.inner = httpx.HTTPTransport()
        self.fail = fail
        self.updates: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.headers.get("content-type") in self.WRITES:
            text = request.read().decode()
            self.updates.append(text)
            outcome = self.fail(text, len(self.updates))
            if isinstance(outcome, Exception):
                raise outcome
            if outcome is not None:
                return httpx.Response(outcome, text="overloaded")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def big_graph(size: int) -> Graph:
    g = Graph()
    for n in range(size):
        g.add((URIRef(f"{EX}s{n}"), URIRef(EX + "p"), Literal(n)))
    return g


def test_a_failed_batch_is_retried(
    oxigraph_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("treatygraph.store.sparql.BACKOFF_SECONDS", 0.01)
    remote_store(oxigraph_server).close()
    failures = {3: 503, 5: httpx.ReadTimeout("slow")}
    flaky = Flaky(lambda text, n: failures.get(n))
    settings = clean_settings(**oxigraph_server.settings, store_batch_triples=100)
    store = SparqlStore.from_settings(settings, transport=flaky)
    store.apply(Change(graphs={EX + "g": big_graph(350)}))
    assert store.count(EX + "g") == 350 and store.graphs() == [EX + "g"]
    batches = [u for u in flaky.updates if not u.startswith(("DROP", "MOVE"))]
    assert len(batches) == 4 + 2  # two of the four batches sent twice
    store.close()


def test_a_failed_commit_keeps_the_old_graph_and_no_staging(
    oxigraph_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("treatygraph.store.sparql.BACKOFF_SECONDS", 0.01)
    flaky = Flaky(lambda text, n: 500 if text.startswith("MOVE") else None)
    store = remote_store(oxigraph_server, store_batch_triples=100)
    store.apply(Change(graphs={EX + "g": big_graph(5)}))
    flaky_store = SparqlStore.from_settings(
        clean_settings(**oxigraph_server.settings, store_batch_triples=100), transport=flaky
    )
    with pytest.raises(StoreError, match="HTTP 500"):
        flaky_store.apply(Change(graphs={EX + "g": big_graph(250)}))
    assert store.count(EX + "g") == 5 and store.graphs() == [EX + "g"]
    flaky_store.close()
    store.close()
