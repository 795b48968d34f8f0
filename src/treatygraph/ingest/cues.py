"""The words that signal an agreement, an event, a status or a scope: data, not code.

Every rule of the extractor starts from one of these tables, so what it recognises can be
read (and extended) here. Patterns are regular expressions over the text as published;
agreement names are case-sensitive (an acronym is a name, "raa" is not), cue verbs are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from treatygraph.namespaces import TG


@dataclass(frozen=True)
class AgreementKind:
    """A class of agreement with its slug kind (docs/model.md) and its English name."""

    cls: URIRef
    slug: str
    name: str


ACSA = AgreementKind(
    TG.AcquisitionCrossServicingAgreement, "acsa", "Acquisition and Cross-Servicing Agreement"
)
RAA = AgreementKind(TG.ReciprocalAccessAgreement, "raa", "Reciprocal Access Agreement")
SOVFA = AgreementKind(TG.VisitingForcesAgreement, "vfa", "Status of Visiting Forces Agreement")
VFA = AgreementKind(TG.VisitingForcesAgreement, "vfa", "Visiting Forces Agreement")
EDCA = AgreementKind(
    TG.DefenseCooperationAgreement, "edca", "Enhanced Defense Cooperation Agreement"
)
DCA = AgreementKind(TG.DefenseCooperationAgreement, "dca", "Defense Cooperation Agreement")
MDT = AgreementKind(TG.MutualDefenseTreaty, "mdt", "Mutual Defense Treaty")
TMCS = AgreementKind(TG.MutualDefenseTreaty, "mdt", "Treaty of Mutual Cooperation and Security")
GSOMIA = AgreementKind(
    TG.InformationSecurityAgreement, "isa", "General Security of Military Information Agreement"
)
ISA = AgreementKind(TG.InformationSecurityAgreement, "isa", "Information Security Agreement")
LOGISTICS_TREATY = AgreementKind(TG.LogisticsSupportAgreement, "lsa", "Defence Logistics Treaty")
LSA = AgreementKind(TG.LogisticsSupportAgreement, "lsa", "Logistics Support Agreement")
AMENDMENT = AgreementKind(TG.Amendment, "amendment", "Amendment")

NAMES: tuple[tuple[re.Pattern[str], AgreementKind], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"\bAcquisition and Cross[- ]Servicing Agreement\b", ACSA),
        (r"\bACSA\b", ACSA),
        (r"\bReciprocal Access Agreement\b", RAA),
        (r"\bRAA\b", RAA),
        (r"\bStatus of Visiting Forces Agreement\b", SOVFA),
        (r"\bSOVFA\b", SOVFA),
        (r"\bVisiting Forces Agreement\b", VFA),
        (r"\bVFA\b", VFA),
        (r"\bEnhanced Defen[cs]e Cooperation Agreement\b", EDCA),
        (r"\bEDCA\b", EDCA),
        (r"\bDefen[cs]e Cooperation Agreement\b", DCA),
        (r"\bMutual Defen[cs]e Treaty\b", MDT),
        (r"\bMDT\b", MDT),
        (r"\bTreaty of Mutual Cooperation and Security\b", TMCS),
        (r"\bGeneral Security of Military Information Agreement\b", GSOMIA),
        (r"\bGSOMIA\b", GSOMIA),
        (r"\b[Ss]ecurity of [Ii]nformation [Aa]greement\b", ISA),
        (r"\b[Ii]nformation [Ss]ecurity [Aa]greement\b", ISA),
        (r"\bDefen[cs]e Logistics Treaty\b", LOGISTICS_TREATY),
        (r"\b[Ll]ogistics [Ss]upport [Aa]greement\b", LSA),
    )
)
"""Names and acronyms of agreements → their kind; longer names are tried first."""

FORMAL_TITLE = re.compile(
    r"\bAgreement between (?:the )?(?P<a>[A-Z][\w.’'-]*(?: (?:of the |of )?[A-Z][\w.’'-]*)*)"
    r" and (?:the )?(?P<b>[A-Z][\w.’'-]*(?: (?:of the |of )?[A-Z][\w.’'-]*)*)"
    r"(?P<rest>(?: (?:[Cc]oncerning|[Oo]n|[Rr]egarding|[Ff]or|[Oo]f|[Tt]he|[Aa]nd|[Bb]etween|"
    r"[Tt]o|[A-Z][\w’'-]*))+)"
)
"""'Agreement between Japan and the Republic of the Philippines Concerning the …'."""

TITLE_KEYWORDS: tuple[tuple[re.Pattern[str], AgreementKind], ...] = (
    (re.compile(r"Reciprocal Access", re.I), RAA),
    (re.compile(r"Acquisition and Cross[- ]Servicing", re.I), ACSA),
    (re.compile(r"Visiting Forces", re.I), VFA),
    (re.compile(r"(?:Military|Classified|Security of) Information", re.I), ISA),
    (re.compile(r"Mutual (?:Defen[cs]e|Cooperation and Security)", re.I), MDT),
    (re.compile(r"Defen[cs]e Cooperation", re.I), DCA),
    (re.compile(r"Logistic", re.I), LSA),
)
"""What a formal title is about → the kind of agreement it names."""

ANAPHORA = re.compile(
    r"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Ii]ts|[Oo]ur) (?:(?:new|historic|important|landmark|bilateral|"
    r"original|amended|existing|current|security-related|defen[cs]e|military) ){0,3}"
    r"(?P<head>[Aa]greement|[Tt]reaty|pact|accord)\b(?! (?:to|on|between|of) )"
)
"""'the agreement', 'this treaty', 'the pact': the agreement the text is about."""

SIMILAR = re.compile(r"\b(?:[Ss]imilar|[Ss]uch) (?:deals|agreements|pacts|arrangements|accords)\b")
"""'Similar deals': agreements of the kind just described, between other parties."""

AMENDMENT_MENTION = re.compile(
    r"\b(?:an|the|this|[Tt]he new|[Tt]his|[Tt]he) (?:new )?(?:(?P<named>[A-Z]{3,6}) )?amendment\b"
    r"(?P<to> (?:to|of) )?"
)
"""'an amendment to …', 'This amendment', 'The ACSA amendment'."""

MODIFIED_NOUNS = re.compile(r"^ (?:locations?|sites?|projects?|bases|facilities|areas?)\b")
"""An agreement's name used as a modifier ('EDCA locations') is not the agreement itself."""


