"""RDF about sources: the article node built from its file, and the description of the named
graph that holds the facts drawn from it (SPEC.md, Provenance)."""

from __future__ import annotations

import datetime as dt

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SDO, XSD

from treatygraph.ingest.article import Article
from treatygraph.namespaces import PREFIXES, TG, article_graph, resource_iri

HAND_CURATION = resource_iri("activity", "hand-curation")


def article_iri(article: Article) -> URIRef:
    return resource_iri("article", article.slug)


def article_description(article: Article) -> Graph:
    """The article as a ``tg:Article`` with its header fields and its verbatim text.

    Header fields left empty in the file (a release without headline) are left out rather
    than stated as empty strings. The label is the headline, or publisher and date.
    """
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    node = article_iri(article)
    graph.add((node, RDF.type, TG.Article))
    graph.add((node, RDF.type, SDO.NewsArticle))
    label = article.title or f"{article.publisher}, {article.date.isoformat()}"
    graph.add((node, RDFS.label, Literal(label, lang="en")))
    graph.add((node, SDO.publisher, Literal(article.publisher)))
    graph.add((node, SDO.datePublished, Literal(article.date.isoformat(), datatype=XSD.date)))
    if article.title:
        graph.add((node, SDO.headline, Literal(article.title)))
    if article.author:
        graph.add((node, SDO.author, Literal(article.author)))
    if article.url:
        graph.add((node, SDO.url, Literal(article.url, datatype=XSD.anyURI)))
    if article.note:
        graph.add((node, TG.note, Literal(article.note)))
    graph.add((node, TG.text, Literal(article.text)))
    return graph


def graph_provenance(
    article: Article,
    generated_at: dt.datetime,
    activity: URIRef = HAND_CURATION,
) -> Graph:
    """How the article's named graph came to be: derived from the article, by an activity."""
    graph = Graph()
    node = article_graph(article.slug)
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, PROV.wasDerivedFrom, article_iri(article)))
    graph.add(
        (node, PROV.generatedAtTime, Literal(generated_at.isoformat(), datatype=XSD.dateTime))
    )
    graph.add((node, PROV.wasGeneratedBy, activity))
    return graph
