"""Writes that cannot corrupt the graph: staged, SHACL-checked, committed whole, one at a time.

Every write — a SPARQL Update, a Graph Store ``PUT``/``POST``/``DELETE`` — takes one path:

1. **Stage.** The new content of every graph it writes is computed off-store: for an update,
   the graphs it reads and writes (:mod:`treatygraph.update_analysis`) are copied into a
   private engine and the update runs there (:mod:`treatygraph.store.scratch`); the writer
   then checks that only the announced graphs changed. A Graph Store body is the new content
   itself (``POST``: added to the old).
2. **Check.** The staged graphs are validated with the shapes (the verbatim-quote check is
   one of them) together with their neighbourhood in the store
   (:func:`treatygraph.neighbourhood.neighbourhood`), so the cost follows the change, not
   the store. A violation raises :class:`~treatygraph.errors.ShapeViolation` (HTTP 422) and
   nothing is written.
3. **Commit.** One :class:`~treatygraph.store.base.Change` replaces exactly the staged
   graphs, together with the matching update of ``graph/inferred``
   (:func:`treatygraph.incremental.commit`): one engine transaction, flushed to disk before
   the call returns (the embedded disk store), so an acknowledged write survives a crash
   and a crash never leaves half of one.

Writes run one at a time (a write reads the store, checks, then writes: two at once could
each miss the other's change). Up to ``settings.max_queued_writes`` wait in line; more get
:class:`~treatygraph.errors.WritesBusy` (503 + Retry-After). Each write has
``settings.update_timeout`` seconds, waiting included; past it the write is abandoned before
its commit (:class:`~treatygraph.errors.UpdateTimeout`, 503, nothing changed). Once the
commit has begun it completes, and the client gets its answer.

The default graph: queries see the union of the named graphs as their default graph, and a
triple written to the store's own default graph would be invisible as a named graph, have no
provenance and could not be replaced. So writes name their graphs: triples outside ``GRAPH``
and ``?default`` targets are refused (docs/writes.md).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from treatygraph.config import Settings
from treatygraph.errors import (
    BadInput,
    Forbidden,
    NotFound,
    Overloaded,
    ShapeViolation,
    UpdateTimeout,
    WritesBusy,
)
from treatygraph.incremental import commit
from treatygraph.neighbourhood import neighbourhood
from treatygraph.parsing import new_dataset
from treatygraph.store.base import AskResult, Change, Deadline, GraphResult, Store, to_rdflib
from treatygraph.store.scratch import run_on_copies
from treatygraph.update_analysis import PROTECTED_GRAPHS, UpdatePlan, analyse_update, check_iri

if TYPE_CHECKING:  # pySHACL is slow to import: loaded with the first write or check
    from treatygraph.validation import ValidationReport

T = TypeVar("T")

COMMIT_GRACE = 0.5
"""Seconds past the deadline the waiting side waits for a write that may be committing."""
_CONTEXT_GRAPH = URIRef("urn:x-treatygraph:context")


@dataclass(frozen=True)
class WriteResult:
    """What a write did: the graphs it replaced (with their triple counts now), those it
    created (they held no triple before), and the validation report (its warnings)."""

    graphs: dict[str, int] = field(default_factory=dict)
    created: tuple[str, ...] = ()
    report: ValidationReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "graphs": self.graphs,
            "created": list(self.created),
            "warnings": [r.as_dict() for r in self.report.warnings] if self.report else [],
        }


class Ticket:
    """One write's time limit, and the line between giving it up and committing it."""

    def __init__(self, seconds: float) -> None:
        self.deadline = Deadline(seconds)
        self._lock = threading.Lock()
        self._state = "running"

    def check(self) -> None:
        """Raise UpdateTimeout when the write is past its deadline or was given up."""
        if self._state == "abandoned" or self.deadline.expired():
            raise UpdateTimeout(
                f"the write ran longer than the limit of {self.deadline.seconds:g} s and was "
                "abandoned; nothing changed"
            )

    def begin_commit(self) -> None:
        """From here on the write completes; raises UpdateTimeout if it is too late."""
        with self._lock:
            self.check()
            self._state = "committing"

    def abandon(self) -> bool:
        """Give the write up unless its commit has begun; True when it was given up."""
        with self._lock:
            if self._state == "committing":
                return False
            self._state = "abandoned"
            return True


