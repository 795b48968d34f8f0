"""The ontology and the SHACL shapes as rdflib graphs, parsed once, plus the RDFS helpers.

Callers get a fresh copy when they intend to modify a graph: pySHACL mutates shapes graphs
it is given (pySHACL#314), and a shared cached graph must never change under a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from treatygraph.bundle import ontology_dir
from treatygraph.errors import InvalidRDF
from treatygraph.namespaces import PREFIXES


def _parse(name: str) -> Graph:
    path = ontology_dir() / name
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types for bad syntax
        raise InvalidRDF(f"{path}: {exc}", str(path)) from exc
    return graph


@cache
def _ontology() -> Graph:
    return _parse("treatygraph.ttl")


@cache
def _shapes() -> Graph:
    return _parse("shapes.ttl")


def ontology_graph(copy: bool = False) -> Graph:
    """The ontology (``ontology/treatygraph.ttl``); pass ``copy=True`` before modifying it."""
    return _copy(_ontology()) if copy else _ontology()


def shapes_graph(copy: bool = False) -> Graph:
    """The SHACL shapes (``ontology/shapes.ttl``); pass ``copy=True`` before modifying it."""
    return _copy(_shapes()) if copy else _shapes()


def _copy(graph: Graph) -> Graph:
    clone = Graph()
    for prefix, iri in graph.namespaces():
        clone.bind(prefix, iri)
    for triple in graph:
        clone.add(triple)
    return clone


@cache
def superclasses() -> dict[URIRef, frozenset[URIRef]]:
    """Every class of the ontology mapped to all its superclasses (reflexive, transitive)."""
    graph = _ontology()
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(sub, set()).add(sup)
    closure: dict[URIRef, frozenset[URIRef]] = {}
    for cls in direct:
        seen: set[URIRef] = {cls}
        stack = [cls]
        while stack:
            for sup in direct.get(stack.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    stack.append(sup)
        closure[cls] = frozenset(seen)
    return closure


def subclasses_of(cls: URIRef) -> frozenset[URIRef]:
    """``cls`` and every class of the ontology below it."""
    return frozenset({cls} | {sub for sub, sups in superclasses().items() if cls in sups})


def entailed_types(types: Iterable[URIRef]) -> set[URIRef]:
    """The superclasses implied by ``types`` under RDFS, minus the types themselves."""
    given = set(types)
    implied: set[URIRef] = set()
    for cls in given:
        implied |= superclasses().get(cls, frozenset())
    return implied - given
