"""``graph/inferred`` kept right by each change, in the same transaction as the change.

Why: a write and what follows from it must land together (a crash between them would leave a
status that no source supports), and at a million triples recomputing everything costs
seconds while one article's change touches a few dozen subjects. :func:`commit` therefore
adds to a :class:`~treatygraph.store.base.Change` the new descriptions, in ``graph/inferred``,
of exactly the subjects the change can affect, and applies both with one ``store.apply``.

Which subjects? Every inferred triple is about one subject (:func:`.inference.derive_inferred`)
and is derived from asserted triples of a known shape:

* the entailed types of ``s`` from the triples ``s rdf:type C``;
* the effective date of an event ``e`` from triples whose subject is ``e``, in one graph;
* the status and the status periods (``A#status-…``) of an agreement ``A`` from its asserted
  types and from the reports that ``tg:concerns`` it (triples whose subject is the report,
  in one graph).

So a change can only alter the description of an IRI that is the subject of a triple it
removes or adds, or the object of a ``tg:concerns`` it removes or adds, or a status period
of such an agreement (and the agreement of such a period). Those are the *affected subjects*;
their descriptions are computed from the store as it will be after the change (the store's
triples minus the replaced graphs and the re-described subjects, plus the new content) and
replace their old descriptions. Nobody else's description can change, so the result equals a
full recompute (``tests/test_incremental.py`` checks it on random changes). A change that
affects more than ``subject_limit`` subjects (a bulk load) gets a full recompute over the
after-state instead, still in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from treatygraph.inference import (
    StatusRow,
    derive_inferred,
    graph_status_rows,
    status_row,
)
from treatygraph.namespaces import INFERRED_GRAPH, TG
from treatygraph.store.base import Change, SelectResult, Store

SUBJECT_LIMIT = 2000
"""Past this many affected subjects, the inferred graph is recomputed whole."""
BATCH = 400
"""IRIs per VALUES clause."""

_INFERRED = str(INFERRED_GRAPH)
_STATUS_PATTERN = f"""GRAPH ?g {{
      ?node <{TG.concerns}> ?agreement ; <{TG.date}> ?date ; a ?type .
      OPTIONAL {{ ?node <{TG.observedStatus}> ?observed }}
    }}"""


def commit(store: Store, change: Change, *, subject_limit: int = SUBJECT_LIMIT) -> Change:
    """Apply ``change`` together with its consequences in ``graph/inferred``, atomically.

    Returns the change that was applied (``change`` plus the inferred part). Raises
    ValueError when ``change`` itself writes ``graph/inferred``, and whatever the store
    raises (then nothing changed).
    """
    inferred = inferred_change(store, change, subject_limit=subject_limit)
    merged = Change(
        graphs={**change.graphs, **inferred.graphs},
        descriptions={**change.descriptions, **inferred.descriptions},
        subjects={**change.subjects, **inferred.subjects},
    )
    store.apply(merged)
    return merged


def inferred_change(store: Store, change: Change, *, subject_limit: int = SUBJECT_LIMIT) -> Change:
    """The change to ``graph/inferred`` that ``change`` calls for (read from the store as it
    is before ``change``); see the module docstring."""
    if _INFERRED in change.graphs or _INFERRED in change.descriptions:
        raise ValueError("graph/inferred is derived: a change must not write it")
    if _INFERRED in change.subjects:
        raise ValueError("graph/inferred is derived: a change must not write it")
    affected = affected_subjects(store, change, subject_limit)
    if affected is None:
        types, rows = after_state(store, change, None)
        return Change(graphs={_INFERRED: derive_inferred(types, rows)})
    if not affected:
        return Change()
    types, rows = after_state(store, change, affected)
    delta = derive_inferred(types, rows, only=affected)
    return Change(descriptions={_INFERRED: delta}, subjects={_INFERRED: frozenset(affected)})


def _described(change: Change) -> dict[str, set[str]]:
    """Per shared graph, the IRI subjects whose old triples there the change removes."""
    described: dict[str, set[str]] = defaultdict(set)
    for graph, content in change.descriptions.items():
        described[graph] |= {str(s) for s in content.subjects() if isinstance(s, URIRef)}
    for graph, subjects in change.subjects.items():
        described[graph] |= set(subjects)
    return described


def _new_content(change: Change) -> Iterator[Graph]:
    yield from change.graphs.values()
    yield from change.descriptions.values()


def affected_subjects(store: Store, change: Change, limit: int = SUBJECT_LIMIT) -> set[str] | None:
    """The IRIs whose inferred description ``change`` may alter, or None past ``limit``."""
    affected: set[str] = set()
    for content in _new_content(change):
        affected |= {str(s) for s in content.subjects() if isinstance(s, URIRef)}
        affected |= {str(o) for o in content.objects(None, TG.concerns) if isinstance(o, URIRef)}
    for graph in sorted(change.graphs):
        if len(affected) > limit:
            return None
        query = (
            f"SELECT DISTINCT ?x WHERE {{ GRAPH <{graph}> {{ {{ ?x ?p ?o }} UNION "
            f"{{ ?s <{TG.concerns}> ?x }} }} FILTER(isIRI(?x)) }} LIMIT {limit + 1}"
        )
        old = set(_column(store, query))
        if len(old) > limit:  # the LIMIT cut it: too many to do one by one
            return None
        affected |= old
    for graph, subjects in sorted(_described(change).items()):
        affected |= subjects
        for batch in _batches(sorted(subjects)):
            affected |= set(
                _column(
                    store,
                    f"SELECT DISTINCT ?x WHERE {{ VALUES ?s {{ {batch} }} "
                    f"GRAPH <{graph}> {{ ?s <{TG.concerns}> ?x }} FILTER(isIRI(?x)) }}",
                )
            )
    if len(affected) > limit:
        return None
    # The periods of an affected agreement are re-derived, so they are affected too; and a
    # period node that is affected (asserted somewhere) brings its agreement along.
    period = f"GRAPH <{_INFERRED}> {{ ?a <{TG.statusPeriod}> ?n }}"
    for batch in _batches(sorted(affected)):
        affected |= set(_column(store, f"SELECT ?a WHERE {{ VALUES ?n {{ {batch} }} {period} }}"))
    for batch in _batches(sorted(affected)):
        affected |= set(_column(store, f"SELECT ?n WHERE {{ VALUES ?a {{ {batch} }} {period} }}"))
    return affected if len(affected) <= limit else None


def after_state(
    store: Store, change: Change, subjects: set[str] | None
) -> tuple[dict[str, set[str]], list[StatusRow]]:
    """Asserted types and status rows as they will be once ``change`` is applied: of the
    ``subjects`` (and the rows in which they are the node or the agreement), or of
    everything when ``subjects`` is None."""
    replaced = set(change.graphs) | {_INFERRED}
    described = _described(change)

    def kept(graph: str, subject: str) -> bool:
        return graph not in replaced and subject not in described.get(graph, ())

    types: dict[str, set[str]] = defaultdict(set)
    for select in _type_queries(subjects):
        for g, s, t in _select(store, select).rows:
            if g is None or s is None or t is None or s.kind != "uri":
                continue
            if kept(g.value, s.value):
                types[s.value].add(t.value)
    rows: list[StatusRow] = []
    for select in _status_queries(subjects):
        for g, agreement, node, cls, date, observed in _select(store, select).rows:
            row = status_row(agreement, node, cls, date, observed)
            if g is not None and row is not None and kept(g.value, row.node):
                rows.append(row)
    for content in _new_content(change):
        for subject, asserted in content.subject_objects(RDF.type):
            if isinstance(subject, URIRef) and (subjects is None or str(subject) in subjects):
                types[str(subject)].add(str(asserted))
        rows.extend(
            row
            for row in graph_status_rows(content)
            if subjects is None or row.agreement in subjects or row.node in subjects
        )
    return types, rows


def _type_queries(subjects: set[str] | None) -> Iterator[str]:
    if subjects is None:
        yield f"SELECT ?g ?s ?t WHERE {{ GRAPH ?g {{ ?s a ?t }} FILTER(?g != <{_INFERRED}>) }}"
        return
    for batch in _batches(sorted(subjects)):
        yield f"SELECT ?g ?s ?t WHERE {{ VALUES ?s {{ {batch} }} GRAPH ?g {{ ?s a ?t }} }}"


def _status_queries(subjects: set[str] | None) -> Iterator[str]:
    head = "SELECT ?g ?agreement ?node ?type ?date ?observed WHERE"
    if subjects is None:
        yield f"{head} {{ {_STATUS_PATTERN} FILTER(?g != <{_INFERRED}>) }}"
        return
    # VALUES inside GRAPH: outside it, Oxigraph evaluated the OPTIONAL before the join and
    # the query cost 250 ms at a million triples instead of 0.2 ms.
    for batch in _batches(sorted(subjects)):
        by_agreement = _STATUS_PATTERN.replace("{", f"{{ VALUES ?agreement {{ {batch} }}", 1)
        by_node = _STATUS_PATTERN.replace("{", f"{{ VALUES ?node {{ {batch} }}", 1)
        yield f"{head} {{ {{ {by_agreement} }} UNION {{ {by_node} }} }}"


def _batches(iris: Sequence[str]) -> Iterator[str]:
    for start in range(0, len(iris), BATCH):
        yield " ".join(f"<{iri}>" for iri in iris[start : start + BATCH] if _safe(iri))


def _safe(iri: str) -> bool:
    """IRIs that can be written between angle brackets in a query as they are."""
    return not any(ch in iri for ch in '<>"{}|\\^` \n\r\t')


def _select(store: Store, query: str) -> SelectResult:
    result = store.query(query)
    if not isinstance(result, SelectResult):  # pragma: no cover - every query is a SELECT
        raise TypeError("expected a SELECT result")
    return result


def _column(store: Store, query: str) -> Iterator[str]:
    for row in _select(store, query).rows:
        if row[0] is not None and row[0].kind == "uri":
            yield row[0].value
