"""The incremental graph/inferred equals the full recompute, after any sequence of changes.

:func:`treatygraph.incremental.commit` re-derives only the subjects a change can affect
(see its module docstring for the argument); these tests check the claim on random changes
over a small world where every rule fires: types with superclasses, events and observations
with day, month and year dates concerning several agreements, reports repeated in several
graphs, descriptions replaced in a shared graph, and asserted triples about status-period
nodes. Both paths are exercised: per subject, and the whole-graph recompute past the limit.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from treatygraph.incremental import commit, inferred_change
from treatygraph.inference import compute_inferred
from treatygraph.namespaces import INFERRED_GRAPH, PROVENANCE_GRAPH, TG
from treatygraph.store.base import Change, GraphResult, Store
from treatygraph.store.oxigraph import OxigraphStore

ID = "https://w3id.org/treatygraph/id/"
AGREEMENTS = [URIRef(f"{ID}agreement/a{n}") for n in range(3)]
EVENTS = [URIRef(f"{ID}event/e{n}") for n in range(4)]
PERIOD = URIRef(f"{AGREEMENTS[0]}#status-2020-01-01")
AGREEMENT_CLASSES = [TG.AcquisitionCrossServicingAgreement, TG.DefenseAgreement, TG.Agreement]
EVENT_CLASSES = [TG.Signing, TG.EntryIntoForce, TG.NegotiationLaunch, TG.Termination, TG.Meeting]
DATES = [
    Literal("2020-01-01", datatype=XSD.date),
    Literal("2020-01", datatype=XSD.gYearMonth),
    Literal("2020", datatype=XSD.gYear),
    Literal("2021-06-30", datatype=XSD.date),
    Literal("June", datatype=XSD.string),
]
GRAPHS = [f"https://w3id.org/treatygraph/graph/article-g{n}" for n in range(3)]

POOL: list[tuple[Any, Any, Any]] = [
    *[(a, RDF.type, c) for a in AGREEMENTS for c in AGREEMENT_CLASSES],
    *[(e, RDF.type, c) for e in EVENTS for c in EVENT_CLASSES],
    *[(e, RDF.type, TG.StatusObservation) for e in EVENTS[:2]],
    *[(e, TG.concerns, a) for e in EVENTS for a in AGREEMENTS],
    *[(e, TG.date, d) for e in EVENTS for d in DATES],
    *[(e, TG.observedStatus, s) for e in EVENTS[:2] for s in (TG.Signed, TG.InForce)],
    (PERIOD, RDF.type, TG.Meeting),
    (PERIOD, TG.concerns, AGREEMENTS[1]),
    (PERIOD, TG.date, DATES[0]),
]

triples = st.sets(st.sampled_from(POOL), max_size=14)
changes = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from(GRAPHS), triples, max_size=2),
        st.one_of(st.none(), triples),
        st.sets(st.sampled_from([*AGREEMENTS, *EVENTS]), max_size=2),
        st.sampled_from([2000, 4]),
    ),
    min_size=1,
    max_size=5,
)


def as_graph(content: set[tuple[Any, Any, Any]]) -> Graph:
    graph = Graph()
    for triple in content:
        graph.add(triple)
    return graph


def stored_inferred(store: Store) -> set[str]:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    result = store.query(query)
    assert isinstance(result, GraphResult)
    return {f"{s} {p} {o}" for s, p, o in result.triples}


def recomputed(store: Store) -> set[str]:
    inferred = OxigraphStore(None)
    inferred.apply(Change(graphs={"urn:x:g": compute_inferred(store)}))
    try:
        result = inferred.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <urn:x:g> { ?s ?p ?o } }")
        assert isinstance(result, GraphResult)
        return {f"{s} {p} {o}" for s, p, o in result.triples}
    finally:
        inferred.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes)
def test_incremental_equals_full_recompute(steps: list[Any]) -> None:
    store = OxigraphStore(None)
    try:
        for graphs, provenance, cleared, limit in steps:
            change = Change(
                graphs={name: as_graph(content) for name, content in graphs.items()},
                descriptions={}
                if provenance is None
                else {str(PROVENANCE_GRAPH): as_graph(provenance)},
                subjects={str(PROVENANCE_GRAPH): frozenset(str(s) for s in cleared)}
                if cleared
                else {},
            )
            commit(store, change, subject_limit=limit)
            assert stored_inferred(store) == recomputed(store)
    finally:
        store.close()


def test_a_change_and_its_inference_are_one_apply() -> None:
    calls: list[Change] = []

    class Counting(OxigraphStore):
        def apply(self, change: Change, **kwargs: Any) -> None:
            calls.append(change)
            super().apply(change, **kwargs)

    store = Counting(None)
    graph = as_graph({(AGREEMENTS[0], RDF.type, TG.DefenseAgreement)})
    commit(store, Change(graphs={GRAPHS[0]: graph}))
    assert len(calls) == 1
    assert str(INFERRED_GRAPH) in calls[0].descriptions
    assert stored_inferred(store) == recomputed(store)
    store.close()


def test_a_change_may_not_write_the_inferred_graph() -> None:
    store = OxigraphStore(None)
    try:
        change = Change(graphs={str(INFERRED_GRAPH): Graph()})
        try:
            inferred_change(store, change)
        except ValueError as exc:
            assert "derived" in str(exc)
        else:
            raise AssertionError("a change writing graph/inferred was accepted")
    finally:
        store.close()


def test_bulk_changes_recompute_the_whole_graph() -> None:
    store = OxigraphStore(None)
    graph = as_graph({(a, RDF.type, TG.DefenseAgreement) for a in AGREEMENTS})
    change = inferred_change(store, Change(graphs={GRAPHS[0]: graph}), subject_limit=1)
    assert str(INFERRED_GRAPH) in change.graphs and not change.descriptions
    store.close()


def test_old_subjects_already_known_still_count() -> None:
    """Regression (found by the property test): the old subjects of a replaced graph were
    read with a LIMIT sized to the room left, and subjects already known used it up."""
    store = OxigraphStore(None)
    first = {
        (EVENTS[0], RDF.type, TG.Termination),
        (AGREEMENTS[1], RDF.type, TG.DefenseAgreement),
        (AGREEMENTS[0], RDF.type, TG.AcquisitionCrossServicingAgreement),
    }
    second = {(a, RDF.type, TG.AcquisitionCrossServicingAgreement) for a in AGREEMENTS}
    commit(store, Change(graphs={GRAPHS[0]: as_graph(first)}))
    commit(store, Change(graphs={GRAPHS[0]: as_graph(second)}), subject_limit=4)
    assert stored_inferred(store) == recomputed(store)
    store.close()
