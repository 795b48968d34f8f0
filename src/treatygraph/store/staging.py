"""Large changes cut into write requests of bounded size, for a store reached over HTTP.

A change too big for one request is sent in batches into *staging graphs* (``<g>#staging``
for graph ``<g>``), and then moved over the real graphs by one last update (``MOVE``), so
that a reader sees each graph either as it was or as it is now, never half loaded.

Blank nodes are only the same node within one request, so the cut never separates triples
that share a blank node: the triples of a graph are grouped into components connected
through blank nodes, and a component always travels whole (one larger than a batch gets a
batch of its own).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


def staging_graph(graph: str) -> str:
    """The graph a large new content of ``graph`` is staged in.

    >>> staging_graph("https://w3id.org/treatygraph/graph/inferred")
    'https://w3id.org/treatygraph/graph/inferred#staging'
    >>> staging_graph("http://e/g#x")
    'http://e/g#x-staging'
    """
    return graph + ("-staging" if "#" in graph else "#staging")


@dataclass
class Batch:
    """Triples for one request, by staging graph."""

    graphs: dict[str, Graph] = field(default_factory=dict)
    size: int = 0
    bnodes: bool = False

    def add(self, graph: str, triples: list[Triple], bnodes: bool) -> None:
        target = self.graphs.setdefault(graph, Graph())
        for triple in triples:
            target.add(triple)
        self.size += len(triples)
        self.bnodes = self.bnodes or bnodes


def batches(graphs: Mapping[str, Graph], size: int) -> Iterator[Batch]:
    """The content of ``graphs`` (keyed by the graph it goes to) in batches of about
    ``size`` triples, no blank node split between two batches."""
    batch = Batch()
    for name, content in graphs.items():
        for component, bnodes in _components(content, max(1, min(size, 1024))):
            if batch.size and batch.size + len(component) > size:
                yield batch
                batch = Batch()
            batch.add(name, component, bnodes)
    if batch.size:
        yield batch


def _components(graph: Graph, run: int) -> Iterator[tuple[list[Triple], bool]]:
    """Triples without blank nodes in runs of ``run``, then each blank-node component."""
    parent: dict[BNode, BNode] = {}

    def root(node: BNode) -> BNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    linked: list[Triple] = []
    plain: list[Triple] = []
    for triple in graph:
        s, _, o = triple
        nodes = [n for n in (s, o) if isinstance(n, BNode)]
        if not nodes:
            plain.append(triple)
            if len(plain) >= run:
                yield plain, False
                plain = []
            continue
        linked.append(triple)
        first = root(nodes[0])
        for other in nodes[1:]:
            parent[root(other)] = first
    if plain:
        yield plain, False
    groups: dict[BNode, list[Triple]] = {}
    for triple in linked:
        s, _, o = triple
        node = s if isinstance(s, BNode) else o
        groups.setdefault(root(node), []).append(triple)  # type: ignore[arg-type]
    for group in groups.values():
        yield group, True
