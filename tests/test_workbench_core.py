"""The cores behind the home page, search, labels, examples and the results table, without
HTTP, over the bundled graph."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest

import treatygraph.examples
import treatygraph.labels
import treatygraph.pictures.data
import treatygraph.pictures.network
import treatygraph.pictures.svg
import treatygraph.pictures.timeline
import treatygraph.results_table
from treatygraph.errors import BadInput
from treatygraph.examples import competency_questions, parse_example
from treatygraph.labels import labels_of
from treatygraph.overview import overview
from treatygraph.results_table import results_table
from treatygraph.search import search
from treatygraph.store.base import Store

ID = "https://w3id.org/treatygraph/id/"
BASE = "https://w3id.org/treatygraph/"


@pytest.mark.parametrize(
    "module",
    [
        treatygraph.examples,
        treatygraph.labels,
        treatygraph.results_table,
        treatygraph.pictures.data,
        treatygraph.pictures.network,
        treatygraph.pictures.svg,
        treatygraph.pictures.timeline,
    ],
    ids=lambda m: m.__name__,
)
def test_doctests(module: object) -> None:
    failures, tried = doctest.testmod(module, verbose=False)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0


def test_examples_are_the_competency_questions() -> None:
    examples = competency_questions()
    assert len(examples) >= 6
    titles = {e.name: e.title for e in examples}
    assert titles["japan-acsas"] == "Japan's acquisition and cross-servicing agreements"
    raa = next(e for e in examples if e.name == "jp-ph-raa-events")
    assert raa.description.startswith("Every lifecycle event concerning the Japan–Philippines RAA")
    assert raa.sparql.startswith("# Events of")
    assert competency_questions(Path("/nonexistent")) == []
    bare = parse_example("no-header", "SELECT * {}")
    assert (bare.title, bare.description) == ("no header", "")


def test_overview_counts(bundled_store: Store) -> None:
    found = overview(bundled_store)
    assert found.counts["agreement"] == 12
    assert found.counts["state"] == 6
    assert sum(t.count for t in found.by_type) == 12
    assert found.by_type[0].label == "acquisition and cross-servicing agreement"
    assert found.by_type[0].count == 4
    newest = found.newest
    assert [e.date for e in newest] == sorted((e.date for e in newest), reverse=True)
    launch = next(e for e in newest if e.kind == "negotiation launch")
    assert launch.agreement == (
        ID + "agreement/jp-ph-acsa",
        "Japan–Philippines Acquisition and Cross-Servicing Agreement",
    )
    assert [s.label for s in launch.sources] == ["PH, Japan begin talks on new logistics deal"]


def test_search(bundled_store: Store) -> None:
    result = search(bundled_store, "  Japan ")
    assert result.text == "Japan"
    kinds = [kind for kind, _ in result.by_kind()]
    assert kinds[:2] == ["agreement", "state"]
    assert result.hits[0].label == "Japan"  # starts with the text: first
    assert search(bundled_store, "").hits == []
    with pytest.raises(BadInput):
        search(bundled_store, "x" * 201)
    capped = search(bundled_store, "a", limit=3)
    assert len(capped.hits) == 3 and capped.truncated


def test_labels(bundled_store: Store) -> None:
    found = labels_of(bundled_store, [ID + "state/ph", ID + "state/ph", "not an iri", "urn:x"])
    assert found == {ID + "state/ph": "Philippines"}
    assert labels_of(bundled_store, []) == {}
    with pytest.raises(BadInput):
        labels_of(bundled_store, [f"urn:x:{n}" for n in range(501)])


def test_results_table(bundled_store: Store) -> None:
    body = json.dumps(
        {
            "head": {"vars": ["a", "n", "l", "b", "missing"]},
            "results": {
                "bindings": [
                    {
                        "a": {"type": "uri", "value": ID + "agreement/jp-ph-raa"},
                        "n": {
                            "type": "literal",
                            "value": "3",
                            "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                        },
                        "l": {"type": "literal", "value": "x", "xml:lang": "en"},
                        "b": {"type": "uri", "value": "http://www.wikidata.org/entity/Q17"},
                    }
                ]
            },
        }
    ).encode()
    table = results_table(body, "application/sparql-results+json", bundled_store, BASE)
    assert table.kind == "select" and table.total == 1
    a, n, lang, b, missing = table.rows[0]
    assert (a.text, a.href, a.external) == (
        "Japan–Philippines Reciprocal Access Agreement",
        "/id/agreement/jp-ph-raa",
        False,
    )
    assert (n.text, n.title) == ("3", "xsd:integer")
    assert lang.title == "@en"
    assert (b.text, b.external) == ("wd:Q17", True)
    assert missing.kind == "empty"
    ask = results_table(
        b'{"head": {}, "boolean": true}', "application/sparql-results+json", bundled_store, BASE
    )
    assert ask.kind == "ask" and ask.boolean is True
    graph = results_table(b"<a> <b> <c> .\n", "text/turtle", bundled_store, BASE)
    assert graph.kind == "graph" and graph.text == "<a> <b> <c> .\n"
