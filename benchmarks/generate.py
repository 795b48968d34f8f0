#!/usr/bin/env python3
"""A deterministic synthetic treaty graph in treatygraph's own vocabulary, as N-Quads.

Why synthetic: the curated corpus is a few hundred triples, far too small to say anything
about query cost. A benchmark needs the *shape* of real data at 10^4..10^6 quads: one named
graph per article holding the article's verbatim text and the facts drawn from it, each
with evidence whose quote really occurs in that text; agreements and events shared by
several article graphs (so the union default graph has duplicate triples, as the real store
does); dates given as a day, a month or a year; status observations; and the derived
``graph/inferred`` (RDFS subclass types, one ``tg:status`` per agreement, status periods).

Why deterministic: the runner compares engines on one file, and a rerun at the same size
and seed must ask the same questions of the same data. Everything is drawn from seeded
``random.Random`` instances (string seeds hash with SHA-512, independent of
PYTHONHASHSEED), and the output order is fixed.

The derived graph follows the rules of ``treatygraph.inference`` by calling its
``status_history``/``effective_date`` and ``treatygraph.ontology.entailed_types``, and
``--check`` proves it: it loads the output into a treatygraph store, recomputes
``graph/inferred`` with ``compute_inferred`` and compares, then runs the SHACL shapes.

Usage::

    python benchmarks/generate.py --triples 100000 --out /tmp/treaties-100k.nq
    python benchmarks/generate.py --triples 10000 --out /tmp/t10k.nq --check

``--triples`` counts quads (statements): a triple asserted in two article graphs counts
twice, as it is stored twice. The generator stops at the first whole agreement (with all
its articles) that reaches the target, so the result is within a few hundred quads of it.
A ``FILE.params.json`` sidecar lists the IRIs the runner draws query parameters from.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import importlib.util
import json
import random
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("treatygraph") is None:  # run from a checkout without install
    sys.path.insert(0, str(REPO / "src"))

# The derivation rules are the project's own: importing them (instead of copying them) is
# what keeps the synthetic graph/inferred honest when the rules change.
from rdflib import URIRef  # noqa: E402

from treatygraph.inference import StatusEntry, effective_date, status_history  # noqa: E402
from treatygraph.namespaces import evidence_iri  # noqa: E402
from treatygraph.ontology import entailed_types, ontology_graph, subclasses_of  # noqa: E402

GENERATOR_VERSION = "1"
NS = "https://w3id.org/treatygraph/"
TG = NS + "ontology#"
ID = NS + "id/"
GRAPH = NS + "graph/"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SKOS_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
OWL_SAME = "<http://www.w3.org/2002/07/owl#sameAs>"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"

REFERENCE_GRAPH = f"<{GRAPH}reference>"
PROVENANCE_GRAPH = f"<{GRAPH}provenance>"
INFERRED_GRAPH = f"<{GRAPH}inferred>"
ONTOLOGY_GRAPH = f"<{GRAPH}ontology>"
SHAPES_GRAPH = f"<{GRAPH}shapes>"

FIRST_DAY = dt.date(1950, 1, 1)
LAST_DAY = dt.date(2025, 10, 31)
"""Events fall in this span; articles may appear up to a year and a half after it."""

MONTHS = tuple(calendar.month_name[1:])

Triple = tuple[str, str, str]


# --------------------------------------------------------------------------------------------
# N-Quads terms: kept as ready-to-write strings, because building a million rdflib terms
# would make the generator slower than the engines it feeds.
# --------------------------------------------------------------------------------------------


def tg(local: str) -> str:
    return f"<{TG}{local}>"


def res(kind: str, slug: str) -> str:
    return f"<{ID}{kind}/{slug}>"


def schema(local: str) -> str:
    return f"<{SCHEMA}{local}>"


def prov(local: str) -> str:
    return f"<{PROV}{local}>"


def lit(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Quads literal; only backslash, quote, LF and CR need escaping."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{body}"@{lang}'
    if datatype and datatype != XSD_NS + "string":
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


def en(text: str) -> str:
    return lit(text, lang="en")


def xsd(lexical: str, local: str) -> str:
    return lit(lexical, datatype=XSD_NS + local)


def ascii_slug(text: str) -> str:
    """Lowercase ASCII kebab-case, folding accents first ("Brasília" → "brasilia")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = []
    for char in folded.lower():
        out.append(char if char.isalnum() else "-")
    return "-".join(part for part in "".join(out).split("-") if part)


def capital(text: str) -> str:
    """``text`` with its first letter in upper case, for a sentence that starts with it."""
    return text[:1].upper() + text[1:]


