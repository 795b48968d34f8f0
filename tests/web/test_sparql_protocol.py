"""The SPARQL 1.1 Protocol against a real server on 127.0.0.1, with real clients: httpx,
SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import html
import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from fastapi import FastAPI
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TURTLE, XML, SPARQLWrapper

from conftest import FILLER_GRAPH, GatedStore, Serve, SettingsFactory, fill, serve_asgi
from treatygraph.errors import QueryTimeout
from treatygraph.query_runner import QueryStream, ResultInfo
from treatygraph.rdfformats import SPARQL_JSON
from treatygraph.sparql_results import TRUNCATED_LINK
from treatygraph.store.base import Store
from treatygraph.store.isolated import IsolatedOxigraphStore
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.web.app import create_app
from treatygraph.web.streaming import QueryResponse

TG = Namespace("https://w3id.org/treatygraph/ontology#")
ID = "https://w3id.org/treatygraph/id/"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
GRAPH = "https://w3id.org/treatygraph/graph/"
REFERENCE = GRAPH + "reference"
RAA_GRAPH = GRAPH + "article-fixture-raa"
PREFIX = "PREFIX tg: <https://w3id.org/treatygraph/ontology#>\n"
STATES = PREFIX + "SELECT ?s WHERE { ?s a tg:State } ORDER BY ?s"
EVENTS = (
    PREFIX + "SELECT ?event ?date WHERE { ?event tg:concerns ?a ; tg:date ?date } ORDER BY ?date"
)
AGREEMENTS = PREFIX + "CONSTRUCT { ?a tg:party ?p } WHERE { ?a tg:party ?p }"
STATE_IRIS = [ID + "state/jp", ID + "state/ph"]
RUNAWAY = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_COUNT = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def sparql(live_server: str) -> str:
    return live_server + "/sparql"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def bindings(response: httpx.Response, var: str) -> list[str]:
    return [b[var]["value"] for b in response.json()["results"]["bindings"]]


def expected_agreements() -> Graph:
    graph = Graph()
    for agreement in ("jp-ph-raa", "jp-ph-acsa"):
        for state in STATE_IRIS:
            graph.add((URIRef(ID + "agreement/" + agreement), TG.party, URIRef(state)))
    return graph


# -- the three ways to send a query ------------------------------------------------------------


def test_get_query_string(client: httpx.Client, sparql: str) -> None:
    response = client.get(sparql, params={"query": STATES})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert "Accept" in response.headers["vary"]
    assert response.headers["treatygraph-results-truncated"] == "false"
    assert bindings(response, "s") == STATE_IRIS


def test_post_form(client: httpx.Client, sparql: str) -> None:
    response = client.post(sparql, data={"query": STATES})
    assert response.status_code == 200
    assert bindings(response, "s") == STATE_IRIS


@pytest.mark.parametrize(
    "content_type", ["application/sparql-query", "application/sparql-query; charset=UTF-8"]
)
def test_post_direct(client: httpx.Client, sparql: str, content_type: str) -> None:
    response = client.post(sparql, content=STATES, headers={"Content-Type": content_type})
    assert response.status_code == 200
    assert bindings(response, "s") == STATE_IRIS


def test_non_ascii_query_text(client: httpx.Client, sparql: str) -> None:
    query = 'SELECT ?s WHERE { ?s ?p "日本"@ja }'
    for response in (
        client.get(sparql, params={"query": query}),
        client.post(sparql, data={"query": query}),
        client.post(
            sparql, content=query.encode(), headers={"Content-Type": "application/sparql-query"}
        ),
    ):
        assert bindings(response, "s") == [ID + "state/jp"]


def test_unknown_parameters_are_tolerated(client: httpx.Client, sparql: str) -> None:
    params = {"query": STATES, "timeout": "5", "debug": "on", "should-sponge": ""}
    assert bindings(client.get(sparql, params=params), "s") == STATE_IRIS


def test_default_graph_uri(client: httpx.Client, sparql: str) -> None:
    query = "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    get = client.get(sparql, params={"query": query, "default-graph-uri": REFERENCE})
    assert bindings(get, "s") == STATE_IRIS
    form = client.post(sparql, data={"query": query, "default-graph-uri": REFERENCE})
    assert bindings(form, "s") == STATE_IRIS
    direct = client.post(
        sparql,
        params={"default-graph-uri": [REFERENCE, RAA_GRAPH]},
        content=query,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert len(bindings(direct, "s")) == 5  # 2 states, 1 agreement, 1 event, 1 evidence node


def test_named_graph_uri(client: httpx.Client, sparql: str) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    everything = client.get(sparql, params={"query": query})
    assert len(bindings(everything, "g")) == 4
    one = client.get(sparql, params={"query": query, "named-graph-uri": RAA_GRAPH})
    assert bindings(one, "g") == [RAA_GRAPH]
    two = client.post(sparql, data={"query": query, "named-graph-uri": [RAA_GRAPH, REFERENCE]})
    assert bindings(two, "g") == sorted([RAA_GRAPH, REFERENCE])


def test_dated_events(client: httpx.Client, sparql: str) -> None:
    response = client.get(sparql, params={"query": EVENTS})
    dates = [b["date"] for b in response.json()["results"]["bindings"]]
    assert [d["value"] for d in dates] == ["2024-05", "2024-07-08"]
    assert dates[0]["datatype"].endswith("#gYearMonth")
    assert dates[1]["datatype"].endswith("#date")


# -- formats and content negotiation -----------------------------------------------------------

SELECT_MATRIX = [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("text/*", "text/csv; charset=utf-8"),
    ("application/sparql-results+json;q=0.5, text/csv;q=0.9", "text/csv; charset=utf-8"),
    ("text/csv;q=0.1, */*;q=0.2", "application/sparql-results+json"),
    ("text/html;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/turtle, text/tab-separated-values;q=0.1", "text/tab-separated-values; charset=utf-8"),
]


@pytest.mark.parametrize(("accept", "content_type"), SELECT_MATRIX)
def test_select_negotiation(
    client: httpx.Client, sparql: str, accept: str | None, content_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(sparql, params={"query": STATES}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    if not content_type.startswith("text/csv"):
        name = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"}
        fmt = name.get(content_type, "tsv")
        rows = Result.parse(io.BytesIO(response.content), format=fmt)
        assert [str(row[0]) for row in rows] == STATE_IRIS  # type: ignore[index]
    else:
        assert response.text.split("\r\n")[:3] == ["s", *STATE_IRIS]


CONSTRUCT_MATRIX = [
    (None, "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/trig", "application/trig", "trig"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/*;q=0.5, text/turtle;q=0.4", "application/n-triples", "nt"),
    (
        "application/sparql-results+json, application/ld+json;q=0.1",
        "application/ld+json",
        "json-ld",
    ),
]


@pytest.mark.parametrize(("accept", "media_type", "rdflib_format"), CONSTRUCT_MATRIX)
def test_construct_negotiation(
    client: httpx.Client, sparql: str, accept: str | None, media_type: str, rdflib_format: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.post(sparql, data={"query": AGREEMENTS}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    if rdflib_format in ("nquads", "trig"):
        dataset = Dataset()
        dataset.parse(data=response.content, format=rdflib_format)
        graph = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        graph = Graph().parse(data=response.content, format=rdflib_format)
    assert set(graph) == set(expected_agreements())


def test_describe(client: httpx.Client, sparql: str) -> None:
    response = client.get(
        sparql, params={"query": f"DESCRIBE <{ID}state/ph>"}, headers={"Accept": "text/turtle"}
    )
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(ID + "state/ph"), RDFS.label, Literal("Philippines", lang="en")) in graph


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask(client: httpx.Client, sparql: str, accept: str) -> None:
    for query, answer in (
        (PREFIX + "ASK { ?s a tg:State }", True),
        ("ASK { ?s a <urn:no> }", False),
    ):
        response = client.get(sparql, params={"query": query}, headers={"Accept": accept})
        fmt = "json" if accept.endswith("json") else "xml"
        assert Result.parse(io.BytesIO(response.content), format=fmt).askAnswer is answer


@pytest.mark.parametrize(
    ("query", "param", "media_type"),
    [
        (STATES, "format=xml", "application/sparql-results+xml"),
        (STATES, "output=csv", "text/csv"),
        (STATES, "format=application/sparql-results%2Bxml", "application/sparql-results+xml"),
        (STATES, "format=tsv&output=csv", "text/tab-separated-values"),
        (STATES, "format=turtle", "application/sparql-results+json"),  # unusable: Accept decides
        (AGREEMENTS, "format=json", "application/ld+json"),
        (AGREEMENTS, "format=xml", "application/rdf+xml"),
        (AGREEMENTS, "output=nt", "application/n-triples"),
    ],
)
def test_format_parameter(
    client: httpx.Client, sparql: str, query: str, param: str, media_type: str
) -> None:
    params = [*parse_qsl(param), ("query", query)]
    response = client.get(sparql, params=params, headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("query", "accept"),
    [(STATES, "image/png"), (STATES, "text/turtle"), (AGREEMENTS, "text/csv"), (STATES, "*/*;q=0")],
)
def test_not_acceptable(client: httpx.Client, sparql: str, query: str, accept: str) -> None:
    response = client.get(sparql, params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 406
    assert (
        "application/sparql-results+json" in problem["offered"]
        or "text/turtle" in problem["offered"]
    )


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", None, "multipart/form-data; boundary=x"]
)
def test_unsupported_body_type(client: httpx.Client, sparql: str, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(sparql, content=STATES, headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert "application/sparql-query" in response.json()["detail"]


# -- service description and the query page ---------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        (None, "turtle"),
        ("*/*", "turtle"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_service_description(
    client: httpx.Client, sparql: str, accept: str | None, rdflib_format: str
) -> None:
    response = client.get(sparql, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.content, format=rdflib_format)
    service = next(graph.subjects(RDF.type, SD.Service))
    assert (service, SD.endpoint, URIRef(sparql)) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(f) for f in graph.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {REFERENCE, RAA_GRAPH, GRAPH + "article-fixture-acsa", GRAPH + "inferred"}
    assert graph.value(service, TG.maxConcurrentQueries) == Literal(24)
    assert float(graph.value(service, TG.queryTimeoutSeconds)) == 10.0  # type: ignore[arg-type]
    assert int(graph.value(service, TG.maxResults)) == 100_000  # type: ignore[arg-type]


def test_query_page_for_browsers(client: httpx.Client, sparql: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(sparql, headers={"Accept": browser})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    # Without script the editor is a plain form that submits to /sparql.
    assert '<form id="query-form" method="get" action="/sparql"' in page
    assert "cdn" not in page.lower()
    assert re.findall(r'<script src="([^"]+)"', page) == ["/static/editor.js"]
    example = page.split('name="query"')[1].split(">", 1)[1].split("</textarea>")[0]
    results = client.get(sparql, params={"query": html.unescape(example)})
    assert len(results.json()["results"]["bindings"]) == 4  # 2 agreements x 2 parties


def test_browsers_sending_a_query_get_a_results_page(client: httpx.Client, sparql: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(sparql, params={"query": STATES}, headers={"Accept": browser})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    page = response.text
    assert '<table class="grid results">' in page
    assert page.count("<tr>") == len(STATE_IRIS) + 1
    assert '<a href="/id/state/ph" title="' + ID + 'state/ph">Philippines</a>' in page
    assert f"{len(STATE_IRIS)} rows in" in page
    assert html.escape(STATES, quote=False) in page  # the query stays in the editor
    assert "format=csv" in page  # download links
    same = client.get(sparql, params={"query": STATES, "format": "html"})
    assert '<table class="grid results">' in same.text


def test_results_page_shows_errors_with_their_status(client: httpx.Client, sparql: str) -> None:
    response = client.get(
        sparql, params={"query": "SELECT * WHERE {\n  ?s ?p \n}"}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert 'data-error-line="3"' in response.text
    assert "Malformed query</strong> at line 3" in response.text


def test_permalink_fills_the_editor_without_running(client: httpx.Client, sparql: str) -> None:
    text = "SELECT ?s WHERE { ?s a <urn:x:Thing> } # <&>"
    response = client.get(sparql, params={"qtext": text}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert html.escape(text, quote=False) in response.text.replace("&#34;", '"')
    assert "<table" not in response.text
    description = client.get(sparql, params={"qtext": text}, headers={"Accept": "text/turtle"})
    assert description.headers["content-type"].startswith("text/turtle")


# -- errors ------------------------------------------------------------------------------------


def test_malformed_query_is_a_400_with_position(client: httpx.Client, sparql: str) -> None:
    response = client.get(sparql, params={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["line"] == 3 and isinstance(problem["column"], int)
    assert "line 3" in problem["detail"]
    assert set(problem) >= {"type", "title", "status", "detail"}


@pytest.mark.parametrize("query", ["", "   ", "SELEKT * {}", "SELECT * { ?s ?p ?o", "\x00"])
def test_garbage_is_never_a_500(client: httpx.Client, sparql: str, query: str) -> None:
    assert client.get(sparql, params={"query": query}).status_code == 400
    assert client.post(sparql, data={"query": query}).status_code == 400


def test_two_queries_are_a_400(client: httpx.Client, sparql: str) -> None:
    response = client.get(sparql, params={"query": [STATES, STATES]})
    assert response.status_code == 400


def test_updates_are_refused(client: httpx.Client, sparql: str) -> None:
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    form = client.post(sparql, data={"update": update})
    direct = client.post(
        sparql, content=update, headers={"Content-Type": "application/sparql-update"}
    )
    for response in (form, direct):
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
    assert client.get(sparql, params={"update": update}).status_code == 400
    ask = client.get(sparql, params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    assert ask.json()["boolean"] is False


def test_service_is_refused_without_federation(client: httpx.Client, sparql: str) -> None:
    query = "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    response = client.get(sparql, params={"query": query})
    assert response.status_code == 400
    assert "federated queries are disabled" in response.json()["detail"]


def test_healthz(client: httpx.Client, live_server: str) -> None:
    response = client.get(live_server + "/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_cors_for_reads(client: httpx.Client, sparql: str) -> None:
    origin = {"Origin": "https://notebook.example"}
    response = client.get(sparql, params={"query": STATES}, headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    assert (
        "treatygraph-results-truncated" in response.headers["access-control-expose-headers"].lower()
    )
    preflight = client.options(
        sparql,
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# -- real client libraries ---------------------------------------------------------------------


def wrapper(sparql: str, query: str, fmt: str, method: str | None = None) -> Any:
    client = SPARQLWrapper(sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(method)
    return client.query().convert()


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_select(sparql: str, method: str | None) -> None:
    as_json = wrapper(sparql, STATES, JSON, method)
    assert [b["s"]["value"] for b in as_json["results"]["bindings"]] == STATE_IRIS
    as_xml = wrapper(sparql, STATES, XML, method)
    uris = as_xml.getElementsByTagName("uri")
    assert [e.firstChild.data for e in uris] == STATE_IRIS
    as_csv = wrapper(sparql, STATES, CSV, method)
    assert as_csv.decode().split("\r\n")[1:3] == STATE_IRIS


def test_sparqlwrapper_ask(sparql: str) -> None:
    assert wrapper(sparql, PREFIX + "ASK { ?s a tg:State }", JSON)["boolean"] is True


@pytest.mark.parametrize("fmt", [XML, TURTLE, JSONLD])
def test_sparqlwrapper_construct(sparql: str, fmt: str) -> None:
    graph = wrapper(sparql, AGREEMENTS, fmt)
    if not isinstance(graph, Graph):
        graph = Graph().parse(data=graph, format="turtle" if fmt == TURTLE else "json-ld")
    assert set(graph) == set(expected_agreements())


def test_rdflib_sparqlstore(sparql: str) -> None:
    graph = Graph(store=SPARQLStore(sparql, returnFormat="xml"))
    rows = list(graph.query(STATES))
    assert [str(row[0]) for row in rows] == STATE_IRIS  # type: ignore[index]
    assert graph.query(PREFIX + "ASK { ?s a tg:State }").askAnswer is True
    constructed = graph.query(AGREEMENTS).graph
    assert constructed is not None and set(constructed) == set(expected_agreements())
    json_store = Graph(store=SPARQLStore(sparql, returnFormat="json", method="POST_FORM"))
    assert len(list(json_store.query(EVENTS))) == 2
    assert (URIRef(ID + "state/ph"), RDFS.label, Literal("Philippines", lang="en")) in graph


# -- load, limits and time ---------------------------------------------------------------------


def test_twenty_concurrent_clients(live_server: str) -> None:
    sparql = live_server + "/sparql"
    barrier = threading.Barrier(20)
    answers: dict[int, Any] = {}
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            with httpx.Client(timeout=20) as http:
                barrier.wait(5)
                if n % 2:
                    query = f'SELECT ?s WHERE {{ ?s ?p "Japan"@en }} # client {n}'
                    answers[n] = bindings(http.get(sparql, params={"query": query}), "s")
                else:
                    response = http.post(
                        sparql, data={"query": STATES}, headers={"Accept": "text/csv"}
                    )
                    answers[n] = response.text.split("\r\n")[1:3]
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert all(answers[n] == ([ID + "state/jp"] if n % 2 else STATE_IRIS) for n in range(20))


@pytest.fixture(scope="module")
def big_store() -> Iterator[Store]:
    store = fill(OxigraphStore(None), filler=3000)
    yield store
    store.close()


def test_runaway_query_is_stopped_and_the_next_one_answered(
    serve: Serve, make_settings: SettingsFactory, big_store: Store
) -> None:
    settings = make_settings(query_timeout=1, max_results=10**9, max_concurrent_queries=2)
    with serve(settings, big_store) as url, httpx.Client(timeout=10) as http:
        started = time.monotonic()
        response = http.get(url + "/sparql", params={"query": RUNAWAY})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.json()["type"].endswith("/query-timeout")
        assert elapsed < 2.0
        after = http.get(
            url + "/sparql", params={"query": f"ASK {{ GRAPH <{FILLER_GRAPH}> {{ ?s ?p ?o }} }}"}
        )
        assert after.status_code == 200 and after.json()["boolean"] is True


@pytest.fixture(scope="module")
def isolated_big_store() -> Iterator[Store]:
    store = fill(IsolatedOxigraphStore(None, workers=1), filler=3000)
    yield store
    store.close()


def test_runaway_engine_call_is_killed_and_its_slot_freed_at_once(
    serve: Serve, make_settings: SettingsFactory, isolated_big_store: Store
) -> None:
    """A COUNT over a cartesian product yields nothing for minutes: only killing its worker
    process stops it. With one slot, the next query must find that slot free."""
    settings = make_settings(query_timeout=1, max_concurrent_queries=1)
    ask = {"query": f"ASK {{ GRAPH <{FILLER_GRAPH}> {{ ?s ?p ?o }} }}"}
    with serve(settings, isolated_big_store) as url, httpx.Client(timeout=10) as http:
        for _ in range(2):
            started = time.monotonic()
            response = http.get(url + "/sparql", params={"query": RUNAWAY_COUNT})
            elapsed = time.monotonic() - started
            assert response.status_code == 503
            assert response.json()["type"].endswith("/query-timeout")
            assert 1.0 <= elapsed < 2.0
            after = http.get(url + "/sparql", params=ask)
            assert after.status_code == 200, after.text
            assert after.json()["boolean"] is True


def test_busy_server_answers_503_with_retry_after(
    serve: Serve, make_settings: SettingsFactory, fixture_store: Store
) -> None:
    gated = GatedStore(fixture_store)
    with serve(make_settings(max_concurrent_queries=1), gated) as url:
        sparql = url + "/sparql"
        first: dict[str, httpx.Response] = {}
        thread = threading.Thread(
            target=lambda: first.update(r=httpx.get(sparql, params={"query": STATES}, timeout=10))
        )
        thread.start()
        assert gated.entered.wait(5)
        busy = httpx.get(sparql, params={"query": STATES}, timeout=10)
        gated.gate.set()
        thread.join(10)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert busy.json()["type"].endswith("/overloaded")
    assert first["r"].status_code == 200


def test_max_results_overflow_is_announced(
    serve: Serve, make_settings: SettingsFactory, fixture_store: Store
) -> None:
    everything = "SELECT * { ?s ?p ?o }"
    with serve(make_settings(max_results=5), fixture_store) as url, httpx.Client() as http:
        sparql = url + "/sparql"
        cut = http.get(sparql, params={"query": everything})
        assert cut.headers["treatygraph-results-truncated"] == "true"
        assert cut.headers["treatygraph-max-results"] == "5"
        assert cut.json()["head"]["link"] == [TRUNCATED_LINK]
        assert len(cut.json()["results"]["bindings"]) == 5
        xml = http.get(
            sparql,
            params={"query": everything},
            headers={"Accept": "application/sparql-results+xml"},
        )
        assert TRUNCATED_LINK in xml.text
        csv = http.get(sparql, params={"query": everything}, headers={"Accept": "text/csv"})
        assert csv.headers["treatygraph-results-truncated"] == "true"
        assert len(csv.text.strip().split("\r\n")) == 6
        turtle = http.get(
            sparql,
            params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
            headers={"Accept": "text/turtle"},
        )
        assert turtle.text.startswith("# treatygraph: results truncated to the first 5 triples")
        assert len(Graph().parse(data=turtle.text, format="turtle")) == 5
        whole = http.get(sparql, params={"query": STATES})
        assert whole.headers["treatygraph-results-truncated"] == "false"
        assert "link" not in whole.json()["head"]


def test_body_size_limit(
    serve: Serve, make_settings: SettingsFactory, fixture_store: Store
) -> None:
    with serve(make_settings(max_body_bytes=200), fixture_store) as url:
        big = "SELECT * { ?s ?p ?o } #" + "x" * 300
        response = httpx.post(
            url + "/sparql", content=big, headers={"Content-Type": "application/sparql-query"}
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert httpx.post(url + "/sparql", data={"query": STATES}).status_code == 200


def test_federation_to_an_allowed_endpoint(
    serve: Serve, make_settings: SettingsFactory, fixture_store: Store, live_server: str
) -> None:
    target = live_server + "/sparql"
    settings = make_settings(federation=True, federation_allow=(live_server + "/",))
    with serve(settings, OxigraphStore(None)) as url, httpx.Client(timeout=10) as http:
        query = PREFIX + f"SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s a tg:State }} }} ORDER BY ?s"
        response = http.get(url + "/sparql", params={"query": query})
        assert response.status_code == 200, response.text
        assert bindings(response, "s") == STATE_IRIS
        other = "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
        refused = http.get(url + "/sparql", params={"query": other})
        assert refused.status_code == 400
        assert "allowed endpoints start with" in refused.json()["detail"]
        description = Graph().parse(data=http.get(url + "/sparql").text, format="turtle")
        assert (None, SD.feature, SD.BasicFederatedQuery) in description


def test_a_stream_that_breaks_after_it_started_is_not_silent(
    serve: Serve, make_settings: SettingsFactory, fixture_store: Store
) -> None:
    """The response side of a mid-stream failure, over a real socket: the client must see an
    incomplete body, not a short one. (How such failures arise: tests/test_query_runner.py.)"""

    class Broken(QueryStream):
        def __init__(self) -> None:
            self.info = ResultInfo(SPARQL_JSON)
            self.failure = None

        async def __aiter__(self) -> Any:
            yield b'{"head":{"vars":["s"]},"results":{"bindings":[\n'
            self.failure = QueryTimeout("the query ran longer than the limit of 1 s")
            yield b"\n\n!!! treatygraph: the query ran longer than the limit of 1 s !!!\n"

    app = FastAPI()
    app.get("/broken")(lambda: QueryResponse(Broken()))
    with serve_asgi(app) as url, pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url + "/broken", timeout=5)


def test_app_opens_loads_and_closes_its_own_store(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings = make_settings(load_bundled=True, store=str(tmp_path / "db"))
    query = PREFIX + "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?a a tg:DefenseAgreement }"
    with serve_asgi(create_app(settings)) as url:
        response = httpx.get(url + "/sparql", params={"query": query})
        assert int(bindings(response, "n")[0]) >= 5
    reopened = OxigraphStore(tmp_path / "db")  # RocksDB locks the folder while it is open
    assert reopened.count() > 0
    reopened.close()
