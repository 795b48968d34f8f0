"""read → extract → build → check quotes → load: one article in, checked facts in the store.

The load is :func:`treatygraph.loader.load_dataset`: SHACL over the draft and its
neighbourhood in the store, then one atomic change that replaces the article's graph and its
provenance description. Any failure raises before that change, so a rejected article leaves
the store exactly as it was. Ingesting the same article again writes nothing when the draft
is unchanged, and otherwise replaces the graph: it never duplicates a fact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDFS, XSD
from rdflib.term import Node

from treatygraph.errors import ArticleFormatError, ShapeViolation, TreatygraphError
from treatygraph.inference import refresh_inferred
from treatygraph.ingest.article import Article, parse_article, read_article
from treatygraph.ingest.build import build_dataset, extractor_activity, trig
from treatygraph.ingest.draft import Draft
from treatygraph.ingest.extract import extract
from treatygraph.ingest.gazetteer import Gazetteer, load_gazetteer
from treatygraph.ingest.result import Fact, FolderOutcome, IngestResult, Progress
from treatygraph.loader import load_dataset
from treatygraph.namespaces import PROVENANCE_GRAPH, TG, article_graph, is_slug, slugify
from treatygraph.store.base import GraphResult, SelectResult, Store, to_rdflib
from treatygraph.validation import ValidationReport, ValidationResult

_INTEGER_TYPES = frozenset(
    {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.int, XSD.long}
)
_STEPS = ("read", "extract", "check", "load")
_VERBATIM_SHAPE = "https://w3id.org/treatygraph/shapes#QuoteAtOffsetsConstraint"


def ingest_file(
    path: Path, store: Store, progress: Progress | None = None, *, dry_run: bool = False
) -> IngestResult:
    """Ingest one article file; raises ArticleFormatError, ShapeViolation or StoreError."""
    _step(progress, path.name, 0)
    return ingest_article(read_article(path), store, progress, dry_run=dry_run)


def article_from_text(content: str, slug: str | None = None) -> Article:
    """An article sent as text; without ``slug``, one made from its date and headline."""
    if slug is not None and not is_slug(slug):
        raise ArticleFormatError(f"{slug!r} is not a valid article slug: use lowercase kebab-case")
    article = parse_article(content, slug or "article", source="<body>")
    if slug is None:
        name = slugify(f"{article.date.isoformat()} {article.title or article.publisher}")
        article = replace(article, slug=name[:80].rstrip("-"))
    return article


def ingest_article(
    article: Article,
    store: Store,
    progress: Progress | None = None,
    *,
    dry_run: bool = False,
    gazetteer: Gazetteer | None = None,
) -> IngestResult:
    """Draft, check and (unless ``dry_run``) load one article; see the module docstring."""
    label = article.slug
    _step(progress, label, 1)
    gazetteer = gazetteer or load_gazetteer(store)
    draft = extract(article, store, gazetteer)
    dataset = build_dataset(draft, dt.datetime.now(dt.UTC).replace(microsecond=0))
    _step(progress, label, 2)
    check_quotes(dataset, article)
    text = trig(dataset)
    if dry_run:
        _step(progress, label, 4)
        return _result(draft, dataset, text, gazetteer, changed=True, loaded=False)
    if _unchanged(store, article, dataset):
        _step(progress, label, 4)
        return _result(draft, dataset, text, gazetteer, changed=False, loaded=True)
    _step(progress, label, 3)
    before = _snapshot(store, article)
    try:
        report = load_dataset(store, dataset)
    except ShapeViolation:
        raise
    except Exception:
        _restore(store, article, before)
        raise
    _step(progress, label, 4)
    warnings = report.validation.warnings if report.validation else ()
    return _result(draft, dataset, text, gazetteer, changed=True, loaded=True, warnings=warnings)


def ingest_paths(
    paths: Sequence[Path],
    store: Store,
    progress: Progress | None = None,
    *,
    dry_run: bool = False,
) -> list[FolderOutcome]:
    """Ingest files one by one; a bad article is reported and the others still load.

    Each article is its own atomic change, so the store holds exactly the articles whose
    outcome is ok. The gazetteer is re-read after each load: a person the first article
    introduced is known to the next.
    """
    outcomes: list[FolderOutcome] = []
    for path in paths:
        try:
            result = ingest_file(path, store, progress, dry_run=dry_run)
        except TreatygraphError as exc:
            outcomes.append(FolderOutcome(str(path), error=exc))
        else:
            outcomes.append(FolderOutcome(str(path), result=result))
    return outcomes


def article_files(paths: Sequence[Path]) -> list[Path]:
    """Article files named by ``paths``: files as given, folders as their ``*.txt``, sorted."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("*.txt")) if path.is_dir() else [path])
    return found


def check_quotes(dataset: Dataset, article: Article) -> None:
    """Every quote is the body's text between its offsets; raises ShapeViolation otherwise.

    SHACL checks the same, but this runs first and says which extractor output is wrong.
    """
    text = article.text
    failures = []
    for evidence, quote in dataset.subject_objects(TG.quote):
        start = _offset(dataset.value(evidence, TG.startOffset))
        end = _offset(dataset.value(evidence, TG.endOffset))
        if start is None or end is None or text[start:end] != str(quote):
            failures.append(
                ValidationResult(
                    focus=str(evidence),
                    path=str(TG.quote),
                    message="the quote is not the article text between its offsets",
                    severity="Violation",
                    shape=_VERBATIM_SHAPE,
                    value=str(quote),
                )
            )
    if failures:
        report = ValidationReport(
            conforms=False,
            results=tuple(failures),
            graph=Graph(),
            text="Conforms: no\n\n"
            + "\n".join(f"Violation {r.focus}: {r.message}" for r in failures),
        )
        raise ShapeViolation(
            f"{article.slug}: a drafted quote is not verbatim; nothing loaded", report
        )


