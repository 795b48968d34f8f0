"""Hostile input against a live server: never a 500, never a hang, nothing changed by a
refused request, nothing fetched from elsewhere.

Two halves: property-based fuzzing (hypothesis, bounded: ``scaled`` examples per property,
more with TREATYGRAPH_LONG_TESTS=1) of query and update texts, RDF bodies, headers and
``/id/`` paths; and a list of known attacks, each with the answer it must get. Every request
that writes is followed by a snapshot of the store: a refused one must leave it as it was.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_server
from treatygraph.store.oxigraph import OxigraphStore
from write_fixtures import (
    AUTH,
    GRAPH,
    INFERRED,
    RDFS_COMMENT,
    TG,
    UPDATE,
    Tripwire,
    disk_store,
    scaled,
    snapshot,
    write_settings,
)

LIMIT = 200_000
"""The body limit of the server under attack (small, so that going past it is quick)."""
FUZZ = settings(
    max_examples=scaled(40, 600),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FRAGMENTS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "INSERT",
    "DELETE",
    "DATA",
    "WHERE",
    "WITH",
    "USING",
    "NAMED",
    "GRAPH",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "COPY",
    "MOVE",
    "ADD",
    "TO",
    "SERVICE",
    "SILENT",
    "DEFAULT",
    "ALL",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "FILTER",
    "BIND",
    "VALUES",
    "EXISTS",
    "NOT",
    "PREFIX",
    "BASE",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ".",
    ";",
    ",",
    "?s",
    "?p",
    "?o",
    "?g",
    "$x",
    "*",
    "a",
    "<urn:x:a>",
    "<urn:x-fuzz:g>",
    f"<{INFERRED}>",
    "<file:///etc/passwd>",
    "<http://127.0.0.1:9/>",
    "tg:",
    "tg:Agreement",
    "_:b",
    '"text"',
    "'''long'''",
    '"\\u0000"',
    "\\u007B",
    "1",
    "1.5e3",
    "@en",
    "^^",
    "#comment\n",
    " ",
    "\n",
    "REGEX(",
    "COUNT(*)",
    "GROUP BY",
    "LIMIT",
    "\x00",
    "\u2028",
    "é",
]
sparql_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=24).map(
    " ".join
)
header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
).map(str.strip)  # what h11 lets a client send
MEDIA_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/ld+json",
    "application/rdf+xml",
    "text/plain",
    "application/json",
    "",
]
RDF_FRAGMENTS = [
    "<urn:x:a>",
    "<urn:x:p>",
    f"<{RDFS_COMMENT}>",
    '"v"',
    '"v"@en',
    "1",
    ".",
    ";",
    ",",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "@prefix p: <urn:p:> .",
    "p:x",
    "GRAPH",
    "<urn:x-fuzz:g>",
    '{"@context":',
    '"@id":',
    '"urn:x:a"',
    '"@graph": [',
    "<rdf:RDF>",
    "</rdf:RDF>",
    "<!DOCTYPE x [",
    "<!ENTITY e 'x'>",
    "&e;",
    "\\",
    "\x00",
    "_:b",
    "a",
    f"<{TG}Agreement>",
]
rdf_text = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(RDF_FRAGMENTS), max_size=30).map(lambda p: " ".join(p).encode()),
)
ALLOWED_QUERY = {200, 400, 406, 503}
ALLOWED_WRITE = {201, 204, 400, 403, 413, 415, 422, 503}


@pytest.fixture(scope="module")
def attacked(
    bundled_nquads: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, OxigraphStore]]:
    folder = tmp_path_factory.mktemp("attacked")
    store = disk_store(folder / "db", bundled_nquads)
    overrides = {"max_body_bytes": LIMIT, "query_timeout": 5, "update_timeout": 10}
    with run_server(write_settings(folder, **overrides), store) as url:
        yield url, store
    store.close()


@pytest.fixture(scope="module")
def http(attacked: tuple[str, OxigraphStore]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=attacked[0], timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def store(attacked: tuple[str, OxigraphStore]) -> OxigraphStore:
    return attacked[1]


def writes_nothing_when_refused(
    store: OxigraphStore, response: httpx.Response, before: Any
) -> None:
    assert response.status_code < 500 or response.status_code == 503, response.text
    if response.status_code >= 300:
        assert response.headers["content-type"] == "application/problem+json"
        assert snapshot(store) == before, response.text


# -- fuzzing -----------------------------------------------------------------------------------


@FUZZ
@given(text=sparql_text)
def test_fuzzed_queries(http: httpx.Client, text: str) -> None:
    response = http.get("/sparql", params={"query": text}, headers={"Accept": "text/csv"})
    assert response.status_code in ALLOWED_QUERY, response.text


@FUZZ
@given(
    text=sparql_text, using=st.lists(st.sampled_from(["urn:x-fuzz:g", "bad iri", ""]), max_size=2)
)
def test_fuzzed_updates(
    http: httpx.Client, store: OxigraphStore, text: str, using: list[str]
) -> None:
    before = snapshot(store)
    response = http.post(
        "/sparql",
        params={"using-graph-uri": using},
        content=text.encode("utf-8", "replace"),
        headers=UPDATE,
    )
    assert response.status_code in ALLOWED_WRITE, response.text
    writes_nothing_when_refused(store, response, before)


@FUZZ
@given(
    body=rdf_text, media_type=st.sampled_from(MEDIA_TYPES), method=st.sampled_from(["PUT", "POST"])
)
def test_fuzzed_rdf_bodies(
    http: httpx.Client, store: OxigraphStore, body: bytes, media_type: str, method: str
) -> None:
    before = snapshot(store)
    headers = {**AUTH, "Content-Type": media_type} if media_type else AUTH
    response = http.request(
        method, "/store", params={"graph": "urn:x-fuzz:g"}, content=body, headers=headers
    )
    assert response.status_code in ALLOWED_WRITE, response.text
    writes_nothing_when_refused(store, response, before)
    check = http.post("/validate", content=body, headers=headers)
    assert check.status_code in {200, 400, 413, 415, 503}, check.text


@FUZZ
@given(
    accept=header_text,
    content_type=header_text,
    request_id=header_text,
    authorization=header_text,
    target=st.sampled_from(
        [
            "/sparql?query=ASK%7B%7D",
            "/sparql",
            "/store?graph=urn:x:a",
            "/id/state/ph",
            "/api/agreements",
            "/validate",
        ]
    ),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]),
)
def test_fuzzed_headers(
    http: httpx.Client,
    store: OxigraphStore,
    accept: str,
    content_type: str,
    request_id: str,
    authorization: str,
    target: str,
    method: str,
) -> None:
    before = snapshot(store)
    headers = {
        "Accept": accept,
        "Content-Type": content_type,
        "X-Request-ID": request_id,
        "Authorization": authorization,
    }
    response = http.request(method, target, headers=headers, content=b"ASK {}")
    assert response.status_code < 500 or response.status_code == 503, response.text
    assert snapshot(store) == before  # none of these carries the token


@FUZZ
@given(
    kind=st.one_of(
        st.sampled_from(["agreement", "state", "article", "event"]), st.text(max_size=12)
    ),
    slug=st.text(max_size=80),
)
def test_fuzzed_resource_paths(http: httpx.Client, kind: str, slug: str) -> None:
    response = http.get(f"/id/{quote(kind, safe='')}/{quote(slug, safe='')}")
    assert response.status_code < 500, response.text


# -- known attacks -----------------------------------------------------------------------------


INJECTIONS = [
    "> } UNION { ?s ?p ?o } #",
    "jp> . ?x ?y ?z } #",
    '" } ; DROP ALL ; #',
    "') || true || ('",
    "\\u003E } UNION {",
    "jp\n} INSERT DATA { GRAPH <urn:x:pwned> { <urn:a> <urn:b> <urn:c> } } #",
]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("parameter", ["party", "type", "status", "q", "as_of"])
def test_sparql_injection_through_api_filters(
    http: httpx.Client, store: OxigraphStore, parameter: str, value: str
) -> None:
    before = snapshot(store)
    response = http.get("/api/agreements", params={parameter: value})
    assert response.status_code in {200, 400, 422}, response.text
    if response.status_code == 200:
        assert response.json()["items"] == [] or parameter == "q"
    assert snapshot(store) == before


@pytest.mark.parametrize("value", INJECTIONS)
def test_sparql_injection_through_slugs(http: httpx.Client, value: str) -> None:
    response = http.get("/id/agreement/" + quote(value, safe=""))
    assert response.status_code in {400, 404}, response.text


def test_remote_jsonld_context_is_never_fetched(
    http: httpx.Client, store: OxigraphStore, tripwire: Tripwire
) -> None:
    before = snapshot(store)
    documents = [
        {"@context": f"{tripwire.url}/context.jsonld", "@id": "urn:x:a", "x": "1"},
        {"@context": [{"@import": f"{tripwire.url}/c"}], "@id": "urn:x:a"},
        {
            "@context": {"p": {"@id": "urn:p", "@context": f"{tripwire.url}/scoped"}},
            "@id": "urn:x:a",
        },
    ]
    headers = {"Content-Type": "application/ld+json", **AUTH}
    for document in documents:
        body = json.dumps(document)
        put = http.put("/store", params={"graph": "urn:x-test:ld"}, content=body, headers=headers)
        assert put.status_code == 400 and "not fetched" in put.json()["detail"]
        assert http.post("/validate", content=body, headers=headers).status_code == 400
    assert tripwire.hits == []
    assert snapshot(store) == before


def test_the_published_context_is_used_locally(http: httpx.Client, store: OxigraphStore) -> None:
    document = {
        "@context": "https://w3id.org/treatygraph/context.jsonld",
        "@id": "urn:x:a",
        "comment": "local",
    }
    response = http.post(
        "/validate",
        content=json.dumps(document),
        headers={"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 200, response.text


def nested_contexts(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": "urn:x:leaf", "urn:x:p": "v"}
    for level in range(depth):
        node = {
            "@context": {f"t{level}": {"@id": f"urn:x:t{level}", "@context": {"a": "urn:x:a"}}},
            f"t{level}": node,
        }
    return node


@pytest.mark.parametrize(
    "document",
    [
        nested_contexts(80),
        {"@context": [{"a": "urn:x:"}] * 5000, "@id": "urn:x:a"},
        {"@context": {"a": "b:x", "b": "a:x"}, "@id": "urn:x:a", "a:y": "v"},
        json.loads("[" * 50 + "{}" + "]" * 50),
    ],
    ids=["nested-scoped-contexts", "thousands-of-contexts", "cyclic-terms", "deep-arrays"],
)
def test_billion_laughs_style_jsonld(
    http: httpx.Client, store: OxigraphStore, document: Any
) -> None:
    before = snapshot(store)
    started = time.monotonic()
    response = http.put(
        "/store",
        params={"graph": "urn:x-test:ld"},
        content=json.dumps(document),
        headers={"Content-Type": "application/ld+json", **AUTH},
    )
    assert response.status_code in {400, 422}, response.text
    assert time.monotonic() - started < 10
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY a{i + 1} "{("&a%s;" % (i if i else "")) * 10}">' for i in range(9))
        + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="urn:x:a"><rdf:value>&a9;</rdf:value>'
        "</rdf:Description></rdf:RDF>",
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="urn:x:a"><rdf:value>&x;</rdf:value>'
        "</rdf:Description></rdf:RDF>",
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_xml_entities_are_refused(http: httpx.Client, store: OxigraphStore, body: str) -> None:
    before = snapshot(store)
    started = time.monotonic()
    response = http.put(
        "/store",
        params={"graph": "urn:x-test:xml"},
        content=body,
        headers={"Content-Type": "application/rdf+xml", **AUTH},
    )
    assert response.status_code == 400 and "entity" in response.json()["detail"]
    assert time.monotonic() - started < 5
    assert snapshot(store) == before


def test_service_to_a_non_allowed_endpoint(http: httpx.Client, tripwire: Tripwire) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{tripwire.url}/sparql> {{ ?s ?p ?o }} }}"
    response = http.get("/sparql", params={"query": query})
    assert response.status_code == 400 and "SERVICE" in response.json()["detail"]
    update = (
        f"INSERT {{ GRAPH <urn:x:s> {{ ?s ?p ?o }} }} "
        f"WHERE {{ SERVICE <{tripwire.url}/> {{ ?s ?p ?o }} }}"
    )
    assert http.post("/sparql", content=update, headers=UPDATE).status_code == 403
    assert tripwire.hits == []


@pytest.mark.parametrize("target", ["file:///etc/passwd", "TRIPWIRE"])
def test_load_is_refused(
    http: httpx.Client, store: OxigraphStore, tripwire: Tripwire, target: str
) -> None:
    iri = f"{tripwire.url}/data.ttl" if target == "TRIPWIRE" else target
    before = snapshot(store)
    response = http.post("/sparql", content=f"LOAD <{iri}> INTO GRAPH <urn:x:l>", headers=UPDATE)
    assert response.status_code == 403 and "LOAD" in response.json()["detail"]
    assert tripwire.hits == []
    assert snapshot(store) == before


def raw_request(url: str, head: bytes, body_chunks: list[bytes], pause: float = 0.0) -> bytes:
    """Send a request by hand (a client library would refuse to lie about its length) and
    return what the server answered, reading until it closes or 10 s pass."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head)
        for chunk in body_chunks:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed: what we wanted
            if pause:
                time.sleep(pause)
        answer = b""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
                if b"\r\n\r\n" in answer and b'"status":413' in answer.replace(b" ", b""):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def test_a_declared_gigabyte_is_refused_before_reading(attacked: tuple[str, OxigraphStore]) -> None:
    url, store = attacked
    before = snapshot(store)
    head = (
        b"PUT /store?graph=urn:x-test:big HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/n-triples\r\nAuthorization: "
        + AUTH["Authorization"].encode()
        + b"\r\nContent-Length: 1073741824\r\n\r\n"
    )
    started = time.monotonic()
    answer = raw_request(url, head, [b"<urn:x:a> <urn:x:p> 1 .\n"])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5
    assert snapshot(store) == before


