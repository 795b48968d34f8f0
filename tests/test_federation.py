"""The SERVICE policy: which federated queries the server refuses, and why."""

from __future__ import annotations

import pytest

from conftest import clean_settings
from treatygraph.errors import BadInput
from treatygraph.federation import check_federation, service_targets

WIKIDATA = "https://query.wikidata.org/sparql"


def test_targets_are_resolved() -> None:
    query = """PREFIX wd: <http://www.wikidata.org/entity/>
    BASE <http://base.example/>
    SELECT * WHERE {
      SERVICE SILENT <https://query.wikidata.org/sparql> { ?s ?p ?o }
      OPTIONAL { SERVICE wd:endpoint { ?a ?b ?c } }
      { SELECT * { SERVICE ?where { ?x ?y ?z } } }
      SERVICE <relative> { ?q ?r ?t }
    }"""
    assert service_targets(query) == [
        WIKIDATA,
        "http://www.wikidata.org/entity/endpoint",
        "?where",
        "http://base.example/relative",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p ?o }",
        'SELECT * { ?s <https://schema.org/serviceType> "SERVICE <http://x/>" }',
        "SELECT * { ?s ?p ?o } # SERVICE <http://x/> { }",
        "PREFIX service: <http://x/> SELECT * { ?s service:p ?o }",
    ],
)
def test_queries_without_service_pass(query: str) -> None:
    check_federation(query, clean_settings())


@pytest.mark.parametrize(
    ("query", "federation", "allow", "message"),
    [
        (f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}", False, (), "disabled"),
        (f"select * {{ service <{WIKIDATA}> {{ ?s ?p ?o }} }}", False, (), "disabled"),
        ("SELECT * { SERVICE <http://evil.example/> {} }", True, (WIKIDATA,), "allowed endpoints"),
        ("SELECT * { SERVICE ?x {} }", True, (WIKIDATA,), "fixed IRI"),
        # rdflib cannot parse this one; the lexical scan still sees SERVICE
        (
            f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p }} }}",
            True,
            (WIKIDATA,),
            "could not be checked",
        ),
    ],
)
def test_refused(query: str, federation: bool, allow: tuple[str, ...], message: str) -> None:
    settings = clean_settings(federation=federation, federation_allow=allow)
    with pytest.raises(BadInput, match=message):
        check_federation(query, settings)


def test_allowed_by_prefix() -> None:
    settings = clean_settings(federation=True, federation_allow=("https://query.wikidata.org/",))
    check_federation(f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}", settings)
