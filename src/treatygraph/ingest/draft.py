"""The extractor's draft: facts with the clauses that state them, before they become RDF.

A draft is plain data so that it can be printed for review, compared with a curated graph,
and built into RDF by :mod:`treatygraph.ingest.build` without the rules that made it. Every
fact lists the clauses it rests on; the quote of a clause is cut when the draft is final
(:meth:`Draft.quotes`), from the stretches of the clause that facts actually used.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from treatygraph.ingest.article import Article
from treatygraph.ingest.dates import DateValue
from treatygraph.ingest.furniture import Span
from treatygraph.ingest.segment import Clause

LONG_CLAUSE = 400
"""Clauses longer than this are quoted by the comma-separated parts that carry facts."""


@dataclass(frozen=True)
class Quote:
    """A verbatim stretch of the body: ``text == body[start:end]``."""

    start: int
    end: int
    text: str


@dataclass
class AgreementDraft:
    """An agreement: new (``existing`` False) or matched to a resource of the store."""

    iri: URIRef
    slug: str
    cls: URIRef
    kind: str
    parties: tuple[str, ...]
    label: str
    existing: bool = False
    names: list[str] = field(default_factory=list)
    covers: set[URIRef] = field(default_factory=set)
    applies_to: set[URIRef] = field(default_factory=set)
    related: set[URIRef] = field(default_factory=set)
    amends: URIRef | None = None
    evidence: list[int] = field(default_factory=list)


@dataclass
class EventDraft:
    """A lifecycle event of one agreement, or a meeting (``agreement`` None)."""

    cls: URIRef
    agreement: AgreementDraft | None
    date: DateValue | None = None
    date_clause: int | None = None
    participants: list[URIRef] = field(default_factory=list)
    place: URIRef | None = None
    evidence: list[int] = field(default_factory=list)
    iri: URIRef | None = None
    label: str = ""
    qualifier: str = ""
    """For meetings: 'Bilateral', 'Dinner', an address's addressee…; used in label and slug."""
    consenting_body: URIRef | None = None
    on_behalf_of: str | None = None
    """For a legislative consent: the legislature, and the state (ISO code) it consents for."""


@dataclass
class ObservationDraft:
    """An article's report of an agreement's status at publication."""

    agreement: AgreementDraft
    status: URIRef
    evidence: list[int] = field(default_factory=list)


@dataclass
class OfficeDraft:
    """A person holding an office, as first stated in the article."""

    person: URIRef
    office: URIRef
    evidence: list[int] = field(default_factory=list)


@dataclass
class ProgramDraft:
    """A program with its provider and recipient states."""

    program: URIRef
    provider: str | None
    recipients: list[str]
    evidence: list[int] = field(default_factory=list)


@dataclass
class NewPerson:
    """A person the store does not know yet, named after a title in the article."""

    iri: URIRef
    label: str


@dataclass
class Draft:
    """Everything drawn from one article, with the notes a curator should read."""

    article: Article
    clauses: list[Clause]
    agreements: list[AgreementDraft] = field(default_factory=list)
    events: list[EventDraft] = field(default_factory=list)
    observations: list[ObservationDraft] = field(default_factory=list)
    offices: list[OfficeDraft] = field(default_factory=list)
    programs: list[ProgramDraft] = field(default_factory=list)
    new_persons: list[NewPerson] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: dict[int, list[Span]] = field(default_factory=lambda: defaultdict(list))

    def use(self, clause: int, *spans: Span) -> None:
        """Record that a fact rests on ``spans`` of clause ``clause``."""
        self.used[clause].extend(spans)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def quote(self, clause_index: int) -> Quote:
        """The quote for a clause: all of it, or for a long one the parts facts used."""
        clause = self.clauses[clause_index]
        start, end = clause.start, clause.end
        spans = self.used.get(clause_index, [])
        if clause.end - clause.start > LONG_CLAUSE and spans and len(clause.parts) > 1:
            first = min(s.start for s in spans)
            last = max(s.end for s in spans)
            covering = [p for p in clause.parts if p.end > first and p.start < last]
            if covering:
                start, end = covering[0].start, covering[-1].end
        text = self.article.text
        return Quote(start, end, text[start:end])

    @property
    def lifecycle_events(self) -> list[EventDraft]:
        return [e for e in self.events if e.agreement is not None]

    @property
    def meetings(self) -> list[EventDraft]:
        return [e for e in self.events if e.agreement is None]
