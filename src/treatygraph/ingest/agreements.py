"""Which agreement each reference in a clause means, with its parties and its evidence."""

from __future__ import annotations

import re

from treatygraph.ingest import cues
from treatygraph.ingest.context import Context
from treatygraph.ingest.cues import AgreementKind
from treatygraph.ingest.draft import AgreementDraft
from treatygraph.ingest.furniture import Span
from treatygraph.ingest.matching import compatible
from treatygraph.ingest.mentions import AgreementMention, ClauseView, between_anywhere
from treatygraph.namespaces import TG, resource_iri

_SIGNED_WITH = re.compile(
    r" (?:has |have |had )?(?:since |also |already |now |today |recently )?"
    r"(?:signed|inked|concluded) (?:a |an |the |its )?"
)


class AgreementRules(Context):
    """Rule 1 of :mod:`extract`: agreements and their parties."""

    def _agreements(self, view: ClauseView) -> None:
        subject = self._subject_pair(view)
        done: set[int] = set()
        for index, mention in enumerate(view.agreements):
            key = (view.clause.index, index)
            if index in done or key in self.consumed or mention.form == "similar":
                continue
            if (
                mention.alias_of is not None
                and (view.clause.index, mention.alias_of) in self.resolved
            ):
                agreement = self.resolved[(view.clause.index, mention.alias_of)]
                self.resolved[key] = agreement
                self._name(agreement, mention)
                continue
            if mention.form == "amendment":
                self._amendment(view, index, mention, subject, done)
            elif mention.form == "anaphora" and mention.kind is None:
                if self.focus is not None:
                    self.resolved[key] = self.focus
            else:
                self._named(view, index, mention, subject)

    def _named(
        self,
        view: ClauseView,
        index: int,
        mention: AgreementMention,
        subject: tuple[tuple[str, str], int] | None,
    ) -> AgreementDraft | None:
        kind = mention.kind
        clause = view.clause.index
        if kind is None:
            self.draft.note(f"an agreement of unknown kind was not drafted: {mention.text!r}")
            return None
        parties: tuple[str, ...] | None = mention.parties
        if parties is None and not mention.modifier:
            if subject is not None and mention.start >= subject[1]:
                parties = subject[0]
            else:
                parties = self._with_pair(view, mention) or between_anywhere(view, mention.end)
        explicit = parties is not None
        agreement: AgreementDraft | None = None
        created = False
        if parties is None:
            agreement = self._corefer(kind)
            if agreement is not None and set(view.state_codes()) - set(agreement.parties):
                agreement = None  # the clause names other states: it may be another agreement
            if agreement is None:
                if view.unknown:
                    return None
                others = set(view.state_codes()) - set(self.pair or ())
                if (
                    self.pair
                    and not others
                    and (cues.FIRST_PERSON.search(view.body) or mention.form in ("name", "title"))
                ):
                    parties = self.pair
                    self.draft.note(
                        f"the parties of {mention.text!r} are not stated; taken from the "
                        f"article's main pair ({', '.join(self.pair)})"
                    )
                else:
                    self.draft.note(f"the parties of {mention.text!r} are not stated: not drafted")
                    return None
        if agreement is None and parties is not None:
            agreement, created = self.agreement(parties, kind)
        if agreement is None:
            return None
        self.resolved[(clause, index)] = agreement
        self._name(agreement, mention)
        if explicit or created:
            spans = [mention.span, *self._party_spans(view, agreement.parties, mention)]
            self.evidence(agreement, clause, spans)
        if explicit and self.pair is None and parties is not None:
            self.pair = tuple(sorted(parties))
        if agreement.cls != TG.Amendment:
            self.focus = agreement
        if agreement in self.recent:
            self.recent.remove(agreement)
        self.recent.append(agreement)
        return agreement

    def _amendment(
        self,
        view: ClauseView,
        index: int,
        mention: AgreementMention,
        subject: tuple[tuple[str, str], int] | None,
        done: set[int],
    ) -> None:
        clause = view.clause.index
        if not mention.amends:
            amendments = [a for a in self.recent if a.cls == TG.Amendment]
            if amendments:
                self.resolved[(clause, index)] = amendments[-1]
            return
        target_index = next(
            (
                j
                for j in range(index + 1, len(view.agreements))
                if view.agreements[j].form in ("name", "title", "anaphora")
                and view.agreements[j].alias_of is None
            ),
            None,
        )
        if target_index is None:
            self.draft.note(
                f"an amendment of an unnamed agreement was not drafted: {view.body[:80]!r}"
            )
            return
        target_mention = view.agreements[target_index]
        if target_mention.kind is None:
            self.draft.note(f"the agreement {target_mention.text!r} amends is of unknown kind")
            return
        target = self._named(view, target_index, target_mention, subject)
        done.add(target_index)
        if target is None:
            return
        amendment = next((a for a in self.draft.agreements if a.amends == target.iri), None)
        if amendment is None:
            amendment = AgreementDraft(
                iri=resource_iri("agreement", f"{target.slug}-amendment"),
                slug=f"{target.slug}-amendment",
                cls=TG.Amendment,
                kind="amendment",
                parties=target.parties,
                label="",
                amends=target.iri,
            )
            self.draft.agreements.append(amendment)
        self.resolved[(clause, index)] = amendment
        self.evidence(amendment, clause, [mention.span])
        if amendment in self.recent:
            self.recent.remove(amendment)
        self.recent.append(amendment)

    def _corefer(self, kind: AgreementKind) -> AgreementDraft | None:
        """The article's agreement a reference without parties means: the one in focus if
        it is of that kind, else the latest of the same kind, else of a compatible kind."""
        focus = self.focus
        if focus is not None and (focus.kind == kind.slug or compatible(focus.cls, kind.cls)):
            return focus
        for agreement in reversed(self.recent):
            if agreement.kind == kind.slug:
                return agreement
        for agreement in reversed(self.recent):
            if agreement.cls != TG.Amendment and compatible(agreement.cls, kind.cls):
                return agreement
        return None

    def _subject_pair(self, view: ClauseView) -> tuple[tuple[str, str], int] | None:
        """'(In July,) the Philippines and Japan signed …': two states as the subject."""
        body = view.body
        starts = [0]
        comma = body.find(", ")
        if 0 < comma <= 40 and not any(s.start < view.clause.start + comma for s in view.states):
            starts.append(comma + 2)
        starts.extend(m.end() for m in re.finditer(r"\bthat ", body))
        for start in starts:
            lead = re.match(r"(?:[Tt]he )?", body[start:])
            position = view.clause.start + start + (lead.end() if lead else 0)
            first = next((s for s in view.states if s.start == position), None)
            if first is None:
                continue
            rest = re.match(r" and (?:the )?", view.text[first.end : view.clause.end])
            if rest is None:
                continue
            second = next((s for s in view.states if s.start == first.end + rest.end()), None)
            if second is not None and second.code != first.code:
                return (first.code, second.code), second.end
        return None

    def _with_pair(self, view: ClauseView, mention: AgreementMention) -> tuple[str, str] | None:
        """ "Japan's RAA with the Philippines", "Japan has since signed an RAA with the UK"."""
        if mention.form != "name":
            return None
        owner = next(
            (
                s
                for s in view.states
                if s.end <= mention.start
                and (
                    re.fullmatch(r"[’']s (?:new |first )?", view.text[s.end : mention.start])
                    or _SIGNED_WITH.fullmatch(view.text[s.end : mention.start])
                )
            ),
            None,
        )
        rest = re.match(
            r"(?: \([A-Z]+\))? with (?:the )?", view.text[mention.end : view.clause.end]
        )
        if owner is None or rest is None:
            return None
        partner = next((s for s in view.states if s.start == mention.end + rest.end()), None)
        if partner is None or partner.code == owner.code:
            return None
        return (owner.code, partner.code)

    def _party_spans(
        self, view: ClauseView, parties: tuple[str, ...], mention: AgreementMention
    ) -> list[Span]:
        """For each party, the mention of it nearest the agreement's: the words that say it."""
        spans = []
        for code in parties:
            refs = [a for a in view.actors if a.code == code]
            if refs:
                ref = min(
                    refs, key=lambda a: min(abs(a.start - mention.end), abs(mention.start - a.end))
                )
                spans.append(Span(ref.start, ref.end))
        return spans

    def _name(self, agreement: AgreementDraft, mention: AgreementMention) -> None:
        """Record the names the article uses ('Japan-Philippines RAA'), acronyms apart."""
        if mention.form not in ("name", "title"):
            return
        bracketed = re.fullmatch(r"(.+?) \((?:the )?([^()]+)\)", mention.text)
        for name in bracketed.groups() if bracketed else (mention.text,):
            if name not in agreement.names:
                agreement.names.append(name)