def test_a_chunked_body_is_stopped_when_it_grows_past_the_limit(
    attacked: tuple[str, OxigraphStore],
) -> None:
    url, store = attacked
    before = snapshot(store)
    head = (
        b"PUT /store?graph=urn:x-test:big HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/n-triples\r\nAuthorization: "
        + AUTH["Authorization"].encode()
        + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    line = b'<urn:x:a> <urn:x:p> "' + b"x" * 1000 + b'" .\n'
    chunk = hex(len(line) * 16)[2:].encode() + b"\r\n" + line * 16 + b"\r\n"
    chunks = [chunk] * (4 * LIMIT // len(chunk) + 1)  # four times the limit, if all were read
    answer = raw_request(url, head, chunks, pause=0.001)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("method", "target", "body", "headers"),
    [
        ("POST", "/sparql", b"query=%FF%FE", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("POST", "/sparql", b"ASK { \xff }", {"Content-Type": "application/sparql-query"}),
        (
            "POST",
            "/sparql",
            b'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "\xff" } }',
            UPDATE,
        ),
        (
            "PUT",
            "/store?graph=urn:x:g",
            b'<urn:x:a> <urn:x:p> "\xff\xfe" .',
            {"Content-Type": "text/turtle", **AUTH},
        ),
        (
            "PUT",
            "/store?graph=urn:x:g",
            b'{"@id": "urn:x:a", "\xff": 1}',
            {"Content-Type": "application/ld+json", **AUTH},
        ),
        (
            "POST",
            "/api/articles",
            b"Title: \xff\n\ntext",
            {"Content-Type": "text/plain; charset=utf-8", **AUTH},
        ),
    ],
    ids=["form", "query", "update", "turtle", "jsonld", "article"],
)
def test_invalid_utf8(
    http: httpx.Client,
    store: OxigraphStore,
    method: str,
    target: str,
    body: bytes,
    headers: dict[str, str],
) -> None:
    before = snapshot(store)
    response = http.request(method, target, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert snapshot(store) == before


def test_a_100k_character_iri(attacked: tuple[str, OxigraphStore], http: httpx.Client) -> None:
    url, store = attacked
    iri = "http://example.org/" + "a" * 100_000
    before = snapshot(store)
    query = http.post(
        "/sparql",
        content=f"SELECT * WHERE {{ <{iri}> ?p ?o }}",
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert query.status_code == 200
    put = http.put(
        "/store",
        params={"graph": "urn:x-test:long"},
        content=f"<{iri}> <urn:x:p> <urn:x:o> .",
        headers={"Content-Type": "application/n-triples", **AUTH},
    )
    assert put.status_code == 201, put.text
    assert (
        http.delete("/store", params={"graph": "urn:x-test:long"}, headers=AUTH).status_code == 204
    )
    update = f"INSERT DATA {{ GRAPH <{iri}> {{ <urn:x:a> <urn:x:p> <urn:x:o> }} }}"
    assert http.post("/sparql", content=update, headers=UPDATE).status_code == 204
    drop = f"DROP GRAPH <{iri}>"
    assert http.post("/sparql", content=drop, headers=UPDATE).status_code == 204
    # In the URL itself (past what client libraries send): the server answers, never a 500.
    for target in (f"/id/agreement/{'a' * 100_000}", f"/store?graph=http://e/{'a' * 100_000}"):
        answer = raw_request(url, f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), [])
        assert answer == b"" or not answer.startswith(b"HTTP/1.1 5"), answer[:200]
    assert http.get("/healthz").status_code == 200
    assert snapshot(store) == before


def test_deeply_nested_sparql(http: httpx.Client, store: OxigraphStore) -> None:
    before = snapshot(store)
    deep_query = "SELECT * WHERE { FILTER(" + "(" * 20_000 + "1" + ")" * 20_000 + ") }"
    response = http.post(
        "/sparql", content=deep_query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400 and "nested" in response.json()["detail"]
    service = "SELECT * WHERE { SERVICE <http://x/> {" + "{" * 5000 + "}" * 5000 + "} }"
    assert http.get("/sparql", params={"query": service}).status_code == 400
    deep_update = (
        "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "
        + "(" * 20_000
        + ")" * 20_000
        + " } }"
    )
    assert http.post("/sparql", content=deep_update, headers=UPDATE).status_code == 400
    assert http.get("/healthz").status_code == 200  # the server is still there
    assert snapshot(store) == before


def test_writes_to_graphs_the_service_maintains(http: httpx.Client, store: OxigraphStore) -> None:
    before = snapshot(store)
    for graph in (INFERRED, GRAPH + "ontology", GRAPH + "shapes"):
        response = http.put(
            "/store",
            params={"graph": graph},
            content=b"<urn:x:a> <urn:x:p> <urn:x:o> .",
            headers={"Content-Type": "application/n-triples", **AUTH},
        )
        assert response.status_code == 403
    assert snapshot(store) == before