class Writer:
    """The one way into the store for writes; thread-safe, lives as long as the app."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._gate = threading.Lock()
        self._count_lock = threading.Lock()
        self._pending = 0
        checks = max(1, settings.max_concurrent_queries // 4)
        self._checks = threading.BoundedSemaphore(checks)
        self._check_limit = checks
        self.generation = 0
        """Counts committed writes, so caches of store statistics know when to refresh."""

    # -- running writes ----------------------------------------------------------------------

    async def submit(self, operation: Callable[..., T], *args: Any) -> T:
        """Run ``operation(*args, ticket=…)`` in a thread of its own and wait for it, at most
        until its deadline (plus :data:`COMMIT_GRACE` when it may be committing)."""
        ticket = Ticket(self.settings.update_timeout)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def work() -> None:
            try:
                future.set_result(operation(*args, ticket=ticket))
            except BaseException as exc:  # handed to the waiting side, which re-raises it
                future.set_exception(exc)

        threading.Thread(target=work, name="treatygraph-write", daemon=True).start()
        waiting = asyncio.wrap_future(future)
        remaining = ticket.deadline.remaining()
        try:
            return await asyncio.wait_for(asyncio.shield(waiting), (remaining or 0) + COMMIT_GRACE)
        except TimeoutError:
            if ticket.abandon():
                # The thread stops at its next check; nobody will read what it ends with.
                waiting.add_done_callback(lambda done: done.cancelled() or done.exception())
                ticket.check()
            return await waiting

    @contextlib.contextmanager
    def turn(self, ticket: Ticket) -> Iterator[None]:
        """Hold the store for one write: wait in line (bounded), then exclusively."""
        with self._count_lock:
            if self._pending > self.settings.max_queued_writes:
                raise WritesBusy(
                    f"{self._pending - 1} writes are already waiting; retry shortly",
                    retry_after=2,
                )
            self._pending += 1
        try:
            remaining = ticket.deadline.remaining()
            if not self._gate.acquire(timeout=-1 if remaining is None else remaining):
                raise UpdateTimeout(
                    f"the write waited {ticket.deadline.seconds:g} s for earlier writes and was "
                    "abandoned; nothing changed"
                )
            try:
                ticket.check()
                yield
            finally:
                self._gate.release()
        finally:
            with self._count_lock:
                self._pending -= 1

    def exclusive(self, job: Callable[[], T], *, ticket: Ticket | None = None) -> T:
        """Run ``job`` (an ingest, a backup) while no write runs."""
        ticket = ticket or Ticket(self.settings.update_timeout)
        with self.turn(ticket):
            # The job does not check the ticket: once it starts it runs to its end, and the
            # client waits for that end rather than get a timeout for a job that went on.
            ticket.begin_commit()
            try:
                return job()
            finally:
                self.generation += 1

    # -- the operations ----------------------------------------------------------------------

    def update(
        self,
        text: str,
        using: Sequence[str] = (),
        using_named: Sequence[str] = (),
        *,
        ticket: Ticket | None = None,
    ) -> WriteResult:
        """Apply a SPARQL 1.1 Update, staged and checked; see the module docstring.

        Raises QuerySyntaxError, BadInput, Forbidden, ShapeViolation, UpdateTimeout,
        WritesBusy or StoreError; the store is then unchanged."""
        ticket = ticket or Ticket(self.settings.update_timeout)
        plan = analyse_update(text, using, using_named)
        with self.turn(ticket):
            before = {graph: self._read(graph, ticket) for graph in sorted(plan.graphs)}
            ticket.check()
            staged = self._staged(plan, before)
            return self._check_and_commit(staged, before, ticket)

    def put_graph(self, graph: str, content: Graph, *, ticket: Ticket | None = None) -> WriteResult:
        """Replace ``graph`` by ``content`` (Graph Store ``PUT``)."""
        ticket = ticket or Ticket(self.settings.update_timeout)
        writable(graph)
        with self.turn(ticket):
            existed = self.exists(graph)
            return self._check_and_commit({graph: content}, {graph: existed}, ticket)

    def post_graph(
        self, graph: str, content: Graph, *, ticket: Ticket | None = None
    ) -> WriteResult:
        """Add ``content`` to ``graph`` (Graph Store ``POST``)."""
        ticket = ticket or Ticket(self.settings.update_timeout)
        writable(graph)
        with self.turn(ticket):
            old = self._read(graph, ticket)
            merged = Graph()
            merged += old
            merged += content
            return self._check_and_commit({graph: merged}, {graph: len(old) > 0}, ticket)

    def delete_graph(self, graph: str, *, ticket: Ticket | None = None) -> WriteResult:
        """Remove ``graph`` (Graph Store ``DELETE``); NotFound when it holds nothing."""
        ticket = ticket or Ticket(self.settings.update_timeout)
        writable(graph)
        with self.turn(ticket):
            if not self.exists(graph):
                raise NotFound(f"there is no graph <{graph}> in the store")
            return self._check_and_commit({graph: Graph()}, {graph: True}, ticket)

    # -- checking without writing ------------------------------------------------------------

    def check(self, dataset: Dataset, replaced: Sequence[str]) -> ValidationReport:
        """The report a write of ``dataset`` (replacing ``replaced``) would get; writes
        nothing. At most a quarter of the query slots check at once; beyond, Overloaded."""
        if not self._checks.acquire(blocking=False):
            raise Overloaded(
                f"all {self._check_limit} validation slots are busy; retry shortly", retry_after=1
            )
        try:
            context = neighbourhood(self.store, dataset, replaced=replaced)
            return _validate(dataset, context)
        finally:
            self._checks.release()

    def check_stored(self, graph: str) -> ValidationReport:
        """The report of a graph of the store, checked in its neighbourhood."""
        content = self._read(graph, Ticket(self.settings.update_timeout))
        if not len(content):
            raise NotFound(f"there is no graph <{graph}> in the store")
        dataset = new_dataset()
        dataset.graph(URIRef(graph)).__iadd__(content)
        return self.check(dataset, [graph])

    def exists(self, graph: str) -> bool:
        result = self.store.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return isinstance(result, AskResult) and result.value

    # -- internals ---------------------------------------------------------------------------

    def _read(self, graph: str, ticket: Ticket) -> Graph:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        result = self.store.query(query, deadline=ticket.deadline)
        content = Graph()
        if isinstance(result, GraphResult):
            for s, p, o in result.triples:
                content.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
        return content

    def _staged(self, plan: UpdatePlan, before: Mapping[str, Graph]) -> dict[str, Graph]:
        """The new content of the graphs ``plan`` writes, made on copies; refuses an update
        that changed anything else (the analysis missed it: never commit a surprise)."""
        result = run_on_copies(plan.text, before)
        surprises = sorted(set(result.graphs) - plan.graphs)
        unchanged = plan.reads - plan.writes
        for graph in sorted(unchanged):
            if not _same(before[graph], result.graphs.get(graph, Graph())):
                surprises.append(graph)
        if surprises or result.default_triples:
            where = ", ".join(f"<{g}>" for g in surprises) or "the default graph"
            raise BadInput(
                f"the update changed {where}, which it does not name as written; it was refused "
                "and nothing changed"
            )
        return {graph: result.graphs.get(graph, Graph()) for graph in sorted(plan.writes)}

    def _check_and_commit(
        self, staged: dict[str, Graph], before: Mapping[str, Graph | bool], ticket: Ticket
    ) -> WriteResult:
        dataset = new_dataset()
        for graph, content in staged.items():
            dataset.graph(URIRef(graph)).__iadd__(content)
        ticket.check()
        context = neighbourhood(self.store, dataset, replaced=list(staged))
        report = _validate(dataset, context)
        if not report.conforms:
            raise ShapeViolation("the write does not conform; nothing changed", report)
        ticket.begin_commit()
        commit(self.store, Change(graphs=staged))
        self.generation += 1
        created = tuple(
            graph for graph, content in staged.items() if len(content) and not _held(before[graph])
        )
        counts = {graph: len(content) for graph, content in sorted(staged.items())}
        return WriteResult(graphs=counts, created=created, report=report)


def writable(graph: str) -> None:
    """Raise unless a write may replace ``graph`` (an absolute IRI, not a protected graph)."""
    check_iri(graph, "the graph")
    if graph in PROTECTED_GRAPHS:
        raise Forbidden(f"<{graph}> is maintained by the service and cannot be written")


def _held(before: Graph | bool) -> bool:
    return before if isinstance(before, bool) else len(before) > 0


def _same(a: Graph, b: Graph) -> bool:
    return len(a) == len(b) and isomorphic(a, b)


def _validate(dataset: Dataset, context: Graph) -> ValidationReport:
    from treatygraph.validation import validate

    return validate(_with_context(dataset, context))


def _with_context(dataset: Dataset, context: Graph) -> Dataset:
    merged = new_dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        merged.graph(g).add((s, p, o))
    merged.graph(_CONTEXT_GRAPH).__iadd__(context)
    return merged
