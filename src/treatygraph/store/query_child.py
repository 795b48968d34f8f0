"""A query child: a process forked from the zygote that answers queries on its snapshot.

The child holds the copy-on-write snapshot of the replica it was forked with, and answers one
query at a time on its socket to the parent. Requests and replies (see :mod:`.wire`)::

    parent → child   ("query", sparql, default_graphs, named_graphs)
    child → parent   ("ask", value)
                     ("select", variables, rows, done)   then ("more", rows, done) ... until done
                     ("graph", triples, done)            then ("more", triples, done) ...
                     ("error", "syntax" | "store", message, line, column)   instead of any of them
    parent → child   ("write", sparql, ...)   the result as bytes, see :mod:`.child_writer`

Rows travel in batches; the first batch rides with the header, so a point lookup is one
message each way. A term travels as a plain tuple, not as a :class:`~.base.Term`: pickle
handles plain tuples in C on both sides, a NamedTuple through a Python call per term on each
side, which made a large result several times slower. The child sends as fast as the
parent's socket takes them: the kernel's socket buffer bounds what is in flight. Nothing is
cancelled politely: the parent stops a query by killing the child. The child exits when the
parent closes the socket.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from typing import NoReturn

from treatygraph.errors import QuerySyntaxError, TreatygraphError
from treatygraph.store import child_writer
from treatygraph.store.base import AskResult, SelectResult
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.store.wire import FrameReader, send

BATCH_ROWS = 512
"""Rows (or triples) per message."""
FLUSH_SECONDS = 0.05
"""A batch that is slow to fill is sent anyway after this long, so rows keep flowing."""


def serve(sock: socket.socket, replica: OxigraphStore) -> NoReturn:
    """Answer queries until the parent closes the socket, then exit without cleanup."""
    reader = FrameReader(sock)
    try:
        while True:
            try:
                request = reader.read()
            except EOFError:
                break
            match request:
                case ("query", str() as sparql, tuple() as defaults, tuple() as named):
                    _answer(sock, replica, sparql, list(defaults), list(named))
                case ("write", *fields) if len(fields) == 7:
                    child_writer.write(sock, replica, tuple(fields))  # type: ignore[arg-type]
                case _:
                    break
    finally:
        os._exit(0)


def _answer(
    sock: socket.socket,
    replica: OxigraphStore,
    sparql: str,
    default_graphs: list[str],
    named_graphs: list[str],
) -> None:
    try:
        result = replica.query_for_pickle(
            sparql, default_graphs=default_graphs or None, named_graphs=named_graphs or None
        )
    except QuerySyntaxError as exc:
        send(sock, ("error", "syntax", str(exc), exc.line, exc.column))
        return
    except TreatygraphError as exc:
        send(sock, ("error", "store", str(exc), None, None))
        return
    if isinstance(result, AskResult):
        send(sock, ("ask", result.value))
    elif isinstance(result, SelectResult):
        _stream(sock, ("select", result.variables), result.rows)
    else:
        _stream(sock, ("graph",), result.triples)


def _stream(sock: socket.socket, head: tuple[object, ...], items: Iterator[object]) -> None:
    batch: list[object] = []
    first = True
    started = time.monotonic()
    try:
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH_ROWS or time.monotonic() - started > FLUSH_SECONDS:
                _send(sock, (*head, batch, False) if first else ("more", batch, False))
                batch, first, started = [], False, time.monotonic()
    # A process boundary: whatever the engine raised while producing rows becomes a
    # StoreError on the parent's side, and this child stays usable for the next query.
    except (TreatygraphError, OSError, ValueError, RuntimeError, TypeError) as exc:
        send(sock, ("error", "store", f"the query failed: {exc}", None, None))
        return
    send(sock, (*head, batch, True) if first else ("more", batch, True))


class _ParentGone(Exception):
    """The parent closed the socket (it gave the query up): not an engine error."""


def _send(sock: socket.socket, message: object) -> None:
    try:
        send(sock, message)
    except OSError as exc:
        raise _ParentGone from exc
