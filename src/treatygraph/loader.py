"""Put checked data into a store: the bundled graph at start, and RDF files on demand.

Every load follows one path: parse → validate (SHACL and quotes, over the new data and its
neighbourhood in the store) → one atomic :class:`Change` → recompute ``graph/inferred``.
Loading the same data again replaces graphs instead of adding to them, so it never duplicates
a fact; the bundled load also records a content hash and skips all work when nothing changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from treatygraph import __version__
from treatygraph.bundle import data_dir as bundled_data_dir
from treatygraph.bundle import ontology_dir
from treatygraph.config import Settings
from treatygraph.errors import ShapeViolation
from treatygraph.inference import refresh_inferred
from treatygraph.ingest.article import read_article
from treatygraph.namespaces import (
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    SHAPES_GRAPH,
    TG,
    article_graph,
    article_slug_of_graph,
    resource_iri,
)
from treatygraph.neighbourhood import neighbourhood
from treatygraph.ontology import ontology_graph, shapes_graph
from treatygraph.parsing import new_dataset, parse_file
from treatygraph.provenance import article_description
from treatygraph.store.base import Change, SelectResult, Store, to_rdflib
from treatygraph.validation import ValidationReport, validate

DATASET_NODE = URIRef("https://w3id.org/treatygraph/dataset")
SHARED_GRAPHS = frozenset({str(PROVENANCE_GRAPH)})
"""Graphs many sources write into; a load replaces its subjects' descriptions there."""

Progress = Callable[[str, int, int], None]
"""``progress(label, done, total)``: called as a load advances (bytes or steps)."""


@dataclass(frozen=True)
class LoadReport:
    """What a load did: the graphs it replaced and how many triples they now hold."""

    graphs: dict[str, int] = field(default_factory=dict)
    inferred: int = 0
    skipped: bool = False
    content_hash: str = ""
    validation: ValidationReport | None = None

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def bundle_files(data: Path) -> tuple[list[Path], list[Path]]:
    """The curated graphs and the article texts of a data folder, sorted."""
    return sorted((data / "graphs").glob("*.trig")), sorted((data / "articles").glob("*.txt"))


def content_hash(paths: Iterable[Path]) -> str:
    """SHA-256 over the names and bytes of ``paths`` and the package version."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_bundle(data: Path, progress: Progress | None = None) -> Dataset:
    """The whole bundled graph as a dataset: ontology, shapes, curated graphs, articles."""
    dataset = new_dataset()
    _add(dataset, ONTOLOGY_GRAPH, ontology_graph())
    _add(dataset, SHAPES_GRAPH, shapes_graph())
    graph_files, article_files = bundle_files(data)
    steps = len(graph_files) + len(article_files)
    for done, path in enumerate(graph_files, 1):
        parse_file(path, into=dataset)
        if progress:
            progress("curated graphs", done, steps)
    for done, path in enumerate(article_files, len(graph_files) + 1):
        article = read_article(path)
        _add(dataset, article_graph(article.slug), article_description(article))
        if progress:
            progress("articles", done, steps)
    return dataset


def load_bundled(
    store: Store, settings: Settings, progress: Progress | None = None, force: bool = False
) -> LoadReport:
    """Load the bundled (or ``settings.data_dir``) graph unless the store already has it.

    Raises ShapeViolation (and changes nothing) when the data does not conform.
    """
    data = settings.data_dir or bundled_data_dir()
    graph_files, article_files = bundle_files(data)
    onto = ontology_dir()
    fingerprint = content_hash(
        [*graph_files, *article_files, onto / "treatygraph.ttl", onto / "shapes.ttl"]
    )
    if not force and stored_hash(store) == fingerprint:
        return LoadReport(skipped=True, content_hash=fingerprint)
    dataset = build_bundle(data, progress)
    report = validate(dataset)
    if not report.conforms:
        raise ShapeViolation(f"the data in {data} does not conform; nothing was loaded", report)
    stamp = Graph()
    stamp.add((DATASET_NODE, TG.contentHash, Literal(fingerprint)))
    stamp.add(
        (
            DATASET_NODE,
            URIRef("http://purl.org/dc/terms/modified"),
            Literal(
                dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime
            ),
        )
    )
    result = _commit(store, dataset, extra_descriptions=stamp)
    return LoadReport(
        graphs=result.graphs,
        inferred=result.inferred,
        content_hash=fingerprint,
        validation=report,
    )


def stored_hash(store: Store) -> str | None:
    """The content hash recorded by the last bundled load, if any."""
    result = store.query(
        f"SELECT ?h {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{DATASET_NODE}> <{TG.contentHash}> ?h }} }}"
    )
    if isinstance(result, SelectResult):
        for (value,) in result.rows:
            return value.value if value is not None else None
    return None


def load_files(
    store: Store,
    paths: Sequence[Path],
    graph: str | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Load RDF files: each named graph in them replaces the store's graph of that name.

    Triples-only formats go into ``graph``. The new data is validated together with its
    neighbourhood in the store, so the cost follows the size of the change. Raises
    InvalidRDF or ShapeViolation and then changes nothing.
    """
    dataset = new_dataset()
    for path in paths:
        total = path.stat().st_size
        done = 0

        def advance(count: int, label: str = path.name, size: int = total) -> None:
            nonlocal done
            done += count
            if progress:
                progress(label, min(done, size), size)

        parse_file(path, graph=graph, progress=advance, into=dataset)
    return load_dataset(store, dataset)