@dataclass(frozen=True)
class EventCue:
    """A phrase that reports a lifecycle event of the class ``cls``."""

    pattern: re.Pattern[str]
    cls: URIRef
    strong: bool = True
    """Weak cues never create an event; they add to one the article already reports."""


def _cue(pattern: str, cls: URIRef, strong: bool = True) -> EventCue:
    return EventCue(re.compile(pattern, re.IGNORECASE), cls, strong)


EVENT_CUES: tuple[EventCue, ...] = (
    _cue(
        r"\b(?:agreed|decided|agreeing) to (?:begin|start|launch|commence|open)"
        r" (?:formal )?(?:the )?negotiations?\b",
        TG.NegotiationLaunch,
    ),
    _cue(
        r"\b(?:launched|began|started|opened|commenced) (?:formal )?negotiations?\b",
        TG.NegotiationLaunch,
    ),
    _cue(r"\b(?:concurrence|concurred)\b", TG.LegislativeConsent),
    _cue(r"\b(?:gave|given|give) (?:its|their) consent\b", TG.LegislativeConsent),
    _cue(r"\bentry into force\b", TG.EntryIntoForce),
    _cue(r"\b(?:entered|enters|came|comes) into (?:force|effect)\b", TG.EntryIntoForce),
    _cue(r"\b(?:took|takes) effect\b", TG.EntryIntoForce),
    _cue(r"\bratifi(?:ed|cation)\b", TG.Ratification),
    _cue(r"\b(?:terminated|abrogated|withdrew from)\b", TG.Termination),
    _cue(r"\b(?:signed|inked)\b", TG.Signing),
    _cue(r"\bsigning\b", TG.Signing),
    _cue(
        r"\b(?:vote|voted|voting)\b|\bresolution\b|\bSponsor\b|\bReading\b",
        TG.LegislativeConsent,
        strong=False,
    ),
)
"""Event phrases in order of precedence: a concurrence to a ratification is a consent."""

