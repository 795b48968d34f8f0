"""What the pictures show, read from the store: states, agreements with their category,
parties and status history, and the dated lifecycle events and status observations.

Three queries (agreements, status periods, dated marks), consumed here: call
:func:`load_picture_data` in a worker thread. Status periods are the derived
``tg:StatusPeriod`` nodes of ``graph/inferred`` (SPEC.md, Provenance), so "as of D" here
means what it means in ``/api/agreements?as_of=D``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import XSD

from treatygraph.listing_items import select
from treatygraph.namespaces import INFERRED_GRAPH, TG
from treatygraph.ontology import superclasses
from treatygraph.store.base import Deadline, Store


@dataclass(frozen=True)
class Category:
    """A colour of the network: agreements whose classes include ``root`` (None: the rest)."""

    key: str
    label: str
    root: URIRef | None
    colour: str


CATEGORIES: tuple[Category, ...] = (
    Category("acsa", "ACSA / logistics", TG.LogisticsSupportAgreement, "#0072b2"),
    Category("raa", "RAA / visiting forces", TG.VisitingForcesAgreement, "#d55e00"),
    Category("treaty", "mutual defense treaty", TG.MutualDefenseTreaty, "#009e73"),
    Category("infosec", "information security", TG.InformationSecurityAgreement, "#cc79a7"),
    Category("other", "other", None, "#e69f00"),
)
"""In order of precedence: the first whose root is among an agreement's classes wins.
Colours from the Okabe–Ito palette, told apart by colour-blind readers."""

STATUSES: tuple[tuple[str, str], ...] = (
    ("Proposed", "proposed"),
    ("UnderNegotiation", "under negotiation"),
    ("Signed", "signed"),
    ("InForce", "in force"),
    ("Terminated", "terminated"),
)
"""Status concepts by local name, in lifecycle order, with their labels."""

MARK_KINDS: tuple[tuple[str, str], ...] = (
    ("NegotiationLaunch", "negotiation launch"),
    ("Signing", "signing"),
    ("LegislativeConsent", "legislative consent"),
    ("Ratification", "ratification"),
    ("EntryIntoForce", "entry into force"),
    ("Termination", "termination"),
    ("LifecycleEvent", "other lifecycle event"),
    ("StatusObservation", "status observed in a source"),
)
"""Kinds of marks on the timeline, by the local name of their most specific class."""


@dataclass(frozen=True)
class StatusSpan:
    """A status from ``start`` until the day before ``end`` (None: still holds)."""

    status: str
    start: dt.date
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class StateNode:
    iri: str
    code: str
    label: str


@dataclass(frozen=True)
class Agreement:
    """An agreement as both pictures need it."""

    iri: str
    label: str
    short: str
    category: Category
    parties: tuple[str, ...]
    status: str | None
    periods: tuple[StatusSpan, ...] = ()

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    def status_on(self, day: dt.date | None) -> str | None:
        """The status on ``day`` (None: the current one), or None if nothing was reported
        about the agreement by then."""
        if day is None:
            return self.status
        return next((p.status for p in self.periods if p.covers(day)), None)


@dataclass(frozen=True)
class Mark:
    """A dated event or observation concerning an agreement; ``start``–``end`` is the period
    its date stands for (one day, a month, a year)."""

    iri: str
    agreement: str
    kind: str
    label: str
    lexical: str
    start: dt.date
    end: dt.date
    observed: str | None = None


@dataclass(frozen=True)
class PictureData:
    states: dict[str, StateNode]
    agreements: list[Agreement]
    marks: list[Mark] = field(default_factory=list)

    def state_by_code(self, code: str) -> StateNode | None:
        return next((s for s in self.states.values() if s.code == code), None)

    def agreement_by_slug(self, slug: str) -> Agreement | None:
        return next((a for a in self.agreements if a.slug == slug), None)


_AGREEMENTS = f"""SELECT ?a ?label ?alt ?type ?party ?partyLabel ?code ?status WHERE {{
  ?a a tg:Agreement .
  OPTIONAL {{ ?a rdfs:label ?label }}
  {{ ?a a ?type }}
  UNION {{ ?a skos:altLabel ?alt }}
  UNION {{ GRAPH <{INFERRED_GRAPH}> {{ ?a tg:status ?status }} }}
  UNION {{
    ?a tg:party ?party .
    OPTIONAL {{ ?party rdfs:label ?partyLabel }}
    OPTIONAL {{ ?party tg:isoCode ?code }}
  }}
}}"""

_PERIODS = f"""SELECT ?a ?status ?from ?until WHERE {{
  GRAPH <{INFERRED_GRAPH}> {{
    ?a tg:statusPeriod ?p . ?p tg:status ?status ; tg:validFrom ?from .
    OPTIONAL {{ ?p tg:validUntil ?until }}
  }}
}}"""

_MARKS = f"""SELECT ?e ?a ?type ?date ?label ?observed WHERE {{
  {{ ?e a tg:LifecycleEvent }} UNION {{ ?e a tg:StatusObservation }}
  ?e tg:concerns ?a ; tg:date ?date .
  GRAPH ?g {{ ?e a ?type }} FILTER(?g != <{INFERRED_GRAPH}>)
  OPTIONAL {{ ?e rdfs:label ?label }}
  OPTIONAL {{ ?e tg:observedStatus ?observed }}
}}"""


def load_picture_data(
    store: Store, deadline: Deadline | None = None, marks: bool = True
) -> PictureData:
    """States, agreements and (when ``marks``) the timeline's marks, from the store."""
    drafts: dict[str, _Draft] = {}
    states: dict[str, StateNode] = {}
    for a, label, alt, type_, party, party_label, code, status in select(
        store, _AGREEMENTS, deadline
    ):
        if a is None:
            continue
        draft = drafts.setdefault(a.value, _Draft())
        if label is not None and (draft.label is None or label.value < draft.label):
            draft.label = label.value
        if alt is not None:
            draft.alt.add(alt.value)
        if type_ is not None and type_.kind == "uri":
            draft.types.add(URIRef(type_.value))
        if status is not None:
            draft.status = _local(status.value)
        if party is not None and party.kind == "uri":
            draft.parties.add(party.value)
            slug = party.value.rsplit("/", 1)[-1]
            states.setdefault(
                party.value,
                StateNode(
                    party.value,
                    code.value.lower() if code is not None else slug,
                    party_label.value if party_label is not None else slug,
                ),
            )
    spans: dict[str, list[StatusSpan]] = {}
    for a, status, start, until in select(store, _PERIODS, deadline):
        if a is None or status is None or start is None:
            continue
        begin = _day(start.value)
        if begin is not None:
            end = _day(until.value) if until is not None else None
            spans.setdefault(a.value, []).append(StatusSpan(_local(status.value), begin, end))
    agreements = sorted(
        (
            draft.build(iri, tuple(sorted(spans.get(iri, []), key=lambda s: s.start)))
            for iri, draft in drafts.items()
        ),
        key=lambda agreement: (agreement.label, agreement.iri),
    )
    found = _marks(store, deadline) if marks else []
    return PictureData(dict(sorted(states.items(), key=lambda s: s[1].label)), agreements, found)


