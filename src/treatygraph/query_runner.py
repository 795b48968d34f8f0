"""Run SPARQL queries off the event loop and stream their serialised results, within limits.

How a query runs, and why:

* **A store that writes results runs no thread here.** When the store's capabilities say
  ``writes_results`` (the isolated embedded store, the default on Linux), its query child
  negotiates the format, cuts the result at ``max_results`` (and says so) and serialises it,
  and this runner reads the bytes with the event loop (:mod:`treatygraph.store.written`):
  no thread hop, no rows in the server process, serialisation done once, with pyoxigraph's
  own writers where they write what treatygraph would. The same limits hold: a slot per
  query (503 when none is free), the time limit kills the child (a timer on the loop), a
  stream that breaks after its start ends with the incomplete marker, and a slow client is
  held back by the socket. A SELECT whose own LIMIT is within ``max_results`` streams rows as
  the engine produces them; any other result is counted first (see :mod:`.query_text`).
  Every other store takes the path below.

* **One worker thread per query, from a bounded pool.** pyoxigraph result iterators are bound
  to the thread that created them (touching or even freeing one from another thread aborts the
  process), and a query must not block the event loop. So the worker calls ``store.query``,
  negotiates the format, reads the rows and serialises them, all in one thread. The pool has
  ``settings.max_concurrent_queries`` daemon threads; a query that finds no free slot is refused
  at once with :class:`~treatygraph.errors.Overloaded` (HTTP 503 + Retry-After) instead of
  waiting in line behind queries that may be stuck.
* **Backpressure.** Serialised bytes travel in chunks of about :data:`CHUNK_SIZE` through a
  channel that holds at most ``queue_chunks`` of them; the worker blocks while it is full, so a
  slow client slows the worker down instead of filling memory.
* **Results are never cut silently.** Before the first byte, the worker reads up to
  ``max_results + 1`` rows (or triples). If the extra row exists, the result is cut to
  ``max_results`` and :attr:`ResultInfo.truncated_at` says so before the response starts: the
  web layer sends ``TreatyGraph-Results-Truncated: true`` and the serialiser marks the document
  (see :mod:`treatygraph.sparql_results`). The price is memory: a running query holds at most
  ``max_results`` rows before its first byte, and time to first byte is the engine's time to
  produce them. Serialisation, usually the slower half in Python, is streamed.
* **Time limit.** Every query gets a :class:`~treatygraph.store.base.Deadline` of
  ``settings.query_timeout`` seconds. The store checks it while it produces rows, the worker
  while it reads ahead and writes chunks, and the waiting side stops waiting when it passes.
  Before the first chunk a timeout is an ordinary :class:`~treatygraph.errors.QueryTimeout`
  (HTTP 503). After it, :attr:`QueryStream.failure` is set and the stream ends with
  :func:`~treatygraph.sparql_results.incomplete_marker`; the web layer then drops the
  connection without the final chunk, so no client mistakes the partial body for a result.
  A slot is therefore held for at most the time limit, however slowly the client reads.
* **Stopping the engine.** A store whose capabilities say ``interruptible`` (the isolated
  embedded store, the default on Linux) kills a query's worker process at the deadline, even
  inside one long engine computation, and its call raises QueryTimeout at once. The waiting
  side then gives the worker up to :data:`STOP_GRACE` seconds to report that timeout itself:
  the worker frees its slot before it reports, so when the client reads the 503 the slot is
  already free for its next query. With any other store, the engine call cannot be
  interrupted: a query that computes for a long time before yielding its first row (``ORDER
  BY`` or ``COUNT`` over a cartesian product) answers 503 at the deadline, but its thread
  keeps computing and keeps its slot until the engine returns (the threads are daemons, so
  they never block shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
import traceback
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast

from treatygraph.config import Settings
from treatygraph.errors import Overloaded, QueryTimeout
from treatygraph.federation import check_federation
from treatygraph.query_text import select_limit
from treatygraph.rdfformats import (
    ALL_FORMATS,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    RdfFormat,
    choose,
)
from treatygraph.sparql_results import incomplete_marker, serialize
from treatygraph.store.base import (
    Deadline,
    GraphResult,
    QueryResult,
    SelectResult,
    Store,
)
from treatygraph.store.written import Gone, WriteRequest, WritingStore

CHUNK_SIZE = 64 * 1024
"""Bytes per chunk handed to the response (a chunk may exceed it by one row)."""
QUEUE_CHUNKS = 8
"""Chunks in flight per query before the worker waits for the client."""
STOP_GRACE = 2.0
"""Seconds past the deadline the waiting side waits for an interruptible store's own
QueryTimeout (normally milliseconds) before it gives up on the worker."""
_FORMATS_BY_NAME = {fmt.name: fmt for fmt in ALL_FORMATS}
_CHECK_EVERY = 256
_POLL_SECONDS = 0.05

T = TypeVar("T")


@dataclass(frozen=True)
class QueryRequest:
    """One query as the SPARQL 1.1 Protocol delivers it."""

    sparql: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None
    """The ``format=`` or ``output=`` parameter many clients send; wins over ``accept``."""


@dataclass(frozen=True)
class ResultInfo:
    """What is known before the first byte: the format, and whether the result was cut."""

    format: RdfFormat
    truncated_at: int | None = None


class _Done:
    pass


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_Item = bytes | ResultInfo | _Done | _Failed
_DONE = _Done()


class _Cancelled(Exception):
    """The consumer went away (client disconnect, timeout): the worker stops quietly."""


class _Channel:
    """Hands items from one worker thread to one asyncio consumer, few chunks at a time."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        capacity: int,
        deadline: Deadline,
        grace: float = 0.0,
    ) -> None:
        self._loop = loop
        self._items: asyncio.Queue[_Item] = asyncio.Queue()
        self._space = threading.Semaphore(capacity)
        self._deadline = deadline
        self._grace = grace
        self.cancelled = threading.Event()

    # -- worker side -----------------------------------------------------------------------

    def post(self, item: _Item) -> None:
        try:
            self._loop.call_soon_threadsafe(self._items.put_nowait, item)
        except RuntimeError:  # the event loop is closed: nobody will read
            raise _Cancelled from None

    def put_chunk(self, chunk: bytes) -> None:
        self.check()
        while not self._space.acquire(timeout=_POLL_SECONDS):
            self.check()
        self.post(chunk)

    def check(self) -> None:
        if self.cancelled.is_set():
            raise _Cancelled
        self._deadline.check()

    # -- consumer side ---------------------------------------------------------------------

    async def get(self) -> _Item:
        """The next item. Items already queued are returned even after the deadline (the
        worker is done with them); waiting for a new one stops at the deadline (plus the
        grace an interruptible store gets to report its own timeout), raising QueryTimeout
        and cancelling the worker."""
        try:
            item = self._items.get_nowait()
        except asyncio.QueueEmpty:
            remaining = self._deadline.remaining()
            wait = None if remaining is None else remaining + self._grace
            try:
                item = await asyncio.wait_for(self._items.get(), wait)
            except TimeoutError:
                self.cancelled.set()
                raise QueryTimeout(
                    f"the query ran longer than the limit of {self._deadline.seconds:g} s"
                ) from None
        if isinstance(item, bytes):
            self._space.release()
        return item


