"""IRIs and English labels of drafted facts (docs/model.md, Resources and their IRIs), and
the last checks a draft passes: what cannot be named or dated is dropped, with a note.

Events are identified by agreement, kind and date *as the source gives it*, so two articles
that date a signing to the day share the event; meetings by the states of their participants,
kind and date.
"""

from __future__ import annotations

from rdflib import URIRef

from treatygraph.ingest.draft import Draft
from treatygraph.ingest.gazetteer import Gazetteer
from treatygraph.namespaces import TG, resource_iri, slugify

EVENT_KINDS: dict[URIRef, tuple[str, str]] = {
    TG.NegotiationLaunch: ("negotiation-launch", "Launch of negotiations on the {}"),
    TG.Signing: ("signing", "Signing of the {}"),
    TG.LegislativeConsent: ("legislative-consent", "Legislative consent to the {}"),
    TG.Ratification: ("ratification", "Ratification of the {}"),
    TG.EntryIntoForce: ("entry-into-force", "Entry into force of the {}"),
    TG.Termination: ("termination", "Termination of the {}"),
}
"""Event class → slug kind and label pattern."""

STATUS_WORDS: dict[URIRef, str] = {
    TG.Proposed: "proposed",
    TG.UnderNegotiation: "under negotiation",
    TG.Signed: "signed",
    TG.InForce: "in force",
    TG.Terminated: "terminated",
}


def agreement_label(gazetteer: Gazetteer, parties: tuple[str, ...], name: str) -> str:
    """'Japan–Philippines Reciprocal Access Agreement': the parties by name, then the kind."""
    names = sorted(
        gazetteer.states[code].label if code in gazetteer.states else code for code in parties
    )
    return f"{'–'.join(names)} {name}"


def finish(draft: Draft, gazetteer: Gazetteer) -> None:
    """Name every fact, and drop (with a note) what cannot be stated with certainty."""
    published = draft.article.date
    for event in list(draft.lifecycle_events):
        if event.date is None:
            about = event.agreement.label if event.agreement else "agreement"
            draft.note(
                f"the article reports a {_kind_word(event.cls)} of the {about} "
                "without a date: not drafted"
            )
            draft.events.remove(event)
    for amendment in [a for a in draft.agreements if a.cls == TG.Amendment]:
        signings = [
            e for e in draft.lifecycle_events if e.agreement is amendment and e.date is not None
        ]
        amended = next((a for a in draft.agreements if a.iri == amendment.amends), None)
        if not signings or amended is None:
            draft.note("an amendment without a dated signing was not drafted")
            draft.agreements.remove(amendment)
            draft.events[:] = [e for e in draft.events if e.agreement is not amendment]
            draft.observations[:] = [o for o in draft.observations if o.agreement is not amendment]
            continue
        year = signings[0].date.year if signings[0].date else published.year
        amendment.slug = f"{amended.slug}-amendment-{year}"
        amendment.iri = resource_iri("agreement", amendment.slug)
        amendment.label = f"{year} Amendment to the {amended.label}"
    draft.observations[:] = [o for o in draft.observations if o.status in STATUS_WORDS]
    reported = {id(e.agreement) for e in draft.lifecycle_events} | {
        id(o.agreement) for o in draft.observations
    }
    for agreement in list(draft.agreements):
        if id(agreement) not in reported and not agreement.existing:
            draft.note(f"{agreement.label} is mentioned without an event or a status: not drafted")
            draft.agreements.remove(agreement)
    kept = {a.iri for a in draft.agreements}
    for agreement in draft.agreements:
        agreement.related &= kept
    for event in draft.lifecycle_events:
        if event.agreement is None or event.date is None:
            continue
        kind, label = EVENT_KINDS[event.cls]
        event.iri = resource_iri("event", f"{event.agreement.slug}-{kind}-{event.date.lexical}")
        event.label = f"{label.format(event.agreement.label)} ({event.date.human()})"
    _name_meetings(draft, gazetteer)
    cited = {p for e in draft.events for p in e.participants} | {o.person for o in draft.offices}
    draft.new_persons[:] = [p for p in draft.new_persons if p.iri in cited]


def observation_iri(draft: Draft, slug: str) -> URIRef:
    return resource_iri("observation", f"{slug}-status-{draft.article.date.isoformat()}")


def observation_label(draft: Draft, label: str, status: URIRef) -> str:
    day = draft.article.date
    return f"Observation that the {label} is {STATUS_WORDS[status]} ({day.day} {day:%B} {day.year})"


def _name_meetings(draft: Draft, gazetteer: Gazetteer) -> None:
    offices = {o.person: o.office for o in draft.offices}
    names = {p.iri: p.label for p in draft.new_persons}
    taken: set[URIRef] = set()
    for meeting in list(draft.meetings):
        if meeting.date is None:
            continue
        codes = sorted(
            {
                state.lower()
                for who in meeting.participants
                if (state := _state_of(who, offices, gazetteer)) is not None
            }
        )
        if not codes:
            draft.note("a meeting whose participants' states are unknown was not drafted")
            draft.events.remove(meeting)
            continue
        people = [
            _titled(who, offices, names, gazetteer)
            for who in meeting.participants
            if who in names
            or (who in gazetteer.entities and gazetteer.entities[who].kind == "person")
        ]
        date = meeting.date.lexical
        if meeting.qualifier.startswith("the ") or meeting.qualifier.startswith("The "):
            head = meeting.qualifier[4:].split(" of ")[0]
            slug = f"{'-'.join(codes)}-{slugify(head)}-address-{date}"
            meeting.label = (
                f"Address of {_joined(people)} to {meeting.qualifier} ({meeting.date.human()})"
            )
        else:
            slug = f"{'-'.join(codes)}-meeting-{date}"
            if resource_iri("event", slug) in taken and meeting.qualifier:
                slug = f"{'-'.join(codes)}-{slugify(meeting.qualifier)}-meeting-{date}"
            lead = f"{meeting.qualifier} meeting" if meeting.qualifier else "Meeting"
            lead = lead[0].upper() + lead[1:]
            meeting.label = f"{lead} of {_joined(people)} ({meeting.date.human()})"
        meeting.iri = resource_iri("event", slug)
        if meeting.iri in taken:
            draft.note(f"two meetings would be {slug}: the second was not drafted")
            draft.events.remove(meeting)
            continue
        taken.add(meeting.iri)


def _state_of(who: URIRef, offices: dict[URIRef, URIRef], gazetteer: Gazetteer) -> str | None:
    entity = gazetteer.entities.get(offices.get(who, who))
    return (
        entity.state if entity is not None and entity.kind in ("office", "organization") else None
    )


def _titled(
    who: URIRef, offices: dict[URIRef, URIRef], names: dict[URIRef, str], gazetteer: Gazetteer
) -> str:
    person = gazetteer.entities.get(who)
    name = person.label if person is not None else names.get(who, str(who))
    office = gazetteer.entities.get(offices.get(who, who))
    if office is None or office.kind != "office":
        return name
    title = next((t for t, found in gazetteer.short_titles.items() if office in found), None)
    return f"{title} {name}" if title else name


def _joined(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _kind_word(cls: URIRef) -> str:
    return EVENT_KINDS.get(cls, ("event", ""))[0].replace("-", " ")
