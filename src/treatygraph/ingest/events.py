"""Lifecycle events: a cue, the agreement it points to, and what later clauses add to it."""

from __future__ import annotations

from treatygraph.ingest import actors, cues
from treatygraph.ingest.context import Context, part_of
from treatygraph.ingest.draft import EventDraft
from treatygraph.ingest.furniture import Span
from treatygraph.ingest.mentions import AgreementMention, ClauseView
from treatygraph.namespaces import TG

PLACED_EVENTS = frozenset({TG.Signing, TG.Ratification, TG.Meeting})
"""Events that happen somewhere; an entry into force has a date, not a place."""


class EventRules(Context):
    """Rule 3 of :mod:`extract`: lifecycle events, their dates, participants and places."""

    def _events(self, view: ClauseView) -> None:
        strong = self.strong_cues(view)
        clause = view.clause.index
        resolved = [
            (m, self.resolved[(clause, i)])
            for i, m in enumerate(view.agreements)
            if (clause, i) in self.resolved and (clause, i) not in self.consumed
        ]
        for cue in strong:
            part = part_of(view, cue.span.start)
            after = [
                (m, a)
                for m, a in resolved
                if m.start >= cue.span.end and part_of(view, m.start) == part
            ]
            before = [
                (m, a)
                for m, a in resolved
                if m.end <= cue.span.start and part - 1 <= part_of(view, m.start) <= part
            ]
            if cue.cls == TG.Signing:
                amendments = [(m, a) for m, a in after if a.cls == TG.Amendment]
                after = amendments or after
            chosen = after[0] if after else (before[-1] if before else None)
            if chosen is None:
                if view.agreements:
                    continue
                if cues.UNNAMED_AGREEMENT.search(view.body) and len(view.state_codes()) >= 2:
                    self.draft.note(
                        "an agreement of a kind the extractor does not know was not drafted: "
                        f"{view.body[:100]!r}"
                    )
                    continue
                previous = [e for e in self.event_keys.values() if e.cls == cue.cls]
                if previous:
                    self._contribute(previous[-1], view, cue.span, None)
                continue
            mention, agreement = chosen
            event = self.event_keys.get((id(agreement), cue.cls))
            if event is None:
                event = EventDraft(cue.cls, agreement)
                self.event_keys[(id(agreement), cue.cls)] = event
                self.draft.events.append(event)
            self._contribute(event, view, cue.span, mention)
        if not strong and not view.agreements and cues.ANNOUNCEMENT.search(view.body):
            recent = [
                e
                for e in self.event_keys.values()
                if e.evidence
                and self.draft.clauses[e.evidence[-1]].sentence >= view.clause.sentence - 2
            ]
            if recent:
                self._contribute(recent[-1], view, None, None)

    def _contribute(
        self,
        event: EventDraft,
        view: ClauseView,
        cue: Span | None,
        mention: AgreementMention | None,
    ) -> None:
        """Add what a clause says about ``event``; the clause is evidence if it says anything."""
        clause = view.clause.index
        spans = [cue] if cue is not None else []
        said = mention is not None and mention.form in ("name", "title")
        if mention is not None:
            spans.append(mention.span)
        published = self.draft.article.date
        dates = [d for d in view.dates if not d.value.after(published)]
        if dates:
            anchor = cue or Span(view.clause.start, view.clause.start)
            nearest = min(
                dates, key=lambda d: min(abs(d.start - anchor.end), abs(anchor.start - d.end))
            )
            if event.date is None:
                event.date, event.date_clause = nearest.value, clause
            if event.date == nearest.value:
                said = True
                spans.append(Span(nearest.start, nearest.end))
        for person in actors.participants(view):
            if person.iri not in event.participants:
                event.participants.append(person.iri)
            said = True
            spans.append(Span(person.start, person.end))
        if event.cls in PLACED_EVENTS and not cues.MEETING_CUES.search(view.body):
            for place, span in view.places:
                if event.place is None:
                    event.place = place.iri
                if event.place == place.iri:
                    said = True
                    spans.append(span)
        if said:
            if clause not in event.evidence:
                event.evidence.append(clause)
            self.draft.use(clause, *spans)

    def _weak_cues(self) -> None:
        """Votes, resolutions and sponsors add to the article's one legislative consent."""
        consents = [e for e in self.draft.events if e.cls == TG.LegislativeConsent]
        if len(consents) != 1:
            return
        weak = [c for c in cues.EVENT_CUES if not c.strong and c.cls == TG.LegislativeConsent]
        for view in self.views:
            if self.strong_cues(view) or any(
                self.resolved.get((view.clause.index, i)) not in (None, consents[0].agreement)
                for i in range(len(view.agreements))
            ):
                continue
            for cue in weak:
                match = cue.pattern.search(view.body)
                if match is not None:
                    start = view.clause.start + match.start()
                    self._contribute(
                        consents[0], view, Span(start, start + len(match.group(0))), None
                    )
                    break
