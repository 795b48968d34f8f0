"""What the graph holds, for the home page: counts by kind and agreements by type, and the
newest events with the articles that report them.

Two queries, consumed here (call :func:`overview` in a worker thread). Counts come from the
store, so the page shows an ingested article at once. An agreement counts under its most
specific asserted class (a Reciprocal Access Agreement is not also counted as a Visiting
Forces Agreement); class membership itself is entailed, as everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import RDFS

from treatygraph.listing_items import select
from treatygraph.namespaces import INFERRED_GRAPH
from treatygraph.ontology import ontology_graph
from treatygraph.store.base import Deadline, Store, Term

NEWEST = 8
"""Events shown on the home page."""

_COUNTS = f"""SELECT ?kind ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  {{ ?s a tg:Agreement . BIND("agreement" AS ?kind) }}
  UNION {{ ?s a tg:State . BIND("state" AS ?kind) }}
  UNION {{ ?s a tg:Event . BIND("event" AS ?kind) }}
  UNION {{ ?s a tg:Article . BIND("article" AS ?kind) }}
  UNION {{ ?s a tg:Person . BIND("person" AS ?kind) }}
  UNION {{ ?s a tg:StatusObservation . BIND("observation" AS ?kind) }}
  UNION {{
    ?s a tg:Agreement .
    GRAPH ?g {{ ?s a ?type }} FILTER(?g != <{INFERRED_GRAPH}>)
    FILTER NOT EXISTS {{
      GRAPH ?g2 {{ ?s a ?narrower }} FILTER(?g2 != <{INFERRED_GRAPH}> && ?narrower != ?type)
      ?narrower rdfs:subClassOf+ ?type .
    }}
    BIND("type" AS ?kind)
  }}
}} GROUP BY ?kind ?type"""

_NEWEST = f"""SELECT ?e ?date ?type ?label ?agreement ?agreementLabel ?source ?sourceLabel
       ?url ?published WHERE {{
  {{ SELECT DISTINCT ?e ?date WHERE {{ ?e a tg:Event ; tg:date ?date }}
     ORDER BY DESC(STR(?date)) ?e LIMIT {NEWEST} }}
  OPTIONAL {{ GRAPH ?g {{ ?e a ?type }} FILTER(?g != <{INFERRED_GRAPH}>) }}
  OPTIONAL {{ ?e rdfs:label ?label }}
  OPTIONAL {{ ?e tg:concerns ?agreement OPTIONAL {{ ?agreement rdfs:label ?agreementLabel }} }}
  OPTIONAL {{
    ?e tg:evidence/tg:source ?source .
    OPTIONAL {{ ?source rdfs:label ?sourceLabel }}
    OPTIONAL {{ ?source schema:url ?url }}
    OPTIONAL {{ ?source schema:datePublished ?published }}
  }}
}}"""


@dataclass(frozen=True)
class TypeCount:
    """Agreements whose most specific asserted class is ``iri``."""

    iri: str
    label: str
    count: int


@dataclass(frozen=True)
class Source:
    """An article that reports an event."""

    iri: str
    label: str
    url: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class RecentEvent:
    """An event as the home page lists it: date as given (lexical and datatype), kind,
    label, the agreement it concerns (if any) and the articles behind it."""

    iri: str
    date: str
    datatype: str | None
    kind: str
    label: str
    agreement: tuple[str, str] | None
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Overview:
    """Counts by kind (``agreement``, ``state``, ``event``, ``article``, ``person``,
    ``observation``), agreements by type (largest first) and the newest events."""

    counts: dict[str, int]
    by_type: list[TypeCount] = field(default_factory=list)
    newest: list[RecentEvent] = field(default_factory=list)


def overview(store: Store, deadline: Deadline | None = None) -> Overview:
    """The home page's numbers and newest events, from two queries."""
    counts: dict[str, int] = {}
    by_type: list[TypeCount] = []
    for kind, type_, n in select(store, _COUNTS, deadline):
        if kind is None or n is None:
            continue
        if kind.value == "type" and type_ is not None:
            by_type.append(TypeCount(type_.value, term_label(type_.value), int(n.value)))
        elif kind.value != "type":
            counts[kind.value] = int(n.value)
    by_type.sort(key=lambda t: (-t.count, t.label))
    return Overview(counts, by_type, _newest(store, deadline))


@dataclass
class _Draft:
    """An event being gathered from the rows of :data:`_NEWEST` (one row per source)."""

    date: Term
    types: set[str] = field(default_factory=set)
    label: str | None = None
    agreement: tuple[str, str] | None = None
    sources: dict[str, Source] = field(default_factory=dict)


def _newest(store: Store, deadline: Deadline | None) -> list[RecentEvent]:
    drafts: dict[str, _Draft] = {}
    for row in select(store, _NEWEST, deadline):
        e, date, type_, label, agreement, a_label, source, s_label, url, published = row
        if e is None or date is None:
            continue
        draft = drafts.setdefault(e.value, _Draft(date))
        if type_ is not None:
            draft.types.add(type_.value)
        if label is not None:
            draft.label = label.value
        if agreement is not None:
            draft.agreement = (agreement.value, a_label.value if a_label else agreement.value)
        if source is not None:
            draft.sources[source.value] = Source(
                source.value,
                s_label.value if s_label else source.value,
                url.value if url else None,
                published.value if published else None,
            )
    events = [
        RecentEvent(
            iri=iri,
            date=draft.date.value,
            datatype=draft.date.datatype,
            kind=", ".join(term_label(t) for t in sorted(draft.types)) or "event",
            label=draft.label or iri.rsplit("/", 1)[-1],
            agreement=draft.agreement,
            sources=tuple(sorted(draft.sources.values(), key=lambda s: s.label)),
        )
        for iri, draft in drafts.items()
    ]
    return sorted(events, key=lambda event: (event.date, event.iri), reverse=True)


def term_label(iri: str) -> str:
    """The ontology's label of a class (``tg:Signing`` → "signing"), else its local name."""
    label = ontology_graph().value(URIRef(iri), RDFS.label)
    return str(label) if label is not None else iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