GUARDS = re.compile(
    r"\b(?:will|would|could|may|might|shall|to be|plans? to|expected to|aims? to|hopes? to|"
    r"seeks? to|yet to|not|never|once|if|ahead of|pending|awaiting|upon|potential|future)"
    r"\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
"""Words just before a cue that make it a plan, a condition or a denial, not an event."""

UNNAMED_AGREEMENT = re.compile(
    r"\b(?:a|an)\s+(?:[\w-]+\s+){0,3}(?:agreement|pact|treaty|accord|deal|arrangement)\b",
    re.IGNORECASE,
)
"""'signed a new defence pact': an agreement whose kind the text does not name."""

ANNOUNCEMENT = re.compile(r"\b(?:made|making) the announcement\b|\bannounced\b", re.IGNORECASE)
"""A sentence that reports when and by whom the previous sentence's news was announced."""

IN_FORCE = re.compile(
    r"(?P<adjective>\b(?:existing|current) $)"
    r"|(?P<noun>\b(?:implementation|operation) of (?:the )?$)"
    r"|(?P<under>\bunder (?:the )?$)"
)
"""Words just before an agreement's name saying it is in force ('the existing ACSA')."""

IN_FORCE_AFTER = re.compile(r"^\W*(?:is|remains|has been) (?:already )?in force\b")
EXIST = re.compile(r"\b(?:already )?exists?\b")
PROPOSED = re.compile(
    r"\b(?:potential conclusion|possible conclusion|proposed|explore|exploring|discussions? on)\b",
    re.IGNORECASE,
)
SIGNED_BEFORE = re.compile(r",? (?:following|after) $")
"""'… signed the RAA, following Australia and the United Kingdom'."""

SUPPORT_CATEGORIES: tuple[tuple[re.Pattern[str], URIRef], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), concept)
    for pattern, concept in (
        (r"\bfuel\b", TG.Fuel),
        (r"\bfood\b", TG.Food),
        (r"\btransportation\b", TG.Transportation),
        (r"\bmedical services\b", TG.MedicalServices),
        (r"\bspare parts\b", TG.SpareParts),
        (r"\bequipment\b", TG.Equipment),
        (r"\bfacilities\b", TG.Facilities),
    )
)
ACTIVITY_TYPES: tuple[tuple[re.Pattern[str], URIRef], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), concept)
    for pattern, concept in (
        (r"\bexercises?\b", TG.JointExercise),
        (r"\btraining\b", TG.Training),
        (r"\bpeacekeeping\b", TG.Peacekeeping),
        (r"\bhumanitarian\b", TG.HumanitarianOperation),
        (r"\bdisasters?\b", TG.DisasterRelief),
        (r"\bcontingenc(?:y|ies)\b|\bsituations in areas surrounding\b", TG.ContingencySupport),
    )
)
ENABLING = re.compile(
    r"\b(?:allow|allows|allowed|allowing|enable|enables|enabling|make it easier|cover|covers|"
    r"include|includes|including|facilitate|facilitates|support|supports|exchange|share|sharing|"
    r"established terms)\b",
    re.IGNORECASE,
)
"""Scope words count only where the sentence says what the agreement lets the forces do."""

RELATED = re.compile(r"\bcontribut\w* to\b[^.]*\boperation of\b", re.IGNORECASE)

MEETING_CUES = re.compile(
    r"\b(?:held (?:a|an|the) (?:bilateral |summit )?(?:meeting|talks)|bilateral meeting|"
    r"summit meeting|met over (?P<meal>dinner|lunch|breakfast)|(?:his|her) address to)\b",
    re.IGNORECASE,
)
PRONOUN_SUBJECT = re.compile(r"\b(?:they|the two leaders)\b", re.IGNORECASE)
ATTRIBUTION = re.compile(
    r"\bas (?P<who>[^,]{3,80}?) (?:best )?puts? it\b|\baccording to (?P<source>[^,]{3,80})"
)
"""Persons named only as the source of words are not participants of an event."""

FIRST_PERSON = re.compile(
    r"\b(?:we|our|both (?:countries|nations|sides)"
    r"|the two (?:countries|nations|sides|governments|leaders))\b",
    re.IGNORECASE,
)
"""Words that stand for the article's two parties together."""

LEGISLATURES: dict[str, str] = {
    "Senator": "Senate",
    "Representative": "House of Representatives",
    "Member of Parliament": "Parliament",
    "Member of the House of Representatives": "House of Representatives",
}
"""A legislator's title → the body whose consent a legislator's vote is part of."""

TITLE_WORDS = re.compile(
    r"\b(?:President|Prime Minister|Minister|Secretary|Senator|Sen\.|Chancellor|Ambassador|"
    r"Defen[cs]e Minister|Foreign Minister|Defen[cs]e Secretary|Foreign Secretary)\b"
)
"""Titles before which an unknown full name ('Defence Minister Judith Collins') is a person."""

HONORIFICS = re.compile(
    r"^(?:the |visiting |Sir |Mr\. |Ms\. |Mrs\. |Dr\. |Hon\. |H\.E\. "
    r"|His Excellency |Her Excellency )*"
)