def _unchanged(store: Store, article: Article, dataset: Dataset) -> bool:
    """Whether the store's graph for the article is exactly the new one, by this extractor."""
    name = article_graph(article.slug)
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
    if not isinstance(result, GraphResult):  # pragma: no cover - the query is a CONSTRUCT
        return False
    stored = {(to_rdflib(s), to_rdflib(p), _canonical(to_rdflib(o))) for s, p, o in result.triples}
    new = {(s, p, _canonical(o)) for s, p, o in dataset.graph(name)}
    if stored != new:
        return False
    made_by = store.query(
        f"SELECT ?a {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{name}> <{PROV.wasGeneratedBy}> ?a }} }}"
    )
    if not isinstance(made_by, SelectResult):  # pragma: no cover
        return False
    activities = [row[0].value for row in made_by.rows if row[0] is not None]
    return activities == [str(extractor_activity())]


def _snapshot(store: Store, article: Article) -> tuple[Graph, Graph]:
    """What a load of the article replaces: its graph, and its provenance descriptions."""
    name = article_graph(article.slug)
    activity = extractor_activity()
    graphs = []
    for query in (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?s ?p ?o }} "
        f"VALUES ?s {{ <{name}> <{activity}> }} }}",
    ):
        graph = Graph()
        result = store.query(query)
        if isinstance(result, GraphResult):
            for s, p, o in result.triples:
                graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
        graphs.append(graph)
    return graphs[0], graphs[1]


def _restore(store: Store, article: Article, before: tuple[Graph, Graph]) -> None:
    """Undo a load that failed after its change was written (a compensating update).

    The loader writes the article's change, then the refreshed inferred graph; when the
    store fails in between (or after), this puts back the article graph and the provenance
    descriptions as they were, in one update, and recomputes the inferred graph.
    """
    name = article_graph(article.slug)
    graph, provenance = before
    parts = [
        f"DROP SILENT GRAPH <{name}>",
        f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{name}> ?p ?o }} }}",
        f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{extractor_activity()}> ?p ?o }} }}",
    ]
    for target, content in ((name, graph), (PROVENANCE_GRAPH, provenance)):
        if len(content):
            parts.append(
                f"INSERT DATA {{ GRAPH <{target}> {{ {content.serialize(format='nt')} }} }}"
            )
    store.update(" ;\n".join(parts))
    refresh_inferred(store)


def _offset(node: Node | None) -> int | None:
    value = node.toPython() if isinstance(node, Literal) else None
    return value if isinstance(value, int) else None


def _canonical(term: Node) -> Node:
    """Integers as the store keeps them: every integer type becomes xsd:integer."""
    if isinstance(term, Literal) and term.datatype in _INTEGER_TYPES:
        return Literal(int(term), datatype=XSD.integer)
    return term


def _result(
    draft: Draft,
    dataset: Dataset,
    trig: str,
    gazetteer: Gazetteer,
    *,
    changed: bool,
    loaded: bool,
    warnings: Sequence[ValidationResult] = (),
) -> IngestResult:
    graph = dataset.graph(article_graph(draft.article.slug))
    return IngestResult(
        article=str(URIRef(f"https://w3id.org/treatygraph/id/article/{draft.article.slug}")),
        slug=draft.article.slug,
        graph=str(graph.identifier),
        agreements=_facts(graph, TG.party),
        events=_facts(graph, TG.date, exclude=TG.StatusObservation),
        observations=_facts(graph, TG.observedStatus),
        offices=tuple(
            _office_fact(graph, gazetteer, fact) for fact in _facts(graph, TG.holdsOffice)
        ),
        notes=tuple(draft.notes),
        warnings=tuple(f"{w.focus}: {w.message}" for w in warnings),
        triples=len(graph),
        changed=changed,
        loaded=loaded,
        trig=trig,
    )


def _facts(graph: Graph, marker: URIRef, exclude: URIRef | None = None) -> tuple[Fact, ...]:
    facts = []
    for node in sorted({s for s in graph.subjects(marker) if isinstance(s, URIRef)}):
        if exclude is not None and (node, None, exclude) in graph:
            continue
        label = graph.value(node, RDFS.label)
        quotes = sorted(
            (_offset(graph.value(e, TG.startOffset)) or 0, str(graph.value(e, TG.quote)))
            for e in graph.objects(node, TG.evidence)
        )
        facts.append(Fact(str(node), str(label) if label else "", tuple(q for _, q in quotes)))
    return tuple(facts)


def _office_fact(graph: Graph, gazetteer: Gazetteer, fact: Fact) -> Fact:
    """'Fumio Kishida: Prime Minister of Japan' rather than a bare IRI."""
    person = URIRef(fact.iri)
    name = gazetteer.entities[person].label if person in gazetteer.entities else fact.label
    offices = [
        gazetteer.entities[o].label if o in gazetteer.entities else str(o)
        for o in graph.objects(person, TG.holdsOffice)
        if isinstance(o, URIRef)
    ]
    return Fact(fact.iri, f"{name or fact.iri}: {', '.join(sorted(offices))}", fact.quotes)


def _step(progress: Progress | None, label: str, done: int) -> None:
    if progress is not None:
        progress(label, done, len(_STEPS))
