"""The ontology and the SHACL shapes as documents: RDF in every syntax, and what their HTML
pages list (every class and property with its comment and place in the hierarchy; every
shape with its targets, constraints and messages).

Both graphs are static for the life of the process, so each rendering is computed once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from treatygraph.bundle import ontology_dir
from treatygraph.config import Settings
from treatygraph.jsonld_docs import compact_graph, dumps
from treatygraph.namespaces import PREFIXES, SH
from treatygraph.ontology import ontology_graph, shapes_graph
from treatygraph.rdfformats import RdfFormat
from treatygraph.sparql_results import graph_result, serialize

SchemaName = TypingLiteral["ontology", "shapes"]
_FILES = {"ontology": "treatygraph.ttl", "shapes": "shapes.ttl"}


def schema_graph(name: SchemaName) -> Graph:
    """The ontology or the shapes (shared and cached: do not modify)."""
    return ontology_graph() if name == "ontology" else shapes_graph()


def schema_turtle(name: SchemaName) -> bytes:
    """The Turtle file as shipped, comments included."""
    return (ontology_dir() / _FILES[name]).read_bytes()


def curie(node: Node) -> str:
    """A prefixed name for people (``tg:party``), or the IRI; blank nodes as ``[]``."""
    if isinstance(node, BNode):
        return "[]"
    text = str(node)
    best = ""
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(namespace) > len(best):
            best, chosen = namespace, prefix
    if best:
        return f"{chosen}:{text[len(best) :]}"
    for prefix, namespace in (("tgsh", "https://w3id.org/treatygraph/shapes#"),):
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def anchor(node: Node) -> str:
    """The HTML anchor of a term: its local name (``#party``)."""
    text = str(node)
    for separator in ("#", "/"):
        text = text.rsplit(separator, 1)[-1]
    return text


def render_graph(graph: Graph, fmt: RdfFormat, settings: Settings) -> bytes:
    """A whole graph in an RDF syntax; JSON-LD compacted with the published context."""
    if fmt.name == "jsonld":
        return dumps(compact_graph(graph_result(graph).triples, settings))
    if fmt.name == "turtle":
        return graph.serialize(format="turtle", encoding="utf-8")
    if fmt.kind != "graph":
        raise ValueError(f"{fmt.name} is not an RDF syntax")
    return b"".join(serialize(graph_result(graph), fmt))


def render_schema(name: SchemaName, fmt: RdfFormat, settings: Settings) -> bytes:
    """The ontology or the shapes in an RDF syntax (Turtle: the file as shipped)."""
    if fmt.name == "turtle":
        return schema_turtle(name)
    return _rendered(name, fmt, settings.base_iri, settings)


@cache
def _rendered(name: SchemaName, fmt: RdfFormat, base_iri: str, settings: Settings) -> bytes:
    # base_iri is part of the key: the JSON-LD names the context by its public IRI.
    return render_graph(schema_graph(name), fmt, settings)


# -- the ontology -----------------------------------------------------------------------------


@dataclass
class Term:
    """A class, property or concept of the ontology, with its sub-terms nested."""

    iri: str
    name: str
    label: str
    comment: str
    details: list[tuple[str, list[str]]] = field(default_factory=list)
    children: list[Term] = field(default_factory=list)


@dataclass(frozen=True)
class OntologyView:
    title: str
    comment: str
    classes: list[Term]
    properties: list[Term]
    schemes: list[Term]


def _text(graph: Graph, node: Node, predicate: URIRef) -> str:
    value = graph.value(node, predicate)
    return str(value) if value is not None else ""


def _term(graph: Graph, node: URIRef, details: Iterable[tuple[str, URIRef]] = ()) -> Term:
    rows = []
    for title, predicate in details:
        values = sorted(curie(v) for v in graph.objects(node, predicate))
        if values:
            rows.append((title, values))
    alt = sorted(str(v) for v in graph.objects(node, SKOS.altLabel))
    if alt:
        rows.insert(0, ("also called", alt))
    return Term(
        str(node),
        curie(node),
        _text(graph, node, RDFS.label),
        _text(graph, node, RDFS.comment),
        rows,
    )


def _tree(
    graph: Graph,
    members: set[URIRef],
    parent_of: URIRef,
    details: Iterable[tuple[str, URIRef]] = (),
) -> list[Term]:
    """Members nested under their parents (``parent_of`` is subClassOf or subPropertyOf);
    a member whose parents are all outside ``members`` is a root."""
    details = list(details)
    terms = {iri: _term(graph, iri, details) for iri in members}
    roots = []
    for iri in sorted(members, key=str):
        parents = [p for p in graph.objects(iri, parent_of) if isinstance(p, URIRef)]
        parents = [p for p in parents if p in members]
        if parents:
            for parent in parents:
                terms[parent].children.append(terms[iri])
        else:
            roots.append(terms[iri])
    return roots


def _stage(graph: Graph, node: URIRef) -> int:
    value = graph.value(node, URIRef(PREFIXES["tg"] + "stage"))
    return int(value) if isinstance(value, Literal) else 0


@cache
def ontology_view() -> OntologyView:
    """Classes (nested by rdfs:subClassOf), properties (nested by rdfs:subPropertyOf) and
    the SKOS concept schemes with their concepts."""
    graph = ontology_graph()
    ontology = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    properties = {p for k in kinds for p in graph.subjects(RDF.type, k) if isinstance(p, URIRef)}
    class_details = [("subclass of", RDFS.subClassOf), ("close match", SKOS.closeMatch)]
    property_details = [
        ("kind", RDF.type),
        ("domain", RDFS.domain),
        ("range", RDFS.range),
        ("sub-property of", RDFS.subPropertyOf),
    ]
    schemes = []
    for scheme in sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str):
        if not isinstance(scheme, URIRef):
            continue
        term = _term(graph, scheme)
        concepts = sorted(
            (c for c in graph.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)),
            key=lambda c: (_stage(graph, c), str(c)),
        )
        term.children = [_term(graph, c) for c in concepts]
        schemes.append(term)
    return OntologyView(
        title=_text(graph, ontology, RDFS.label) if ontology is not None else "ontology",
        comment=_text(graph, ontology, RDFS.comment) if ontology is not None else "",
        classes=_tree(graph, classes, RDFS.subClassOf, details=class_details),
        properties=_tree(graph, properties, RDFS.subPropertyOf, details=property_details),
        schemes=schemes,
    )


