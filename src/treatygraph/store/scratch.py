"""A SPARQL Update run on private copies of a few graphs, never on the store itself.

The writer (:mod:`treatygraph.writes`) copies the graphs an update reads and writes into a
fresh in-memory engine here, runs the client's update text on them, and reads the graphs
back: the staged new content, which is validated and only then committed to the real store.
The real engine parses and evaluates the update (its SPARQL, its functions, its errors), so
the staged content is what the same update would have made of those graphs in place.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph

from treatygraph.errors import BadInput, QuerySyntaxError, StoreError
from treatygraph.store.base import Change, GraphResult, to_rdflib
from treatygraph.store.oxigraph import OxigraphStore


class ScratchResult:
    """The named graphs of the scratch store after the update, and its default graph size."""

    def __init__(self, graphs: dict[str, Graph], default_triples: int) -> None:
        self.graphs = graphs
        self.default_triples = default_triples


def run_on_copies(update: str, graphs: Mapping[str, Graph]) -> ScratchResult:
    """Run ``update`` on an in-memory store holding ``graphs`` (IRI → content).

    Raises QuerySyntaxError (with the engine's position) when the update does not parse, and
    BadInput when the engine refuses it (``CREATE GRAPH`` of an existing graph, say)."""
    scratch = OxigraphStore(None)
    try:
        scratch.apply(Change(graphs={name: g for name, g in graphs.items() if len(g)}))
        try:
            scratch.update(update)
        except QuerySyntaxError:
            raise
        except StoreError as exc:
            raise BadInput(
                str(exc).replace("the update failed", "the update was refused")
            ) from None
        contents: dict[str, Graph] = {}
        named = 0
        for name in scratch.graphs():
            contents[name] = _read(scratch, name)
            named += len(contents[name])
        return ScratchResult(contents, scratch.count() - named)
    finally:
        scratch.close()


def _read(scratch: OxigraphStore, name: str) -> Graph:
    result = scratch.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
    graph = Graph()
    if not isinstance(result, GraphResult):  # pragma: no cover - the query is a CONSTRUCT
        return graph
    for s, p, o in result.triples:
        if "triple" in (s.kind, o.kind):
            raise BadInput("quoted triples (RDF-star) cannot be stored here")
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph
