"""A query child writing a result as the bytes the client will receive.

The parent asks with ``("write", sparql, default_graphs, named_graphs, accept, format,
max_results, bounded)``; the child negotiates the format for the kind of result the query
turns out to give, writes the document (pyoxigraph's serialisers where they write what
treatygraph would, see :meth:`~treatygraph.store.oxigraph.OxigraphStore.write_query`;
treatygraph's own otherwise) and sends it in chunks of about :data:`CHUNK_SIZE` bytes::

    ("written", format_name, truncated_at, chunk, done)   then ("bytes", chunk, done) ...
    ("error", kind, message, line, column)   before the first chunk, instead of it, or after
                                             it (the document is then incomplete)

``kind`` is ``"syntax"`` (line and column are the position), ``"not-acceptable"`` (``line``
holds the media types on offer) or ``"store"``. So a result is serialised once, in the
process that computed it, and the parent forwards bytes; a point lookup is still one message
each way. The cut at ``max_results`` is decided before the first chunk and announced in it.
"""

from __future__ import annotations

import functools
import socket
import time

from treatygraph.errors import QuerySyntaxError, TreatygraphError
from treatygraph.namespaces import PREFIXES
from treatygraph.rdfformats import GRAPH_FORMATS, RESULT_FORMATS, NotAcceptable, choose
from treatygraph.sparql_results import serialize
from treatygraph.store.oxigraph import OxigraphStore, ResultKind
from treatygraph.store.wire import send

CHUNK_SIZE = 64 * 1024
"""Bytes per message (the last of a document may be shorter)."""
FLUSH_SECONDS = 0.05
"""A chunk that is slow to fill is sent anyway after this long, so bytes keep flowing."""
_FORMATS = {"results": RESULT_FORMATS, "graph": GRAPH_FORMATS}


class ParentGone(Exception):
    """The parent closed the socket (it gave the query up): stop writing."""


class _Sink:
    """Collects the document and sends it in chunks; the first message carries the format."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._parts: list[bytes] = []
        self._size = 0
        self._head: tuple[str, int | None] | None = None
        self.sent = False
        self._last = time.monotonic()

    def begin(self, format_name: str, truncated_at: int | None) -> None:
        self._head = (format_name, truncated_at)

    def write(self, data: bytes) -> int:
        self._parts.append(data)
        self._size += len(data)
        if self._size >= CHUNK_SIZE or time.monotonic() - self._last > FLUSH_SECONDS:
            self._send(done=False)
        return len(data)

    def flush(self) -> None:
        pass

    def end(self) -> None:
        self._send(done=True)

    def _send(self, *, done: bool) -> None:
        chunk = b"".join(self._parts)
        self._parts, self._size = [], 0
        if self.sent:
            message: tuple[object, ...] = ("bytes", chunk, done)
        else:
            if self._head is None:
                raise RuntimeError("begin() comes before the bytes")
            message = ("written", *self._head, chunk, done)
        try:
            send(self._sock, message)
        except OSError as exc:
            raise ParentGone from exc
        self.sent = True
        self._last = time.monotonic()


def write(
    sock: socket.socket,
    replica: OxigraphStore,
    request: tuple[str, tuple[str, ...], tuple[str, ...], str | None, str | None, int, bool],
) -> None:
    """Answer one ``("write", ...)`` request (its fields after the tag); raises ParentGone."""
    sparql, defaults, named, accept, format_param, max_results, bounded = request

    def pick(kind: ResultKind) -> str:
        return _pick(kind, accept, format_param)

    sink = _Sink(sock)
    try:
        left = replica.write_query(
            sparql,
            default_graphs=list(defaults) or None,
            named_graphs=list(named) or None,
            pick=pick,
            max_results=max_results,
            out=sink,
            bounded=bounded,
            prefixes=PREFIXES,
        )
        if left is not None:
            sink.begin(left.format_name, left.truncated_at)
            for piece in serialize(left.result, left.format_name, truncated_at=left.truncated_at):
                sink.write(piece)
        sink.end()
    except QuerySyntaxError as exc:
        _error(sock, "syntax", str(exc), exc.line, exc.column)
    except NotAcceptable as exc:
        _error(sock, "not-acceptable", str(exc), exc.offered, None)
    # A process boundary: whatever the engine or a serialiser raised becomes a StoreError on
    # the parent's side (after the first chunk: a broken stream), and the child stays usable.
    except (TreatygraphError, OSError, ValueError, RuntimeError, TypeError) as exc:
        _error(sock, "store", f"the query failed: {exc}", None, None)


@functools.lru_cache(maxsize=256)
def _pick(kind: ResultKind, accept: str | None, format_param: str | None) -> str:
    """The format's name (cached: clients repeat their Accept header; a refusal, raised, is
    not cached)."""
    return choose(_FORMATS[kind], accept, format_param).name


def _error(sock: socket.socket, kind: str, message: str, line: object, column: object) -> None:
    try:
        send(sock, ("error", kind, message, line, column))
    except OSError as exc:
        raise ParentGone from exc
