"""Lists of resources for apps: agreements, states, events and articles, filtered and paged.

Each ``list_*`` function checks its filters (raising BadInput with a message a person can
act on), runs a count, a page query and one query for the page's details, all in the calling
thread, and returns plain JSON-ready items shaped by the published context, as compaction
would write them (``{"id": …, "type": "Signing", "label": …, "parties": [{"id", "label"}]}``).
:func:`collection_document` wraps a page as an ActivityStreams ``Collection``.

Filter values never reach a query as they came: slugs go through
:func:`~treatygraph.namespaces.resource_iri`, class and status names must name a term of the
ontology, dates are parsed, and free text is escaped with
:func:`~treatygraph.namespaces.sparql_string`.

Status as of a date is a range lookup over the derived ``tg:StatusPeriod`` nodes of
``graph/inferred``: the period with ``validFrom <= D`` and no ``validUntil <= D``. An
agreement with no period on that date (nothing about it was reported on or before D) is not
listed when ``as_of`` is given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rdflib import URIRef
from rdflib.namespace import SKOS

from treatygraph.config import Settings
from treatygraph.errors import BadInput
from treatygraph.jsonld_docs import context_iri, ordered
from treatygraph.listing_items import (
    AGREEMENT_KEYS,
    ARTICLE_KEYS,
    EVENT_KEYS,
    STATE_KEYS,
    Key,
    details,
    period_pattern,
    periods,
    select,
)
from treatygraph.namespaces import (
    INFERRED_GRAPH,
    TG,
    WD,
    is_slug,
    resource_iri,
    sparql_string,
)
from treatygraph.ontology import ontology_graph, subclasses_of
from treatygraph.store.base import Deadline, Store

MAX_LIMIT = 1000
DEFAULT_LIMIT = 50
MAX_TEXT = 200
_QID = re.compile(r"^Q[1-9][0-9]{0,11}$")


@dataclass(frozen=True)
class Page:
    """Which slice of a list: at most ``limit`` items after skipping ``offset``."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise BadInput(f"limit must be between 1 and {MAX_LIMIT} (got {self.limit})")
        if self.offset < 0:
            raise BadInput(f"offset must be 0 or more (got {self.offset})")


@dataclass(frozen=True)
class Listing:
    """One page of a list: the items in order, and how many match in all."""

    total: int
    items: list[dict[str, Any]] = field(default_factory=list)


# -- parsing filter values --------------------------------------------------------------------


def parse_date(text: str | None, name: str) -> dt.date | None:
    """An ISO date (``2025-06-01``) from a query parameter; BadInput otherwise."""
    if text is None or text == "":
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"{name} must be a date written YYYY-MM-DD, like 2025-06-01 (got {text[:40]!r})"
        ) from None


def _text(text: str | None) -> str | None:
    if not text:
        return None
    if len(text) > MAX_TEXT:
        raise BadInput(f"q is longer than {MAX_TEXT} characters")
    return text


def _state(text: str, settings: Settings) -> str:
    """The graph pattern term for a party: a state slug or the state's Wikidata QID."""
    if _QID.fullmatch(text):
        return f"[ owl:sameAs <{WD[text]}> ]"
    code = text.lower()
    if not is_slug(code):
        raise BadInput(
            f"party must be a state's ISO code (jp) or its Wikidata QID (Q17), not {text[:40]!r}"
        )
    return f"<{resource_iri('state', code, settings.base_iri)}>"


def _slug_iri(kind: str, text: str, settings: Settings) -> str:
    if not is_slug(text):
        raise BadInput(f"{kind} must be the slug of an {kind}, like jp-ph-acsa (got {text[:40]!r})")
    return str(resource_iri(kind, text, settings.base_iri))


def _class(text: str, roots: Sequence[URIRef], what: str) -> URIRef:
    """The ontology class a local name stands for, if it is ``roots`` or below them."""
    allowed = sorted(set().union(*(subclasses_of(root) for root in roots)))
    by_name = {str(cls)[len(str(TG)) :].lower(): cls for cls in allowed if cls.startswith(TG)}
    found = by_name.get(text.lower())
    if found is None:
        names = ", ".join(sorted(str(c)[len(str(TG)) :] for c in by_name.values()))
        raise BadInput(f"type must name a class of {what}: one of {names} (got {text[:60]!r})")
    return found


def _status(text: str) -> URIRef:
    concepts = sorted(
        s
        for s in ontology_graph().subjects(SKOS.inScheme, TG.AgreementStatus)
        if isinstance(s, URIRef)
    )
    by_name = {str(c)[len(str(TG)) :].lower(): c for c in concepts}
    found = by_name.get(text.lower())
    if found is None:
        names = ", ".join(str(c)[len(str(TG)) :] for c in concepts)
        raise BadInput(f"status must be one of {names} (got {text[:40]!r})")
    return found


def _contains(variable: str, text: str | None, properties: str) -> str:
    if text is None:
        return ""
    needle = sparql_string(text.lower())
    return (
        f"FILTER EXISTS {{ {variable} {properties} ?text "
        f"FILTER(CONTAINS(LCASE(STR(?text)), {needle})) }}\n"
    )


