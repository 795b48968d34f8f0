"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: reads for all, checked writes with the
token, 201 when a graph is created, 204 otherwise, 404 for a missing graph."""

from __future__ import annotations

import json

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from treatygraph.store.base import GraphResult, Store, to_rdflib
from write_fixtures import AUTH, GRAPH, INFERRED, RDFS_COMMENT, TG, snapshot

TARGET = "urn:x-test:gsp"
VOID = Namespace("http://rdfs.org/ns/void#")
COMMENT = URIRef(RDFS_COMMENT)

BODIES: dict[str, tuple[str, str]] = {
    "turtle": (
        "text/turtle",
        '@prefix r: <http://www.w3.org/2000/01/rdf-schema#> .\n<urn:x:a> r:comment "a", "b" .',
    ),
    "ntriples": (
        "application/n-triples",
        f'<urn:x:a> <{RDFS_COMMENT}> "a" .\n<urn:x:a> <{RDFS_COMMENT}> "b" .\n',
    ),
    "nquads": (
        "application/n-quads",
        f'<urn:x:a> <{RDFS_COMMENT}> "a" .\n<urn:x:a> <{RDFS_COMMENT}> "b" <{TARGET}> .\n',
    ),
    "trig": (
        "application/trig",
        f'<urn:x:a> <{RDFS_COMMENT}> "a" . <{TARGET}> {{ <urn:x:a> <{RDFS_COMMENT}> "b" }}',
    ),
    "jsonld": (
        "application/ld+json",
        json.dumps({"@id": "urn:x:a", RDFS_COMMENT: ["a", "b"]}),
    ),
    "rdfxml": (
        "application/rdf+xml",
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:r="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description rdf:about="urn:x:a">'
        "<r:comment>a</r:comment><r:comment>b</r:comment></rdf:Description></rdf:RDF>",
    ),
}
EXPECTED = {(URIRef("urn:x:a"), COMMENT, Literal("a")), (URIRef("urn:x:a"), COMMENT, Literal("b"))}


def stored(store: Store, graph: str) -> Graph:
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, GraphResult)
    content = Graph()
    for s, p, o in result.triples:
        content.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return content


@pytest.mark.parametrize("syntax", sorted(BODIES))
def test_put_in_every_syntax(writer_client: httpx.Client, write_store: Store, syntax: str) -> None:
    media_type, body = BODIES[syntax]
    headers = {"Content-Type": media_type, **AUTH}
    created = writer_client.put("/store", params={"graph": TARGET}, content=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/store?graph=urn%3Ax-test%3Agsp"
    assert set(stored(write_store, TARGET)) == EXPECTED
    again = writer_client.put("/store", params={"graph": TARGET}, content=body, headers=headers)
    assert again.status_code == 204
    assert set(stored(write_store, TARGET)) == EXPECTED


def test_get_head_and_conneg(writer_client: httpx.Client) -> None:
    reference = GRAPH + "reference"
    for media_type, fmt in [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ]:
        response = writer_client.get(
            "/store", params={"graph": reference}, headers={"Accept": media_type}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        assert len(Graph().parse(data=response.text, format=fmt)) > 100
    head = writer_client.head("/store", params={"graph": reference})
    assert head.status_code == 200 and head.content == b""
    missing = writer_client.get("/store", params={"graph": "urn:x:none"})
    assert missing.status_code == 404 and missing.json()["type"].endswith("/not-found")
    assert writer_client.head("/store", params={"graph": "urn:x:none"}).status_code == 404
    union = writer_client.get(
        "/store", params={"default": ""}, headers={"Accept": "application/n-triples"}
    )
    assert union.status_code == 200
    assert len(Graph().parse(data=union.text, format="nt")) > 1000


def test_post_adds_and_delete_removes(writer_client: httpx.Client, write_store: Store) -> None:
    headers = {"Content-Type": "application/n-triples", **AUTH}
    one = f'<urn:x:a> <{RDFS_COMMENT}> "a" .'
    two = f'<urn:x:a> <{RDFS_COMMENT}> "b" .'
    assert (
        writer_client.post(
            "/store", params={"graph": TARGET}, content=one, headers=headers
        ).status_code
        == 201
    )
    assert (
        writer_client.post(
            "/store", params={"graph": TARGET}, content=two, headers=headers
        ).status_code
        == 204
    )
    assert set(stored(write_store, TARGET)) == EXPECTED
    assert writer_client.delete("/store", params={"graph": TARGET}, headers=AUTH).status_code == 204
    assert write_store.count(TARGET) == 0
    gone = writer_client.delete("/store", params={"graph": TARGET}, headers=AUTH)
    assert gone.status_code == 404
    assert writer_client.get("/store", params={"graph": TARGET}).status_code == 404


def test_replacing_an_article_graph_is_checked(
    writer_client: httpx.Client, write_store: Store
) -> None:
    article = next(g for g in write_store.graphs() if g.startswith(GRAPH + "article-"))
    content = stored(write_store, article)
    assert writer_client.get("/store", params={"graph": article}).status_code == 200
    round_trip = content.serialize(format="turtle")
    response = writer_client.put(
        "/store",
        params={"graph": article},
        content=round_trip,
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert response.status_code == 204, response.text
    assert isomorphic(stored(write_store, article), content)
    before = snapshot(write_store)
    for s, p, _ in list(content.triples((None, URIRef(TG + "quote"), None))):
        content.set((s, p, Literal("a quote that is not in the article")))
    broken = writer_client.put(
        "/store",
        params={"graph": article},
        content=content.serialize(format="turtle"),
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert broken.status_code == 422
    assert any(v["severity"] == "Violation" for v in broken.json()["violations"])
    assert snapshot(write_store) == before


@pytest.mark.parametrize(
    ("method", "params", "body", "headers", "status"),
    [
        ("put", {"graph": TARGET}, "<urn:x:a> <urn:x:p> 1 .", {"Content-Type": "text/turtle"}, 401),
        (
            "put",
            {"graph": TARGET},
            "<urn:x:a> <urn:x:p> 1 .",
            {"Content-Type": "text/turtle", "Authorization": "Bearer nope"},
            403,
        ),
        ("delete", {"graph": GRAPH + "reference"}, None, {}, 401),
        (
            "put",
            {"graph": INFERRED},
            "<urn:x:a> <urn:x:p> 1 .",
            {"Content-Type": "text/turtle", **AUTH},
            403,
        ),
        ("delete", {"graph": GRAPH + "ontology"}, None, AUTH, 403),
        (
            "put",
            {"default": ""},
            "<urn:x:a> <urn:x:p> 1 .",
            {"Content-Type": "text/turtle", **AUTH},
            400,
        ),
        ("put", {}, "<urn:x:a> <urn:x:p> 1 .", {"Content-Type": "text/turtle", **AUTH}, 400),
        ("put", {"graph": TARGET, "default": ""}, "", {"Content-Type": "text/turtle", **AUTH}, 400),
        ("put", {"graph": "not an iri"}, "", {"Content-Type": "text/turtle", **AUTH}, 400),
        ("put", {"graph": "relative/iri"}, "", {"Content-Type": "text/turtle", **AUTH}, 400),
        (
            "put",
            {"graph": TARGET},
            "<urn:x:a> <urn:x:p> .",
            {"Content-Type": "text/turtle", **AUTH},
            400,
        ),
        (
            "put",
            {"graph": TARGET},
            "<urn:x:a> <urn:x:p> 1 .",
            {"Content-Type": "text/plain", **AUTH},
            415,
        ),
        ("put", {"graph": TARGET}, "<urn:x:a> <urn:x:p> 1 .", AUTH, 415),
        (
            "put",
            {"graph": TARGET},
            "GRAPH <urn:x:other> { <urn:x:a> <urn:x:p> 1 }",
            {"Content-Type": "application/trig", **AUTH},
            400,
        ),
        (
            "put",
            {"graph": TARGET},
            f"<{TG}x> a <{TG}Agreement> .",
            {"Content-Type": "text/turtle", **AUTH},
            422,
        ),
    ],
)
def test_refused_graph_store_writes_change_nothing(
    writer_client: httpx.Client,
    write_store: Store,
    method: str,
    params: dict[str, str],
    body: str | None,
    headers: dict[str, str],
    status: int,
) -> None:
    before = snapshot(write_store)
    response = writer_client.request(
        method.upper(), "/store", params=params, content=body, headers=headers
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert snapshot(write_store) == before


def test_syntax_errors_name_the_line(writer_client: httpx.Client) -> None:
    response = writer_client.put(
        "/store",
        params={"graph": TARGET},
        content='<urn:x:a> <urn:x:p> "ok" .\n<urn:x:a> <urn:x:p> "broken .\n',
        headers={"Content-Type": "application/n-triples", **AUTH},
    )
    assert response.status_code == 400
    assert response.json()["line"] == 2


def test_void_counts_follow_a_write_at_once(writer_client: httpx.Client) -> None:
    """The VoID description is cached, but not across a write through the server."""

    def triples() -> int:
        response = writer_client.get("/void", headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        graph = Graph().parse(data=response.text, format="turtle")
        # the dataset's count: its subsets (one per graph) count less
        return max(int(count) for count in graph.objects(None, VOID.triples))

    before = triples()
    assert triples() == before  # from the cache
    body = f'<urn:x:a> <{RDFS_COMMENT}> "new" .\n'.encode()
    put = writer_client.put(
        "/store",
        params={"graph": TARGET},
        content=body,
        headers={"Content-Type": "application/n-triples", **AUTH},
    )
    assert put.status_code in (201, 204)
    assert triples() > before
