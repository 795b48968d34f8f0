"""The linked-data core without HTTP: path checks, descriptions of every resource of the
bundled graph, and the framed JSON-LD that must carry exactly the description's triples."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from treatygraph.config import Settings
from treatygraph.errors import BadInput, NotFound
from treatygraph.jsonld_docs import compact_iri, compact_type, expand, frame_resource
from treatygraph.namespaces import is_slug, resource_iri, sparql_string
from treatygraph.rdfformats import HTML, TURTLE
from treatygraph.resources import describe, parse_resource_path
from treatygraph.store.base import SelectResult, Store

ID = "https://w3id.org/treatygraph/id/"


def all_resources(store: Store) -> list[str]:
    result = store.query(
        f'SELECT DISTINCT ?x {{ ?x ?p ?o FILTER(STRSTARTS(STR(?x), "{ID}") '
        '&& !CONTAINS(STR(?x), "#")) } ORDER BY ?x'
    )
    assert isinstance(result, SelectResult)
    return [row[0].value for row in result.rows if row[0] is not None]


def test_every_resource_frames_to_exactly_its_description(
    bundled_store: Store, bundled_settings: Settings
) -> None:
    iris = all_resources(bundled_store)
    assert len(iris) > 100
    for iri in iris:
        description = describe(bundled_store, iri)
        document = frame_resource(iri, description.triples, bundled_settings)
        assert document["id"] == iri
        graph = Graph().parse(data=json.dumps(expand(document, bundled_settings)), format="json-ld")
        assert isomorphic(graph, description.graph()), iri


def test_unknown_iri_is_not_found(bundled_store: Store) -> None:
    with pytest.raises(NotFound):
        describe(bundled_store, ID + "agreement/aa-zz-acsa")


def test_parse_resource_path(bundled_settings: Settings) -> None:
    ref = parse_resource_path("agreement", "jp-ph-acsa.ttl", bundled_settings)
    assert ref.iri == ID + "agreement/jp-ph-acsa"
    assert ref.suffix_format is TURTLE
    assert ref.path == "/id/agreement/jp-ph-acsa"
    assert parse_resource_path("state", "jp.html", bundled_settings).suffix_format is HTML
    custom = Settings.model_construct(base_iri="https://example.org/x/")
    assert parse_resource_path("state", "jp", custom).iri == "https://example.org/x/id/state/jp"


@pytest.mark.parametrize(
    ("kind", "segment"),
    [
        ("agreement", "../x"),
        ("agreement", "jp>ph"),
        ("agreement", 'jp"ph'),
        ("agreement", "jp ph"),
        ("agreement", "JP"),
        ("agreement", "jp-ph-acsa.ttl.ttl"),
        ("agreement", "jp-ph-acsa.exe"),
        ("agreement", "jp-ph-acsa."),
        ("agreement", "a" * 300),
        ("agreement", "x\x00"),
        ("bogus", "jp"),
        ("", "jp"),
    ],
)
def test_parse_resource_path_refuses(bundled_settings: Settings, kind: str, segment: str) -> None:
    with pytest.raises(BadInput):
        parse_resource_path(kind, segment, bundled_settings)


def test_resource_iri_takes_a_base() -> None:
    assert str(resource_iri("state", "jp", "https://example.org/")) == (
        "https://example.org/id/state/jp"
    )
    assert not is_slug("a" * 201)


@pytest.mark.parametrize(
    "text", ['"', "\\", '" } ; DROP ALL ; #', "line\nbreak", "tab\tand\rreturn", "ünï ☃"]
)
def test_sparql_string_keeps_user_text_inside_the_literal(bundled_store: Store, text: str) -> None:
    result = bundled_store.query(f"SELECT ({sparql_string(text)} AS ?t) {{}}")
    assert isinstance(result, SelectResult)
    (row,) = list(result.rows)
    assert row[0] is not None and row[0].value == text


def test_compaction_helpers_match_the_context() -> None:
    assert compact_iri("https://w3id.org/treatygraph/ontology#InForce") == "tg:InForce"
    assert compact_iri("http://www.wikidata.org/entity/Q17") == "wd:Q17"
    assert compact_iri(ID + "state/jp") == ID + "state/jp"
    assert compact_type("https://w3id.org/treatygraph/ontology#Signing") == "Signing"
    assert compact_type("https://schema.org/NewsArticle") == "schema:NewsArticle"
