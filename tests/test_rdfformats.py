"""Media type tables and Accept negotiation (RFC 9110 §12.5.1)."""

from __future__ import annotations

import pytest

from treatygraph.rdfformats import (
    ALL_FORMATS,
    GRAPH_FORMATS,
    JSONLD,
    NTRIPLES,
    RDFXML,
    RESULT_FORMATS,
    SPARQL_CSV,
    SPARQL_JSON,
    SPARQL_TSV,
    SPARQL_XML,
    TURTLE,
    NotAcceptable,
    RdfFormat,
    by_name,
    by_suffix,
    choose,
    media_types,
    negotiate,
)

OFFERED = ["text/turtle", "application/n-triples", "application/ld+json"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("", "text/turtle"),
        ("*/*", "text/turtle"),
        ("*", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("APPLICATION/LD+JSON", "application/ld+json"),
        ("application/*", "application/n-triples"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("text/turtle;q=0.5, application/ld+json;q=0.4", "text/turtle"),
        ("text/turtle;q=0.9, */*;q=1", "application/n-triples"),
        ("application/ld+json, */*;q=0.1", "application/ld+json"),
        ("application/ld+json, application/n-triples", "application/ld+json"),
        ("application/n-triples, application/ld+json", "application/n-triples"),
        ("text/turtle;charset=utf-8;q=0.2, application/ld+json;profile=x;q=0.1", "text/turtle"),
        ("*/*, application/ld+json", "application/ld+json"),
        ("*/*;q=0.8, text/turtle;q=0", "application/n-triples"),
        ("garbage, application/ld+json", "application/ld+json"),
        ("garbage", "text/turtle"),
        ("text/turtle;q=abc, application/ld+json", "application/ld+json"),
    ],
)
def test_negotiate(accept: str | None, expected: str) -> None:
    assert negotiate(accept, OFFERED) == expected


@pytest.mark.parametrize(
    "accept", ["image/png", "text/turtle;q=0, application/*;q=0", "text/html, image/*"]
)
def test_negotiate_refuses(accept: str) -> None:
    assert negotiate(accept, OFFERED) is None


def test_browser_accept_prefers_results_over_nothing() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert choose(RESULT_FORMATS, browser) is SPARQL_JSON
    assert choose(GRAPH_FORMATS, browser) is TURTLE


@pytest.mark.parametrize(
    ("formats", "accept", "expected"),
    [
        (RESULT_FORMATS, "application/json", SPARQL_JSON),
        (RESULT_FORMATS, "application/sparql-results+xml", SPARQL_XML),
        (RESULT_FORMATS, "text/csv", SPARQL_CSV),
        (RESULT_FORMATS, "text/tab-separated-values", SPARQL_TSV),
        (GRAPH_FORMATS, "application/x-turtle", TURTLE),
        (GRAPH_FORMATS, "application/rdf+xml", RDFXML),
        # SPARQLWrapper's JSON-LD request
        (GRAPH_FORMATS, "application/ld+json,application/x-json+ld", JSONLD),
    ],
)
def test_choose_by_accept(formats: tuple[RdfFormat, ...], accept: str, expected: object) -> None:
    assert choose(formats, accept) is expected


@pytest.mark.parametrize(
    ("formats", "param", "expected"),
    [
        (RESULT_FORMATS, "json", SPARQL_JSON),
        (GRAPH_FORMATS, "json", JSONLD),
        (RESULT_FORMATS, "xml", SPARQL_XML),
        (GRAPH_FORMATS, "xml", RDFXML),
        (GRAPH_FORMATS, "nt", NTRIPLES),
        (GRAPH_FORMATS, "text/turtle", TURTLE),
        (RESULT_FORMATS, "TSV", SPARQL_TSV),
    ],
)
def test_format_parameter_wins_and_depends_on_the_kind(
    formats: tuple[RdfFormat, ...],
    param: str,
    expected: object,
) -> None:
    assert choose(formats, "image/png", param) is expected


def test_unknown_format_parameter_falls_back_to_accept() -> None:
    assert choose(RESULT_FORMATS, "text/csv", "turtle") is SPARQL_CSV
    assert choose(RESULT_FORMATS, "text/csv", "nonsense") is SPARQL_CSV


def test_not_acceptable_lists_the_offers() -> None:
    with pytest.raises(NotAcceptable) as caught:
        choose(GRAPH_FORMATS, "text/csv")
    assert "text/turtle" in caught.value.offered
    assert "text/csv" in str(caught.value)


def test_tables() -> None:
    assert media_types(RESULT_FORMATS)[0] == "application/sparql-results+json"
    assert "application/json" in media_types(RESULT_FORMATS)
    assert by_suffix("ttl") is TURTLE
    assert by_suffix(".JSONLD") is JSONLD
    assert by_suffix(".docx") is None
    assert by_name("n-triples") is NTRIPLES
    assert by_name("nope") is None
    assert TURTLE.content_type == "text/turtle; charset=utf-8"
    assert JSONLD.content_type == "application/ld+json"
    assert len({f.media_type for f in ALL_FORMATS}) == len(ALL_FORMATS)
    assert all(f.w3c_iri.startswith("http://www.w3.org/ns/formats/") for f in ALL_FORMATS)
