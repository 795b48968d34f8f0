"""Draft the facts of an article: transparent rules over clauses, no network, no model.

The rules run over the readable clauses in text order, with a little memory of the article:

1. **Agreements.** A name, acronym or formal title with its kind (:mod:`cues`), and its
   parties from the reference itself ("Japan-Philippines RAA", "… between Japan and
   Germany", a formal title), from the clause's subject ("The UK and Japan have today
   signed …"), or from "A's X with B". A reference without parties is the article's latest
   agreement of that kind; a new one without parties takes the article's main pair only
   where the clause says "we"/"both" or names no other state. Same parties and a compatible
   class as a resource of the store means that resource (:mod:`matching`).
2. **Status observations.** "Similar deals exist between A and … B and C" (in force),
   "the third country with which A signed the X, following B and C" (signed), "the existing
   X", "implementation of the X", "under the X" (in force), "potential conclusion of a …"
   (proposed); dated as the publication.
3. **Lifecycle events.** A cue (:data:`cues.EVENT_CUES`) not preceded by "will", "not",
   "expected to"… and the agreement it points to; the date nearest the cue. Clauses that
   continue the story add to the event: "The signing ceremony was attended by …", "… made
   the announcement Tuesday", and (for a legislature) "vote", "resolution", "Sponsor".
4. **Scope** terms where the clause says what the agreement lets the forces do.

A clause becomes evidence of a fact only when it states part of it (the agreement's name
with its parties, a date, a participant, a place, a scope term), so a quote always shows
what it supports. What cannot be decided is left out and said in the draft's notes: a wrong
fact is worse than a missing one.
"""

from __future__ import annotations

from treatygraph._version import __version__
from treatygraph.ingest import actors
from treatygraph.ingest.agreements import AgreementRules
from treatygraph.ingest.article import Article
from treatygraph.ingest.draft import Draft
from treatygraph.ingest.events import EventRules
from treatygraph.ingest.gazetteer import Gazetteer, load_gazetteer
from treatygraph.ingest.mentions import ClauseView
from treatygraph.ingest.naming import finish
from treatygraph.ingest.observations import ObservationRules
from treatygraph.store.base import Store

EXTRACTOR_NAME = "treatygraph rule-based extractor"
EXTRACTOR_VERSION = __version__


def extract(article: Article, store: Store, gazetteer: Gazetteer | None = None) -> Draft:
    """The draft of ``article``, matched against what ``store`` already holds.

    Reads the store (reference data and existing agreements) and never writes to it.
    """
    return _Extraction(article, store, gazetteer or load_gazetteer(store)).run()


class _Extraction(AgreementRules, ObservationRules, EventRules):
    """The rules in the order the module docstring gives, clause by clause.

    Observation patterns that consume a mention ("… following Australia and …") run before
    the agreement rules, so that mention is not also read as a plain reference; the rules
    that continue an event across the article (votes, sponsors) run once all is read.
    """

    def run(self) -> Draft:
        for view in self.views:
            self._following(view)
            self._agreements(view)
            self._similar(view)
            self._in_force(view)
            self._proposed(view)
            self._scope(view)
            self._related(view)
            self._events(view)
            actors.offices(self.draft, view)
            actors.meetings(self.draft, view)
            actors.programs(self.draft, view)
            self._unknown_states(view)
        self._weak_cues()
        actors.consenting_bodies(self.draft, self.gazetteer)
        finish(self.draft, self.gazetteer)
        return self.draft

    def _unknown_states(self, view: ClauseView) -> None:
        if view.unknown and (view.agreements or self.strong_cues(view)):
            for unknown in view.unknown:
                state = unknown.state
                self.draft.note(
                    f"{state.name} ({state.code}, wd:{state.wikidata}) is not a state of the "
                    f"store's reference data; facts about it were not drafted — add it to "
                    f"graph/reference to ingest them"
                )
