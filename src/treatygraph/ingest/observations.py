"""Statuses an article reports without an event, what an agreement covers, and what it serves."""

from __future__ import annotations

import re

from treatygraph.ingest import cues
from treatygraph.ingest.context import Context
from treatygraph.ingest.draft import AgreementDraft
from treatygraph.ingest.furniture import Span
from treatygraph.ingest.mentions import ClauseView
from treatygraph.namespaces import TG

_MODAL = re.compile(r"\b(?:will|would|could|may|might|shall|if|once)\b", re.IGNORECASE)


class ObservationRules(Context):
    """Rules 2 and 4 of :mod:`extract`: status observations, scope and related agreements."""

    def _following(self, view: ClauseView) -> None:
        """'… with which Japan signed the RAA, following Australia and the United Kingdom'."""
        for cue in re.finditer(r"\bsigned\b", view.body):
            start = view.clause.start + cue.start()
            hub = next(
                (
                    s
                    for s in view.states
                    if re.fullmatch(r" (?:has |had )?", view.text[s.end : start])
                ),
                None,
            )
            rest = re.match(
                r" (?:the|a|an|its) ", view.text[start + len("signed") : view.clause.end]
            )
            if hub is None or rest is None:
                continue
            position = start + len("signed") + rest.end()
            index = next((i for i, m in enumerate(view.agreements) if m.start == position), None)
            if index is None or view.agreements[index].kind is None:
                continue
            mention = view.agreements[index]
            tail = re.match(r",? (?:following|after) ", view.text[mention.end : view.clause.end])
            if tail is None:
                continue
            kind = mention.kind
            if kind is None:
                continue
            listed = [s for s in view.states if s.start >= mention.end + tail.end()]
            partners = [s for s in listed if s.code != hub.code]
            if not partners:
                continue
            self.consumed.add((view.clause.index, index))
            self.consumed_cues.add(start)
            for partner in partners:
                agreement, _ = self.agreement((hub.code, partner.code), kind)
                spans = [mention.span, Span(hub.start, hub.end), Span(partner.start, partner.end)]
                self.evidence(agreement, view.clause.index, spans)
                self.observe(agreement, TG.Signed, view.clause.index, [Span(start, start + 6)])

    def _similar(self, view: ClauseView) -> None:
        """'Similar deals exist between Japan and its allies like the United States and …'."""
        for mention in view.agreements:
            if mention.form != "similar" or not cues.EXIST.match(
                view.after(mention.end, 20).lstrip()
            ):
                continue
            focus = self.focus
            kind = self.kinds.get(id(focus)) if focus is not None else None
            if focus is None or kind is None:
                self.draft.note(f"{mention.text!r}: the kind of agreement meant is unclear")
                continue
            between = re.search(r"\bbetween (?:the )?", view.text[mention.end : view.clause.end])
            if between is None:
                continue
            hub = next((s for s in view.states if s.start == mention.end + between.end()), None)
            if hub is None:
                continue
            part_end = next(
                (p.end for p in view.clause.parts if p.start <= hub.start < p.end), view.clause.end
            )
            partners = [
                s for s in view.states if hub.end < s.start < part_end and s.code != hub.code
            ]
            for partner in partners:
                agreement, _ = self.agreement((hub.code, partner.code), kind)
                spans = [mention.span, Span(hub.start, hub.end), Span(partner.start, partner.end)]
                self.evidence(agreement, view.clause.index, spans)
                self.observe(agreement, TG.InForce, view.clause.index, [mention.span])

    def _in_force(self, view: ClauseView) -> None:
        """'the existing agreement', 'the current ACSA', 'implementation of the EDCA'."""
        for index, mention in enumerate(view.agreements):
            agreement = self.resolved.get((view.clause.index, index))
            if agreement is None or mention.modifier or mention.alias_of is not None:
                continue
            if agreement.cls == TG.Amendment:
                continue
            own = mention.text[: mention.text.rfind(" ") + 1] if mention.form == "anaphora" else ""
            before = (view.before(mention.start, 40) if not own else "") + own
            found = cues.IN_FORCE.search(before)
            modal = _MODAL.search(view.text[view.clause.start : mention.start])
            if found is not None and not found["adjective"] and modal:
                found = None
            if found is None and not cues.IN_FORCE_AFTER.match(view.after(mention.end)):
                continue
            self.observe(agreement, TG.InForce, view.clause.index, [mention.span])

    def _proposed(self, view: ClauseView) -> None:
        """'discussion on potential conclusion of a security of information agreement'."""
        if not cues.PROPOSED.search(view.body) or self.strong_cues(view):
            return
        for index, mention in enumerate(view.agreements):
            agreement = self.resolved.get((view.clause.index, index))
            if agreement is not None and mention.form in ("name", "title"):
                self.observe(agreement, TG.Proposed, view.clause.index, [mention.span])

    def _scope(self, view: ClauseView) -> None:
        if not cues.ENABLING.search(view.body):
            return
        target = self._first_agreement(view)
        if target is None:
            return
        index, agreement = target
        spans = []
        for table, values in (
            (cues.SUPPORT_CATEGORIES, agreement.covers),
            (cues.ACTIVITY_TYPES, agreement.applies_to),
        ):
            for pattern, concept in table:
                for match in pattern.finditer(view.body):
                    values.add(concept)
                    spans.append(
                        Span(view.clause.start + match.start(), view.clause.start + match.end())
                    )
        if spans:
            self.evidence(agreement, view.clause.index, [view.agreements[index].span, *spans])

    def _related(self, view: ClauseView) -> None:
        """'The ACSA is designed to … contribute to … operation of the Treaty …'."""
        if not cues.RELATED.search(view.body):
            return
        found: list[AgreementDraft] = []
        for index in range(len(view.agreements)):
            agreement = self.resolved.get((view.clause.index, index))
            if agreement is not None and agreement not in found:
                found.append(agreement)
        if len(found) >= 2:
            found[0].related.add(found[-1].iri)
            self.evidence(found[0], view.clause.index, [view.agreements[0].span])

    def _first_agreement(self, view: ClauseView) -> tuple[int, AgreementDraft] | None:
        for index in range(len(view.agreements)):
            agreement = self.resolved.get((view.clause.index, index))
            if agreement is not None and (view.clause.index, index) not in self.consumed:
                return index, agreement
        return None
