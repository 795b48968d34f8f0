"""``treatygraph validate``: check files, alone or together with the bundled graph or a store.

A curator edits one article's graph at a time; checking it alone would fail on every state
it names, so by default the files are checked in the context of the bundled graph, the
graphs they contain replacing the bundled ones of the same name. Given a store, the files
are checked as loading them there would check them, or without files the store itself.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from treatygraph.bundle import data_dir as bundled_data_dir
from treatygraph.config import Settings
from treatygraph.ingest.article import read_article
from treatygraph.loader import build_bundle
from treatygraph.namespaces import (
    PROVENANCE_GRAPH,
    TG,
    article_graph,
    article_slug_of_graph,
    resource_iri,
)
from treatygraph.parsing import new_dataset, parse_file
from treatygraph.provenance import article_description, article_iri
from treatygraph.validation import ValidationReport, validate


def check_files(paths: list[Path], settings: Settings, alone: bool = False) -> ValidationReport:
    """Validate ``paths`` (RDF files and article .txt files); no paths: the bundled graph."""
    data = settings.data_dir or bundled_data_dir()
    given = new_dataset()
    for path in paths:
        if path.suffix.lower() == ".txt":
            article = read_article(path)
            target = given.graph(article_graph(article.slug))
            for triple in article_description(article):
                target.add(triple)
        else:
            parse_file(path, into=given)
    if alone and paths:
        merged = given
    else:
        merged = build_bundle(data)
        replaced = {
            g.identifier for g in given.graphs() if len(g) and g.identifier != PROVENANCE_GRAPH
        }
        for name in replaced:
            kept = _article_node_triples(merged, str(name))
            merged.remove_graph(merged.graph(name))
            target = merged.graph(name)
            for triple in kept:
                target.add(triple)
        for s, p, o, g in given.quads((None, None, None, None)):
            merged.graph(g).add((s, p, o))
    _add_missing_sources(merged, data, paths)
    return validate(merged)


def check_store(paths: list[Path], settings: Settings) -> ValidationReport:
    """Validate the store ``settings`` name: its whole content, or ``paths`` (RDF files)
    together with it, exactly as ``treatygraph load`` would before writing."""
    import io

    from treatygraph.loader import check_dataset
    from treatygraph.store import open_store

    store = open_store(settings)
    try:
        given = new_dataset()
        if paths:
            for path in paths:
                parse_file(path, into=given)
            return check_dataset(store, given)
        dump = io.BytesIO()
        store.dump(dump, "nquads")
        given.parse(data=dump.getvalue(), format="nquads")
        return validate(given)
    finally:
        store.close()


def _article_node_triples(dataset: Dataset, graph: str) -> list[tuple[Node, Node, Node]]:
    """The article's own description in its graph, which a curated file does not repeat."""
    slug = article_slug_of_graph(graph)
    if slug is None:
        return []
    node = resource_iri("article", slug)
    return list(dataset.graph(URIRef(graph)).triples((node, None, None)))


def _add_missing_sources(dataset: Dataset, data: Path, paths: list[Path]) -> None:
    """Describe quoted articles that the data does not describe, from their .txt files."""
    folders = [
        data / "articles",
        *{p.parent for p in paths},
        *{p.parent.parent / "articles" for p in paths},
    ]
    described = set(dataset.subjects(RDF.type, TG.Article))
    for source in set(dataset.objects(None, TG.source)):
        if source in described or not isinstance(source, URIRef):
            continue
        slug = str(source).rsplit("/", 1)[-1]
        for folder in folders:
            path = folder / f"{slug}.txt"
            if path.is_file():
                article = read_article(path)
                if article_iri(article) == source:
                    target = dataset.graph(article_graph(slug))
                    for triple in article_description(article):
                        target.add(triple)
                break
