"""Rules about people and bodies: who holds which office, who met whom, who receives a program.

These facts hang on persons and organizations rather than on an agreement, so they are read
from each clause independently of the agreement rules in :mod:`treatygraph.ingest.extract`.
"""

from __future__ import annotations

import re
from typing import TypeVar

from treatygraph.ingest import cues
from treatygraph.ingest.draft import Draft, EventDraft, NewPerson, OfficeDraft, ProgramDraft
from treatygraph.ingest.furniture import Span
from treatygraph.ingest.gazetteer import Gazetteer
from treatygraph.ingest.mentions import ClauseView, PersonRef
from treatygraph.namespaces import TG

_RECIPIENT = re.compile(r"^ (?:is|was|has become|became) (?:the |a |an )?(?:\w+ )?recipients? of\b")
_T = TypeVar("_T")
_SUMMIT = re.compile(r"\b(?P<a>[A-Z][\w.]*)[-–](?P<b>[A-Z][\w.]*) Summit\b")


def offices(draft: Draft, view: ClauseView) -> None:
    """A person's office, the first time the article states it; new persons are recorded."""
    for ref in view.offices:
        if any(o.person == ref.person.iri and o.office == ref.office.iri for o in draft.offices):
            continue
        draft.offices.append(OfficeDraft(ref.person.iri, ref.office.iri, [view.clause.index]))
        draft.use(view.clause.index, ref.span)
    for person in view.persons:
        if person.new and not any(p.iri == person.iri for p in draft.new_persons):
            draft.new_persons.append(NewPerson(person.iri, person.label))


def programs(draft: Draft, view: ClauseView) -> None:
    """'the Philippines is the first recipient of Japan's Official Security Assistance'."""
    for program, span in view.programs:
        provider = next(
            (
                s.code
                for s in view.states
                if s.end <= span.start and re.fullmatch(r"[’']s |\s", view.text[s.end : span.start])
            ),
            None,
        )
        recipients = [
            s
            for s in view.states
            if s.end < span.start
            and _RECIPIENT.match(view.text[s.end : span.start])
            and s.code != provider
        ]
        if not recipients:
            continue
        existing = next((p for p in draft.programs if p.program == program.iri), None)
        if existing is None:
            existing = ProgramDraft(program.iri, provider, [])
            draft.programs.append(existing)
        for recipient in recipients:
            if recipient.code not in existing.recipients:
                existing.recipients.append(recipient.code)
                draft.use(view.clause.index, Span(recipient.start, recipient.end))
        if view.clause.index not in existing.evidence:
            existing.evidence.append(view.clause.index)
        draft.use(view.clause.index, span)


def consenting_bodies(draft: Draft, gazetteer: Gazetteer) -> None:
    """A legislative consent given by senators of a state is that state's Senate's consent.

    Only when every legislator among the participants sits in the same body, and the store
    knows that body (an organization of the state named after the title: "Senate of the
    Philippines" for "Senator of the Philippines").
    """
    offices = {o.person: gazetteer.entities.get(o.office) for o in draft.offices}
    for event in draft.events:
        if event.cls != TG.LegislativeConsent:
            continue
        bodies = set()
        for person in event.participants:
            office = offices.get(person)
            if office is None or office.state is None:
                continue
            title = next((t for t, found in gazetteer.short_titles.items() if office in found), "")
            if title in cues.LEGISLATURES:
                bodies.add((cues.LEGISLATURES[title], office.state))
        if len(bodies) != 1:
            continue
        name, state = bodies.pop()
        body = next(
            (
                e
                for e in gazetteer.entities.values()
                if e.kind == "organization" and e.state == state and e.label.startswith(name)
            ),
            None,
        )
        if body is not None:
            event.consenting_body, event.on_behalf_of = body.iri, state


def attributed(view: ClauseView) -> list[Span]:
    """Stretches naming the source of words ('as Prime Minister Kishida best puts it')."""
    return [
        Span(view.clause.start + m.start(), view.clause.start + m.end())
        for m in cues.ATTRIBUTION.finditer(view.body)
    ]


def participants(view: ClauseView) -> list[PersonRef]:
    """Persons a clause names as actors, leaving out those only quoted."""
    quoted = attributed(view)
    return [p for p in view.persons if not any(q.start <= p.start < q.end for q in quoted)]


def meetings(draft: Draft, view: ClauseView) -> None:
    """Meetings and addresses with a date and at least two participants."""
    for match in cues.MEETING_CUES.finditer(view.body):
        cue = Span(view.clause.start + match.start(), view.clause.start + match.end())
        cue_text = match.group(0).lower()
        if cue_text.endswith("address to"):
            _address(draft, view, cue)
            return
        people = participants(view)
        meeting = EventDraft(TG.Meeting, None)
        meeting.evidence.append(view.clause.index)
        previous = draft.meetings[-1] if draft.meetings else None
        if len(people) < 2 and previous is not None and cues.PRONOUN_SUBJECT.search(view.body):
            meeting.participants = list(previous.participants)
            meeting.date, meeting.date_clause = previous.date, previous.date_clause
            meeting.evidence.insert(0, previous.evidence[0])
        elif len(people) >= 2:
            meeting.participants = _unique([p.iri for p in people])
            draft.use(view.clause.index, *(Span(p.start, p.end) for p in people))
        else:
            continue
        dated = [d for d in view.dates if not d.value.after(draft.article.date)]
        if dated:
            meeting.date, meeting.date_clause = dated[0].value, view.clause.index
            draft.use(view.clause.index, Span(dated[0].start, dated[0].end))
        if meeting.date is None:
            draft.note(f"a meeting without a date was left out: {view.body[:80]!r}")
            continue
        for place, span in view.places:
            meeting.place = place.iri
            draft.use(view.clause.index, span)
            break
        meeting.qualifier = _qualifier(draft, match, previous)
        draft.use(view.clause.index, cue)
        draft.events.append(meeting)
        return


def _address(draft: Draft, view: ClauseView, cue: Span) -> None:
    """'X, in his address to the Joint Session of … in November 2023'."""
    speaker = next((p for p in reversed(view.persons) if p.end <= cue.start), None)
    date = next((d for d in view.dates if d.start >= cue.end), None)
    if speaker is None or date is None or date.value.after(draft.article.date):
        return
    addressee_end = date.start
    while addressee_end > cue.end and view.text[addressee_end - 1] == " ":
        addressee_end -= 1
    addressee = re.sub(r" (?:in|on|at)$", "", view.text[cue.end + 1 : addressee_end])
    bodies = [
        entity.iri for entity, span in view.organizations if cue.end <= span.start < date.start
    ]
    if not bodies:
        return
    meeting = EventDraft(TG.Meeting, None, date=date.value, date_clause=view.clause.index)
    meeting.participants = _unique([speaker.iri, *bodies])
    meeting.qualifier = addressee
    meeting.evidence.append(view.clause.index)
    draft.use(view.clause.index, Span(speaker.start, date.end))
    draft.events.append(meeting)


def _qualifier(draft: Draft, match: re.Match[str], previous: EventDraft | None) -> str:
    """'Dinner', 'Bilateral', or the summit the headline names ('Japan–Germany summit')."""
    if match["meal"]:
        return match["meal"].capitalize()
    if "bilateral" in match.group(0).lower():
        return "Bilateral"
    summit = _SUMMIT.search(draft.article.title)
    if summit is not None and previous is None:
        return f"{summit['a']}–{summit['b']} summit"
    return ""


def _unique(items: list[_T]) -> list[_T]:
    seen: list[_T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
