"""Labels of IRIs, for showing query results to people.

The editor shows each IRI of a result by its label and links it to its page; it asks for the
labels of a page of results at once (``/api/labels``), and the server-rendered results table
does the same through :func:`labels_of`. One query per call, whatever the number of IRIs.

IRIs come from query results, so from anywhere: one that could not be written between angle
brackets in SPARQL is skipped, never put into the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from treatygraph.errors import BadInput
from treatygraph.namespaces import PREFIXES, sparql_prologue
from treatygraph.store.base import Deadline, SelectResult, Store

MAX_IRIS = 500
"""Most IRIs one call looks up; the editor asks in pages of fewer."""

_IRIREF = re.compile(r'^[^\x00-\x20<>"{}|^`\\]+$')
_PROLOGUE = sparql_prologue({name: PREFIXES[name] for name in ("rdfs", "skos", "schema")})


def is_iri(text: str) -> bool:
    """Whether ``text`` can be written as ``<text>`` in SPARQL (an absolute IRI).

    >>> is_iri("https://w3id.org/treatygraph/id/state/jp"), is_iri("x> } DROP ALL")
    (True, False)
    """
    return ":" in text and _IRIREF.fullmatch(text) is not None


def labels_of(
    store: Store, iris: Iterable[str], deadline: Deadline | None = None
) -> dict[str, str]:
    """The label of each IRI that has one: ``rdfs:label``, else ``skos:prefLabel``, else
    ``schema:name``; English or untagged before other languages, then the smallest.

    Raises BadInput for more than :data:`MAX_IRIS` IRIs. Consumes its result before it
    returns (call it in a worker thread).
    """
    wanted = list(dict.fromkeys(iri for iri in iris if is_iri(iri)))
    if len(wanted) > MAX_IRIS:
        raise BadInput(f"ask for the labels of at most {MAX_IRIS} IRIs at once")
    if not wanted:
        return {}
    values = " ".join(f"<{iri}>" for iri in wanted)
    query = (
        _PROLOGUE + f"SELECT ?s ?rank ?label WHERE {{\n  VALUES ?s {{ {values} }}\n"
        "  { ?s rdfs:label ?label BIND(0 AS ?rank) }\n"
        "  UNION { ?s skos:prefLabel ?label BIND(2 AS ?rank) }\n"
        "  UNION { ?s schema:name ?label BIND(4 AS ?rank) }\n}"
    )
    result = store.query(query, deadline=deadline)
    if not isinstance(result, SelectResult):  # pragma: no cover - the query is a SELECT
        raise TypeError("expected a SELECT result")
    best: dict[str, tuple[int, str]] = {}
    for subject, rank, label in result.rows:
        if subject is None or rank is None or label is None:
            continue
        english = label.lang is None or label.lang.lower().startswith("en")
        key = (int(rank.value) + (0 if english else 1), label.value)
        if subject.value not in best or key < best[subject.value]:
            best[subject.value] = key
    return {iri: best[iri][1] for iri in wanted if iri in best}