# -- the lists --------------------------------------------------------------------------------


def list_agreements(
    store: Store,
    settings: Settings,
    page: Page,
    *,
    party: str | None = None,
    type: str | None = None,
    status: str | None = None,
    as_of: str | None = None,
    q: str | None = None,
    deadline: Deadline | None = None,
) -> Listing:
    """Agreements ordered by label; ``type`` includes subclasses (entailed types)."""
    day = parse_date(as_of, "as_of")
    where = "?s a tg:Agreement .\n"
    if party:
        where += f"?s tg:party {_state(party, settings)} .\n"
    if type:
        where += f"?s a <{_class(type, [TG.Agreement], 'agreements')}> .\n"
    wanted_status = _status(status) if status else None
    if day is not None:
        where += period_pattern(day)
        if wanted_status is not None:
            where += f"FILTER(?periodStatus = <{wanted_status}>)\n"
    elif wanted_status is not None:
        where += f"GRAPH <{INFERRED_GRAPH}> {{ ?s tg:status <{wanted_status}> }}\n"
    where += _contains("?s", _text(q), "rdfs:label|skos:altLabel")
    order = "OPTIONAL { ?s rdfs:label ?l }\n"
    listing = _page(store, where, order, "MIN(STR(?l))", page, deadline)
    if listing.items:
        iris = [item["id"] for item in listing.items]
        found = details(store, iris, AGREEMENT_KEYS, deadline)
        on_day = periods(store, iris, day, deadline) if day is not None else {}
        for item in listing.items:
            item.update(found.get(item["id"], {}))
            if day is not None:
                item["statusPeriods"] = on_day.get(item["id"], [])
    return _finish(listing)


def list_states(
    store: Store,
    settings: Settings,
    page: Page,
    *,
    q: str | None = None,
    deadline: Deadline | None = None,
) -> Listing:
    """States ordered by label."""
    where = "?s a tg:State .\n" + _contains("?s", _text(q), "rdfs:label|skos:altLabel")
    listing = _page(store, where, "OPTIONAL { ?s rdfs:label ?l }\n", "MIN(STR(?l))", page, deadline)
    return _finish(_with_details(store, listing, STATE_KEYS, deadline))


def list_events(
    store: Store,
    settings: Settings,
    page: Page,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    agreement: str | None = None,
    type: str | None = None,
    q: str | None = None,
    deadline: Deadline | None = None,
) -> Listing:
    """Events and status observations, in date order.

    A date given as a month or a year is in ``[from, to]`` when its period overlaps it, so
    ``from=2024-07-15`` finds an event dated ``2024-07``.
    """
    start, end = parse_date(date_from, "from"), parse_date(date_to, "to")
    where = "{ ?s a tg:Event } UNION { ?s a tg:StatusObservation }\n"
    if agreement:
        where += f"?s tg:concerns <{_slug_iri('agreement', agreement, settings)}> .\n"
    if type:
        roots = [TG.Event, TG.StatusObservation]
        where += f"?s a <{_class(type, roots, 'events and observations')}> .\n"
    where += "?s tg:date ?date .\n" + _DATE_BOUNDS
    if start is not None:
        where += f'FILTER(?last >= "{start.isoformat()}")\n'
    if end is not None:
        where += f'FILTER(?first <= "{end.isoformat()}")\n'
    where += _contains("?s", _text(q), "rdfs:label")
    listing = _page(store, where, "", "MIN(?first)", page, deadline)
    return _finish(_with_details(store, listing, EVENT_KEYS, deadline))


def list_articles(
    store: Store,
    settings: Settings,
    page: Page,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    q: str | None = None,
    deadline: Deadline | None = None,
) -> Listing:
    """Source articles in order of publication (oldest first)."""
    start, end = parse_date(date_from, "from"), parse_date(date_to, "to")
    where = "?s a tg:Article .\nOPTIONAL { ?s schema:datePublished ?published }\n"
    if start is not None:
        where += f'FILTER(STR(?published) >= "{start.isoformat()}")\n'
    if end is not None:
        where += f'FILTER(STR(?published) <= "{end.isoformat()}")\n'
    where += _contains("?s", _text(q), "rdfs:label|schema:headline")
    listing = _page(store, where, "", "MIN(STR(?published))", page, deadline)
    return _finish(_with_details(store, listing, ARTICLE_KEYS, deadline))


def collection_document(
    listing: Listing, page: Page, url: str, settings: Settings
) -> dict[str, Any]:
    """The page as a JSON-LD ``Collection`` (ActivityStreams terms of our context).

    ``id`` is the request URL; ``first``, ``prev`` and ``next`` are the same URL with another
    ``offset`` (``prev``/``next`` only when such a page exists); ``items`` is an ordered list.
    """
    links = page_links(listing, page, url)
    document: dict[str, Any] = {
        "@context": context_iri(settings),
        "id": url,
        "type": "Collection",
        "totalItems": listing.total,
        **links,
        "items": listing.items,
    }
    return document


