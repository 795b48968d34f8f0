"""What one clause names: states, agreements, persons and their offices, places, dates.

The extractor's rules (:mod:`treatygraph.ingest.extract`) read a :class:`ClauseView` rather
than raw text, so each rule is a question about mentions and the few words between them.
Agreement mentions come in five forms: a *title* ("Agreement between Japan and the Republic
of the Philippines Concerning …"), a *name* or acronym ("Reciprocal Access Agreement",
"RAA"), an *anaphora* ("this treaty"), *similar* ("Similar deals") and an *amendment*.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from rdflib import URIRef

from treatygraph.ingest import cues
from treatygraph.ingest.cues import AgreementKind
from treatygraph.ingest.dates import DateMention, find_dates
from treatygraph.ingest.furniture import Span
from treatygraph.ingest.gazetteer import Entity, Gazetteer, Mention, UnknownState
from treatygraph.ingest.segment import Clause
from treatygraph.ingest.states import LOCATIVES
from treatygraph.namespaces import resource_iri, slugify

MentionForm = Literal["title", "name", "anaphora", "similar", "amendment"]

_TITLE_WORDS = re.compile(
    r"(?: (?:(?:[Cc]oncerning|[Oo]n|[Rr]egarding|[Ff]or|of|the|and|between|to)\b|[A-Z][\w’'-]*))+"
)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-z’'-]+|[A-Z]{2,}|[A-Z]\.|Jr\.|Sr\.)$")
_LOCATIVE_BEFORE = re.compile(r"\b(?:" + "|".join(LOCATIVES) + r")\s+(?:the\s+)?$", re.I)


@dataclass(frozen=True)
class StateRef:
    """A state named in a clause, directly or through its capital or one of its bodies."""

    start: int
    end: int
    code: str
    via: Literal["state", "capital", "organization"]


@dataclass
class AgreementMention:
    """One way a clause refers to an agreement; ``parties`` when the reference itself names
    them ("Japan-Philippines RAA", "ACSA between Japan and Germany", a formal title)."""

    start: int
    end: int
    text: str
    form: MentionForm
    kind: AgreementKind | None = None
    parties: tuple[str, str] | None = None
    modifier: bool = False
    alias_of: int | None = None
    amends: bool = False
    target_kind: AgreementKind | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass(frozen=True)
class PersonRef:
    start: int
    end: int
    iri: URIRef
    label: str
    new: bool = False


@dataclass(frozen=True)
class OfficeRef:
    person: PersonRef
    office: Entity
    span: Span


@dataclass
class ClauseView:
    """Everything :func:`analyse` found in one clause; offsets are body offsets."""

    clause: Clause
    text: str
    states: list[StateRef] = field(default_factory=list)
    actors: list[StateRef] = field(default_factory=list)
    agreements: list[AgreementMention] = field(default_factory=list)
    persons: list[PersonRef] = field(default_factory=list)
    offices: list[OfficeRef] = field(default_factory=list)
    places: list[tuple[Entity, Span]] = field(default_factory=list)
    organizations: list[tuple[Entity, Span]] = field(default_factory=list)
    programs: list[tuple[Entity, Span]] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    unknown: list[UnknownState] = field(default_factory=list)

    @property
    def body(self) -> str:
        return self.clause.text

    def before(self, position: int, width: int = 60) -> str:
        return self.text[max(self.clause.start, position - width) : position]

    def after(self, position: int, width: int = 80) -> str:
        return self.text[position : min(self.clause.end, position + width)]

    def state_codes(self) -> list[str]:
        seen: list[str] = []
        for ref in self.states:
            if ref.code not in seen:
                seen.append(ref.code)
        return seen


def analyse(
    clause: Clause, text: str, gazetteer: Gazetteer, published: dt.date, bare_titles: bool = True
) -> ClauseView:
    """Find every mention in ``clause``."""
    view = ClauseView(clause, text)
    found = gazetteer.find(text, clause.start, clause.end)
    codes = {e.state for m in found for e in m.entities if e.state and m.needs_state is None}
    for mention in found:
        if mention.needs_state is not None and mention.needs_state not in codes:
            continue
        _classify(view, mention)
    view.dates = find_dates(text, published, clause.start, clause.end)
    view.unknown = gazetteer.unknown_states(text, clause.start, clause.end)
    view.agreements = _agreements(view)
    _persons_and_offices(view, found, gazetteer, bare_titles)
    return view


def _classify(view: ClauseView, mention: Mention) -> None:
    locative = bool(_LOCATIVE_BEFORE.search(view.before(mention.start, 20)))
    state = mention.of_kind("state")
    if state is not None and state.state:
        ref = StateRef(mention.start, mention.end, state.state, "state")
        view.states.append(ref)
        view.actors.append(ref)
        return
    place = mention.of_kind("place")
    capital = mention.of_kind("capital")
    if locative and place is not None:
        view.places.append((place, Span(mention.start, mention.end)))
        return
    if capital is not None and capital.state and not locative:
        ref = StateRef(mention.start, mention.end, capital.state, "capital")
        view.states.append(ref)
        view.actors.append(ref)
        return
    organization = mention.of_kind("organization")
    if organization is not None:
        view.organizations.append((organization, Span(mention.start, mention.end)))
        if organization.state:
            view.actors.append(
                StateRef(mention.start, mention.end, organization.state, "organization")
            )
        return
    program = mention.of_kind("program")
    if program is not None:
        view.programs.append((program, Span(mention.start, mention.end)))


# -- agreements --------------------------------------------------------------------------


def _agreements(view: ClauseView) -> list[AgreementMention]:
    found = _titles(view)
    for mention in _names(view):
        if not any(_overlaps(mention, other) for other in found):
            found.append(mention)
    for match in re.finditer(
        r"\b(?:[Aa]n|[Tt]he|[Tt]his)(?: new)?(?: (?P<named>[A-Z]{3,6}))? amendment\b"
        r"(?P<to> (?:to|of)\b)?",
        view.body,
    ):
        start, end = view.clause.start + match.start(), view.clause.start + match.end()
        target = _kind_of(match["named"]) if match["named"] else None
        mention = AgreementMention(
            start,
            end,
            match.group(0),
            "amendment",
            cues.AMENDMENT,
            amends=bool(match["to"]),
            target_kind=target,
        )
        found = [m for m in found if not _overlaps(m, mention)]
        found.append(mention)
    for pattern, form in ((cues.ANAPHORA, "anaphora"), (cues.SIMILAR, "similar")):
        for match in pattern.finditer(view.body):
            start, end = view.clause.start + match.start(), view.clause.start + match.end()
            candidate = AgreementMention(start, end, match.group(0), form)  # type: ignore[arg-type]
            if not any(_overlaps(candidate, other) for other in found):
                found.append(candidate)
    found.sort(key=lambda m: m.start)
    _link_aliases(view, found)
    return found


def _titles(view: ClauseView) -> list[AgreementMention]:
    titles: list[AgreementMention] = []
    for match in re.finditer(r"\bAgreement between (?:the )?", view.body):
        position = view.clause.start + match.end()
        first = _actor_at(view, position)
        if first is None:
            continue
        rest = re.match(r" and (?:the )?", view.text[first.end : view.clause.end])
        if rest is None:
            continue
        second = _actor_at(view, first.end + rest.end())
        if second is None:
            continue
        tail = _TITLE_WORDS.match(view.text, second.end, view.clause.end)
        end = tail.end() if tail else second.end
        start = view.clause.start + match.start()
        title = view.text[start:end]
        kind = next((k for p, k in cues.TITLE_KEYWORDS if p.search(title)), None)
        titles.append(
            AgreementMention(start, end, title, "title", kind, parties=(first.code, second.code))
        )
    return titles


def _names(view: ClauseView) -> list[AgreementMention]:
    matches: list[tuple[int, int, AgreementKind]] = []
    for pattern, kind in cues.NAMES:
        for match in pattern.finditer(view.text, view.clause.start, view.clause.end):
            matches.append((match.start(), match.end(), kind))
    chosen: list[tuple[int, int, AgreementKind]] = []
    for start, end, kind in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, kind))
    chosen.sort()
    mentions: list[AgreementMention] = []
    for start, end, kind in chosen:
        if (
            mentions
            and mentions[-1].kind == kind
            and re.fullmatch(r" \((?:the )?", view.text[mentions[-1].end : start])
            and view.text[end : end + 1] == ")"
        ):
            previous = mentions[-1]
            previous.end = end + 1
            previous.text = view.text[previous.start : previous.end]
            continue
        prefix = re.search(r"\bAgreement on the $", view.before(start, 30))
        if prefix is not None:
            start -= len(prefix.group(0))
        mentions.append(AgreementMention(start, end, view.text[start:end], "name", kind))
    for mention in mentions:
        mention.modifier = bool(cues.MODIFIED_NOUNS.match(view.after(mention.end, 20)))
        mention.parties = _hyphen_pair(view, mention) or _between_after(view, mention)
    return mentions


def _hyphen_pair(view: ClauseView, mention: AgreementMention) -> tuple[str, str] | None:
    """'Japan-Philippines RAA', 'U.S.-Japan ACSA': the parties joined before the name."""
    second = next((s for s in view.states if s.end == mention.start - 1), None)
    if second is None or view.text[second.end] != " ":
        return None
    first = next((s for s in view.states if s.end == second.start - 1), None)
    if first is None or view.text[first.end] not in "-–" or first.code == second.code:
        return None
    return (first.code, second.code)


def _between_after(view: ClauseView, mention: AgreementMention) -> tuple[str, str] | None:
    """'… (ACSA) between Japan and Germany': the parties right after the name."""
    rest = re.match(r" between (?:the )?", view.text[mention.end : view.clause.end])
    if rest is None:
        return None
    return _actor_pair(view, mention.end + rest.end())


def between_anywhere(view: ClauseView, after: int) -> tuple[str, str] | None:
    """The first 'between A and B' after ``after`` naming two states or their bodies."""
    for match in re.finditer(r"\bbetween (?:the )?", view.text[after : view.clause.end]):
        pair = _actor_pair(view, after + match.end())
        if pair is not None:
            return pair
    return None


def _actor_pair(view: ClauseView, position: int) -> tuple[str, str] | None:
    first = _actor_at(view, position)
    if first is None:
        return None
    rest = re.match(r" and (?:the )?", view.text[first.end : view.clause.end])
    if rest is None:
        return None
    second = _actor_at(view, first.end + rest.end())
    if second is None or second.code == first.code:
        return None
    return (first.code, second.code)


def _actor_at(view: ClauseView, position: int) -> StateRef | None:
    return next((a for a in view.actors if a.start == position), None)


def _link_aliases(view: ClauseView, mentions: list[AgreementMention]) -> None:
    """A name in brackets right after another reference is that reference's name."""
    for index, mention in enumerate(mentions):
        if mention.form != "name" or index == 0:
            continue
        if not re.search(r"\((?:“|\")?(?:the )?$", view.before(mention.start, 8)):
            continue
        for earlier in range(index - 1, -1, -1):
            other = mentions[earlier]
            if other.form in ("title", "name", "anaphora") and (
                other.kind is None or other.kind.slug == (mention.kind.slug if mention.kind else "")
            ):
                mention.alias_of = other.alias_of if other.alias_of is not None else earlier
                if other.kind is None:
                    other.kind = mention.kind
                break


