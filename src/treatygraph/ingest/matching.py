"""Find the store's resource for an agreement the article names, so one agreement stays one node.

Two sources name the same agreement when they give the same parties and compatible kinds:
the same class, or one a subclass of the other (an article's "Defence Logistics Treaty" and
another's "ACSA" between the same two states). The two most general classes match nothing,
because "a defense agreement between A and B" does not say which one.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from treatygraph.namespaces import INFERRED_GRAPH, TG, resource_iri
from treatygraph.ontology import superclasses
from treatygraph.store.base import SelectResult, Store

_TOO_GENERAL = frozenset({TG.Agreement, TG.DefenseAgreement})

_QUERY = """
SELECT ?agreement ?type ?label WHERE {{
  {parties}
  GRAPH ?g {{ ?agreement a ?type }}
  FILTER (?g != <{inferred}>)
  FILTER NOT EXISTS {{ ?agreement <{party}> ?other . FILTER (?other NOT IN ({party_list})) }}
  OPTIONAL {{ ?agreement <http://www.w3.org/2000/01/rdf-schema#label> ?label .
             FILTER (langMatches(lang(?label), "en")) }}
}}
ORDER BY ?agreement ?label
"""


@dataclass(frozen=True)
class StoredAgreement:
    iri: URIRef
    cls: URIRef
    label: str


def compatible(a: URIRef, b: URIRef) -> bool:
    """Whether two agreement classes can describe the same agreement."""
    if a in _TOO_GENERAL or b in _TOO_GENERAL:
        return False
    return a in superclasses().get(b, frozenset({b})) or b in superclasses().get(a, frozenset({a}))


def find_agreement(store: Store, parties: tuple[str, ...], cls: URIRef) -> StoredAgreement | None:
    """The store's agreement between exactly ``parties`` of a class compatible with ``cls``.

    An agreement of exactly ``cls`` wins over a sub- or superclass one; when several remain
    equally good, None (the draft then makes a new node and its notes say why).
    """
    iris = [resource_iri("state", code.lower()) for code in parties]
    patterns = " ".join(f"?agreement <{TG.party}> <{iri}> ." for iri in iris)
    query = _QUERY.format(
        parties=patterns,
        inferred=INFERRED_GRAPH,
        party=TG.party,
        party_list=", ".join(f"<{iri}>" for iri in iris),
    )
    result = store.query(query)
    if not isinstance(result, SelectResult):  # pragma: no cover - the query is a SELECT
        return None
    found: dict[URIRef, StoredAgreement] = {}
    for agreement, kind, label in result.rows:
        if agreement is None or kind is None or agreement.kind != "uri":
            continue
        cls_found = URIRef(kind.value)
        if not compatible(cls, cls_found):
            continue
        iri = URIRef(agreement.value)
        if iri not in found or cls_found == cls:
            found[iri] = StoredAgreement(iri, cls_found, label.value if label else "")
    if cls == TG.Amendment:
        return None
    exact = [a for a in found.values() if a.cls == cls]
    if len(exact) == 1:
        return exact[0]
    return next(iter(found.values())) if len(found) == 1 else None


def stored_label(store: Store, iri: URIRef) -> str | None:
    """The English label the store gives ``iri``, if any."""
    result = store.query(
        f"SELECT ?l {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l . "
        f'FILTER (langMatches(lang(?l), "en")) }} ORDER BY ?l LIMIT 1'
    )
    if isinstance(result, SelectResult):
        for (label,) in result.rows:
            return label.value if label else None
    return None
