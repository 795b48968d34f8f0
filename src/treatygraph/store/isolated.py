"""The embedded store with every query run in a worker process that can be killed.

A pyoxigraph query cannot be interrupted from Python: one engine call can compute for
minutes, holding a core and a worker thread, and its result objects abort the process if
touched from another thread. So queries here run in processes:

* The **primary** is the ordinary :class:`~treatygraph.store.oxigraph.OxigraphStore` (memory
  or RocksDB). It takes every write first, durably, and answers :meth:`graphs`,
  :meth:`count` and :meth:`dump` in this process.
* A **zygote** process (:mod:`.zygote`) holds an in-memory replica, filled from a dump of
  the primary at start. Every committed write is replayed there, in commit order, before the
  write returns, so a query started after a write sees it.
* **Query children** are forked from the zygote; each answers queries one at a time on the
  copy-on-write snapshot it was forked with (:mod:`.pool`, :mod:`.query_child`). Rows come
  back in batches, lazily (:mod:`.child_results`). At the deadline the child is killed
  (SIGKILL): the computation really stops, and QueryTimeout is raised at once.

Replaying a client's SPARQL Update may not give the replica the same content when the update
is not deterministic (``NOW()``, ``RAND()``, ``UUID()``, ``STRUUID()``, ``BNODE()``,
``LOAD``, ``SERVICE``): such updates reload the replica from a dump instead, and so does
any write the replica refuses. Blank nodes inserted by a write get labels of their own in
each copy (SPARQL inserts fresh blank nodes), so a blank node label in a query result may
differ from the label in :meth:`dump` until the next :meth:`resync`. Memory: the replica is
a second copy of the data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import tempfile
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from treatygraph.errors import StoreError
from treatygraph.store.base import Capabilities, Change, Deadline, QueryResult
from treatygraph.store.changes import change_update
from treatygraph.store.child_results import Lease, result_of, start_until
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.store.pool import WorkerPool
from treatygraph.store.processes import ChildProcess, ReplicaRejected, Zygote, ZygoteLost
from treatygraph.store.written import ChildStream, Gone, WriteRequest, WrittenResult

logger = logging.getLogger("treatygraph.store")

_UNREPEATABLE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE|LOAD|SERVICE)\b", re.IGNORECASE)
"""Words of an update whose replay could differ (a false match only costs a reload)."""


@dataclass(frozen=True)
class Processes:
    """The processes behind an isolated store, for monitoring and tests."""

    zygote: int
    children: tuple[int, ...]
    """Query children not yet let go of, idle or busy."""
    zygote_threads: int
    """Threads in the zygote as the kernel counts them; forking is only safe at 1."""
    replica_quads: int
    generation: int


class IsolatedOxigraphStore:
    """Embedded store (``path=None`` keeps it in memory) whose queries run in killable
    processes; ``workers`` idle children are kept ready. Linux only (``os.fork``, pidfds)."""

    def __init__(self, path: Path | None = None, *, workers: int = 4) -> None:
        self.path = path
        self.capabilities = Capabilities(
            persistent=path is not None, interruptible=True, writes_results=True
        )
        self._workers = max(1, workers)
        self._write_lock = threading.Lock()
        self._closed = False
        self._primary = OxigraphStore(path)
        try:
            self._pool = WorkerPool(Zygote(), self._workers)
        except BaseException:
            self._primary.close()
            raise
        # Stops the processes even if nobody calls close(); holds the pool, not self.
        self._stop_processes = weakref.finalize(self, self._pool.close)
        try:
            self._fill(self._pool.zygote)
            self._pool.prefork(self._workers)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"IsolatedOxigraphStore({str(self.path) if self.path else 'memory'})"

    # -- queries -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        deadline: Deadline | None = None,
    ) -> QueryResult:
        request = ("query", sparql, tuple(default_graphs or ()), tuple(named_graphs or ()))
        while True:
            lease = Lease(self._pool, self._checkout())
            try:
                lease.child.send(request)
            except OSError as exc:  # its end is closed: it died while idle (the OOM killer?)
                lease.discard()
                if lease.child.waited:
                    continue
                raise StoreError(
                    f"the query worker stopped unexpectedly (process {lease.child.pid})"
                ) from exc
            reply = lease.read(start_until(deadline), deadline)
            return result_of(lease, reply, deadline)

    async def open_written(
        self,
        request: WriteRequest,
        deadline: Deadline,
        on_end: Callable[[], None],
        gone: Gone | None = None,
    ) -> WrittenResult:
        """The query's document as its child writes it, read on the running event loop
        (see :mod:`.written`); forks, when no child is idle, in a worker thread."""
        loop = asyncio.get_running_loop()
        message = (
            "write",
            request.sparql,
            request.default_graphs,
            request.named_graphs,
            request.accept,
            request.format,
            request.max_results,
            request.bounded,
        )
        while True:
            if self._closed:
                raise StoreError("the store is closed")
            child = self._pool.acquire_idle()
            if child is None:
                child = await loop.run_in_executor(None, self._checkout)
            lease = Lease(self._pool, child)
            try:
                await child.send_async(loop, message)
            except OSError as exc:  # its end is closed: it died while idle (the OOM killer?)
                await loop.run_in_executor(None, lease.discard)
                if child.waited:
                    continue
                raise StoreError(
                    f"the query worker stopped unexpectedly (process {child.pid})"
                ) from exc
            stream = ChildStream(lease, loop, deadline, on_end, gone)
            await stream.start()
            return stream

    def _checkout(self) -> ChildProcess:
        if self._closed:
            raise StoreError("the store is closed")
        try:
            return self._pool.acquire()
        except ZygoteLost as exc:
            logger.warning("query zygote lost (%s); starting a new one", exc)
            with self._write_lock:
                if self._closed:
                    raise StoreError("the store is closed") from None
                if not self._pool.zygote.alive:
                    self._restart()
            return self._pool.acquire()

    # -- writes ------------------------------------------------------------------------------

    def update(self, sparql: str, *, deadline: Deadline | None = None) -> None:
        """Runs in this process, on the primary (updates must be atomic and durable there),
        so an update is not interruptible; then the replica follows."""
        with self._write_lock:
            self._check_open()
            self._primary.update(sparql, deadline=deadline)
            self._follow(None if _UNREPEATABLE.search(sparql) else sparql)

    def apply(self, change: Change, *, progress: Callable[[int], None] | None = None) -> None:
        text = change_update(change)
        if text is None:
            return
        with self._write_lock:
            self._check_open()
            self._primary.apply_update(text)
            self._follow(text)
        if progress is not None:
            progress(_size(change))

    def resync(self) -> None:
        """Reload the replica from a dump of the store: after a write it could not repeat,
        or whenever its content is in doubt. Queries started before keep their snapshot.
        Raises StoreError when no replica could be made (queries then fail until one can)."""
        with self._write_lock:
            self._check_open()
            if not self._follow(None):
                raise StoreError("the query replica could not be reloaded; see the log")

    def _follow(self, update: str | None) -> bool:
        """Bring the replica level with the primary after a committed write: replay
        ``update``, or reload a dump when it is None or the replica refuses it. Never raises
        (the write is committed): a replica that cannot follow is stopped and replaced, and
        when that fails too, queries fail until a new one can be started. Holds the write lock.
        """
        try:
            try:
                if update is None:
                    self._fill(self._pool.zygote)
                else:
                    self._pool.zygote.call(("update", update))
            except ReplicaRejected as exc:
                logger.warning("the query replica refused a committed write (%s); reloading", exc)
                self._fill(self._pool.zygote)
        except StoreError as exc:  # ZygoteLost, or a reload that failed midway
            logger.warning("the query replica could not follow a write (%s); replacing it", exc)
            self._pool.advance()  # no idle child of the old replica serves another query
            self._pool.zygote.stop()
            try:
                self._restart()
            except StoreError as again:
                logger.error("no query replica could be started: %s", again)
                return False
            return True
        self._new_generation()
        return True

    def _restart(self) -> None:
        zygote = Zygote()
        try:
            self._fill(zygote)
        except BaseException:
            zygote.stop()
            raise
        self._new_generation(zygote)

    def _new_generation(self, zygote: Zygote | None = None) -> None:
        self._pool.advance(zygote)
        # The write is committed whatever happens here; the next query forks if need be.
        with contextlib.suppress(StoreError):
            self._pool.prefork(1)

    def _fill(self, zygote: Zygote) -> None:
        """Load a dump of the primary into ``zygote``'s replica, through a private file."""
        fd, name = tempfile.mkstemp(prefix="treatygraph-replica-", suffix=".nq")
        try:
            with os.fdopen(fd, "wb") as out:
                self._primary.dump(out, "nquads")
            zygote.call(("load", name))
        finally:
            os.unlink(name)

    # -- inspection, in this process ---------------------------------------------------------

    def graphs(self) -> list[str]:
        return self._primary.graphs()

    def count(self, graph: str | None = None) -> int:
        return self._primary.count(graph)

    def dump(self, out: BinaryIO, fmt: Literal["nquads", "trig"] = "nquads") -> None:
        self._primary.dump(out, fmt)

    def backup(self, target: Path) -> None:
        """A consistent copy of the primary in ``target``; see :meth:`OxigraphStore.backup`."""
        with self._write_lock:
            self._check_open()
            self._primary.backup(target)

    def processes(self) -> Processes:
        """The zygote and the query children behind this store, as they are now."""
        self._check_open()
        status = self._pool.zygote.call(("status",))
        if not isinstance(status, dict):
            raise StoreError(f"the query zygote reported {status!r}")
        return Processes(
            zygote=self._pool.zygote.pid,
            children=tuple(self._pool.pids()),
            zygote_threads=int(status["tasks"]),
            replica_quads=int(status["quads"]),
            generation=self._pool.generation,
        )

    def close(self) -> None:
        """Kill every query child (running queries fail with StoreError), stop the zygote,
        and close the primary. Idempotent."""
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            self._stop_processes()
            self._primary.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")


def _size(change: Change) -> int:
    return sum(len(g) for g in (*change.graphs.values(), *change.descriptions.values()))