class _Source(Protocol):
    async def next(self) -> bytes | None: ...

    def close(self) -> None: ...


class _ChannelSource:
    """The chunks a worker thread posts, as a :class:`_Source`."""

    def __init__(self, channel: _Channel) -> None:
        self._channel = channel

    async def next(self) -> bytes | None:
        item = await self._channel.get()
        if isinstance(item, _Failed):
            raise item.error
        return item if isinstance(item, bytes) else None

    def close(self) -> None:
        self._channel.cancelled.set()


class QueryStream:
    """A running query whose first chunk is ready: iterate to get the rest of the bytes.

    Iteration never raises for a failure of the query: it ends the bytes with an incomplete
    marker and sets :attr:`failure`, which the caller must check before it declares the
    response complete. Closing the iterator early cancels the worker. :attr:`whole` is the
    whole document when it came in one piece (a response can then say its length).
    """

    whole: bytes | None = None

    def __init__(
        self, info: ResultInfo, first: bytes | None, source: _Source, *, done: bool = False
    ) -> None:
        self.info = info
        self.failure: BaseException | None = None
        self.whole = (first or b"") if done else None
        self._first = first
        self._source = source

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            if self._first is not None:
                yield self._first
                self._first = None
                while (chunk := await self._source.next()) is not None:
                    yield chunk
        except Exception as exc:  # the query's failure: reported in the stream
            self.failure = exc
        finally:
            self._source.close()
        if self.failure is not None:
            yield incomplete_marker(_reason(self.failure))


