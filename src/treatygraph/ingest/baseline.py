"""The store an ingest needs before any article: the ontology, the shapes and the reference data.

Extraction matches names against the reference graph (states, persons, offices, places), so
an empty store must get it first. Used by ``treatygraph ingest`` on a store that has none,
by the extraction benchmark and by the tests.

The reference graph does not conform *alone*: a program (Japan's Official Security
Assistance) is a fact-bearing node whose evidence comes with the article that reports it. So
the reference is checked like any load, except that a missing ``tg:evidence`` is accepted:
the articles ingested next bring it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Dataset

from treatygraph.bundle import data_dir as bundled_data_dir
from treatygraph.errors import ShapeViolation
from treatygraph.incremental import commit
from treatygraph.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH, SHAPES_GRAPH, TG
from treatygraph.ontology import ontology_graph, shapes_graph
from treatygraph.parsing import new_dataset, parse_file
from treatygraph.store.base import Change, Store
from treatygraph.validation import validate

_EVIDENCE_SHAPE = "https://w3id.org/treatygraph/shapes#FactEvidencePropertyShape"

REFERENCE_FILE = "reference.trig"


def reference_dataset(data: Path | None = None, extra: Sequence[Path] = ()) -> Dataset:
    """Ontology, shapes and ``graphs/reference.trig`` of ``data`` (default: the bundled data).

    ``extra`` files add to the reference graph (a curator's additions, such as a state the
    bundled reference lacks); their triples are put into ``graph/reference``.
    """
    dataset = new_dataset()
    for name, graph in ((ONTOLOGY_GRAPH, ontology_graph()), (SHAPES_GRAPH, shapes_graph())):
        target = dataset.graph(name)
        for triple in graph:
            target.add(triple)
    folder = (data or bundled_data_dir()) / "graphs"
    parse_file(folder / REFERENCE_FILE, into=dataset)
    reference = dataset.graph(REFERENCE_GRAPH)
    for path in extra:
        for s, p, o, _ in parse_file(path).quads((None, None, None, None)):
            reference.add((s, p, o))
    return dataset


def has_reference(store: Store) -> bool:
    """Whether the store holds a reference graph with at least one state."""
    result = store.query(f"ASK {{ GRAPH <{REFERENCE_GRAPH}> {{ ?s a <{TG.State}> }} }}")
    return bool(getattr(result, "value", False))


def load_reference(store: Store, data: Path | None = None, extra: Sequence[Path] = ()) -> int:
    """Put ontology, shapes and reference data into ``store``: checked, one atomic change that
    replaces those three graphs (so it is idempotent), then the inferred graph refreshed.

    Returns the number of triples loaded; raises ShapeViolation and changes nothing when the
    data has any violation other than a fact waiting for its article's evidence.
    """
    dataset = reference_dataset(data, extra)
    report = validate(dataset)
    blocking = [r for r in report.violations if r.shape != _EVIDENCE_SHAPE]
    if blocking:
        raise ShapeViolation("the reference data does not conform; nothing was loaded", report)
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    commit(store, Change(graphs=graphs))  # with graph/inferred, in one transaction
    return sum(len(g) for g in graphs.values())
