"""A VoID description of the dataset (``/void``, ``/.well-known/void``), computed from the store.

It states what a crawler or a federating engine needs before it sends a query: how big the
dataset is (``void:triples`` of the union default graph, ``void:entities`` = resources under
``{base_iri}id/``, ``void:classes``, ``void:properties``), how its classes and properties are
used (``void:classPartition`` with each class's entity count, counting entailed types too;
``void:propertyPartition`` with each property's triple count), its named graphs
(``void:subset``, each a ``void:Dataset`` named by the graph IRI, with its triple count),
where to query it (``void:sparqlEndpoint``), how its IRIs look (``void:uriSpace``), and which
vocabularies it uses.

The counts scan the store, so :class:`VoidCache` keeps a description for a minute: answers
may be that much behind a write. (The store has no change counter to key the cache on yet.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from treatygraph.config import Settings
from treatygraph.namespaces import ONTOLOGY_IRI, PREFIXES, PROVENANCE_GRAPH, sparql_prologue
from treatygraph.store.base import Deadline, SelectResult, Store, Term

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CACHE_SECONDS = 60.0
_VOCABULARIES = ("tg", "schema", "skos", "prov", "owl", "rdfs", "oa")
_EXAMPLES = 3


@dataclass(frozen=True)
class Counts:
    """The numbers a VoID description states, gathered from the store."""

    triples: int
    entities: int
    classes: dict[str, int]
    properties: dict[str, int]
    graphs: dict[str, int]
    examples: list[str]
    modified: Term | None


def _rows(store: Store, query: str, deadline: Deadline | None) -> list[tuple[Term | None, ...]]:
    result = store.query(sparql_prologue() + query, deadline=deadline)
    if not isinstance(result, SelectResult):  # pragma: no cover - all are SELECTs
        raise TypeError("expected a SELECT result")
    return list(result.rows)


def _number(term: Term | None) -> int:
    return int(term.value) if term is not None else 0


def count(store: Store, settings: Settings, deadline: Deadline | None = None) -> Counts:
    """Gather the counts with a handful of aggregate queries (each one pass over the data)."""
    id_space = settings.base_iri + "id/"
    (total,) = _rows(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", deadline)[0]
    (entities,) = _rows(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{id_space}") && !CONTAINS(STR(?s), "#")) }}',
        deadline,
    )[0]
    classes = {
        c.value: _number(n)
        for c, n in _rows(
            store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c", deadline
        )
        if c is not None and c.kind == "uri"
    }
    properties = {
        p.value: _number(n)
        for p, n in _rows(store, "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p", deadline)
        if p is not None
    }
    graphs = {
        g.value: _number(n)
        for g, n in _rows(
            store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", deadline
        )
        if g is not None and g.kind == "uri"
    }
    examples = [
        row[0].value
        for row in _rows(
            store, f"SELECT ?s {{ ?s a tg:Agreement }} ORDER BY ?s LIMIT {_EXAMPLES}", deadline
        )
        if row[0] is not None
    ]
    modified_rows = _rows(
        store,
        f"SELECT (MAX(?m) AS ?modified) "
        f"{{ GRAPH <{PROVENANCE_GRAPH}> {{ ?d dcterms:modified ?m }} }}",
        deadline,
    )
    return Counts(
        triples=_number(total),
        entities=_number(entities),
        classes=classes,
        properties=properties,
        graphs=graphs,
        examples=examples,
        modified=modified_rows[0][0] if modified_rows else None,
    )


def void_graph(counts: Counts, settings: Settings, sparql_endpoint: str) -> Graph:
    """The VoID description of ``counts`` for a service whose SPARQL endpoint is given."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("void", VOID)
    graph.bind("sd", SD)
    dataset = URIRef(settings.base_iri + "dataset")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("treatygraph", lang="en")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Defense agreements between states, their events and the verbatim evidence "
                "behind every fact.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    if counts.modified is not None:
        graph.add(
            (dataset, DCTERMS.modified, Literal(counts.modified.value, datatype=XSD.dateTime))
        )
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    graph.add((dataset, VOID.uriSpace, Literal(settings.base_iri + "id/")))
    graph.add((dataset, VOID.rootResource, URIRef(settings.base_iri + "id/")))
    for prefix in _VOCABULARIES:
        graph.add((dataset, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    graph.add((dataset, VOID.vocabulary, ONTOLOGY_IRI))
    graph.add((dataset, VOID.triples, Literal(counts.triples)))
    graph.add((dataset, VOID.entities, Literal(counts.entities)))
    graph.add((dataset, VOID.classes, Literal(len(counts.classes))))
    graph.add((dataset, VOID.properties, Literal(len(counts.properties))))
    for example in counts.examples:
        graph.add((dataset, VOID.exampleResource, URIRef(example)))
    # Blank node labels numbered in order, so the same counts always serialise to the same
    # bytes (and the same ETag); random labels reorder the partitions on every request.
    for number, (cls, entities) in enumerate(sorted(counts.classes.items())):
        partition = BNode(f"class{number:04d}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(entities)))
    for number, (prop, triples) in enumerate(sorted(counts.properties.items())):
        partition = BNode(f"property{number:04d}")
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, Literal(triples)))
    for name, triples in sorted(counts.graphs.items()):
        subset = URIRef(name)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, subset))
        graph.add((subset, VOID.triples, Literal(triples)))
    return graph


class VoidCache:
    """Keeps the counts of one store until it is written to, through this process (a new
    ``generation``), or for ``seconds`` (writes that other processes make to a shared remote
    store are not seen otherwise); thread-safe, one computation at a time."""

    def __init__(
        self, seconds: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._entry: tuple[float, tuple[int, int], Counts] | None = None

    def counts(
        self,
        store: Store,
        settings: Settings,
        deadline: Deadline | None = None,
        generation: int = 0,
    ) -> Counts:
        """Fresh counts, or the ones computed for this store at this ``generation`` less than
        ``seconds`` ago."""
        key = (id(store), generation)
        with self._lock:
            now = self._clock()
            entry = self._entry
            if entry is not None and entry[1] == key and now - entry[0] < self.seconds:
                return entry[2]
            counts = count(store, settings, deadline)
            self._entry = (now, key, counts)
            return counts
