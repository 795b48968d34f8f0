"""Put checked data into a store: the bundled graph at start, and RDF files on demand.

Every load follows one path: parse → validate (SHACL and quotes, over the new data and its
neighbourhood in the store) → one atomic :class:`Change` that also brings ``graph/inferred``
up to date (:func:`treatygraph.incremental.commit`).
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
from treatygraph.incremental import commit
from treatygraph.inference import refresh_inferred
from treatygraph.ingest.article import read_article
from treatygraph.load_state import LoadState, graph_hash
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
    skipped_graphs: tuple[str, ...] = ()
    """Graphs a resumed load found already loaded with the same content."""
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
    *,
    state: LoadState | None = None,
    resume: bool = False,
) -> LoadReport:
    """Load RDF files: each named graph in them replaces the store's graph of that name.

    Triples-only formats go into ``graph``. The new data is validated together with its
    neighbourhood in the store, so the cost follows the size of the change. Raises
    InvalidRDF or ShapeViolation and then changes nothing.

    A store that takes writes in parts (``capabilities.write_batch``, a remote store) gets
    the graphs in changes of about that many triples, each atomic, so readers see every
    graph whole, old or new. ``state`` then records each part as it lands, and with
    ``resume`` the graphs it records with the same content (and the store still holds) are
    skipped: an interrupted load continues where it stopped.
    """
    if state is not None or store.capabilities.write_batch is not None:
        dataset = _parse(paths, graph, progress)
        report = _validate(store, dataset)
        result = _commit_in_parts(store, dataset, progress, state, resume)
        return LoadReport(
            graphs=result.graphs,
            inferred=result.inferred,
            skipped_graphs=result.skipped_graphs,
            validation=report,
        )
    return load_dataset(store, _parse(paths, graph, progress))


def _parse(paths: Sequence[Path], graph: str | None, progress: Progress | None) -> Dataset:
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
    return dataset


def load_dataset(store: Store, dataset: Dataset) -> LoadReport:
    """Validate ``dataset`` in its store neighbourhood, then replace its graphs atomically."""
    report = _validate(store, dataset)
    result = _commit(store, dataset)
    return LoadReport(graphs=result.graphs, inferred=result.inferred, validation=report)


def _validate(store: Store, dataset: Dataset) -> ValidationReport:
    report = check_dataset(store, dataset)
    if not report.conforms:
        raise ShapeViolation("the data does not conform; nothing was loaded", report)
    return report


def check_dataset(store: Store, dataset: Dataset) -> ValidationReport:
    """What loading ``dataset`` into ``store`` would be checked against, and the verdict:
    the data with its neighbourhood in the store (article descriptions kept, as a load
    keeps them). Changes nothing in the store; completes ``dataset`` as a load would."""
    _keep_article_descriptions(store, dataset)
    context = neighbourhood(store, dataset)
    return validate(_union(dataset, context))


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


def _split(dataset: Dataset) -> tuple[dict[str, Graph], dict[str, Graph]]:
    """The graphs a load replaces, and its descriptions in shared graphs."""
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
    return graphs, descriptions


def _commit(store: Store, dataset: Dataset, extra_descriptions: Graph | None = None) -> LoadReport:
    graphs, descriptions = _split(dataset)
    if extra_descriptions is not None:
        descriptions.setdefault(str(PROVENANCE_GRAPH), Graph()).__iadd__(extra_descriptions)
    # One transaction for the data and what follows from it: a crash leaves the store
    # before or after the load, never with a stale graph/inferred (docs/security.md).
    commit(store, Change(graphs=graphs, descriptions=descriptions))
    inferred = store.count(str(INFERRED_GRAPH))
    return LoadReport(
        graphs={name: len(g) for name, g in sorted(graphs.items())}, inferred=inferred
    )


def _commit_in_parts(
    store: Store,
    dataset: Dataset,
    progress: Progress | None,
    state: LoadState | None,
    resume: bool,
) -> LoadReport:
    """Write the graphs in changes of about ``write_batch`` triples (a larger graph alone,
    which the store stages), recording each part in ``state``; descriptions in shared graphs
    go last (they replace by subject, so sending them again is harmless)."""
    graphs, descriptions = _split(dataset)
    limit = store.capabilities.write_batch or sum(len(g) for g in graphs.values()) or 1
    total = sum(len(g) for g in (*graphs.values(), *descriptions.values()))
    pending: list[tuple[str, Graph, str]] = []
    skipped: list[str] = []
    for name, content in sorted(graphs.items()):
        digest = graph_hash(content) if state is not None else ""
        if resume and state is not None and state.holds(store, name, digest, len(content)):
            skipped.append(name)
            continue
        pending.append((name, content, digest))
    sent = sum(len(graphs[name]) for name in skipped)
    parts: list[list[tuple[str, Graph, str]]] = [[]]
    for item in pending:
        if parts[-1] and sum(len(c) for _, c, _ in parts[-1]) + len(item[1]) > limit:
            parts.append([])
        parts[-1].append(item)
    changes = [
        (Change(graphs={name: content for name, content, _ in part}), part)
        for part in parts
        if part
    ]
    if descriptions:
        changes.append((Change(descriptions=descriptions), []))
    for change, part in changes:
        base = sent

        def report(done: int, base: int = base) -> None:
            if progress is not None:
                progress("sending", min(base + done, total), total)

        store.apply(change, progress=report)
        sent += sum(len(g) for g in (*change.graphs.values(), *change.descriptions.values()))
        report(0)
        if state is not None and part:
            state.record({name: (digest, len(content)) for name, content, digest in part})
    inferred = refresh_inferred(store)
    return LoadReport(
        graphs={name: len(graphs[name]) for name, _, _ in sorted(pending)},
        inferred=inferred,
        skipped_graphs=tuple(sorted(skipped)),
    )


def _add(dataset: Dataset, name: URIRef, graph: Graph) -> None:
    target = dataset.graph(name)
    for triple in graph:
        target.add(triple)
