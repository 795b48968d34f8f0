"""The store interface: what every backend (embedded Oxigraph, remote SPARQL 1.1) provides.

Results are backend-neutral values (:class:`Term` tuples), so serialisers, the web layer and
the CLI never learn which backend answered. Result iterators are lazy and may be bound to the
thread that ran the query (pyoxigraph's are): consume a result in the thread that asked for it,
and close it (or drop it) when you stop reading early, so the backend can free the query.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, NamedTuple, Protocol, runtime_checkable

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral

from treatygraph.errors import QuerySyntaxError, QueryTimeout

TermKind = Literal["uri", "bnode", "literal", "triple"]


class Term(NamedTuple):
    """An RDF term as plain strings: cheap to build per row, easy to serialise."""

    kind: TermKind
    value: str
    datatype: str | None = None
    lang: str | None = None


Row = tuple[Term | None, ...]
TermTriple = tuple[Term, Term, Term]


@dataclass
class SelectResult:
    """Solutions of a SELECT query, produced lazily."""

    variables: list[str]
    rows: Iterator[Row]


@dataclass(frozen=True)
class AskResult:
    value: bool


@dataclass
class GraphResult:
    """Triples of a CONSTRUCT or DESCRIBE query, produced lazily."""

    triples: Iterator[TermTriple]


QueryResult = SelectResult | AskResult | GraphResult


@dataclass(frozen=True)
class Change:
    """One atomic write: whole named graphs replaced, and descriptions replaced in shared graphs.

    ``graphs`` maps a named graph IRI to its new content (an empty graph removes it).
    ``descriptions`` maps a shared graph (such as the provenance graph) to triples whose
    subjects are described anew: every existing triple in that graph with one of those
    subjects is removed before the new triples are added. ``subjects`` names, per shared
    graph, more subjects to describe anew even though no new triple mentions them (their
    description becomes empty): incremental inference retracts what no longer follows.
    """

    graphs: Mapping[str, Graph] = field(default_factory=dict)
    descriptions: Mapping[str, Graph] = field(default_factory=dict)
    subjects: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do, so callers branch on abilities instead of backend types."""

    persistent: bool
    union_default_graph: bool = True
    transactions: bool = True
    """An update that fails changes nothing. Without it (Virtuoso), the operations of a
    request that ran before the failing one may stay applied."""
    interruptible: bool = False
    """A query past its deadline is stopped where it runs: its CPU is freed and its call
    raises QueryTimeout within moments, even inside one long engine computation. Without it,
    the deadline is only checked between rows, and a caller can merely stop waiting."""
    writes_results: bool = False
    """The store also answers a query with the serialised document, produced off the event
    loop and read asynchronously (:class:`treatygraph.store.written.WritingStore`): no thread
    per query, and no rows in this process."""
    write_batch: int | None = None
    """About the most triples one write request should carry. A caller with much to write
    (the bulk loader) groups its graphs into changes of about this size, each atomic; a
    backend stages a larger change in batches and moves it into place at once. None: a
    change of any size commits as one transaction."""


class Deadline:
    """A point in time after which a query must stop; ``check()`` raises QueryTimeout."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def check(self) -> None:
        if self.expired():
            raise QueryTimeout(f"the query ran longer than the limit of {self.seconds:g} s")


@runtime_checkable
class Store(Protocol):
    """A quad store with a union default graph, SPARQL 1.1 and atomic graph replacement."""

    capabilities: Capabilities

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        deadline: Deadline | None = None,
    ) -> QueryResult:
        """Run a query; the default graph is the union of named graphs unless
        ``default_graphs`` is given. Raises QuerySyntaxError, QueryTimeout or StoreError."""
        ...

    def update(self, sparql: str, *, deadline: Deadline | None = None) -> None:
        """Run a SPARQL 1.1 Update atomically: all of it or nothing."""
        ...

    def apply(self, change: Change, *, progress: Callable[[int], None] | None = None) -> None:
        """Apply a :class:`Change` atomically: all of it or nothing, as readers see it.
        ``progress`` is called with the number of triples written so far, as they go."""
        ...

    def graphs(self) -> list[str]:
        """IRIs of the named graphs that hold at least one triple, sorted."""
        ...

    def count(self, graph: str | None = None) -> int:
        """Triples in one named graph, or quads in the whole store."""
        ...

    def dump(self, out: BinaryIO, fmt: Literal["nquads", "trig"] = "nquads") -> None:
        """Write every quad of the store (a consistent snapshot) to ``out``."""
        ...

    def close(self) -> None:
        """Flush and release the store; further calls are errors."""
        ...


@runtime_checkable
class SupportsBackup(Protocol):
    """A store that can copy itself, consistently, while it serves (the embedded disk store)."""

    def backup(self, target: Path) -> None:
        """Write a consistent copy of the store into the new folder ``target``, which must not
        exist yet; the copy opens as a store of its own. Raises StoreError."""
        ...


_POSITION = re.compile(r"(?:error )?at (\d+):(\d+)")


def syntax_error(message: str, text: str, what: str = "query") -> QuerySyntaxError:
    """A QuerySyntaxError from an engine message that names ``line:column``, with context."""
    match = _POSITION.search(message)
    if match is None:
        return QuerySyntaxError(f"malformed SPARQL {what}: {message}")
    line, column = int(match[1]), int(match[2])
    lines = text.splitlines()
    snippet = lines[line - 1] if 0 < line <= len(lines) else ""
    detail = message[match.end() :].lstrip(": ") or message
    pointer = f"\n  {snippet}\n  {' ' * max(column - 1, 0)}^" if snippet else ""
    return QuerySyntaxError(
        f"malformed SPARQL {what} at line {line}, column {column}: {detail}{pointer}", line, column
    )


def to_rdflib(term: Term) -> URIRef | BNode | RdfLiteral:
    """An rdflib term for a :class:`Term` (for small results only: rdflib terms are slow)."""
    if term.kind == "uri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    if term.lang:
        return RdfLiteral(term.value, lang=term.lang)
    return RdfLiteral(term.value, datatype=URIRef(term.datatype) if term.datatype else None)
