"""Who and where: states, persons, offices, organizations, places and programs the store knows.

The gazetteer is read from the store (the reference graph, and persons earlier articles
added), so that an extracted fact points at an existing resource, never at a guess. Names are
matched case-sensitively and longest first, so "Japanese Prime Minister" is an office before
"Japanese" is a state, and "South China Sea" is nothing at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rdflib import URIRef
from rdflib.namespace import RDFS, SDO, SKOS

from treatygraph.ingest.states import CAPITALS, EXTRA_FORMS, NOT_STATES, OTHER_STATES, OtherState
from treatygraph.namespaces import TG
from treatygraph.store.base import SelectResult, Store

EntityKind = Literal["state", "person", "office", "organization", "place", "program", "capital"]

_KINDS: dict[str, EntityKind] = {
    str(TG.State): "state",
    str(TG.Person): "person",
    str(TG.Office): "office",
    str(TG.Organization): "organization",
    str(TG.Place): "place",
    str(TG.Program): "program",
}
_LINKS = {str(TG.officeOf), str(TG.partOf), str(TG.located)}
_NAMES = {str(RDFS.label), str(SKOS.altLabel), str(SDO.name)}

_QUERY = f"""
SELECT ?s ?type ?p ?o WHERE {{
  VALUES ?type {{ {" ".join(f"<{t}>" for t in _KINDS)} }}
  VALUES ?p {{ <{RDFS.label}> <{SKOS.altLabel}> <{SDO.name}> <{TG.isoCode}>
              <{TG.officeOf}> <{TG.partOf}> <{TG.located}> }}
  ?s a ?type ; ?p ?o .
}}
"""


@dataclass
class Entity:
    """A resource of the store with the names it goes by.

    ``state`` is the ISO code of the state it is (a state, or a capital standing for it), or
    belongs to (an office, organization or place). ``needs_state`` marks a short form
    ("House of Representatives") that counts only where its state is also named.
    """

    iri: URIRef
    kind: EntityKind
    label: str
    names: set[str] = field(default_factory=set)
    state: str | None = None


@dataclass(frozen=True)
class Mention:
    """A name found in the body at ``start:end``, with what it may refer to."""

    start: int
    end: int
    text: str
    entities: tuple[Entity, ...]
    needs_state: str | None = None

    def of_kind(self, *kinds: EntityKind) -> Entity | None:
        for entity in self.entities:
            if entity.kind in kinds:
                return entity
        return None


@dataclass(frozen=True)
class UnknownState:
    """A state named in the text that the store does not have."""

    start: int
    end: int
    state: OtherState


class Gazetteer:
    """Entities by IRI and by name, with one compiled matcher over every name."""

    def __init__(self, entities: list[Entity]) -> None:
        self.entities = {e.iri: e for e in entities}
        self.states = {e.state: e for e in entities if e.kind == "state" and e.state}
        self._by_name: dict[str, list[Entity]] = defaultdict(list)
        self._needs_state: dict[str, str] = {}
        for entity in entities:
            for name in entity.names:
                self._by_name[name].append(entity)
        for entity in entities:
            if entity.kind == "organization" and entity.state in self.states:
                for short in _short_forms(entity, self.states[entity.state]):
                    if short not in self._by_name:
                        self._by_name[short].append(entity)
                        self._needs_state[short] = entity.state
        for blocked in NOT_STATES:
            self._by_name.setdefault(blocked, [])
        self._matcher = _alternation(self._by_name)
        unknown = {o.name: o for o in OTHER_STATES if o.code not in self.states}
        self._unknown = unknown
        self._unknown_matcher = _alternation(unknown)
        self.short_titles = _short_titles(entities, self.states)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Names in ``text[start:end]``; blocked names ("South China Sea") are left out."""
        end = len(text) if end is None else end
        found = []
        for match in self._matcher.finditer(text, start, end):
            name = match.group(0)
            entities = tuple(self._by_name.get(name, ()))
            if entities:
                found.append(
                    Mention(match.start(), match.end(), name, entities, self._needs_state.get(name))
                )
        return found

    def unknown_states(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[UnknownState]:
        """States of :data:`OTHER_STATES` named in the text that the store lacks."""
        if not self._unknown:
            return []
        end = len(text) if end is None else end
        return [
            UnknownState(m.start(), m.end(), self._unknown[m.group(0)])
            for m in self._unknown_matcher.finditer(text, start, end)
        ]

    def office_for_title(self, title: str, state: str | None = None) -> Entity | None:
        """The office a bare title ("President") names, when only one office has it."""
        offices = [o for o in self.short_titles.get(title, []) if state is None or o.state == state]
        return offices[0] if len(offices) == 1 else None


def load_gazetteer(store: Store) -> Gazetteer:
    """Read every state, person, office, organization, place and program of the store."""
    result = store.query(_QUERY)
    if not isinstance(result, SelectResult):  # pragma: no cover - the query is a SELECT
        raise TypeError("expected a SELECT result")
    rows: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, EntityKind] = {}
    for subject, kind, predicate, value in result.rows:
        if subject is None or kind is None or predicate is None or value is None:
            continue
        if subject.kind != "uri":
            continue
        kinds[subject.value] = _KINDS[kind.value]
        if value.kind == "literal" and value.lang not in (None, "en"):
            continue
        rows[subject.value][predicate.value].append(value.value)
    entities: list[Entity] = []
    for iri, props in sorted(rows.items()):
        labels = props.get(str(RDFS.label), [])
        names = {n for p in _NAMES for n in props.get(p, [])}
        entity = Entity(URIRef(iri), kinds[iri], sorted(labels)[0] if labels else "", names)
        codes = props.get(str(TG.isoCode), [])
        if entity.kind == "state" and codes:
            entity.state = codes[0]
        for link in _LINKS:
            for target in props.get(link, []):
                entity.state = target.rsplit("/", 1)[-1].upper()
        entities.append(entity)
    _add_extra_forms(entities)
    return Gazetteer(entities)


