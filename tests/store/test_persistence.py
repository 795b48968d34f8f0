"""A persistent store keeps every acknowledged write across a restart, and nothing more."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from treatygraph.store.base import Change
from treatygraph.store.oxigraph import OxigraphStore


def test_reopen_keeps_writes(tmp_path: Path) -> None:
    g = Graph()
    g.add((URIRef("http://e/a"), URIRef("http://e/p"), URIRef("http://e/b")))
    first = OxigraphStore(tmp_path)
    first.apply(Change(graphs={"http://e/g": g}))
    first.update("INSERT DATA { GRAPH <http://e/g> { <http://e/c> <http://e/p> <http://e/d> } }")
    first.close()
    second = OxigraphStore(tmp_path)
    assert second.count("http://e/g") == 2
    assert second.graphs() == ["http://e/g"]
    second.close()