class QueryRunner:
    """Runs queries against one store with the limits of one :class:`Settings`.

    Thread-safe and meant to live as long as the application; :meth:`close` at shutdown.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        chunk_size: int = CHUNK_SIZE,
        queue_chunks: int = QUEUE_CHUNKS,
    ) -> None:
        self.store = store
        self.settings = settings
        self._chunk_size = chunk_size
        self._queue_chunks = queue_chunks
        self._slots = threading.BoundedSemaphore(settings.max_concurrent_queries)
        self._pool = _WorkerPool(settings.max_concurrent_queries)
        self._writer = cast(WritingStore, store) if store.capabilities.writes_results else None

    async def start(self, request: QueryRequest, gone: Gone | None = None) -> QueryStream:
        """Start ``request`` and wait for its first chunk or its error.

        ``gone`` ends when the client goes away: on a store that writes results, a query
        slow to its first chunk is then stopped (see :mod:`treatygraph.store.written`), and
        its slot freed, instead of computing for nobody until the time limit.

        Raises, before any byte is sent: NotAcceptable (no format fits), Overloaded (no free
        slot), QuerySyntaxError or BadInput (the query or its SERVICE use), QueryTimeout,
        StoreError (ClientGone among them), and whatever unexpected error the worker met.
        """
        _acceptable(request.accept, request.format)  # 406 before spending a slot
        if not self._slots.acquire(blocking=False):
            limit = self.settings.max_concurrent_queries
            raise Overloaded(f"all {limit} query slots are busy; retry shortly", retry_after=1)
        deadline = Deadline(self.settings.query_timeout)
        if self._writer is not None:
            return await self._start_written(self._writer, request, deadline, gone)
        grace = STOP_GRACE if self.store.capabilities.interruptible else 0.0
        channel = _Channel(asyncio.get_running_loop(), self._queue_chunks, deadline, grace)
        try:
            self._pool.submit(lambda: self._work(request, channel, deadline))
        except BaseException:
            self._slots.release()
            raise
        try:
            info = await channel.get()
            if isinstance(info, _Failed):
                raise info.error
            if not isinstance(info, ResultInfo):
                raise RuntimeError(f"query worker protocol error: {info!r}")
            first = await channel.get()
            if isinstance(first, _Failed):
                raise first.error
        except BaseException:
            channel.cancelled.set()
            raise
        source = _ChannelSource(channel)
        return QueryStream(info, first if isinstance(first, bytes) else None, source)

    async def _start_written(
        self,
        store: WritingStore,
        request: QueryRequest,
        deadline: Deadline,
        gone: Gone | None,
    ) -> QueryStream:
        """The store writes the document (in a query child) and this loop reads it: no
        thread, and no rows in this process. The slot is freed when the child is done."""
        free = _Once(self._slots.release)
        try:
            if "service" in request.sparql.lower():  # parsing it takes a while: not here
                await asyncio.to_thread(check_federation, request.sparql, self.settings)
            limit = self.settings.max_results
            bound = select_limit(request.sparql)
            written = await store.open_written(
                WriteRequest(
                    request.sparql,
                    request.default_graphs,
                    request.named_graphs,
                    request.accept,
                    request.format,
                    limit,
                    bounded=bound is not None and bound <= limit,
                ),
                deadline,
                free,
                gone,
            )
        except BaseException:
            free()
            raise
        info = ResultInfo(_FORMATS_BY_NAME[written.format_name], written.truncated_at)
        return QueryStream(info, written.first, written, done=written.done)

    def close(self) -> None:
        """Stop the idle workers; queries still running end on their own (daemon threads)."""
        self._pool.shutdown()

    # -- in the worker thread --------------------------------------------------------------

    def _work(self, request: QueryRequest, channel: _Channel, deadline: Deadline) -> None:
        final: _Item | None = None
        try:
            self._produce(request, channel, deadline)
            final = _DONE
        except _Cancelled:
            pass
        except BaseException as exc:  # handed to the waiting side, which maps or re-raises
            _drop_frames(exc)
            final = _Failed(exc)
        finally:
            # Free the slot before the last word, so a client that reads the end of one
            # result and at once sends the next query never finds its own slot still taken.
            self._slots.release()
        if final is not None:
            with contextlib.suppress(_Cancelled):
                channel.post(final)

    def _produce(self, request: QueryRequest, channel: _Channel, deadline: Deadline) -> None:
        check_federation(request.sparql, self.settings)
        result = self.store.query(
            request.sparql,
            default_graphs=request.default_graphs or None,
            named_graphs=request.named_graphs or None,
            deadline=deadline,
        )
        formats = GRAPH_FORMATS if isinstance(result, GraphResult) else RESULT_FORMATS
        fmt = choose(formats, request.accept, request.format)
        limit = self.settings.max_results
        bounded: QueryResult = result
        truncated_at: int | None = None
        if isinstance(result, SelectResult):
            rows, cut = _read_ahead(result.rows, limit, channel)
            bounded = SelectResult(result.variables, iter(rows))
            truncated_at = limit if cut else None
        elif isinstance(result, GraphResult):
            triples, cut = _read_ahead(result.triples, limit, channel)
            bounded = GraphResult(iter(triples))
            truncated_at = limit if cut else None
        del result  # the engine's iterator dies here, in its own thread
        pieces = serialize(bounded, fmt, truncated_at=truncated_at)
        first = next(pieces, b"")  # serialisation errors (RDF/XML) surface before the start
        channel.post(ResultInfo(fmt, truncated_at))
        for chunk in _chunks(first, pieces, self._chunk_size):
            channel.put_chunk(chunk)


def _read_ahead(items: Iterator[T], limit: int, channel: _Channel) -> tuple[list[T], bool]:
    """Up to ``limit`` items, and whether one more exists."""
    taken: list[T] = []
    for index, item in enumerate(items):
        if index % _CHECK_EVERY == 0:
            channel.check()
        if index == limit:
            return taken, True
        taken.append(item)
    return taken, False


def _chunks(first: bytes, pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    parts = [first]
    length = len(first)
    for piece in pieces:
        parts.append(piece)
        length += len(piece)
        if length >= size:
            yield b"".join(parts)
            parts, length = [], 0
    if length:
        yield b"".join(parts)


class _Once:
    """Calls ``function`` the first time it is called, from whichever thread."""

    def __init__(self, function: Callable[[], object]) -> None:
        self._function: Callable[[], object] | None = function
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            function, self._function = self._function, None
        if function is not None:
            function()


@functools.lru_cache(maxsize=256)
def _acceptable(accept: str | None, format_param: str | None) -> None:
    """Raise NotAcceptable when no format of any kind fits (cached: clients repeat their
    Accept header, and an error is not cached)."""
    choose(ALL_FORMATS, accept, format_param)


def _drop_frames(exc: BaseException) -> None:
    """Clear the locals of finished frames in ``exc``'s tracebacks, so engine iterators they
    hold are freed now, in the worker thread, and not later in the event loop's thread."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


def _reason(error: BaseException) -> str:
    if isinstance(error, QueryTimeout):
        return str(error)
    return "the query failed while its results were being sent"


class _WorkerPool:
    """A fixed set of daemon threads; unlike ThreadPoolExecutor, a stuck engine call cannot
    keep the process from exiting."""

    def __init__(self, size: int) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._run, name=f"treatygraph-query-{n}", daemon=True)
            for n in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def shutdown(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()