def day_text(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# --------------------------------------------------------------------------------------------
# Reference tables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    code: str
    name: str
    qid: str
    capital: str
    weight: int
    the: bool = False
    head: str = "Prime Minister"

    @property
    def iri(self) -> str:
        return res("state", self.code)

    @property
    def of_name(self) -> str:
        """The name after "of" in an office title ("of the Philippines")."""
        return f"the {self.name}" if self.the else self.name


_P = "President"
STATES: tuple[State, ...] = (
    State("us", "United States", "Q30", "Washington, D.C.", 12, True, _P),
    State("jp", "Japan", "Q17", "Tokyo", 9),
    State("gb", "United Kingdom", "Q145", "London", 7, True),
    State("fr", "France", "Q142", "Paris", 6, head=_P),
    State("au", "Australia", "Q408", "Canberra", 6),
    State("de", "Germany", "Q183", "Berlin", 5, head="Chancellor"),
    State("ph", "Philippines", "Q928", "Manila", 5, True, _P),
    State("in", "India", "Q668", "New Delhi", 5),
    State("kr", "South Korea", "Q884", "Seoul", 5, head=_P),
    State("ca", "Canada", "Q16", "Ottawa", 4),
    State("it", "Italy", "Q38", "Rome", 4),
    State("es", "Spain", "Q29", "Madrid", 3),
    State("nl", "Netherlands", "Q55", "Amsterdam", 3, True),
    State("be", "Belgium", "Q31", "Brussels", 2),
    State("pl", "Poland", "Q36", "Warsaw", 3),
    State("tr", "Turkey", "Q43", "Ankara", 3, head=_P),
    State("gr", "Greece", "Q41", "Athens", 2),
    State("pt", "Portugal", "Q45", "Lisbon", 2),
    State("no", "Norway", "Q20", "Oslo", 2),
    State("se", "Sweden", "Q34", "Stockholm", 2),
    State("fi", "Finland", "Q33", "Helsinki", 2, head=_P),
    State("dk", "Denmark", "Q35", "Copenhagen", 2),
    State("nz", "New Zealand", "Q664", "Wellington", 3),
    State("sg", "Singapore", "Q334", "Singapore", 3),
    State("id", "Indonesia", "Q252", "Jakarta", 3, head=_P),
    State("my", "Malaysia", "Q833", "Kuala Lumpur", 2),
    State("th", "Thailand", "Q869", "Bangkok", 2),
    State("vn", "Vietnam", "Q881", "Hanoi", 3),
    State("bn", "Brunei", "Q921", "Bandar Seri Begawan", 1),
    State("kh", "Cambodia", "Q424", "Phnom Penh", 1),
    State("la", "Laos", "Q819", "Vientiane", 1),
    State("mm", "Myanmar", "Q836", "Naypyidaw", 1),
    State("bd", "Bangladesh", "Q902", "Dhaka", 1),
    State("lk", "Sri Lanka", "Q854", "Colombo", 1, head=_P),
    State("np", "Nepal", "Q837", "Kathmandu", 1),
    State("pk", "Pakistan", "Q843", "Islamabad", 2),
    State("mn", "Mongolia", "Q711", "Ulaanbaatar", 1),
    State("kz", "Kazakhstan", "Q232", "Astana", 1, head=_P),
    State("ua", "Ukraine", "Q212", "Kyiv", 2, head=_P),
    State("ro", "Romania", "Q218", "Bucharest", 2),
    State("bg", "Bulgaria", "Q219", "Sofia", 1),
    State("cz", "Czech Republic", "Q213", "Prague", 2, True),
    State("sk", "Slovakia", "Q214", "Bratislava", 1),
    State("hu", "Hungary", "Q28", "Budapest", 1),
    State("at", "Austria", "Q40", "Vienna", 1, head="Chancellor"),
    State("ch", "Switzerland", "Q39", "Bern", 1, head=_P),
    State("ie", "Ireland", "Q27", "Dublin", 1),
    State("ee", "Estonia", "Q191", "Tallinn", 1),
    State("lv", "Latvia", "Q211", "Riga", 1),
    State("lt", "Lithuania", "Q37", "Vilnius", 1),
    State("br", "Brazil", "Q155", "Brasília", 2, head=_P),
    State("mx", "Mexico", "Q96", "Mexico City", 2, head=_P),
    State("ar", "Argentina", "Q414", "Buenos Aires", 1, head=_P),
    State("cl", "Chile", "Q298", "Santiago", 1, head=_P),
    State("co", "Colombia", "Q739", "Bogotá", 1, head=_P),
    State("pe", "Peru", "Q419", "Lima", 1, head=_P),
    State("za", "South Africa", "Q258", "Pretoria", 2, head=_P),
    State("ng", "Nigeria", "Q1033", "Abuja", 1, head=_P),
    State("ke", "Kenya", "Q114", "Nairobi", 1, head=_P),
    State("et", "Ethiopia", "Q115", "Addis Ababa", 1),
    State("eg", "Egypt", "Q79", "Cairo", 2, head=_P),
    State("ma", "Morocco", "Q1028", "Rabat", 1),
    State("sa", "Saudi Arabia", "Q851", "Riyadh", 2),
    State("ae", "United Arab Emirates", "Q878", "Abu Dhabi", 2, True),
    State("qa", "Qatar", "Q846", "Doha", 1),
    State("kw", "Kuwait", "Q817", "Kuwait City", 1),
    State("bh", "Bahrain", "Q398", "Manama", 1),
    State("om", "Oman", "Q842", "Muscat", 1),
    State("jo", "Jordan", "Q810", "Amman", 1),
    State("il", "Israel", "Q801", "Jerusalem", 2),
    State("fj", "Fiji", "Q712", "Suva", 1),
    State("pg", "Papua New Guinea", "Q691", "Port Moresby", 1),
    State("tl", "Timor-Leste", "Q574", "Dili", 1, head=_P),
    State("cy", "Cyprus", "Q229", "Nicosia", 1, head=_P),
    State("mt", "Malta", "Q233", "Valletta", 1),
)

FOREIGN_OFFICES = {
    "us": "Secretary of State of the United States",
    "gb": "Foreign Secretary of the United Kingdom",
    "ph": "Secretary for Foreign Affairs of the Philippines",
}
DEFENSE_OFFICES = {
    "us": "Secretary of Defense of the United States",
    "gb": "Defence Secretary of the United Kingdom",
    "ph": "Secretary of National Defense of the Philippines",
}
LEGISLATURES = {
    "us": "United States Senate",
    "ph": "Senate of the Philippines",
    "jp": "National Diet of Japan",
}


@dataclass(frozen=True)
class Kind:
    slug: str
    cls: str
    name: str
    abbr: str
    weight: int
    logistics: bool = False
    access: bool = False


KINDS: tuple[Kind, ...] = (
    Kind(
        "acsa",
        "AcquisitionCrossServicingAgreement",
        "Acquisition and Cross-Servicing Agreement",
        "ACSA",
        20,
        logistics=True,
        access=False,
    ),
    Kind(
        "lsa", "LogisticsSupportAgreement", "Logistics Support Agreement", "LSA", 6, logistics=True
    ),
    Kind("raa", "ReciprocalAccessAgreement", "Reciprocal Access Agreement", "RAA", 8, access=True),
    Kind("vfa", "VisitingForcesAgreement", "Visiting Forces Agreement", "VFA", 10, access=True),
    Kind("mdt", "MutualDefenseTreaty", "Mutual Defense Treaty", "MDT", 5),
    Kind("isa", "InformationSecurityAgreement", "Information Security Agreement", "GSOMIA", 15),
    Kind("dca", "DefenseCooperationAgreement", "Defense Cooperation Agreement", "DCA", 15),
    Kind(
        "edca", "DefenseCooperationAgreement", "Enhanced Defense Cooperation Agreement", "EDCA", 3
    ),
)
AMENDMENT = Kind("amendment", "Amendment", "Amendment", "amendment", 0)

SUPPORT = (
    "Fuel",
    "Food",
    "Transportation",
    "MedicalServices",
    "SpareParts",
    "Equipment",
    "Facilities",
)
SUPPORT_WORDS = {
    "Fuel": "fuel",
    "Food": "food",
    "Transportation": "transportation",
    "MedicalServices": "medical services",
    "SpareParts": "spare parts",
    "Equipment": "equipment",
    "Facilities": "facilities",
}
ACTIVITIES = {
    "JointExercise": "joint exercises",
    "Training": "training",
    "Peacekeeping": "peacekeeping missions",
    "HumanitarianOperation": "humanitarian operations",
    "DisasterRelief": "disaster relief",
    "ContingencySupport": "contingencies",
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN = _words(
    "Akira Ana Andrea Anton Beatriz Carlos Chen Daniel David Elena Emma Farid Fatima "
    "Felipe Hana Hans Ibrahim Ines Ivan Jakob James Jana Javier Jin Jonas Jose Julia "
    "Karim Kenji Lars Laura Leila Lukas Maria Marco Marta Mei Mikhail Min Nadia "
    "Nikos Nora Olga Omar Pablo Paolo Priya Rafael Rahul Rosa Sakura Samir Sara "
    "Sofia Stefan Takeshi Tomas Vikram Yara Yuki Zanele"
)
FAMILY = _words(
    "Abe Adeyemi Alvarez Andersen Bauer Becker Berg Carvalho Castro Chowdhury Costa "
    "Dahl Dimitriou Duarte Eriksson Fischer Fonseca Garcia Haddad Hansen Hoffmann "
    "Ito Jensen Kato Kim Kowalski Kuznetsov Larsen Lee Lindqvist Lopez Mahmoud "
    "Martin Meyer Moreau Mori Murphy Nakamura Nguyen Novak Ortiz Park Patel Pereira "
    "Petrov Popescu Ramos Reyes Rossi Santos Sato Schmidt Silva Singh Suzuki Tanaka "
    "Tran Varga Wagner Wang Watanabe Weber Yamamoto Yilmaz Zhang"
)
PUBLISHERS = (
    "Philippine News Agency",
    "Kyodo News",
    "Reuters",
    "Associated Press",
    "Agence France-Presse",
    "Defense News",
    "The Diplomat",
    "Nikkei Asia",
    "Yonhap News Agency",
    "The Straits Times",
    "Ministry of Foreign Affairs (press release)",
    "Ministry of Defense (press release)",
)
FILLERS = (
    "Officials said the talks also covered maritime security and regional stability.",
    "The two sides reaffirmed their commitment to a free and open international order.",
    "Analysts said the move reflects growing concern over security in the region.",
    "A joint statement was issued after the meeting.",
    "The ministers also discussed cooperation on cyber security and space.",
    "Details of the arrangement were not disclosed.",
    "The announcement drew criticism from opposition lawmakers.",
    "Both governments described the relationship as a strategic partnership.",
    "Talks on defense equipment transfers are expected to continue next year.",
    "The leaders agreed to hold regular consultations between their defense ministries.",
    "Observers noted that the agreement follows years of informal cooperation.",
    "The embassy said further details would be published in due course.",
    "Coast guard cooperation was also on the agenda.",
    "Reporters were not allowed to attend the closed-door session.",
    "The visit was the first of its kind in more than a decade.",
    "Officials declined to comment on the timeline for implementation.",
)
FURNITURE = (
    "Photo courtesy of the Ministry of Foreign Affairs",
    "Popular: Port upgrade project breaks ground",
    "Popular: Typhoon relief goods arrive",
    "Related: Defense budget rises for third year",
    "Share this article",
)


# --------------------------------------------------------------------------------------------
# The plan of an agreement's life: what really happened, before any article reports it
# --------------------------------------------------------------------------------------------

EVENT_KINDS = {
    # key: (class, slug part, label phrase)
    "launch": ("NegotiationLaunch", "negotiation-launch", "Launch of negotiations on"),
    "signing": ("Signing", "signing", "Signing of"),
    "consent": ("LegislativeConsent", "legislative-consent", "Legislative consent to"),
    "ratification": ("Ratification", "ratification", "Ratification of"),
    "force": ("EntryIntoForce", "entry-into-force", "Entry into force of"),
    "termination": ("Termination", "termination", "Termination of"),
}
STATUS_OF_EVENT = {
    "launch": "UnderNegotiation",
    "signing": "Signed",
    "force": "InForce",
    "termination": "Terminated",
}
STATUS_STAGE = {"Proposed": 0, "UnderNegotiation": 1, "Signed": 2, "InForce": 5, "Terminated": 6}
EVENT_STAGE = {
    "launch": 1,
    "signing": 2,
    "consent": 3,
    "ratification": 4,
    "force": 5,
    "termination": 6,
}
STATUS_WORDS = {
    "Proposed": "proposed",
    "UnderNegotiation": "under negotiation",
    "Signed": "signed",
    "InForce": "in force",
    "Terminated": "terminated",
}


FINAL_STAGES = ("proposed", "launch", "signing", "ratification", "force", "termination")
FINAL_WEIGHTS = (4, 10, 12, 8, 56, 10)
"""How far an agreement's life gets, in percent: most defense agreements enter into force."""


@dataclass
class PlannedEvent:
    key: str
    day: dt.date
    by: State | None = None


@dataclass
class Agreement:
    slug: str
    kind: Kind
    parties: tuple[State, ...]
    label: str
    events: list[PlannedEvent]
    amends: Agreement | None = None
    support: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()

    @property
    def iri(self) -> str:
        return res("agreement", self.slug)

    @property
    def names(self) -> str:
        """The parties as a sentence names them: "the Philippines and Japan"."""
        names = [p.of_name for p in self.parties]
        if len(names) == 2:
            return f"{names[0]} and {names[1]}"
        return ", ".join(names[:-1]) + f" and {names[-1]}"

    def status_on(self, day: dt.date) -> str:
        """The status the plan implies on ``day`` (events of the day count)."""
        status = "Proposed"
        for event in sorted(self.events, key=lambda e: (e.day, EVENT_STAGE[e.key])):
            if event.day <= day and event.key in STATUS_OF_EVENT:
                status = STATUS_OF_EVENT[event.key]
        return status


@dataclass
class Person:
    iri: str
    label: str
    office_iri: str
    office_label: str


# --------------------------------------------------------------------------------------------
# The world: reference data created on first use, and the running count of quads
# --------------------------------------------------------------------------------------------


@cache
def _entailed(types: frozenset[str]) -> tuple[str, ...]:
    """Superclasses implied by a subject's types, as N-Quads IRIs (sorted, deterministic)."""
    implied = entailed_types(URIRef(t[1:-1]) for t in types)
    return tuple(sorted(f"<{t}>" for t in implied))


def _status_rules() -> tuple[dict[str, str], dict[str, int]]:
    """Event class → implied status, and class/status → stage, read from the ontology.

    Read from the ontology (not from the tables above) so a rule change there shows up here.
    """
    onto = ontology_graph()
    implies = {
        f"<{cls}>": f"<{status}>"
        for cls, status in onto.subject_objects(URIRef(TG + "impliesStatus"))
    }
    stages = {
        f"<{node}>": int(str(value)) for node, value in onto.subject_objects(URIRef(TG + "stage"))
    }
    return implies, stages


class World:
    """Everything generated so far that later articles and the derived graph depend on."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"treatygraph-benchmark-{seed}")
        self.seed = seed
        self.reference: dict[str, list[Triple]] = {}
        self.reference_quads = 0
        self.agreements: list[Agreement] = []
        self.by_state: dict[str, list[Agreement]] = defaultdict(list)
        self.slugs: set[str] = set()
        self.persons: dict[tuple[str, str, int], Person] = {}
        self.person_slugs: set[str] = set()
        self.articles: list[str] = []
        self.article_count = 0
        self.written = 0
        # Derived-graph bookkeeping, kept incrementally so the size target is exact.
        self.types: dict[str, set[str]] = defaultdict(set)
        self.inferred_type_quads = 0
        self.entries: dict[str, set[StatusEntry]] = defaultdict(set)
        self.effective: dict[str, str] = {}
        self.status_quads: dict[str, int] = {}
        self.agreement_classes = frozenset(
            f"<{c}>" for c in subclasses_of(URIRef(TG + "Agreement"))
        )
        self.implies, self.stages = _status_rules()
        self.counts: dict[str, int] = defaultdict(int)

    # -- counting -------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self.written + self.reference_quads + self.inferred_quads

    @property
    def inferred_quads(self) -> int:
        return self.inferred_type_quads + len(self.effective) + sum(self.status_quads.values())

    def note_type(self, subject: str, cls: str) -> None:
        """Track asserted types (any graph but graph/inferred) for the RDFS entailment."""
        if not subject.startswith("<"):
            return
        known = self.types[subject]
        if cls in known:
            return
        before = len(_entailed(frozenset(known))) if known else 0
        known.add(cls)
        self.inferred_type_quads += len(_entailed(frozenset(known))) - before
        if cls in self.agreement_classes and subject not in self.status_quads:
            self.status_quads[subject] = 1  # tg:Proposed until an entry says otherwise

    def note_entry(
        self, agreement: str, node: str, date_term: str, cls: str, observed: str | None
    ) -> None:
        """A dated event or observation in an article graph, as compute_inferred reads it."""
        lexical, _, datatype = date_term.partition("^^")
        effective = effective_date(lexical.strip('"'), datatype.strip("<>") or None)
        status = observed if observed is not None else self.implies.get(cls)
        if effective is None or status is None:
            return
        stage = self.stages.get(status if observed is not None else cls, 0)
        self.effective[node] = xsd(effective.isoformat(), "date")
        self.entries[agreement].add(
            StatusEntry(effective, stage, URIRef(status[1:-1]), URIRef(node[1:-1]))
        )
        periods = status_history(self.entries[agreement])
        self.status_quads[agreement] = 1 + sum(
            6 if p.valid_until is not None else 5 for p in periods
        )

    # -- reference data -------------------------------------------------------------------

    def add_reference(self, subject: str, triples: Iterable[tuple[str, str]]) -> str:
        if subject not in self.reference:
            rows = [(subject, p, o) for p, o in triples]
            self.reference[subject] = rows
            self.reference_quads += len(rows)
            for s, p, o in rows:
                if p == RDF_TYPE:
                    self.note_type(s, o)
        return subject

    def state(self, state: State) -> str:
        return self.add_reference(
            state.iri,
            [
                (RDF_TYPE, tg("State")),
                (RDFS_LABEL, en(state.name)),
                (schema("name"), lit(state.name)),
                (SKOS_ALT, en(state.code.upper())),
                (tg("isoCode"), lit(state.code.upper())),
                (OWL_SAME, f"<http://www.wikidata.org/entity/{state.qid}>"),
            ],
        )

    def office(self, state: State, role: str) -> tuple[str, str]:
        if role == "head":
            label = f"{state.head} of {state.of_name}"
        elif role == "foreign":
            label = FOREIGN_OFFICES.get(
                state.code, f"Minister of Foreign Affairs of {state.of_name}"
            )
        else:
            label = DEFENSE_OFFICES.get(state.code, f"Minister of Defense of {state.of_name}")
        node = res("office", ascii_slug(label))
        self.state(state)
        self.add_reference(
            node, [(RDF_TYPE, tg("Office")), (RDFS_LABEL, en(label)), (tg("officeOf"), state.iri)]
        )
        return node, label

    def legislature(self, state: State) -> tuple[str, str]:
        label = LEGISLATURES.get(state.code, f"Parliament of {state.of_name}")
        node = res("organization", ascii_slug(label))
        self.state(state)
        self.add_reference(
            node,
            [(RDF_TYPE, tg("Organization")), (RDFS_LABEL, en(label)), (tg("partOf"), state.iri)],
        )
        return node, label

    def place(self, state: State) -> str:
        node = res("place", ascii_slug(state.capital))
        self.state(state)
        return self.add_reference(
            node,
            [(RDF_TYPE, tg("Place")), (RDFS_LABEL, en(state.capital)), (tg("located"), state.iri)],
        )

    def holder(self, state: State, role: str, day: dt.date) -> Person:
        """Who held an office on a day: one person per office and four-year term."""
        term = (day.year - FIRST_DAY.year) // 4
        key = (state.code, role, term)
        if key not in self.persons:
            rng = random.Random(f"{self.seed}-person-{state.code}-{role}-{term}")
            label = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            slug = ascii_slug(label)
            number = 1
            while slug in self.person_slugs:
                number += 1
                slug = f"{ascii_slug(label)}-{number}"
            self.person_slugs.add(slug)
            office, office_label = self.office(state, role)
            node = res("person", slug)
            self.add_reference(node, [(RDF_TYPE, tg("Person")), (RDFS_LABEL, en(label))])
            self.persons[key] = Person(node, label, office, office_label)
            self.counts["persons"] += 1
        return self.persons[key]

    # -- agreements -----------------------------------------------------------------------

    def new_agreement(self) -> Agreement:
        rng = self.rng
        done = [a for a in self.agreements[-400:] if any(e.key == "force" for e in a.events)]
        if done and rng.random() < 0.06:
            return self._amendment(rng.choice(done))
        weights = [s.weight for s in STATES]
        count = 3 if rng.random() < 0.05 else 2
        parties: set[State] = set()
        for _ in range(20):  # bounded: distinct parties from a small weighted table
            parties.add(rng.choices(STATES, weights)[0])
            if len(parties) == count:
                break
        ordered = tuple(sorted(parties, key=lambda s: s.code))
        kind = rng.choices(KINDS, [k.weight for k in KINDS])[0]
        base = "-".join(s.code for s in ordered) + "-" + kind.slug
        slug = self._unique(base)
        start = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days - 200))
        names = "–".join(s.name for s in sorted(ordered, key=lambda s: s.name))
        label = f"{names} {kind.name}"
        if slug != base:
            label += f" of {start.year}"
        agreement = Agreement(slug, kind, ordered, label, self._plan(start, ordered, rng))
        if kind.logistics:
            agreement.support = tuple(sorted(rng.sample(SUPPORT, rng.randint(2, 5))))
        if kind.logistics or kind.access:
            agreement.activities = tuple(sorted(rng.sample(sorted(ACTIVITIES), rng.randint(1, 4))))
        return self._register(agreement)

    def _amendment(self, base: Agreement) -> Agreement:
        rng = self.rng
        force = max(e.day for e in base.events if e.key == "force")
        signing = force + dt.timedelta(days=rng.randint(365, 9000))
        if signing > LAST_DAY:
            signing = max(force, LAST_DAY - dt.timedelta(days=rng.randint(0, 60)))
        slug = self._unique(f"{base.slug}-amendment-{signing.year}")
        label = f"Amendment of {signing.year} to the {base.label}"
        events = [PlannedEvent("signing", signing)]
        into_force = signing + dt.timedelta(days=rng.randint(0, 400))
        if into_force <= LAST_DAY:
            events.append(PlannedEvent("force", into_force))
        agreement = Agreement(slug, AMENDMENT, base.parties, label, events, amends=base)
        return self._register(agreement)

    def _unique(self, base: str) -> str:
        slug, number = base, 1
        while slug in self.slugs:
            number += 1
            slug = f"{base}-{number}"
        self.slugs.add(slug)
        return slug

    def _register(self, agreement: Agreement) -> Agreement:
        self.agreements.append(agreement)
        for party in agreement.parties:
            self.by_state[party.code].append(agreement)
            self.state(party)
        self.counts["agreements"] += 1
        return agreement

    @staticmethod
    def _plan(start: dt.date, parties: tuple[State, ...], rng: random.Random) -> list[PlannedEvent]:
        """A plausible lifecycle: talks, signing, consent, ratification, force, termination."""
        final = rng.choices(FINAL_STAGES, FINAL_WEIGHTS)[0]
        events: list[PlannedEvent] = []
        if final == "proposed":
            return events
        day = start
        if rng.random() < 0.75 or final == "launch":
            events.append(PlannedEvent("launch", day))
            day += dt.timedelta(days=rng.randint(60, 900))
        if final == "launch":
            return events
        signing = day
        events.append(PlannedEvent("signing", day))
        if final == "signing":
            return _clip(events)
        if rng.random() < 0.08:  # enters into force upon signature: same day, stage decides
            events.append(PlannedEvent("force", signing))
        else:
            if rng.random() < 0.4:
                day += dt.timedelta(days=rng.randint(30, 400))
                events.append(PlannedEvent("consent", day, rng.choice(parties)))
            day += dt.timedelta(days=rng.randint(10, 300))
            events.append(PlannedEvent("ratification", day, rng.choice(parties)))
            if final == "ratification":
                return _clip(events)
            day += dt.timedelta(days=rng.randint(10, 300))
            events.append(PlannedEvent("force", day))
        if final == "termination":
            day = max(e.day for e in events) + dt.timedelta(days=rng.randint(365, 7000))
            events.append(PlannedEvent("termination", day, rng.choice(parties)))
        return _clip(events)


def _clip(events: list[PlannedEvent]) -> list[PlannedEvent]:
    """Drop what would happen after the last day of the synthetic timeline."""
    return [e for e in events if e.day <= LAST_DAY]


# --------------------------------------------------------------------------------------------
# Articles: a text built sentence by sentence, and the facts each sentence supports
# --------------------------------------------------------------------------------------------


@dataclass
class ArticleDraft:
    slug: str
    published: dt.date
    headline: str
    rng: random.Random
    sentences: list[str] = field(default_factory=list)
    triples: dict[Triple, None] = field(default_factory=dict)
    evidence: dict[str, set[str]] = field(default_factory=dict)
    """Quote → subjects it supports."""

    @property
    def iri(self) -> str:
        return res("article", self.slug)

    @property
    def graph(self) -> str:
        return f"<{GRAPH}article-{self.slug}>"

    def say(self, sentence: str, *subjects: str) -> None:
        """Add a sentence to the text and make it the evidence of ``subjects``."""
        if sentence not in self.evidence:
            self.sentences.append(sentence)
            self.evidence[sentence] = set()
        self.evidence[sentence].update(subjects)

    def add(self, s: str, p: str, o: str) -> None:
        self.triples[(s, p, o)] = None


def describe_agreement(draft: ArticleDraft, agreement: Agreement, full: bool) -> None:
    """The agreement as an article states it: type, names, parties; scope when ``full``."""
    node = agreement.iri
    draft.add(node, RDF_TYPE, tg(agreement.kind.cls))
    draft.add(node, RDFS_LABEL, en(agreement.label))
    if agreement.kind is not AMENDMENT:
        draft.add(node, SKOS_ALT, en(agreement.kind.abbr))
    for party in agreement.parties:
        draft.add(node, tg("party"), party.iri)
    if agreement.amends is not None:
        draft.add(node, tg("amends"), agreement.amends.iri)
    if full and (agreement.support or agreement.activities):
        parts = []
        if agreement.support:
            words = [SUPPORT_WORDS[s] for s in agreement.support]
            parts.append("exchange " + ", ".join(words[:-1]) + f" and {words[-1]}")
        else:
            parts.append("operate together")
        if agreement.activities:
            words = [ACTIVITIES[a] for a in agreement.activities]
            joined = ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]
            parts.append(f"during {joined}")
        abbr = agreement.kind.abbr
        draft.say(f"The {abbr} allows the forces of {agreement.names} to {' '.join(parts)}.", node)
        for category in agreement.support:
            draft.add(node, tg("covers"), tg(category))
        for activity in agreement.activities:
            draft.add(node, tg("appliesTo"), tg(activity))


def event_node(agreement: Agreement, key: str, lexical: str) -> str:
    return res("event", f"{agreement.slug}-{EVENT_KINDS[key][1]}-{lexical}")


def report_event(
    world: World,
    draft: ArticleDraft,
    agreement: Agreement,
    event: PlannedEvent,
    precision: str,
) -> str:
    """The event as the article dates it ("day", "month" or "year"), with its sentence."""
    cls, _, phrase = EVENT_KINDS[event.key]
    day = event.day
    if precision == "month":
        lexical, datatype = f"{day.year:04d}-{day.month:02d}", "gYearMonth"
        when, label_when = (
            f"in {MONTHS[day.month - 1]} {day.year}",
            f"{MONTHS[day.month - 1]} {day.year}",
        )
    elif precision == "year":
        lexical, datatype = f"{day.year:04d}", "gYear"
        when, label_when = f"in {day.year}", str(day.year)
    else:
        lexical, datatype = day.isoformat(), "date"
        when, label_when = f"on {day_text(day)}", day_text(day)
    node = event_node(agreement, event.key, lexical)
    date_term = xsd(lexical, datatype)
    draft.add(node, RDF_TYPE, tg(cls))
    draft.add(node, RDFS_LABEL, en(f"{phrase} the {agreement.label} ({label_when})"))
    draft.add(node, tg("concerns"), agreement.iri)
    draft.add(node, tg("date"), date_term)
    world.note_entry(agreement.iri, node, date_term, tg(cls), None)
    label = agreement.label
    rng = draft.rng
    if event.key == "signing" and precision == "day":
        role = rng.choice(("foreign", "defense"))
        signers = [world.holder(p, role, day) for p in agreement.parties]
        for person in signers:
            draft.add(node, tg("participant"), person.iri)
            draft.add(person.iri, tg("holdsOffice"), person.office_iri)
        names = ", and ".join(f"{p.label}, {p.office_label}" for p in signers)
        where = ""
        if rng.random() < 0.7:
            host = rng.choice(agreement.parties)
            draft.add(node, tg("place"), world.place(host))
            where = f" in {host.capital}"
        sentence = f"{names}, signed the {label}{where} {when}."
        draft.say(sentence, node, agreement.iri, *(p.iri for p in signers))
    elif event.key == "signing":
        draft.say(
            f"{when[0].upper()}{when[1:]}, {agreement.names} signed the {label}.",
            node,
            agreement.iri,
        )
    elif event.key == "launch":
        article = "an" if agreement.kind.name[0] in "AEIOU" else "a"
        draft.say(
            f"{capital(agreement.names)} agreed {when} to begin negotiations on {article} "
            f"{agreement.kind.name} ({agreement.kind.abbr}).",
            node,
            agreement.iri,
        )
    elif event.key == "consent" and event.by is not None:
        body, body_label = world.legislature(event.by)
        draft.add(node, tg("consentingBody"), body)
        draft.add(node, tg("participant"), body)
        draft.add(node, tg("onBehalfOf"), event.by.iri)
        draft.say(
            f"The {body_label} voted {when} to concur in the ratification of the {label}.",
            node,
            agreement.iri,
        )
    elif event.key == "ratification" and event.by is not None:
        draft.add(node, tg("onBehalfOf"), event.by.iri)
        draft.say(f"{capital(event.by.of_name)} ratified the {label} {when}.", node, agreement.iri)
    elif event.key == "force":
        upon = (
            " upon signature"
            if any(e.key == "signing" and e.day == day for e in agreement.events)
            else ""
        )
        draft.say(f"The {label} entered into force{upon} {when}.", node, agreement.iri)
    elif event.key == "termination":
        by = (event.by or agreement.parties[0]).of_name
        draft.add(node, tg("onBehalfOf"), event.by.iri if event.by else agreement.parties[0].iri)
        draft.say(
            f"After notice given by {by}, the {label} was terminated {when}.",
            node,
            agreement.iri,
        )
    world.counts["event_reports"] += 1
    return node


def report_meeting(world: World, draft: ArticleDraft, agreement: Agreement, day: dt.date) -> None:
    """A summit of the first two parties' heads of government on the day of the event."""
    first, second = agreement.parties[0], agreement.parties[1]
    node = res("event", f"{first.code}-{second.code}-meeting-{day.isoformat()}")
    # The host is a function of the meeting's identity, so two articles agree on it.
    digest = hashlib.sha256(node.encode()).digest()
    host = first if digest[0] % 2 == 0 else second
    heads = [world.holder(first, "head", day), world.holder(second, "head", day)]
    draft.add(node, RDF_TYPE, tg("Meeting"))
    draft.add(
        node,
        RDFS_LABEL,
        en(f"Bilateral meeting of {heads[0].label} and {heads[1].label} ({day_text(day)})"),
    )
    draft.add(node, tg("date"), xsd(day.isoformat(), "date"))
    draft.add(node, tg("place"), world.place(host))
    for person in heads:
        draft.add(node, tg("participant"), person.iri)
        draft.add(person.iri, tg("holdsOffice"), person.office_iri)
    first_title = heads[0].office_label.split(" of ")[0]
    second_title = heads[1].office_label.split(" of ")[0]
    draft.say(
        f"{first_title} {heads[0].label} of {first.of_name} and {second_title} {heads[1].label} "
        f"of {second.of_name} met in {host.capital} on {day_text(day)}.",
        node,
        *(p.iri for p in heads),
    )
    world.counts["meetings"] += 1


def report_observation(world: World, draft: ArticleDraft, other: Agreement) -> None:
    """ "Similar deals exist": the article's view of another agreement's status that day."""
    status = other.status_on(draft.published)
    node = res("observation", f"{other.slug}-status-{draft.published.isoformat()}")
    kind = other.kind.name if other.kind is not AMENDMENT else "amendment"
    sentence = {
        "Proposed": f"Officials also confirmed that {other.names} would start discussions on "
        f"a possible {kind}.",
        "UnderNegotiation": f"{capital(other.names)} are still negotiating the {other.label}.",
        "Signed": f"{capital(other.names)} have already signed the {other.label}, which is not yet "
        "in force.",
        "InForce": f"A similar agreement, the {other.label}, is already in force.",
        "Terminated": f"The {other.label} is no longer in force.",
    }[status]
    describe_agreement(draft, other, full=False)
    date_term = xsd(draft.published.isoformat(), "date")
    draft.add(node, RDF_TYPE, tg("StatusObservation"))
    draft.add(
        node,
        RDFS_LABEL,
        en(
            f"Observation that the {other.label} is {STATUS_WORDS[status]} "
            f"({day_text(draft.published)})"
        ),
    )
    draft.add(node, tg("concerns"), other.iri)
    draft.add(node, tg("observedStatus"), tg(status))
    draft.add(node, tg("date"), date_term)
    world.note_entry(other.iri, node, date_term, tg("StatusObservation"), tg(status))
    draft.say(sentence, node, other.iri)
    world.counts["observations"] += 1


HEADLINES = {
    "launch": "{names} begin talks on {kind}",
    "signing": "{names} sign {kind}",
    "consent": "Lawmakers back {abbr} with {partner}",
    "ratification": "{by} ratifies {abbr}",
    "force": "{label} takes effect",
    "termination": "{label} ends",
    "proposed": "{names} to discuss possible {kind}",
}


def new_draft(
    world: World, agreement: Agreement, key: str, published: dt.date, by: State | None
) -> ArticleDraft:
    world.article_count += 1
    number = world.article_count
    kind = agreement.kind.name if agreement.kind is not AMENDMENT else "amendment"
    topic = f"{agreement.slug}-{EVENT_KINDS[key][1] if key in EVENT_KINDS else key}"
    headline = HEADLINES[key].format(
        names=capital(agreement.names),
        kind=kind.lower(),
        abbr=agreement.kind.abbr if agreement.kind is not AMENDMENT else "amendment",
        partner=agreement.parties[-1].of_name,
        by=capital((by or agreement.parties[0]).of_name),
        label=agreement.label,
    )
    rng = random.Random(f"{world.seed}-article-{number}")
    return ArticleDraft(f"{number:06d}-{topic}"[:120].rstrip("-"), published, headline, rng)


def finish_article(world: World, draft: ArticleDraft, out: TextIO) -> None:
    """Lay out the text, attach evidence with offsets, write the graph and its provenance."""
    rng = draft.rng
    body = list(draft.sentences)
    for filler in rng.sample(FILLERS, rng.randint(2, 5)):
        body.insert(rng.randint(1, len(body)), filler)
    paragraphs: list[list[str]] = []
    index = 0
    while index < len(body):
        size = rng.randint(1, 3)
        paragraphs.append(body[index : index + size])
        index += size
    text = ""
    offsets: dict[str, tuple[int, int]] = {}
    if rng.random() < 0.3:
        text = rng.choice(FURNITURE) + "\n\n"
    for number, paragraph in enumerate(paragraphs):
        if number:
            text += "\n\n"
        for position, sentence in enumerate(paragraph):
            if position:
                text += " "
            offsets.setdefault(sentence, (len(text), len(text) + len(sentence)))
            text += sentence
    if rng.random() < 0.3:
        text += "\n\n" + rng.choice(FURNITURE) + "\n"

    article = draft.iri
    draft.add(article, RDF_TYPE, tg("Article"))
    draft.add(article, RDF_TYPE, schema("NewsArticle"))
    draft.add(article, RDFS_LABEL, en(draft.headline))
    draft.add(article, schema("headline"), lit(draft.headline))
    draft.add(article, schema("publisher"), lit(rng.choice(PUBLISHERS)))
    draft.add(article, schema("datePublished"), xsd(draft.published.isoformat(), "date"))
    if rng.random() < 0.7:
        draft.add(article, schema("author"), lit(f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"))
    draft.add(
        article,
        schema("url"),
        xsd(f"https://news.example.org/{draft.published.year}/{draft.slug}", "anyURI"),
    )
    draft.add(article, tg("text"), lit(text))
    for quote, subjects in draft.evidence.items():
        if not subjects:
            continue
        node = f"<{evidence_iri(draft.slug, quote)}>"
        start, end = offsets[quote]
        assert text[start:end] == quote
        draft.add(node, RDF_TYPE, tg("Evidence"))
        draft.add(node, RDFS_LABEL, en(f"Quote from {draft.slug}, characters {start}–{end}"))
        draft.add(node, tg("quote"), lit(quote))
        draft.add(node, tg("source"), article)
        draft.add(node, tg("startOffset"), xsd(str(start), "nonNegativeInteger"))
        draft.add(node, tg("endOffset"), xsd(str(end), "nonNegativeInteger"))
        for subject in sorted(subjects):
            draft.add(subject, tg("evidence"), node)
        world.counts["evidence"] += 1

    lines = []
    for s, p, o in draft.triples:
        if p == RDF_TYPE:
            world.note_type(s, o)
        lines.append(f"{s} {p} {o} {draft.graph} .\n")
    activity = (
        res("activity", "hand-curation")
        if rng.random() < 0.3
        else res("activity", "extraction-benchmark-generator-1")
    )
    generated = dt.datetime.combine(
        draft.published + dt.timedelta(days=rng.randint(0, 30)), dt.time(), dt.UTC
    )
    provenance = [
        (draft.graph, RDF_TYPE, prov("Entity")),
        (draft.graph, RDFS_LABEL, en(f"Facts drawn from article {draft.slug}")),
        (draft.graph, prov("wasDerivedFrom"), article),
        (
            draft.graph,
            prov("generatedAtTime"),
            xsd(generated.strftime("%Y-%m-%dT%H:%M:%SZ"), "dateTime"),
        ),
        (draft.graph, prov("wasGeneratedBy"), activity),
    ]
    for s, p, o in provenance:
        if p == RDF_TYPE:
            world.note_type(s, o)
        lines.append(f"{s} {p} {o} {PROVENANCE_GRAPH} .\n")
    out.write("".join(lines))
    world.written += len(lines)
    world.articles.append(article)
    world.counts["articles"] += 1


def publish(world: World, agreement: Agreement, out: TextIO) -> None:
    """Every article about one agreement: one per event, some events reported twice."""
    rng = world.rng
    if not agreement.events:  # only proposed: an article reports the talks about talks
        published = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
        draft = new_draft(world, agreement, "proposed", published, None)
        report_observation(world, draft, agreement)
        finish_article(world, draft, out)
        return
    for event in agreement.events:
        published = event.day + dt.timedelta(days=rng.randint(0, 7))
        draft = new_draft(world, agreement, event.key, published, event.by)
        describe_agreement(draft, agreement, full=rng.random() < 0.5)
        report_event(world, draft, agreement, event, "day")
        if event.key in ("launch", "signing") and rng.random() < 0.4:
            report_meeting(world, draft, agreement, event.day)
        others = [
            a
            for party in agreement.parties
            for a in world.by_state[party.code][-50:]
            if a is not agreement
        ]
        if others and rng.random() < 0.3:
            report_observation(world, draft, rng.choice(others))
        finish_article(world, draft, out)
        if rng.random() < 0.25:  # a later article recalls the event, often less precisely
            later = event.day + dt.timedelta(days=rng.randint(20, 500))
            precision = rng.choices(("day", "month", "year"), (45, 40, 15))[0]
            again = new_draft(world, agreement, event.key, later, event.by)
            describe_agreement(again, agreement, full=False)
            report_event(world, again, agreement, event, precision)
            finish_article(world, again, out)


# --------------------------------------------------------------------------------------------
# The fixed graphs and the derived graph
# --------------------------------------------------------------------------------------------


def ontology_quads() -> list[str]:
    """graph/ontology and graph/shapes as the real store holds them (naive status needs them)."""
    import pyoxigraph as ox

    lines = []
    for name, graph in (("treatygraph.ttl", ONTOLOGY_GRAPH), ("shapes.ttl", SHAPES_GRAPH)):
        labels: dict[str, str] = {}  # the parser's random blank node ids → stable ones
        prefix = name.split(".")[0]
        for q in ox.parse(path=str(REPO / "ontology" / name), format=ox.RdfFormat.TURTLE):
            s, p, o = (_stable(t, labels, prefix) for t in (q.subject, q.predicate, q.object))
            lines.append(f"{s} {p} {o} {graph} .\n")
    return lines


def _stable(node: object, labels: dict[str, str], prefix: str) -> str:
    """A term as N-Quads, blank nodes renamed in order of appearance."""
    text = str(node)
    if text.startswith("_:"):
        text = labels.setdefault(text, f"_:{prefix}{len(labels)}")
    return text


def inferred_lines(world: World) -> list[str]:
    """graph/inferred exactly as treatygraph.inference.compute_inferred derives it."""
    rows: list[Triple] = []
    for subject in sorted(world.types):
        for cls in _entailed(frozenset(world.types[subject])):
            rows.append((subject, RDF_TYPE, cls))
    for node in sorted(world.effective):
        rows.append((node, tg("effectiveDate"), world.effective[node]))
    for agreement in sorted(world.status_quads):
        periods = status_history(world.entries.get(agreement, set()))
        current = f"<{periods[-1].status}>" if periods else tg("Proposed")
        rows.append((agreement, tg("status"), current))
        for period in periods:
            start = period.valid_from.isoformat()
            node = f"<{agreement[1:-1]}#status-{start}>"
            status = f"<{period.status}>"
            rows.append((agreement, tg("statusPeriod"), node))
            rows.append((node, RDF_TYPE, tg("StatusPeriod")))
            rows.append((node, tg("status"), status))
            rows.append((node, RDFS_LABEL, en(f"{period.status.rsplit('#', 1)[-1]} from {start}")))
            rows.append((node, tg("validFrom"), xsd(start, "date")))
            if period.valid_until is not None:
                rows.append((node, tg("validUntil"), xsd(period.valid_until.isoformat(), "date")))
    return [f"{s} {p} {o} {INFERRED_GRAPH} .\n" for s, p, o in rows]


def generate(target: int, seed: int, out_path: Path) -> dict[str, object]:
    """Write the N-Quads file and its params sidecar; returns the sidecar's content."""
    started = time.perf_counter()
    world = World(seed)
    fixed = ontology_quads()
    for line in fixed:
        subject, predicate, obj = line.split(" ", 2)
        if predicate == RDF_TYPE and subject.startswith("<"):
            world.note_type(subject, obj.rsplit(" ", 2)[0])
    for state in STATES:
        world.state(state)
    tmp = out_path.with_suffix(out_path.suffix + ".part")
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        out.write("".join(fixed))
        world.written += len(fixed)
        limit = max(10, target // 10)  # bounded: each agreement adds at least ~30 quads
        while world.total < target and len(world.agreements) < limit:
            publish(world, world.new_agreement(), out)
        reference = [
            f"{s} {p} {o} {REFERENCE_GRAPH} .\n"
            for subject in sorted(world.reference)
            for s, p, o in world.reference[subject]
        ]
        out.write("".join(reference))
        expected_inferred = world.inferred_quads
        inferred = inferred_lines(world)
        if len(inferred) != expected_inferred:
            raise AssertionError(f"inferred count drifted: {len(inferred)} != {expected_inferred}")
        out.write("".join(inferred))
        quads = world.written + len(reference) + len(inferred)
    tmp.replace(out_path)

    dates = sorted(e.day for a in world.agreements for e in a.events)
    params: dict[str, object] = {
        "generator": f"treatygraph-benchmark/{GENERATOR_VERSION}",
        "seed": seed,
        "target": target,
        "quads": quads,
        "bytes": out_path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 2),
        "first_year": dates[0].year if dates else FIRST_DAY.year,
        "last_year": dates[-1].year if dates else LAST_DAY.year,
        "counts": dict(sorted(world.counts.items())) | {"inferred": len(inferred)},
        "agreements": [a.iri[1:-1] for a in world.agreements],
        "states": sorted(s.iri[1:-1] for s in STATES if world.by_state[s.code]),
        "articles": [a[1:-1] for a in world.articles],
    }
    Path(f"{out_path}.params.json").write_text(json.dumps(params, indent=1) + "\n")
    return params


# --------------------------------------------------------------------------------------------
# --check: the derived graph equals compute_inferred's, and the data meets the shapes
# --------------------------------------------------------------------------------------------


def check(path: Path) -> bool:
    """Recompute graph/inferred with treatygraph and run SHACL; True when both agree."""
    import shutil
    import tempfile
    import warnings

    import pyoxigraph as ox
    from rdflib import Dataset

    from treatygraph.inference import compute_inferred
    from treatygraph.namespaces import INFERRED_GRAPH as INFERRED
    from treatygraph.store.oxigraph import OxigraphStore
    from treatygraph.validation import validate

    ok = True
    folder = Path(tempfile.mkdtemp(prefix="tg-check-"))
    try:
        raw = ox.Store(str(folder))
        raw.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        ours = {
            (str(q.subject), str(q.predicate), str(q.object))
            for q in raw.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED)))
        }
        del raw  # closes the RocksDB directory so treatygraph's store can open it
        store = OxigraphStore(folder)
        theirs = {(s.n3(), p.n3(), o.n3()) for s, p, o in compute_inferred(store)}
        store.close()
        missing, extra = theirs - ours, ours - theirs
        print(
            f"inferred: {len(ours)} generated, {len(theirs)} by compute_inferred, "
            f"{len(missing)} missing, {len(extra)} extra"
        )
        for row in sorted(missing)[:5]:
            print("  missing", row)
        for row in sorted(extra)[:5]:
            print("  extra  ", row)
        ok = not missing and not extra
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(str(path), format="nquads")
    started = time.perf_counter()
    report = validate(dataset)
    print(
        f"SHACL: conforms={report.conforms}, {len(report.violations)} violations, "
        f"{len(report.warnings)} warnings ({time.perf_counter() - started:.1f} s)"
    )
    for result in report.results[:10]:
        print(f"  {result.severity}: {result.focus} {result.path or ''} {result.message[:120]}")
    return ok and report.conforms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help="target number of quads")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument(
        "--check", action="store_true", help="compare graph/inferred and run SHACL (small sizes)"
    )
    args = parser.parse_args(argv)
    params = generate(args.triples, args.seed, args.out)
    print(
        f"{args.out}: {params['quads']} quads, {params['bytes']} bytes, "
        f"{params['seconds']} s; {json.dumps(params['counts'])}"
    )
    if args.check:
        return 0 if check(args.out) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
