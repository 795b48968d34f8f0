"""Search by label: the home page's search box over agreements, states, persons,
organizations and programs.

One query: case-insensitive containment in ``rdfs:label`` or ``skos:altLabel`` (so "RAA" finds
the reciprocal access agreements). Hits whose label starts with the text come first, then by
label. The text reaches the query only as an escaped SPARQL string.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from treatygraph.errors import BadInput
from treatygraph.listing_items import select
from treatygraph.namespaces import TG, sparql_string
from treatygraph.store.base import Deadline, Store

MAX_TEXT = 200
LIMIT = 100

KINDS: dict[str, URIRef] = {
    "agreement": TG.Agreement,
    "state": TG.State,
    "person": TG.Person,
    "organization": TG.Organization,
    "program": TG.Program,
}
"""What the search box finds, by kind, in the order the results page groups them."""


@dataclass(frozen=True)
class Hit:
    """A resource whose label (or other name) contains the text."""

    iri: str
    kind: str
    label: str
    matched: str
    """The name that matched: the label itself, or an alternative label such as "RAA"."""


@dataclass(frozen=True)
class SearchResult:
    text: str
    hits: list[Hit]
    truncated: bool

    def by_kind(self) -> list[tuple[str, list[Hit]]]:
        """The hits grouped by kind, in the order of :data:`KINDS`, empty groups left out."""
        groups = [(kind, [hit for hit in self.hits if hit.kind == kind]) for kind in KINDS]
        return [(kind, hits) for kind, hits in groups if hits]


def search(
    store: Store, text: str, deadline: Deadline | None = None, limit: int = LIMIT
) -> SearchResult:
    """Resources of :data:`KINDS` whose label or alternative label contains ``text``
    (case-insensitive). Raises BadInput for a text over :data:`MAX_TEXT` characters; an empty
    text finds nothing."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise BadInput(f"the search text is longer than {MAX_TEXT} characters")
    if not text:
        return SearchResult(text, [], False)
    needle = sparql_string(text.lower())
    kinds = " ".join(f'("{kind}" <{cls}>)' for kind, cls in KINDS.items())
    query = f"""SELECT ?s ?kind (MIN(STR(?label)) AS ?name) (MIN(STR(?text)) AS ?matched)
       (MIN(IF(STRSTARTS(LCASE(STR(?text)), {needle}), 0, 1)) AS ?rank) WHERE {{
  VALUES (?kind ?class) {{ {kinds} }}
  ?s a ?class ; rdfs:label|skos:altLabel ?text .
  FILTER(CONTAINS(LCASE(STR(?text)), {needle}))
  OPTIONAL {{ ?s rdfs:label ?label }}
}} GROUP BY ?s ?kind ORDER BY ?rank LCASE(?name) ?s LIMIT {limit + 1}"""
    hits = [
        Hit(s.value, kind.value, name.value if name else s.value, matched.value if matched else "")
        for s, kind, name, matched, _rank in select(store, query, deadline)
        if s is not None and kind is not None
    ]
    return SearchResult(text, hits[:limit], len(hits) > limit)
