"""Compare an article graph with a curated one, fact by fact: what extraction quality means.

Facts are compared as keys that do not depend on wording: an agreement by its class and
parties, a lifecycle event by its class, agreement and date (as the source gives it), a
meeting by its IRI, date and participants, a participant by event and person, a status
observation by agreement and status. Used by the extraction benchmark and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from treatygraph.namespaces import TG
from treatygraph.ontology import superclasses

Key = tuple[str, ...]
KINDS = ("agreements", "events", "meetings", "participants", "observations")


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one kind of fact."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class FactKeys:
    """The facts of one article graph as comparable keys, by kind."""

    keys: dict[str, set[Key]] = field(default_factory=lambda: {k: set() for k in KINDS})

    def score(self, gold: FactKeys) -> dict[str, Counts]:
        return {
            kind: Counts(
                len(self.keys[kind] & gold.keys[kind]),
                len(self.keys[kind] - gold.keys[kind]),
                len(gold.keys[kind] - self.keys[kind]),
            )
            for kind in KINDS
        }


def fact_keys(graph: Graph) -> FactKeys:
    """The keys of every agreement, event, meeting, participant and observation in ``graph``."""
    facts = FactKeys()
    for agreement in set(graph.subjects(TG.party)):
        for cls in _classes(graph, agreement, TG.Agreement):
            parties = sorted(str(p).rsplit("/", 1)[-1] for p in graph.objects(agreement, TG.party))
            facts.keys["agreements"].add((_local(cls), *parties))
    for event in set(graph.subjects(TG.date)):
        date = str(graph.value(event, TG.date))
        people = sorted(_local(p) for p in graph.objects(event, TG.participant))
        if (event, RDF.type, TG.Meeting) in graph:
            facts.keys["meetings"].add((_local(event), date, *people))
        else:
            for cls in _classes(graph, event, TG.LifecycleEvent):
                concerns = graph.value(event, TG.concerns)
                facts.keys["events"].add((_local(cls), _local(concerns), date))
        if (event, RDF.type, TG.StatusObservation) not in graph:
            for person in people:
                facts.keys["participants"].add((_local(event), person))
    for observation in set(graph.subjects(TG.observedStatus)):
        status = graph.value(observation, TG.observedStatus)
        facts.keys["observations"].add(
            (_local(graph.value(observation, TG.concerns)), _local(status))
        )
    return facts


def _classes(graph: Graph, node: Node, top: URIRef) -> list[URIRef]:
    return [
        cls
        for cls in graph.objects(node, RDF.type)
        if isinstance(cls, URIRef) and top in superclasses().get(cls, frozenset({cls}))
    ]


def _local(node: Node | None) -> str:
    text = "" if node is None else str(node)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
