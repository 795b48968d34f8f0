"""What the graph entails, materialised into ``graph/inferred`` (SPEC.md, Provenance/Status).

Two things are derived from the asserted graphs: RDFS subclass types (so ``?a a
tg:DefenseAgreement`` finds every ACSA without a reasoner at query time) and the status of
every agreement, as its current ``tg:status`` and as ``tg:StatusPeriod`` nodes that turn
"status as of D" into a range lookup. Both are recomputed from scratch on every change, so
the inferred graph can never drift from what the sources say.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from treatygraph.namespaces import INFERRED_GRAPH, TG, sparql_prologue
from treatygraph.ontology import entailed_types, ontology_graph
from treatygraph.store.base import Change, SelectResult, Store, Term

XSD_DATE = str(XSD.date)
XSD_GYEARMONTH = str(XSD.gYearMonth)
XSD_GYEAR = str(XSD.gYear)


@dataclass(frozen=True, order=True)
class StatusEntry:
    """A dated report that moves an agreement's status: an event or an observation."""

    effective: dt.date
    stage: int
    status: URIRef
    source: URIRef


@dataclass(frozen=True)
class StatusPeriod:
    status: URIRef
    valid_from: dt.date
    valid_until: dt.date | None


def effective_date(lexical: str, datatype: str | None) -> dt.date | None:
    """The first day on which a date counts as past: a month or a year counts once it ends.

    >>> effective_date("2024-07", "http://www.w3.org/2001/XMLSchema#gYearMonth")
    datetime.date(2024, 7, 31)
    >>> effective_date("1996", "http://www.w3.org/2001/XMLSchema#gYear")
    datetime.date(1996, 12, 31)
    """
    try:
        if datatype == XSD_GYEARMONTH:
            year, month = (int(part) for part in lexical[:7].split("-"))
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if datatype == XSD_GYEAR:
            return dt.date(int(lexical[:4]), 12, 31)
        if datatype in (XSD_DATE, str(XSD.dateTime)):
            return dt.date.fromisoformat(lexical[:10])
    except ValueError:
        return None
    return None


@cache
def _status_rules() -> tuple[dict[URIRef, URIRef], dict[URIRef, int]]:
    """Event classes → implied status, and classes/statuses → stage, from the ontology."""
    ontology = ontology_graph()
    implies = {
        cls: status
        for cls, status in ontology.subject_objects(TG.impliesStatus)
        if isinstance(cls, URIRef) and isinstance(status, URIRef)
    }
    stages = {
        node: int(value)
        for node, value in ontology.subject_objects(TG.stage)
        if isinstance(node, URIRef) and isinstance(value, Literal)
    }
    return implies, stages


def status_history(entries: Iterable[StatusEntry]) -> list[StatusPeriod]:
    """Periods of constant status from dated entries; same-day entries order by stage."""
    ordered = sorted(entries)
    periods: list[StatusPeriod] = []
    day_status: dict[dt.date, URIRef] = {}
    for entry in ordered:
        day_status[entry.effective] = entry.status
    for day in sorted(day_status):
        status = day_status[day]
        if periods and periods[-1].status == status:
            continue
        if periods:
            periods[-1] = StatusPeriod(periods[-1].status, periods[-1].valid_from, day)
        periods.append(StatusPeriod(status, day, None))
    return periods


_TYPES_QUERY = """
SELECT DISTINCT ?s ?type WHERE {
  GRAPH ?g { ?s a ?type }
  FILTER(?g != <%s>)
}
"""

_STATUS_QUERY = """
SELECT ?agreement ?node ?type ?date ?observed WHERE {
  GRAPH ?g {
    ?node tg:concerns ?agreement ; tg:date ?date ; a ?type .
    OPTIONAL { ?node tg:observedStatus ?observed }
  }
  FILTER(?g != <%s>)
}
"""


@dataclass(frozen=True)
class StatusRow:
    """One dated report as the status rules read it: ``node`` (an event or an observation,
    ``node_is_iri`` when it is not a blank node) concerns ``agreement``, is of class ``cls``,
    is dated ``date`` (lexical form and datatype) and may state an ``observed`` status. All
    four facts come from one graph, as in :data:`_STATUS_QUERY`."""

    agreement: str
    node: str
    node_is_iri: bool
    cls: str
    date: str
    datatype: str | None
    observed: str | None


def _select(store: Store, query: str) -> SelectResult:
    result = store.query(query)
    if not isinstance(result, SelectResult):  # pragma: no cover - queries above are SELECTs
        raise TypeError("expected a SELECT result")
    return result


def status_row(
    agreement: Term | None,
    node: Term | None,
    cls: Term | None,
    date: Term | None,
    observed: Term | None,
) -> StatusRow | None:
    """A :class:`StatusRow` from a result row of the store (None when it cannot be one)."""
    if agreement is None or node is None or cls is None or date is None:
        return None
    if agreement.kind != "uri" or date.kind != "literal":
        return None
    return StatusRow(
        agreement=agreement.value,
        node=node.value,
        node_is_iri=node.kind == "uri",
        cls=cls.value,
        date=date.value,
        datatype=date.datatype,
        observed=None if observed is None else observed.value,
    )