def _kind_of(acronym: str) -> AgreementKind | None:
    for pattern, kind in cues.NAMES:
        if pattern.fullmatch(acronym):
            return kind
    return None


def _overlaps(a: AgreementMention, b: AgreementMention) -> bool:
    return a.start < b.end and b.start < a.end


# -- persons and offices -----------------------------------------------------------------


def _persons_and_offices(
    view: ClauseView, found: list[Mention], gazetteer: Gazetteer, bare_titles: bool
) -> None:
    offices = [(m, e) for m in found if (e := m.of_kind("office")) is not None]
    for mention in found:
        person = mention.of_kind("person")
        if person is not None:
            view.persons.append(PersonRef(mention.start, mention.end, person.iri, person.label))
    for mention, _office in offices:
        # an office before an unknown full name: "Defence Minister Judith Collins"
        gap = re.match(r"(?:(?:Sir|Mr\.|Ms\.|Mrs\.|Dr\.|Hon\.) )?", view.text[mention.end + 1 :])
        start = mention.end + 1 + (gap.end() if gap else 0)
        if view.text[mention.end : mention.end + 1] == " " and not _person_at(view, start):
            _new_person(view, gazetteer, start)
    for match in cues.TITLE_WORDS.finditer(view.text, view.clause.start, view.clause.end):
        if any(m.start <= match.start() < m.end for m, _ in offices):
            continue
        if view.text[match.end() : match.end() + 1] == " " and not _person_at(
            view, match.end() + 1
        ):
            _new_person(view, gazetteer, match.end() + 1)
    view.persons.sort(key=lambda p: p.start)
    for ref in view.persons:
        held = _office_of(view, ref, offices, gazetteer, bare_titles)
        if held is not None:
            view.offices.append(held)


