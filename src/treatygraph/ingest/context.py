"""The state the extraction rules share while they read one article, and the helpers that
change it: making or finding an agreement, recording evidence, observing a status.

The rules themselves live in :mod:`agreements`, :mod:`observations` and :mod:`events`, as
mixins of :class:`Context`; :mod:`extract` puts them together and runs them in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from treatygraph.ingest import cues
from treatygraph.ingest.article import Article
from treatygraph.ingest.cues import AgreementKind
from treatygraph.ingest.draft import AgreementDraft, Draft, EventDraft, ObservationDraft
from treatygraph.ingest.furniture import Span, readable_spans
from treatygraph.ingest.gazetteer import Gazetteer
from treatygraph.ingest.matching import compatible, find_agreement
from treatygraph.ingest.mentions import ClauseView, analyse
from treatygraph.ingest.naming import agreement_label
from treatygraph.ingest.segment import clauses
from treatygraph.namespaces import TG, agreement_slug, resource_iri
from treatygraph.store.base import Store


@dataclass(frozen=True)
class Cue:
    """An unguarded event phrase found in a clause."""

    span: Span
    cls: URIRef


def part_of(view: ClauseView, position: int) -> int:
    """The comma-separated part of the clause that ``position`` falls in."""
    for index, part in enumerate(view.clause.parts):
        if position < part.end:
            return index
    return len(view.clause.parts) - 1


class Context:
    """One article's draft in the making, with what the rules remember between clauses."""

    def __init__(self, article: Article, store: Store, gazetteer: Gazetteer) -> None:
        self.store = store
        self.gazetteer = gazetteer
        spans = readable_spans(article.text, article.title)
        self.draft = Draft(article, clauses(article.text, spans))
        self.views = [analyse(c, article.text, gazetteer, article.date) for c in self.draft.clauses]
        self.focus: AgreementDraft | None = None
        """The agreement the text is about now: what "the agreement" means."""
        self.pair: tuple[str, ...] | None = None
        """The parties of the first agreement whose parties the article states."""
        self.recent: list[AgreementDraft] = []
        self.kinds: dict[int, AgreementKind] = {}
        self.resolved: dict[tuple[int, int], AgreementDraft] = {}
        """(clause, mention) → the agreement that mention refers to."""
        self.consumed: set[tuple[int, int]] = set()
        self.consumed_cues: set[int] = set()
        self.event_keys: dict[tuple[int, URIRef], EventDraft] = {}

    def agreement(
        self, parties: tuple[str, ...], kind: AgreementKind
    ) -> tuple[AgreementDraft, bool]:
        """The draft's agreement for ``parties`` and ``kind``: one already drafted, the
        store's, or a new one named per docs/model.md; True when first met in this article."""
        key = tuple(sorted(set(parties)))
        for agreement in self.draft.agreements:
            if (
                agreement.parties == key
                and agreement.cls != TG.Amendment
                and (agreement.kind == kind.slug or compatible(agreement.cls, kind.cls))
            ):
                return agreement, False
        stored = find_agreement(self.store, key, kind.cls)
        if stored is not None:
            agreement = AgreementDraft(
                iri=stored.iri,
                slug=str(stored.iri).rsplit("/", 1)[-1],
                cls=kind.cls,
                kind=kind.slug,
                parties=key,
                label=stored.label or agreement_label(self.gazetteer, key, kind.name),
                existing=True,
            )
        else:
            slug = agreement_slug(key, kind.slug)
            agreement = AgreementDraft(
                iri=resource_iri("agreement", slug),
                slug=slug,
                cls=kind.cls,
                kind=kind.slug,
                parties=key,
                label=agreement_label(self.gazetteer, key, kind.name),
            )
        self.kinds[id(agreement)] = kind
        self.draft.agreements.append(agreement)
        return agreement, True

    def evidence(self, fact: AgreementDraft, clause: int, spans: list[Span]) -> None:
        if clause not in fact.evidence:
            fact.evidence.append(clause)
        self.draft.use(clause, *spans)

    def observe(
        self, agreement: AgreementDraft, status: URIRef, clause: int, spans: list[Span]
    ) -> None:
        observation = next((o for o in self.draft.observations if o.agreement is agreement), None)
        if observation is None:
            observation = ObservationDraft(agreement, status)
            self.draft.observations.append(observation)
        elif observation.status != status:
            self.draft.note(
                f"the article reports {agreement.label} both {observation.status.rsplit('#')[-1]} "
                f"and {status.rsplit('#')[-1]}: no status observation drafted"
            )
            observation.status = TG.Agreement  # marks the conflict; dropped by finish()
            return
        if clause not in observation.evidence:
            observation.evidence.append(clause)
        self.draft.use(clause, *spans)

    def strong_cues(self, view: ClauseView) -> list[Cue]:
        found: list[Cue] = []
        for cue in cues.EVENT_CUES:
            if not cue.strong:
                continue
            for match in cue.pattern.finditer(view.body):
                start = view.clause.start + match.start()
                if start in self.consumed_cues:
                    continue
                if cues.GUARDS.search(view.text[view.clause.start : start]):
                    continue
                span = Span(start, view.clause.start + match.end())
                if any(c.span.start < span.end and span.start < c.span.end for c in found):
                    continue
                found.append(Cue(span, cue.cls))
        if any(c.cls == TG.LegislativeConsent for c in found):
            found = [c for c in found if c.cls != TG.Ratification]
        return sorted(found, key=lambda c: c.span.start)
