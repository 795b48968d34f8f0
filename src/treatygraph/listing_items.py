"""How the items of the lists in :mod:`treatygraph.listings` are written: for each kind, which
properties an item shows and in which shape, as compaction with the published context would
write them (links as ``{"id", "label"}``, ``tg:`` terms as ``tg:InForce``, classes by local
name, dates as value objects). Also the shared query helpers of the lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SDO, SKOS, XSD

from treatygraph.jsonld_docs import compact_iri, compact_type
from treatygraph.namespaces import INFERRED_GRAPH, PREFIXES, TG, sparql_prologue
from treatygraph.store.base import Deadline, SelectResult, Store, Term

_PROLOGUE = sparql_prologue(
    {name: PREFIXES[name] for name in ("tg", "rdf", "rdfs", "skos", "owl", "xsd", "schema")}
)


def period_pattern(day: dt.date) -> str:
    literal = f'"{day.isoformat()}"^^xsd:date'
    return (
        f"GRAPH <{INFERRED_GRAPH}> {{\n"
        "  ?s tg:statusPeriod ?period .\n"
        "  ?period tg:validFrom ?from ; tg:status ?periodStatus .\n"
        f"  FILTER(?from <= {literal})\n"
        f"  FILTER NOT EXISTS {{ ?period tg:validUntil ?until FILTER(?until <= {literal}) }}\n"
        "}\n"
    )


def select(store: Store, query: str, deadline: Deadline | None) -> list[tuple[Term | None, ...]]:
    result = store.query(_PROLOGUE + query, deadline=deadline)
    if not isinstance(result, SelectResult):  # pragma: no cover - every query here is a SELECT
        raise TypeError("expected a SELECT result")
    return list(result.rows)


@dataclass(frozen=True)
class Key:
    """How one property of an item is written: its key, and the shape of its values."""

    name: str
    shape: str  # "type" | "text" | "texts" | "link" | "links" | "date" | "value" | "iris"


AGREEMENT_KEYS: Mapping[URIRef, Key] = {
    RDF.type: Key("type", "type"),
    RDFS.label: Key("label", "text"),
    SKOS.altLabel: Key("altLabel", "texts"),
    TG.party: Key("parties", "links"),
    TG.status: Key("status", "link"),
}
STATE_KEYS: Mapping[URIRef, Key] = {
    RDF.type: Key("type", "type"),
    RDFS.label: Key("label", "text"),
    SKOS.altLabel: Key("altLabel", "texts"),
    TG.isoCode: Key("isoCode", "text"),
    OWL.sameAs: Key("sameAs", "iris"),
}
EVENT_KEYS: Mapping[URIRef, Key] = {
    RDF.type: Key("type", "type"),
    RDFS.label: Key("label", "text"),
    TG.date: Key("date", "value"),
    TG.concerns: Key("concerns", "link"),
    TG.observedStatus: Key("observedStatus", "link"),
    TG.place: Key("place", "link"),
}
ARTICLE_KEYS: Mapping[URIRef, Key] = {
    RDF.type: Key("type", "type"),
    RDFS.label: Key("label", "text"),
    SDO.headline: Key("headline", "text"),
    SDO.publisher: Key("publisher", "text"),
    SDO.author: Key("author", "text"),
    SDO.datePublished: Key("datePublished", "text"),
    SDO.url: Key("url", "text"),
}


def details(
    store: Store, iris: Sequence[str], keys: Mapping[URIRef, Key], deadline: Deadline | None
) -> dict[str, dict[str, Any]]:
    """The item properties of ``iris``: asserted values of ``keys``, the derived status, and
    the label of each linked node."""
    values = " ".join(f"<{iri}>" for iri in iris)
    wanted = ", ".join(f"<{p}>" for p in keys if p != TG.status)
    query = (
        f"SELECT ?s ?p ?o ?label WHERE {{\n  VALUES ?s {{ {values} }}\n"
        f"  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}> && ?p IN ({wanted})) }}\n"
    )
    if TG.status in keys:
        query += (
            f"  UNION {{ GRAPH <{INFERRED_GRAPH}> {{ ?s tg:status ?o }} BIND(tg:status AS ?p) }}\n"
        )
    query += "  OPTIONAL { ?o rdfs:label ?label FILTER(?p != rdf:type) }\n}"
    found: dict[str, dict[URIRef, dict[Term, str | None]]] = {}
    for s, p, o, label in select(store, query, deadline):
        if s is None or p is None or o is None:
            continue
        values_of = found.setdefault(s.value, {}).setdefault(URIRef(p.value), {})
        if values_of.get(o) is None:
            values_of[o] = label.value if label is not None else None
    return {iri: _item(props, keys) for iri, props in found.items()}


def _item(
    props: Mapping[URIRef, Mapping[Term, str | None]], keys: Mapping[URIRef, Key]
) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for predicate, key in keys.items():
        terms = sorted(props.get(predicate, {}).items(), key=lambda pair: pair[0].value)
        if not terms:
            continue
        written = [_value(term, label, key.shape) for term, label in terms]
        plural = key.shape in ("texts", "links", "iris")
        item[key.name] = written if plural or len(written) > 1 else written[0]
    return item


def _value(term: Term, label: str | None, shape: str) -> Any:
    if shape == "type":
        return compact_type(term.value)
    if shape in ("link", "links", "iris"):
        node: dict[str, Any] = {"id": compact_iri(term.value)}
        if label is not None and shape != "iris":
            node["label"] = label
            return node
        return node["id"]
    if shape == "value":
        return {"type": compact_iri(term.datatype or str(XSD.string)), "value": term.value}
    return term.value


def periods(
    store: Store, iris: Iterable[str], day: dt.date, deadline: Deadline | None
) -> dict[str, list[dict[str, Any]]]:
    """For each agreement, the status period that holds on ``day`` (a list of one)."""
    values = " ".join(f"<{iri}>" for iri in iris)
    query = (
        f"SELECT ?s ?period ?periodStatus ?label ?from ?until WHERE {{\n"
        f"  VALUES ?s {{ {values} }}\n{period_pattern(day)}"
        "  OPTIONAL { ?period tg:validUntil ?until }\n"
        "  OPTIONAL { ?periodStatus rdfs:label ?label }\n}"
    )
    periods: dict[str, list[dict[str, Any]]] = {}
    for s, period, status, label, start, until in select(store, query, deadline):
        if s is None or period is None or status is None or start is None:
            continue
        node: dict[str, Any] = {"id": period.value, "type": "StatusPeriod"}
        node["status"] = {"id": compact_iri(status.value)}
        if label is not None:
            node["status"]["label"] = label.value
        node["validFrom"] = start.value
        if until is not None:
            node["validUntil"] = until.value
        if all(existing["id"] != node["id"] for existing in periods.get(s.value, [])):
            periods.setdefault(s.value, []).append(node)
    return periods
