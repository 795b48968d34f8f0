"""Names of states that the reference graph does not spell out: data, not code.

The gazetteer takes a state's names from the store (``rdfs:label``, ``skos:altLabel``,
``schema:name``); these tables add the forms news copy uses besides — capitals standing for
governments ("Tokyo's aid"), demonyms — for states the store knows. A state the store does
not know is never a party: :data:`OTHER_STATES` only lets the extractor *name* it in the
draft's notes, with its ISO code and Wikidata entity, so a curator can add it to the
reference graph.
"""

from __future__ import annotations

from typing import NamedTuple

EXTRA_FORMS: dict[str, tuple[str, ...]] = {
    "PH": ("Philippine", "Filipino", "Filipinos", "Republic of the Philippines"),
    "JP": ("Japanese", "Government of Japan"),
    "US": ("U.S.", "US", "American", "Americans", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "British"),
    "AU": ("Australian", "Australians", "Commonwealth of Australia"),
    "DE": ("German", "Germans", "Federal Republic of Germany"),
    "NZ": ("New Zealand", "New Zealander", "New Zealanders", "NZ"),
    "CA": ("Canada", "Canadian", "Canadians"),
    "FR": ("France", "French"),
    "IN": ("India", "Indian"),
    "KR": ("South Korea", "Republic of Korea", "ROK", "South Korean"),
    "VN": ("Vietnam", "Viet Nam", "Vietnamese"),
    "ID": ("Indonesia", "Indonesian"),
    "IT": ("Italy", "Italian"),
    "SG": ("Singapore", "Singaporean"),
    "MY": ("Malaysia", "Malaysian"),
    "CN": ("China", "Chinese", "People's Republic of China"),
}
"""ISO code → names and demonyms, used for a state when the store has it."""

CAPITALS: dict[str, tuple[str, ...]] = {
    "PH": ("Manila", "Malacañang"),
    "JP": ("Tokyo",),
    "US": ("Washington",),
    "GB": ("London",),
    "AU": ("Canberra",),
    "DE": ("Berlin",),
    "NZ": ("Wellington",),
    "CA": ("Ottawa",),
    "FR": ("Paris",),
    "IN": ("New Delhi",),
    "KR": ("Seoul",),
    "VN": ("Hanoi",),
    "ID": ("Jakarta",),
    "IT": ("Rome",),
    "CN": ("Beijing",),
}
"""Seats of government that news copy uses for the government itself ("Tokyo's aid")."""


class OtherState(NamedTuple):
    code: str
    name: str
    wikidata: str


OTHER_STATES: tuple[OtherState, ...] = (
    OtherState("NZ", "New Zealand", "Q664"),
    OtherState("CA", "Canada", "Q16"),
    OtherState("FR", "France", "Q142"),
    OtherState("IN", "India", "Q668"),
    OtherState("KR", "South Korea", "Q884"),
    OtherState("VN", "Vietnam", "Q881"),
    OtherState("ID", "Indonesia", "Q252"),
    OtherState("IT", "Italy", "Q38"),
    OtherState("SG", "Singapore", "Q334"),
    OtherState("MY", "Malaysia", "Q833"),
    OtherState("CN", "China", "Q148"),
)
"""States the extractor can recognise and report, but not use until the store has them."""

NOT_STATES: tuple[str, ...] = (
    "South China Sea",
    "East China Sea",
    "West Philippine Sea",
    "Sea of Japan",
    "Papua New Guinea",
    "New England",
    "Washington Post",
    "Washington Times",
    "Japan time",
)
"""Names that contain a state's name but do not mean the state."""

LOCATIVES: tuple[str, ...] = ("in", "at", "to", "from", "visiting", "into", "near", "via", "of")
"""Words before a capital that make it a place, not the government it stands for."""
