"""One suite, every backend: same answers, same atomicity, same errors."""

from __future__ import annotations

import io

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from treatygraph.errors import QuerySyntaxError, QueryTimeout, StoreError
from treatygraph.store.base import (
    AskResult,
    Change,
    Deadline,
    GraphResult,
    SelectResult,
    Store,
    Term,
)

EX = "http://example.org/"
G1, G2, PROV = EX + "g1", EX + "g2", EX + "prov"


def graph(*triples: tuple[str, str, str | Literal]) -> Graph:
    g = Graph()
    for s, p, o in triples:
        g.add((URIRef(EX + s), URIRef(EX + p), o if isinstance(o, Literal) else URIRef(EX + o)))
    return g


def select(store: Store, query: str, **kwargs: object) -> list[tuple[Term | None, ...]]:
    result = store.query(query, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, SelectResult)
    return list(result.rows)


def values(store: Store, query: str, **kwargs: object) -> set[str]:
    return {row[0].value for row in select(store, query, **kwargs) if row[0] is not None}


@pytest.fixture
def loaded(store: Store) -> Store:
    store.apply(
        Change(
            graphs={
                G1: graph(("a", "p", "b"), ("a", "label", Literal('Ä "quoted"\n', lang="en"))),
                G2: graph(("c", "p", "d")),
            }
        )
    )
    return store


def test_union_default_graph(loaded: Store) -> None:
    assert values(loaded, "SELECT ?s { ?s ?p ?o }") == {EX + "a", EX + "c"}


def test_default_graph_uri_restricts_the_default_graph(loaded: Store) -> None:
    assert values(loaded, "SELECT ?s { ?s ?p ?o }", default_graphs=[G2]) == {EX + "c"}


def test_named_graphs(loaded: Store) -> None:
    assert loaded.graphs() == [G1, G2]
    assert loaded.count(G1) == 2
    assert loaded.count() == 3
    rows = values(loaded, "SELECT ?g { GRAPH ?g { ?s ?p ?o } }", named_graphs=[G1])
    assert rows == {G1}


def test_terms_keep_language_datatype_and_text(loaded: Store) -> None:
    (row,) = select(loaded, f"SELECT ?o {{ <{EX}a> <{EX}label> ?o }}")
    assert row[0] == Term(
        "literal",
        'Ä "quoted"\n',
        str(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")),
        "en",
    )
    (row,) = select(loaded, "SELECT (1 AS ?n) ('x' AS ?s) {}")
    assert row[0] == Term("literal", "1", "http://www.w3.org/2001/XMLSchema#integer")
    assert row[1] == Term("literal", "x", None)


def test_unbound_values_are_none(loaded: Store) -> None:
    rows = select(
        loaded, f"SELECT ?x ?y {{ VALUES ?x {{ <{EX}a> }} OPTIONAL {{ ?x <{EX}no> ?y }} }}"
    )
    assert rows == [(Term("uri", EX + "a"), None)]


def test_ask_and_construct(loaded: Store) -> None:
    assert loaded.query("ASK { ?s ?p ?o }") == AskResult(True)
    result = loaded.query(f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    assert isinstance(result, GraphResult)
    assert {t[0].value for t in result.triples} == {EX + "a", EX + "c"}


def test_replace_is_whole_graph_and_idempotent(loaded: Store) -> None:
    change = Change(graphs={G1: graph(("x", "p", "y"))})
    loaded.apply(change)
    loaded.apply(change)
    assert values(loaded, f"SELECT ?s {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}") == {EX + "x"}
    assert loaded.count() == 2


def test_empty_graph_removes_it(loaded: Store) -> None:
    loaded.apply(Change(graphs={G2: Graph()}))
    assert loaded.graphs() == [G1]


def test_descriptions_replace_only_their_subjects(store: Store) -> None:
    store.apply(Change(descriptions={PROV: graph(("g1", "from", "a1"), ("g2", "from", "a2"))}))
    store.apply(Change(descriptions={PROV: graph(("g1", "from", "a3"))}))
    rows = select(store, f"SELECT ?s ?o {{ GRAPH <{PROV}> {{ ?s ?p ?o }} }} ORDER BY ?s")
    assert [(s.value, o.value) for s, o in rows if s and o] == [
        (EX + "g1", EX + "a3"),
        (EX + "g2", EX + "a2"),
    ]


def test_update_is_atomic(loaded: Store) -> None:
    before = dump(loaded)
    with pytest.raises(StoreError):
        loaded.update(
            f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}new> <{EX}p> 1 }} }} ; "
            f"LOAD <file:///nonexistent/treatygraph.ttl> INTO GRAPH <{G1}>"
        )
    assert dump(loaded) == before


def test_syntax_errors_carry_position(loaded: Store) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        loaded.query("SELECT ?s\nWHERE { ?s ?p }")
    assert info.value.line == 2
    assert "line 2" in str(info.value)
    with pytest.raises(QuerySyntaxError):
        loaded.update("INSERT DATA { <a> <b> }")


def test_deadline_stops_a_long_result(store: Store) -> None:
    store.apply(Change(graphs={G1: graph(*((f"s{i}", "p", f"o{i}") for i in range(300)))}))
    result = store.query("SELECT * { ?a ?b ?c . ?d ?e ?f }", deadline=Deadline(0.0))
    assert isinstance(result, SelectResult)
    with pytest.raises(QueryTimeout):
        list(result.rows)


def dump(store: Store) -> set[bytes]:
    out = io.BytesIO()
    store.dump(out, "nquads")
    return set(out.getvalue().splitlines())


def test_dump_round_trips(loaded: Store) -> None:
    out = io.BytesIO()
    loaded.dump(out, "trig")
    dataset = Dataset()
    dataset.parse(data=out.getvalue(), format="trig")
    quads = list(dataset.quads((None, None, None, None)))
    assert len(quads) == 3
    assert {str(q[3]) for q in quads} == {G1, G2}
