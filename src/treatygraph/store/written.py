"""Query results as serialised documents, read on the event loop: the isolated store's fast path.

A store whose capabilities say ``writes_results`` answers :meth:`WritingStore.open_written`
with a :class:`WrittenResult`: the format it negotiated, whether it cut the result, and the
document's bytes in chunks. The isolated store's query child writes them
(:mod:`.child_writer`); here, in the server, a :class:`ChildStream` reads them from the
child's socket with the event loop, so a query costs no thread and its rows never exist in
this process.

The time limit is a timer on the loop: at the deadline it kills the child (SIGKILL through
its pidfd, without waiting), and the read that is waiting, or the next one, ends with
QueryTimeout. A stream closed before its end (a client that went away) kills the child too,
and so does a client that goes away while the query has not produced its first chunk: when
the caller passes ``gone`` (an awaitable that ends when the client has gone) and the first
chunk takes longer than :data:`WATCH_AFTER`, it is watched from then on, and the wait ends
with :class:`ClientGone`. Either way the child is reaped and replaced in a worker thread,
off the loop, and ``on_end`` runs there once it is gone (before its replacement is forked).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from treatygraph.errors import StoreError, TreatygraphError
from treatygraph.rdfformats import NotAcceptable
from treatygraph.store.base import Deadline
from treatygraph.store.child_results import Lease, error_of, start_until, timed_out

logger = logging.getLogger("treatygraph.store")

WATCH_AFTER = 0.05
"""Seconds a query may take to its first chunk before its client is watched for going away.
Most queries answer sooner, and watching costs a task on the loop."""

Gone = Callable[[], Awaitable[None]]
"""Waits until the client of the query has gone away (and may never return)."""


class ClientGone(StoreError):
    """The client went away before the first chunk: the query was stopped."""


@dataclass(frozen=True)
class WriteRequest:
    """A query, and what its document must look like."""

    sparql: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    accept: str | None
    format: str | None
    max_results: int
    bounded: bool
    """The caller knows the query yields at most ``max_results`` solutions (see
    :func:`treatygraph.query_text.select_limit`), so they may be written as produced."""


class WrittenResult(Protocol):
    """A started document: its format and cut are known, its first chunk has arrived."""

    format_name: str
    truncated_at: int | None
    first: bytes
    done: bool
    """Whether ``first`` is the whole document."""

    async def next(self) -> bytes | None:
        """The next chunk, None at the end; raises QueryTimeout or StoreError when the
        document breaks off."""
        ...

    def close(self) -> None:
        """Stop reading: a query still running is stopped. Idempotent."""
        ...


class WritingStore(Protocol):
    async def open_written(
        self,
        request: WriteRequest,
        deadline: Deadline,
        on_end: Callable[[], None],
        gone: Gone | None = None,
    ) -> WrittenResult:
        """Run ``request`` and wait for the first chunk of its document. ``on_end`` is
        called once the query holds nothing any more (from any thread), unless this raises.
        Raises QuerySyntaxError, NotAcceptable, QueryTimeout, ClientGone (``gone`` ended
        first) or StoreError."""
        ...


class ChildStream:
    """One document as a query child sends it (see :mod:`.child_writer`)."""

    def __init__(
        self,
        lease: Lease,
        loop: asyncio.AbstractEventLoop,
        deadline: Deadline,
        on_end: Callable[[], None],
        gone: Gone | None = None,
    ) -> None:
        self._lease = lease
        self._loop = loop
        self._deadline = deadline
        self._on_end = on_end
        self._gone = gone
        self._timer: asyncio.TimerHandle | None = None
        self._watch_timer: asyncio.TimerHandle | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._expired = False
        self._left = False
        self._reading = False
        self._finished = False
        self._ended = False
        self.format_name = ""
        self.truncated_at: int | None = None
        self.first = b""
        self.done = False

    async def start(self) -> None:
        """Wait for the first message (at least :data:`.child_results.START_GRACE`)."""
        self._arm(start_until(self._deadline))
        if self._gone is not None:
            self._watch_timer = self._loop.call_later(WATCH_AFTER, self._watch)
        try:
            first = await self._read()
        except BaseException:  # cancelled (the client went away): the query goes too
            self._abort()
            raise
        finally:
            self._unwatch()
        match first:
            case ("written", str() as name, int() | None as cut, bytes() as chunk, bool() as done):
                self.format_name, self.truncated_at, self.first, self.done = name, cut, chunk, done
            case reply:
                raise self._failed(reply)
        if done:
            self._finish()
        else:
            self._arm(self._deadline.at)

    async def next(self) -> bytes | None:
        if self._finished:
            return None
        if self._ended:
            raise self._broken()
        match await self._read():
            case ("bytes", bytes() as chunk, bool() as done):
                if done:
                    self._finish()
                return chunk if chunk or not done else None
            case reply:
                raise self._failed(reply)

    def close(self) -> None:
        self._abort()

    # -- internals ---------------------------------------------------------------------------

    async def _read(self) -> object:
        self._reading = True
        try:
            return await self._lease.child.read_async(self._loop)
        except (OSError, EOFError):
            self._abort()
            raise self._broken() from None
        finally:
            self._reading = False

    def _broken(self) -> TreatygraphError:
        if self._expired:
            return timed_out(self._deadline)
        if self._left:
            return ClientGone("the client went away before the first result; query stopped")
        pid = self._lease.child.pid
        return StoreError(f"the query worker stopped unexpectedly (process {pid})")

    def _arm(self, at: float | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if at is not None:
            when = self._loop.time() + (at - time.monotonic())
            self._timer = self._loop.call_at(when, self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self._ended:
            return
        self._expired = True
        self._stop()

    def _stop(self) -> None:
        """Kill the child now, for the reason already recorded (see :meth:`_broken`)."""
        self._lease.child.interrupt()
        if not self._reading:  # else the waiting read sees the end and aborts
            self._abort()

    def _watch(self) -> None:
        """The first chunk is slow: from now on, a client that goes away stops the query."""
        self._watch_timer = None
        if self._gone is not None and not self._ended:
            self._watcher = self._loop.create_task(self._stop_when_gone(self._gone))

    async def _stop_when_gone(self, gone: Gone) -> None:
        try:
            await gone()
        except Exception:  # the watch broke, not the query: the query runs on
            logger.debug("could not watch the client of a query", exc_info=True)
            return
        if self._ended:
            return
        self._left = True
        self._stop()

    def _unwatch(self) -> None:
        if self._watch_timer is not None:
            self._watch_timer.cancel()
            self._watch_timer = None
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    def _finish(self) -> None:
        """The child sent its last message: it goes back to the pool at once."""
        self._finished = True
        self._end()
        self._lease.release()
        self._on_end()

    def _failed(self, reply: object) -> TreatygraphError:
        """The error ``reply`` reports; the child stays usable after one it reported."""
        if isinstance(reply, tuple) and len(reply) == 5 and reply[0] == "error":
            self._end()
            self._lease.release()
            self._on_end()
        else:
            self._abort()
        match reply:
            case ("error", "not-acceptable", str() as message, tuple() | list() as offered, _):
                return NotAcceptable(message, [str(media_type) for media_type in offered])
        return error_of(reply)

    def _end(self) -> bool:
        first, self._ended = not self._ended, True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return first

    def _abort(self) -> None:
        """Kill the child now; reap and replace it in a worker thread, then ``on_end``."""
        if not self._end():
            return
        lease, on_end = self._lease, self._on_end
        lease.child.interrupt()

        def reap() -> None:
            try:
                lease.child.kill()  # returns once the process is gone
            except Exception:  # a thread nobody waits for: log, never lose the slot
                logger.exception("could not stop query worker %s", lease.child.pid)
            finally:
                on_end()  # the slot is free before the replacement is forked
            try:
                lease.discard()
            except Exception:
                logger.exception("could not replace query worker %s", lease.child.pid)

        self._loop.run_in_executor(None, reap)