# -- the shapes -------------------------------------------------------------------------------

_TARGETS = (
    ("instances of", SH.targetClass),
    ("subjects of", SH.targetSubjectsOf),
    ("objects of", SH.targetObjectsOf),
    ("the node", SH.targetNode),
)
_STRUCTURE = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.property,
    SH.sparql,
    SH.message,
    SH.path,
    SH.severity,
    SH.prefixes,
    SH.select,
    *(t for _, t in _TARGETS),
}


@dataclass(frozen=True)
class Constraint:
    """One property shape or SPARQL constraint of a shape."""

    name: str
    label: str
    path: str | None
    parameters: list[tuple[str, str]]
    message: str
    select: str | None = None


@dataclass(frozen=True)
class Shape:
    iri: str
    name: str
    label: str
    comment: str
    targets: list[tuple[str, list[str]]]
    severity: str
    constraints: list[Constraint]


def _describe_value(graph: Graph, node: Node) -> str:
    """A constraint value for people: lists spelled out, nested shapes in brackets."""
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        if graph.value(node, RDF.first) is not None or node == RDF.nil:
            return (
                "("
                + " ".join(_describe_value(graph, item) for item in Collection(graph, node))
                + ")"
            )
        parts = [
            f"{curie(p)} {_describe_value(graph, o)}"
            for p, o in sorted(graph.predicate_objects(node), key=lambda po: str(po[0]))
        ]
        return "[ " + " ; ".join(parts) + " ]"
    return curie(node)


def _constraint(graph: Graph, node: Node) -> Constraint:
    parameters = [
        (curie(p), _describe_value(graph, o))
        for p, o in sorted(graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1])))
        if p not in _STRUCTURE
    ]
    path = graph.value(node, SH.path)
    select = graph.value(node, SH.select)
    return Constraint(
        name=curie(node) if isinstance(node, URIRef) else "",
        label=_text(graph, node, RDFS.label),
        path=_describe_value(graph, path) if path is not None else None,
        parameters=parameters,
        message=_text(graph, node, SH.message),
        select=str(select).strip() if select is not None else None,
    )


@cache
def shapes_view() -> list[Shape]:
    """Every shape that has a target, with its property shapes and SPARQL constraints."""
    graph = shapes_graph()
    shapes = []
    targeted = {s for _, t in _TARGETS for s in graph.subjects(t, None)}
    for node in sorted(targeted, key=str):
        targets = [
            (title, sorted(curie(o) for o in graph.objects(node, t)))
            for title, t in _TARGETS
            if (node, t, None) in graph
        ]
        parts = [*graph.objects(node, SH.property), *graph.objects(node, SH.sparql)]
        constraints = [_constraint(graph, part) for part in sorted(parts, key=str)]
        if (node, SH.path, None) in graph:  # a property shape with its own target
            constraints.insert(0, _constraint(graph, node))
        severity = graph.value(node, SH.severity)
        shapes.append(
            Shape(
                iri=str(node),
                name=curie(node),
                label=_text(graph, node, RDFS.label),
                comment=_text(graph, node, RDFS.comment),
                targets=targets,
                severity=curie(severity).removeprefix("sh:")
                if severity is not None
                else "Violation",
                constraints=constraints,
            )
        )
    return shapes
