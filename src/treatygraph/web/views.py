"""What the HTML pages show, as plain data for the Jinja2 templates (no HTTP types here).

A :class:`ResourcePage` is built from a :class:`~treatygraph.resources.Description`: the
facts as rows of links and values, the timeline of events in date order, the status and its
history, the evidence as quotes with their sources, and the links into the resource. Links
to our resources are local paths (``/id/...``) labelled with the resource's label, never a
bare IRI; ontology terms link to ``/ontology#Name``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SDO, SKOS, XSD
from rdflib.term import Node

from treatygraph.config import Settings
from treatygraph.ingest.dates import MONTHS
from treatygraph.namespaces import TG
from treatygraph.ontology import ontology_graph
from treatygraph.resources import Description
from treatygraph.schema_docs import curie

_HIDDEN = {
    RDF.type,
    RDFS.label,
    TG.evidence,
    TG.status,
    TG.statusPeriod,
    TG.text,
    TG.quote,
    TG.source,
}
_NAMES = {
    SKOS.altLabel: "also called",
    OWL.sameAs: "same as",
    SDO.name: "name",
    SDO.headline: "headline",
    SDO.publisher: "publisher",
    SDO.author: "author",
    SDO.datePublished: "published",
    SDO.url: "URL",
}


@dataclass(frozen=True)
class Link:
    """A link as a person reads it: text, and where it goes (None: no page for it)."""

    text: str
    href: str | None = None
    external: bool = False


@dataclass(frozen=True)
class Fact:
    """One row of the facts table: a property and its values."""

    name: Link
    values: list[Link]


@dataclass(frozen=True)
class Quote:
    """A piece of evidence: the exact words, and the article they come from."""

    text: str
    evidence: Link
    source: Link | None
    source_url: str | None = None
    published: str | None = None
    supports: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEntry:
    """An event or a status observation that concerns the resource."""

    date: str
    sort_key: tuple[str, str]
    """The date as written, then the IRI: a month sorts before its days, as in JSON-LD."""
    kind: str
    link: Link
    details: list[Fact]
    quotes: list[Quote]


@dataclass(frozen=True)
class Period:
    status: str
    valid_from: str
    valid_until: str | None


@dataclass(frozen=True)
class ResourcePage:
    """Everything the resource page shows."""

    iri: str
    path: str
    title: str
    types: list[Link]
    facts: list[Fact]
    status: str | None
    history: list[Period]
    timeline: list[TimelineEntry]
    quotes: list[Quote]
    incoming: list[Fact]
    article_text: str | None


class PageBuilder:
    """Turns a description into a :class:`ResourcePage` for one deployment's base IRI."""

    def __init__(self, settings: Settings) -> None:
        self.id_base = settings.base_iri + "id/"
        self.ontology = ontology_graph()

    def href(self, iri: str) -> tuple[str | None, bool]:
        """Where a link to ``iri`` goes: a local path, the ontology page, or outside."""
        if iri.startswith(self.id_base):
            return "/id/" + iri[len(self.id_base) :], False
        if iri.startswith(str(TG)):
            return "/ontology#" + iri[len(str(TG)) :], False
        if iri.startswith(("http://", "https://")):
            return iri, True
        return None, False

    def term_label(self, iri: str) -> str:
        """The ontology's label of a term (``tg:InForce`` → "in force"), or a short name."""
        label = self.ontology.value(URIRef(iri), RDFS.label)
        if label is not None:
            return str(label)
        return _NAMES.get(URIRef(iri), _local_name(str(iri)))

    def link(self, graph: Graph, node: Node) -> Link:
        label = graph.value(node, RDFS.label)
        if isinstance(node, URIRef):
            href, external = self.href(str(node))
            text = str(label) if label is not None else self._fallback(node)
            return Link(text, href, external)
        return Link(str(label) if label is not None else "(unnamed node)")

    def _fallback(self, node: URIRef) -> str:
        if str(node).startswith(str(TG)):
            return self.term_label(str(node))
        if str(node).startswith(self.id_base):
            return str(node)[len(self.id_base) :]
        return curie(node)

    def value(self, graph: Graph, node: Node) -> Link:
        if isinstance(node, Literal):
            if node.datatype == XSD.anyURI:
                return Link(str(node), str(node), True)
            if node.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear):
                return Link(human_date(str(node), node.datatype))
            return Link(str(node))
        return self.link(graph, node)

    def facts(self, graph: Graph, node: Node, hidden: Iterable[URIRef] = ()) -> list[Fact]:
        skip = _HIDDEN | set(hidden)
        rows: dict[URIRef, list[Link]] = {}
        for predicate, obj in graph.predicate_objects(node):
            if isinstance(predicate, URIRef) and predicate not in skip:
                rows.setdefault(predicate, []).append(self.value(graph, obj))
        facts = []
        for predicate in sorted(rows, key=self.term_label):
            href = self.href(str(predicate))[0] if predicate.startswith(str(TG)) else None
            values = sorted(set(rows[predicate]), key=lambda link: link.text.lower())
            facts.append(Fact(Link(self.term_label(predicate), href), values))
        return facts

    def quote(self, graph: Graph, evidence: Node, supports: list[Link] | None = None) -> Quote:
        source = graph.value(evidence, TG.source)
        url = graph.value(source, SDO.url) if source is not None else None
        published = graph.value(source, SDO.datePublished) if source is not None else None
        return Quote(
            text=str(graph.value(evidence, TG.quote) or ""),
            evidence=self.link(graph, evidence),
            source=self.link(graph, source) if source is not None else None,
            source_url=str(url) if url is not None else None,
            published=str(published) if published is not None else None,
            supports=supports or [],
        )

    def quotes(self, graph: Graph, node: Node) -> list[Quote]:
        found = [self.quote(graph, e) for e in graph.objects(node, TG.evidence)]
        return sorted(found, key=lambda q: (q.published or "", q.text))

    def build(self, description: Description, path: str) -> ResourcePage:
        graph = description.graph()
        root = URIRef(description.iri)
        label = graph.value(root, RDFS.label)
        types = [self.link(graph, t) for t in sorted(graph.objects(root, RDF.type), key=str)]
        status = graph.value(root, TG.status)
        text = graph.value(root, TG.text)
        own_quote = graph.value(root, TG.quote)
        quotes = self.quotes(graph, root)
        if own_quote is not None:
            supported = sorted(
                (self.link(graph, s) for s in graph.subjects(TG.evidence, root)),
                key=lambda link: link.text,
            )
            quotes = [self.quote(graph, root, supported), *quotes]
        return ResourcePage(
            iri=description.iri,
            path=path,
            title=str(label) if label is not None else path,
            types=types,
            facts=self.facts(graph, root),
            status=self.term_label(status) if isinstance(status, URIRef) else None,
            history=self.history(graph, root),
            timeline=self.timeline(graph, root),
            quotes=quotes,
            incoming=self.incoming(graph, root),
            article_text=str(text) if text is not None else None,
        )

    def history(self, graph: Graph, root: URIRef) -> list[Period]:
        periods = []
        for node in graph.objects(root, TG.statusPeriod):
            status = graph.value(node, TG.status)
            start = graph.value(node, TG.validFrom)
            until = graph.value(node, TG.validUntil)
            periods.append(
                Period(
                    self.term_label(status) if isinstance(status, URIRef) else "?",
                    str(start or ""),
                    str(until) if until is not None else None,
                )
            )
        return sorted(periods, key=lambda period: period.valid_from)

    def timeline(self, graph: Graph, root: URIRef) -> list[TimelineEntry]:
        entries = []
        for event in set(graph.subjects(TG.concerns, root)):
            date = graph.value(event, TG.date)
            lexical = str(date) if date is not None else ""
            datatype = date.datatype if isinstance(date, Literal) else None
            kinds = sorted(self.term_label(str(t)) for t in graph.objects(event, RDF.type))
            entries.append(
                TimelineEntry(
                    date=human_date(lexical, datatype) if lexical else "undated",
                    sort_key=(lexical or "9999", str(event)),
                    kind=", ".join(kinds),
                    link=self.link(graph, event),
                    details=self.facts(graph, event, hidden=[TG.concerns, TG.date]),
                    quotes=self.quotes(graph, event),
                )
            )
        return sorted(entries, key=lambda entry: entry.sort_key)

    def incoming(self, graph: Graph, root: URIRef) -> list[Fact]:
        groups = [
            ("Agreements with this party", TG.party),
            ("Took part in", TG.participant),
            ("Amended by", TG.amends),
        ]
        facts = []
        for title, predicate in groups:
            links = sorted(
                (self._typed_link(graph, s) for s in set(graph.subjects(predicate, root))),
                key=lambda link: link.text,
            )
            if links:
                facts.append(Fact(Link(title), links))
        return facts

    def _typed_link(self, graph: Graph, node: Node) -> Link:
        link = self.link(graph, node)
        kinds = [self.term_label(t) for t in graph.objects(node, RDF.type) if isinstance(t, URIRef)]
        return Link(f"{link.text} ({', '.join(sorted(kinds))})" if kinds else link.text, link.href)

    def article_quotes(self, description: Description) -> list[Quote]:
        """For an article: each quote taken from it, with the facts it supports."""
        graph = description.graph()
        root = URIRef(description.iri)
        found = []
        for evidence in set(graph.subjects(TG.source, root)):
            supported = sorted(
                (self._typed_link(graph, s) for s in set(graph.subjects(TG.evidence, evidence))),
                key=lambda link: link.text,
            )
            start = graph.value(evidence, TG.startOffset)
            found.append(
                (
                    int(start) if isinstance(start, Literal) and str(start).isdigit() else 0,
                    self.quote(graph, evidence, supported),
                )
            )
        return [quote for _, quote in sorted(found, key=lambda pair: (pair[0], pair[1].text))]


def human_date(lexical: str, datatype: object) -> str:
    """A date as the source gave it, for people: 8 July 2024, July 2024, 1996.

    >>> human_date("2024-07", XSD.gYearMonth)
    'July 2024'
    """
    try:
        if datatype == XSD.gYear:
            return lexical[:4]
        if datatype == XSD.gYearMonth:
            return f"{MONTHS[int(lexical[5:7]) - 1]} {lexical[:4]}"
        day = dt.date.fromisoformat(lexical[:10])
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    except (ValueError, IndexError):
        return lexical


def _local_name(iri: str) -> str:
    for separator in ("#", "/"):
        if separator in iri:
            iri = iri.rsplit(separator, 1)[-1]
    return iri