def _person_at(view: ClauseView, position: int) -> PersonRef | None:
    return next((p for p in view.persons if p.start == position), None)


def _new_person(view: ClauseView, gazetteer: Gazetteer, position: int) -> None:
    """Two to four capitalised words after a title: a person, known by name or new."""
    tokens: list[tuple[int, int]] = []
    for match in re.finditer(r"\S+", view.text[position : view.clause.end]):
        word = match.group(0).rstrip(",;:")
        if not _NAME_TOKEN.match(word) or len(tokens) == 4:
            break
        tokens.append((position + match.start(), position + match.start() + len(word)))
        if word != match.group(0):
            break
    while tokens and view.text[tokens[-1][0] : tokens[-1][1]] in ("Jr.", "Sr.") and len(tokens) < 3:
        tokens.pop()
    if len(tokens) < 2:
        return
    start, end = tokens[0][0], tokens[-1][1]
    name = view.text[start:end]
    if any(m.start < end and start < m.end for m in gazetteer.find(view.text, start, end)):
        return
    known = _known_by_first_and_last(gazetteer, name)
    if known is not None:
        view.persons.append(PersonRef(start, end, known.iri, known.label))
        return
    slug = slugify(name)
    if slug:
        view.persons.append(PersonRef(start, end, resource_iri("person", slug), name, new=True))