def load_dataset(store: Store, dataset: Dataset) -> LoadReport:
    """Validate ``dataset`` in its store neighbourhood, then replace its graphs atomically."""
    _keep_article_descriptions(store, dataset)
    context = neighbourhood(store, dataset)
    report = validate(_union(dataset, context))
    if not report.conforms:
        raise ShapeViolation("the data does not conform; nothing was loaded", report)
    result = _commit(store, dataset)
    return LoadReport(graphs=result.graphs, inferred=result.inferred, validation=report)


def _keep_article_descriptions(store: Store, dataset: Dataset) -> None:
    """An article graph replaced by curated facts keeps the article's own description.

    Curated files hold the facts, not the article text; the text entered the store from the
    article file and must survive a reload of the facts.
    """
    for context in list(dataset.graphs()):
        slug = article_slug_of_graph(str(context.identifier))
        if slug is None or not len(context):
            continue
        node = resource_iri("article", slug)
        if (node, TG.text, None) in context:
            continue
        result = store.query(
            f"SELECT ?p ?o {{ GRAPH <{context.identifier}> {{ <{node}> ?p ?o }} }}"
        )
        if isinstance(result, SelectResult):
            for p, o in result.rows:
                if p is not None and o is not None:
                    context.add((node, URIRef(p.value), to_rdflib(o)))


def _union(dataset: Dataset, context: Graph) -> Dataset:
    merged = new_dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        merged.graph(g).add((s, p, o))
    _add(merged, URIRef("urn:x-treatygraph:context"), context)
    return merged


def _commit(store: Store, dataset: Dataset, extra_descriptions: Graph | None = None) -> LoadReport:
    graphs: dict[str, Graph] = {}
    descriptions: dict[str, Graph] = {}
    for context in dataset.graphs():
        name = str(context.identifier)
        if (
            not len(context)
            or name == str(INFERRED_GRAPH)
            or not isinstance(context.identifier, URIRef)
        ):
            continue
        target = descriptions if name in SHARED_GRAPHS else graphs
        target.setdefault(name, Graph()).__iadd__(context)
    if extra_descriptions is not None:
        descriptions.setdefault(str(PROVENANCE_GRAPH), Graph()).__iadd__(extra_descriptions)
    store.apply(Change(graphs=graphs, descriptions=descriptions))
    inferred = refresh_inferred(store)
    return LoadReport(
        graphs={name: len(g) for name, g in sorted(graphs.items())}, inferred=inferred
    )


def _add(dataset: Dataset, name: URIRef, graph: Graph) -> None:
    target = dataset.graph(name)
    for triple in graph:
        target.add(triple)
