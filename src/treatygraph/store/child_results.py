"""Query results read from a query child: lazy, bounded in memory, and never leaking the child.

A result holds a :class:`Lease` on its child. Rows are read from the socket one batch at a
time as the consumer asks for them, each wait bounded by the query's deadline: when it passes,
the child is killed (its computation stops with it) and QueryTimeout raised. When the last
batch arrives the child goes back to the pool at once, before its rows are consumed. A result
dropped or closed before its end kills the child: it may be deep in a computation, and a fork
costs less than reading the rest. Nothing here is bound to a thread.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import cast

from treatygraph.errors import QuerySyntaxError, QueryTimeout, StoreError, TreatygraphError
from treatygraph.store.base import (
    AskResult,
    Deadline,
    GraphResult,
    QueryResult,
    Row,
    SelectResult,
    Term,
    TermTriple,
)
from treatygraph.store.pool import WorkerPool
from treatygraph.store.processes import ChildProcess

_new_tuple = tuple.__new__

START_GRACE = 0.5
"""Seconds a query may always take to send its first message, even when its deadline is
nearer. Like the in-process store, whose ``query()`` returns before the deadline is first
checked, this lets a query started at its deadline report how it ends (the deadline then
stops its rows) instead of failing before its first row. A runaway query is still killed."""


class Lease:
    """One query's hold on a child. Ends once: released (the child is reusable) or
    discarded (the child is killed); dropping an unfinished lease discards it."""

    def __init__(self, pool: WorkerPool, child: ChildProcess) -> None:
        self.child = child
        self._pool = pool
        self._open = True

    def release(self) -> None:
        if self._open:
            self._open = False
            self._pool.release(self.child)

    def discard(self) -> None:
        if self._open:
            self._open = False
            self._pool.discard(self.child)

    def read(self, until: float | None, deadline: Deadline | None) -> object:
        """The child's next message; kills it and raises QueryTimeout or StoreError when
        the deadline passes or the child is gone."""
        try:
            return self.child.read(until)
        except TimeoutError:
            self.discard()
            raise timed_out(deadline) from None
        except (OSError, EOFError) as exc:
            self.discard()
            raise StoreError(
                f"the query worker stopped unexpectedly (process {self.child.pid})"
            ) from exc

    def __del__(self) -> None:
        if self._open:
            self._open = False
            with contextlib.suppress(Exception):  # at interpreter exit, modules may be gone
                self._pool.abandon(self.child)


def start_until(deadline: Deadline | None) -> float | None:
    """When to stop waiting for the first message of a query (see :data:`START_GRACE`)."""
    if deadline is None or deadline.at is None:
        return None
    return max(deadline.at, time.monotonic() + START_GRACE)


def timed_out(deadline: Deadline | None) -> QueryTimeout:
    limit = f" of {deadline.seconds:g} s" if deadline is not None and deadline.seconds else ""
    return QueryTimeout(f"the query ran longer than the limit{limit}")


def result_of(lease: Lease, reply: object, deadline: Deadline | None) -> QueryResult:
    """The result whose first message is ``reply``; raises the error it reports."""
    match reply:
        case ("ask", bool() as value):
            lease.release()
            return AskResult(value)
        case ("select", list() as variables, list() as rows, bool() as done):
            items = _items(lease, rows, done, deadline)
            return SelectResult(cast(list[str], variables), cast(Iterator[Row], items))
        case ("graph", list() as triples, bool() as done):
            return GraphResult(cast(Iterator[TermTriple], _items(lease, triples, done, deadline)))
    raise _ended(lease, reply)


def _items(
    lease: Lease, batch: list[object], done: bool, deadline: Deadline | None
) -> Iterator[object]:
    if done:
        lease.release()
    until = None if deadline is None else deadline.at
    while True:
        if deadline is not None and deadline.expired():
            lease.discard()
            raise timed_out(deadline)
        yield from _terms(batch)
        if done:
            return
        match lease.read(until, deadline):
            case ("more", list() as batch, bool() as done):
                if done:
                    lease.release()
            case reply:
                raise _ended(lease, reply)


def _terms(batch: list[object]) -> list[tuple[Term | None, ...]]:
    """Rows of plain tuples (as the child sends them, see :mod:`.query_child`) as Terms;
    ``tuple.__new__`` builds each Term in C, without the NamedTuple's Python constructor."""
    rows = cast(list[tuple[tuple[str, str, str | None, str | None] | None, ...]], batch)
    return [tuple([t if t is None else _new_tuple(Term, t) for t in row]) for row in rows]


def _ended(lease: Lease, reply: object) -> TreatygraphError:
    """The error ``reply`` reports; the child stays usable after an error it reported
    itself, not after a message nobody expected."""
    if isinstance(reply, tuple) and len(reply) == 5 and reply[0] == "error":
        lease.release()
    else:
        lease.discard()
    return error_of(reply)


def error_of(reply: object) -> TreatygraphError:
    """The exception a child's ``("error", ...)`` message stands for."""
    match reply:
        case ("error", "syntax", str() as message, line, column):
            return QuerySyntaxError(
                message,
                line if isinstance(line, int) else None,
                column if isinstance(column, int) else None,
            )
        case ("error", _, str() as message, _, _):
            return StoreError(message)
    return StoreError(f"the query worker answered something unexpected: {reply!r:.200}")
