"""The part of the store that new data must be validated with.

SHACL checks on new data look one step beyond it: the type of a party, the text of a quoted
article, the events that concern an agreement. Fetching just those triples keeps the cost of
validating a write proportional to the write, not to the store.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from treatygraph.namespaces import INFERRED_GRAPH, PROVENANCE_GRAPH, TG
from treatygraph.ontology import superclasses
from treatygraph.store.base import SelectResult, Store, Term, to_rdflib

BATCH = 400
_FACT_CLASSES = frozenset({TG.Agreement, TG.Event, TG.StatusObservation, TG.Evidence, TG.Program})

_QUERY = """
SELECT ?s ?p ?o WHERE {
  VALUES ?n { %(nodes)s }
  {
    GRAPH ?g { ?n ?p ?o } BIND(?n AS ?s)
  } UNION {
    GRAPH ?g { ?s <%(concerns)s> ?n . ?s ?p ?o }
  }
  FILTER(?g NOT IN (%(excluded)s))
}
"""


def neighbourhood(
    store: Store, data: Dataset | Graph, replaced: Iterable[str] | None = None
) -> Graph:
    """Triples of the store about the IRIs in ``data`` and about the events concerning them,
    from every graph except those ``data`` replaces and the inferred graph.

    By default ``data`` replaces its non-empty graphs but the provenance graph (which loads
    add to); ``replaced`` names them instead (a write also empties graphs, and may replace
    the provenance graph whole)."""
    if replaced is not None:
        replaced = set(replaced)
    elif isinstance(data, Dataset):
        replaced = {str(g.identifier) for g in data.graphs() if len(g)} - {str(PROVENANCE_GRAPH)}
    else:
        replaced = set()
    excluded = ", ".join(f"<{g}>" for g in sorted(replaced | {str(INFERRED_GRAPH)}))
    nodes = sorted(_iris(data))
    context = Graph()
    for start in range(0, len(nodes), BATCH):
        batch = " ".join(f"<{n}>" for n in nodes[start : start + BATCH])
        query = _QUERY % {"nodes": batch, "concerns": TG.concerns, "excluded": excluded}
        result = store.query(query)
        if not isinstance(result, SelectResult):  # pragma: no cover
            continue
        for s, p, o in result.rows:
            if s is not None and p is not None and o is not None:
                context.add((to_rdflib(s), URIRef(p.value), to_rdflib(o)))
    _add_types(store, context, set(nodes))
    return context


def _add_types(store: Store, context: Graph, known: set[str]) -> None:
    """The descriptions of what the fetched triples point to (a participant's tg:Person, the
    state an office belongs to), so that the shapes targeting them see all they check: a
    state typed without its ISO code, or a person without a label, would fail.

    Not of the evidence another graph gives a node, nor of other fact-bearing nodes (an
    agreement another one is tg:relatedTo): their shapes were checked when their graphs were
    loaded, they would need their own neighbourhood, and no shape needs them from here.
    """
    targets = sorted(
        {str(o) for _, p, o in context if isinstance(o, URIRef) and _safe(o) and p != TG.evidence}
        - known
    )
    for start in range(0, len(targets), BATCH):
        batch = " ".join(f"<{n}>" for n in targets[start : start + BATCH])
        result = store.query(f"SELECT ?s ?p ?o {{ VALUES ?s {{ {batch} }} ?s ?p ?o }}")
        if not isinstance(result, SelectResult):  # pragma: no cover
            continue
        described: dict[str, list[tuple[str, Term]]] = {}
        for s, p, o in result.rows:
            if s is not None and p is not None and o is not None:
                described.setdefault(s.value, []).append((p.value, o))
        for subject, pairs in described.items():
            types = [value.value for predicate, value in pairs if predicate == str(RDF.type)]
            if not types or any(_fact_bearing(t) for t in types):
                continue
            for predicate, value in pairs:
                context.add((URIRef(subject), URIRef(predicate), to_rdflib(value)))


def _fact_bearing(cls: str) -> bool:
    return bool(superclasses().get(URIRef(cls), frozenset({URIRef(cls)})) & _FACT_CLASSES)


def _iris(data: Dataset | Graph) -> Iterable[str]:
    seen: set[str] = set()
    triples = data.quads((None, None, None, None)) if isinstance(data, Dataset) else data
    for quad in triples:
        for node in (quad[0], quad[2]):
            if isinstance(node, URIRef) and _safe(node):
                seen.add(str(node))
    return seen


def _safe(iri: URIRef) -> bool:
    """IRIs that can be written between angle brackets in a query as they are."""
    return not any(ch in str(iri) for ch in '<>"{}|\\^` \n\r\t')