def _add_extra_forms(entities: list[Entity]) -> None:
    states = {e.state: e for e in entities if e.kind == "state" and e.state}
    for code, forms in EXTRA_FORMS.items():
        if code in states:
            states[code].names.update(forms)
    for code, capitals in CAPITALS.items():
        if code in states:
            for capital in capitals:
                entities.append(
                    Entity(
                        URIRef(f"{states[code].iri}#capital"), "capital", capital, {capital}, code
                    )
                )


def _short_forms(organization: Entity, state: Entity) -> set[str]:
    """'House of Representatives' for 'House of Representatives of the Philippines'."""
    shorts = set()
    for name in organization.names:
        for state_name in state.names:
            for suffix in (f" of the {state_name}", f" of {state_name}"):
                if name.endswith(suffix) and len(name) > len(suffix) + 3:
                    shorts.add(name[: -len(suffix)])
            if name.startswith(state_name + " ") and len(name) > len(state_name) + 4:
                shorts.add(name[len(state_name) + 1 :])
    return {s for s in shorts if " " in s}


def _short_titles(entities: list[Entity], states: dict[str, Entity]) -> dict[str, list[Entity]]:
    """'President' for 'President of the Philippines': the title without its state."""
    titles: dict[str, list[Entity]] = defaultdict(list)
    for office in entities:
        if office.kind != "office" or office.state not in states:
            continue
        state = states[office.state]
        for state_name in (state.label, *state.names):
            for suffix in (f" of the {state_name}", f" of {state_name}"):
                if office.label.endswith(suffix):
                    title = office.label[: -len(suffix)]
                    if office not in titles[title]:
                        titles[title].append(office)
    return titles


def _alternation(names: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(names, key=lambda n: (-len(n), n))
    if not ordered:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(n) for n in ordered)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")
