"""``/ontology``, ``/shapes`` and the VoID description, against a real server over the
bundled graph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from web.ld_helpers import PUBLIC_CONTEXT, jsonld_graph, parse

ROOT = Path(__file__).resolve().parents[2]
TG = Namespace("https://w3id.org/treatygraph/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
SYNTAXES = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}


@pytest.fixture(scope="module")
def client(bundled_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=bundled_server, timeout=10) as http:
        yield http


def shipped(name: str) -> Graph:
    return Graph().parse(ROOT / "ontology" / name, format="turtle")


class Nesting(HTMLParser):
    """Records, for every <li id=…>, the ids of the <li> elements it sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.parents: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            ident = dict(attrs).get("id")
            if ident:
                self.parents[ident] = [i for i in self.stack if i]
            self.stack.append(ident)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.stack:
            self.stack.pop()


@pytest.mark.parametrize(
    ("path", "file"), [("/ontology", "treatygraph.ttl"), ("/shapes", "shapes.ttl")]
)
def test_schema_in_every_syntax(
    client: httpx.Client, bundled_server: str, path: str, file: str
) -> None:
    expected = shipped(file)
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert turtle.content == (ROOT / "ontology" / file).read_bytes()
    assert "Accept" in turtle.headers["vary"]
    assert f'<{path}?format=jsonld>; rel="alternate"' in turtle.headers["link"]
    for name, fmt in SYNTAXES.items():
        response = client.get(path, params={"format": name})
        assert response.status_code == 200
        assert isomorphic(parse(response.content, fmt), expected), name
    document = client.get(path, headers={"Accept": "application/ld+json"}).json()
    assert document["@context"] == PUBLIC_CONTEXT
    assert isomorphic(jsonld_graph(document, bundled_server), expected)


def test_default_is_turtle_and_browsers_get_html(client: httpx.Client) -> None:
    assert client.get("/ontology").headers["content-type"].startswith("text/turtle")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/ontology", headers={"Accept": browser})
    assert response.headers["content-type"].startswith("text/html")


def test_ontology_page_lists_every_term_in_its_hierarchy(client: httpx.Client) -> None:
    page = client.get("/ontology", params={"format": "html"}).text
    ontology = shipped("treatygraph.ttl")
    terms = [
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for t in ontology.subjects(RDF.type, kind)
        if isinstance(t, URIRef)
    ]
    assert len(terms) > 60
    nesting = Nesting()
    nesting.feed(page)
    for term in terms:
        local = str(term).removeprefix(str(TG))
        assert local in nesting.parents, local
        comment = ontology.value(term, RDFS.comment)
        if comment is not None:
            assert str(comment).replace('"', "&#34;").replace("'", "&#39;") in page or (
                str(comment)[:40] in page
            ), local
    # subclasses nested under their superclasses, transitively
    assert {"LogisticsSupportAgreement", "DefenseAgreement", "Agreement"} <= set(
        nesting.parents["AcquisitionCrossServicingAgreement"]
    )
    assert "VisitingForcesAgreement" in nesting.parents["ReciprocalAccessAgreement"]
    assert "LifecycleEvent" in nesting.parents["Signing"]
    assert nesting.parents["Agreement"] == []
    assert "InForce" in nesting.parents and "AgreementStatus" in nesting.parents["InForce"]


def test_shapes_page_lists_every_shape_with_targets_and_messages(client: httpx.Client) -> None:
    page = client.get("/shapes", headers={"Accept": "text/html"}).text
    shapes = shipped("shapes.ttl")
    targeted = {
        s
        for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
        for s in shapes.subjects(target, None)
    }
    assert len(targeted) >= 10
    sections = dict(re.findall(r'<section id="([A-Za-z]+)">(.*?)</section>', page, flags=re.S))
    for shape in targeted:
        local = str(shape).rsplit("#", 1)[-1]
        assert local in sections, local
        assert "Targets:" in sections[local]
    agreement = sections["AgreementShape"]
    assert "instances of tg:Agreement" in agreement
    assert "sh:minCount" in agreement and "<code>2</code>" in agreement
    assert "An agreement needs at least two tg:party values" in agreement
    assert "SELECT $this WHERE" in agreement
    event_date = sections["EventShape"]
    assert "xsd:gYearMonth" in event_date


def test_void_describes_the_dataset(client: httpx.Client, bundled_server: str) -> None:
    response = client.get("/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = parse(response.text, "turtle")
    (dataset,) = set(graph.subjects(RDF.type, VOID.Dataset)) - set(graph.objects(None, VOID.subset))
    assert str(dataset) == "https://w3id.org/treatygraph/dataset"
    count = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert graph.value(dataset, VOID.triples) == Literal(int(count))
    assert int(graph.value(dataset, VOID.entities)) > 100
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(bundled_server + "/sparql")
    assert graph.value(dataset, VOID.uriSpace) == Literal("https://w3id.org/treatygraph/id/")
    assert URIRef(str(TG)) in set(graph.objects(dataset, VOID.vocabulary))
    examples = set(graph.objects(dataset, VOID.exampleResource))
    assert examples and all(
        str(e).startswith("https://w3id.org/treatygraph/id/agreement/") for e in examples
    )
    partitions = {
        graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert partitions[TG.Agreement] == 12  # with entailed types: every kind of agreement
    assert partitions[TG.AcquisitionCrossServicingAgreement] == 4
    assert partitions[TG.State] == 6
    assert int(graph.value(dataset, VOID.classes)) == len(partitions)
    subsets = {
        str(s): int(graph.value(s, VOID.triples)) for s in graph.objects(dataset, VOID.subset)
    }
    graphs = "https://w3id.org/treatygraph/graph/"
    assert {
        graphs + "inferred",
        graphs + "reference",
        graphs + "article-01-ph-japan-acsa-talks",
    } <= set(subsets)
    assert all(n > 0 for n in subsets.values())
    well_known = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert isomorphic(parse(well_known.text, "turtle"), graph)
    document = client.get("/void", params={"format": "jsonld"}).json()
    assert isomorphic(jsonld_graph(document, bundled_server), graph)
    page = client.get("/void", headers={"Accept": "text/html"}).text
    assert "void:triples" in page or "void#triples" in page


def test_every_linked_data_endpoint_is_documented(client: httpx.Client) -> None:
    api_md = (ROOT / "docs" / "api.md").read_text("utf-8")
    mine = ("/id", "/api", "/ontology", "/shapes", "/void", "/context.jsonld")
    paths = [p for p in client.get("/openapi.json").json()["paths"] if p.startswith(mine)]
    assert len(paths) >= 10
    for path in paths:
        assert f"`GET {path}`" in api_md or f"`{path}`" in api_md, path