@dataclass
class _Draft:
    label: str | None = None
    alt: set[str] = field(default_factory=set)
    types: set[URIRef] = field(default_factory=set)
    parties: set[str] = field(default_factory=set)
    status: str | None = None

    def build(self, iri: str, periods: tuple[StatusSpan, ...]) -> Agreement:
        classes = set(self.types)
        for cls in self.types:
            classes |= superclasses().get(cls, frozenset())
        category = next(c for c in CATEGORIES if c.root is None or c.root in classes)
        return Agreement(
            iri=iri,
            label=self.label or iri.rsplit("/", 1)[-1],
            short=_short(self.alt, self.types),
            category=category,
            parties=tuple(sorted(self.parties)),
            status=self.status,
            periods=periods,
        )


def _short(alt: set[str], types: set[URIRef]) -> str:
    """An acronym for the agreement: the shortest upper-case alternative label (ACSA, RAA),
    else the initials of its most specific class (LogisticsSupportAgreement: LSA)."""
    acronyms = sorted((a for a in alt if a.isupper() and " " not in a and len(a) <= 8), key=len)
    if acronyms:
        return acronyms[0]
    specific = [t for t in types if t.startswith(str(TG)) and not _has_subclass_in(t, types)]
    name = _local(sorted(specific)[0]) if specific else "Agreement"
    initials = "".join(ch for ch in name if ch.isupper())
    return initials if len(initials) > 1 else name.lower()


def _has_subclass_in(cls: URIRef, types: set[URIRef]) -> bool:
    return any(t != cls and cls in superclasses().get(t, frozenset()) for t in types)


def _marks(store: Store, deadline: Deadline | None) -> list[Mark]:
    kinds: dict[str, set[str]] = {}
    rows: dict[str, tuple[str, str, str, str | None, str | None]] = {}
    for e, a, type_, date, label, observed in select(store, _MARKS, deadline):
        if e is None or a is None or date is None:
            continue
        if type_ is not None:
            kinds.setdefault(e.value, set()).add(_local(type_.value))
        rows[e.value] = (
            a.value,
            date.value,
            date.datatype or "",
            label.value if label is not None else None,
            _local(observed.value) if observed is not None else None,
        )
    order = [kind for kind, _ in MARK_KINDS]
    found = []
    for iri, (agreement, lexical, datatype, name, status) in rows.items():
        period = date_period(lexical, datatype)
        if period is None:
            continue
        known = [k for k in order if k in kinds.get(iri, set())]
        kind = known[0] if known else "LifecycleEvent"
        found.append(
            Mark(iri, agreement, kind, name or iri.rsplit("/", 1)[-1], lexical, *period, status)
        )
    return sorted(found, key=lambda m: (m.start, m.end, order.index(m.kind), m.iri))


def date_period(lexical: str, datatype: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a ``tg:date`` stands for; None when it does not parse.

    >>> date_period("2024-07", str(XSD.gYearMonth))
    (datetime.date(2024, 7, 1), datetime.date(2024, 7, 31))
    """
    try:
        if datatype == str(XSD.gYear):
            year = int(lexical[:4])
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if datatype == str(XSD.gYearMonth):
            year, month = int(lexical[:4]), int(lexical[5:7])
            return dt.date(year, month, 1), dt.date(
                year, month, calendar.monthrange(year, month)[1]
            )
        day = dt.date.fromisoformat(lexical[:10])
        return day, day
    except ValueError:
        return None


def _day(lexical: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(lexical[:10])
    except ValueError:
        return None


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