def graph_status_rows(graph: Graph) -> Iterator[StatusRow]:
    """The status rows one rdflib graph holds: :data:`_STATUS_QUERY` evaluated in Python."""
    for node, agreement in graph.subject_objects(TG.concerns):
        if not isinstance(agreement, URIRef):
            continue
        dates = [d for d in graph.objects(node, TG.date) if isinstance(d, Literal)]
        classes = list(graph.objects(node, RDF.type))
        observed: list[str | None] = [str(o) for o in graph.objects(node, TG.observedStatus)]
        for date in dates:
            datatype = str(date.datatype) if date.datatype is not None else None
            for cls in classes:
                for seen in observed or [None]:
                    yield StatusRow(
                        agreement=str(agreement),
                        node=str(node),
                        node_is_iri=isinstance(node, URIRef),
                        cls=str(cls),
                        date=str(date),
                        datatype=datatype,
                        observed=seen,
                    )


def compute_inferred(store: Store) -> Graph:
    """The content ``graph/inferred`` should have for what the store asserts now."""
    types: dict[str, set[str]] = defaultdict(set)
    for row_subject, row_type in _select(store, _TYPES_QUERY % INFERRED_GRAPH).rows:
        if row_subject is not None and row_type is not None and row_subject.kind == "uri":
            types[row_subject.value].add(row_type.value)
    query = sparql_prologue({"tg": str(TG)}) + _STATUS_QUERY % INFERRED_GRAPH
    rows = (status_row(*row) for row in _select(store, query).rows)
    return derive_inferred(types, (row for row in rows if row is not None))


def derive_inferred(
    types: Mapping[str, AbstractSet[str]],
    rows: Iterable[StatusRow],
    only: AbstractSet[str] | None = None,
) -> Graph:
    """``graph/inferred`` from what is asserted: ``types`` maps each IRI subject to its
    asserted classes, ``rows`` are the dated reports of every graph but the inferred one.

    With ``only``, just the triples whose subject is in ``only`` (for :mod:`.incremental`):
    the entailed types of those subjects, the effective dates of those events, and the
    status and status periods of those agreements; for them ``types`` and ``rows`` must be
    complete (every asserted type, every row where one of them is the node or the agreement).
    """
    inferred = Graph()
    for subject, classes in types.items():
        if only is not None and subject not in only:
            continue
        for implied in entailed_types(URIRef(c) for c in classes):
            inferred.add((URIRef(subject), RDF.type, implied))

    implies, stages = _status_rules()
    entries: dict[str, list[StatusEntry]] = defaultdict(list)
    for row in rows:
        effective = effective_date(row.date, row.datatype)
        if effective is None:
            continue
        cls_iri = URIRef(row.cls)
        status = URIRef(row.observed) if row.observed is not None else implies.get(cls_iri)
        if status is None:
            continue
        stage = stages.get(status if row.observed is not None else cls_iri, 0)
        event = URIRef(row.node)
        if row.node_is_iri and (only is None or row.node in only):
            inferred.add((event, TG.effectiveDate, Literal(effective, datatype=XSD.date)))
        if only is None or row.agreement in only:
            entries[row.agreement].append(StatusEntry(effective, stage, status, event))

    agreement_classes = {str(c) for c in _agreement_classes()}
    for subject, classes in types.items():
        if (only is None or subject in only) and not agreement_classes.isdisjoint(classes):
            entries.setdefault(subject, [])

    for name, agreement_entries in entries.items():
        agreement = URIRef(name)
        periods = status_history(set(agreement_entries))
        current = periods[-1].status if periods else TG.Proposed
        inferred.add((agreement, TG.status, current))
        for period in periods:
            node = status_period_node(name, period.valid_from)
            inferred.add((agreement, TG.statusPeriod, node))
            inferred.add((node, RDF.type, TG.StatusPeriod))
            inferred.add((node, TG.status, period.status))
            label = f"{period.status.rsplit('#', 1)[-1]} from {period.valid_from.isoformat()}"
            inferred.add((node, RDFS.label, Literal(label, lang="en")))
            inferred.add((node, TG.validFrom, Literal(period.valid_from, datatype=XSD.date)))
            if period.valid_until is not None:
                until = Literal(period.valid_until, datatype=XSD.date)
                inferred.add((node, TG.validUntil, until))
    return inferred


def status_period_node(agreement: str, valid_from: dt.date) -> URIRef:
    """The IRI of an agreement's status period that starts on ``valid_from``."""
    return URIRef(f"{agreement}#status-{valid_from.isoformat()}")


@cache
def _agreement_classes() -> tuple[URIRef, ...]:
    from treatygraph.ontology import subclasses_of

    return tuple(sorted(subclasses_of(TG.Agreement)))


def refresh_inferred(store: Store) -> int:
    """Recompute ``graph/inferred`` and replace it atomically; returns its triple count."""
    inferred = compute_inferred(store)
    store.apply(Change(graphs={str(INFERRED_GRAPH): inferred}))
    return len(inferred)