def page_links(listing: Listing, page: Page, url: str) -> dict[str, str]:
    """``first``, ``prev`` and ``next`` URLs of a page (the last two only when they exist)."""
    links = {"first": _with_offset(url, 0, page.limit)}
    if page.offset > 0:
        links["prev"] = _with_offset(url, max(page.offset - page.limit, 0), page.limit)
    if page.offset + page.limit < listing.total:
        links["next"] = _with_offset(url, page.offset + page.limit, page.limit)
    return links


def _with_offset(url: str, offset: int, limit: int) -> str:
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    params = [(k, v) for k, v in params if k not in ("offset", "limit")]
    params += [("limit", str(limit)), ("offset", str(offset))]
    return urlunsplit(parts._replace(query=urlencode(params)))


# -- queries ----------------------------------------------------------------------------------

_DATE_BOUNDS = """BIND(STR(?date) AS ?lexical)
BIND(IF(DATATYPE(?date) = xsd:gYear, CONCAT(SUBSTR(?lexical, 1, 4), "-01-01"),
     IF(DATATYPE(?date) = xsd:gYearMonth, CONCAT(SUBSTR(?lexical, 1, 7), "-01"),
        SUBSTR(?lexical, 1, 10))) AS ?first)
BIND(IF(DATATYPE(?date) = xsd:gYear, CONCAT(SUBSTR(?lexical, 1, 4), "-12-31"),
     IF(DATATYPE(?date) = xsd:gYearMonth, CONCAT(SUBSTR(?lexical, 1, 7), "-31"),
        SUBSTR(?lexical, 1, 10))) AS ?last)
"""


def _page(
    store: Store,
    where: str,
    order_pattern: str,
    order_by: str,
    page: Page,
    deadline: Deadline | None,
) -> Listing:
    """Count the matches of ``where``, then fetch one page of their IRIs in order."""
    count = select(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{\n{where}}}", deadline)
    total = int(count[0][0].value) if count and count[0][0] is not None else 0
    if total <= page.offset:
        return Listing(total)
    rows = select(
        store,
        f"SELECT ?s ({order_by} AS ?key) WHERE {{\n{where}{order_pattern}}}\n"
        f"GROUP BY ?s ORDER BY ?key ?s LIMIT {page.limit} OFFSET {page.offset}",
        deadline,
    )
    items = [{"id": row[0].value} for row in rows if row[0] is not None and row[0].kind == "uri"]
    return Listing(total, items)


def _with_details(
    store: Store, listing: Listing, keys: Mapping[URIRef, Key], deadline: Deadline | None
) -> Listing:
    if listing.items:
        found = details(store, [item["id"] for item in listing.items], keys, deadline)
        for item in listing.items:
            item.update(found.get(item["id"], {}))
    return listing


def _finish(listing: Listing) -> Listing:
    return Listing(listing.total, [ordered(item) for item in listing.items])


@dataclass(frozen=True)
class IndexEntry:
    """An agreement as the index page lists it under each of its parties."""

    iri: str
    label: str
    types: tuple[str, ...]
    status: str | None


@dataclass(frozen=True)
class StateGroup:
    """A state and the agreements it is party to, by label."""

    iri: str
    label: str
    agreements: tuple[IndexEntry, ...]


_INDEX_QUERY = f"""SELECT ?state ?stateLabel ?s ?label ?type ?status WHERE {{
  ?s a tg:Agreement ; tg:party ?state .
  OPTIONAL {{ ?state rdfs:label ?stateLabel }}
  OPTIONAL {{ ?s rdfs:label ?label }}
  OPTIONAL {{ GRAPH ?g {{ ?s a ?type }} FILTER(?g != <{INFERRED_GRAPH}>) }}
  OPTIONAL {{ GRAPH <{INFERRED_GRAPH}> {{ ?s tg:status ?status }} }}
}}"""


def agreements_by_state(store: Store, deadline: Deadline | None = None) -> list[StateGroup]:
    """Every agreement under each of its parties, states and agreements by label: the
    index page. One query, consumed here."""
    states: dict[str, str] = {}
    found: dict[str, dict[str, Any]] = {}
    members: dict[str, set[str]] = {}
    for state, state_label, s, label, type_, status in select(store, _INDEX_QUERY, deadline):
        if state is None or s is None:
            continue
        states.setdefault(state.value, state_label.value if state_label else state.value)
        members.setdefault(state.value, set()).add(s.value)
        entry = found.setdefault(s.value, {"label": s.value, "types": set(), "status": None})
        if label is not None:
            entry["label"] = (
                min(entry["label"], label.value) if entry["label"] != s.value else label.value
            )
        if type_ is not None:
            entry["types"].add(type_.value)
        if status is not None:
            entry["status"] = status.value
    groups = []
    for state_iri, state_name in sorted(states.items(), key=lambda item: item[1]):
        entries = sorted(
            (
                IndexEntry(
                    iri,
                    found[iri]["label"],
                    tuple(sorted(found[iri]["types"])),
                    found[iri]["status"],
                )
                for iri in members[state_iri]
            ),
            key=lambda entry: entry.label,
        )
        groups.append(StateGroup(state_iri, state_name, tuple(entries)))
    return groups