def _known_by_first_and_last(gazetteer: Gazetteer, name: str) -> Entity | None:
    words = [w for w in name.replace(",", " ").split() if w not in ("Jr.", "Sr.")]
    if len(words) < 2:
        return None
    matches = []
    for entity in gazetteer.entities.values():
        if entity.kind != "person":
            continue
        for known in entity.names:
            parts = [w for w in known.replace(",", " ").split() if w not in ("Jr.", "Sr.")]
            if len(parts) >= 2 and parts[0] == words[0] and parts[-1] == words[-1]:
                matches.append(entity)
                break
    return matches[0] if len(matches) == 1 else None


def _office_of(
    view: ClauseView,
    person: PersonRef,
    offices: list[tuple[Mention, Entity]],
    gazetteer: Gazetteer,
    bare_titles: bool,
) -> OfficeRef | None:
    """'Japanese Prime Minister Kishida Fumio' or 'Kihara Minoru, Minister of Defense of Japan'."""
    for mention, office in offices:
        between = view.text[mention.end : person.start]
        if (
            mention.end <= person.start
            and cues.HONORIFICS.fullmatch(between.lstrip(" "))
            and (between.startswith(" "))
        ):
            return OfficeRef(person, office, Span(mention.start, person.end))
        between = view.text[person.end : mention.start]
        if person.end <= mention.start and re.fullmatch(r", (?:the )?", between):
            return OfficeRef(person, office, Span(person.start, mention.end))
    if not bare_titles or person.new:
        return None
    before = re.search(
        r"\b([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?) (?:(?:Sir|Mr\.|Ms\.) )?$",
        view.before(person.start, 40),
    )
    if before is None:
        return None
    titled = gazetteer.office_for_title(before.group(1))
    named = {a.code for a in view.actors} | {p.state for p, _ in view.places if p.state}
    if titled is None or titled.state not in named:
        return None  # a bare title names an office only where its state is in the sentence
    start = person.start - len(before.group(0))
    return OfficeRef(person, titled, Span(start, person.end))
