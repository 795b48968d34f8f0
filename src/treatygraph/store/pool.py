"""Idle query children, kept by generation of the replica they were forked from.

Every committed write starts a new generation. A child serves only queries that start while
its generation is current: after a write, idle children of older generations are let go at
once, busy ones finish their query (on the snapshot they were forked with) and are let go
when they are given back, and the next query gets a child forked after the write. So a query
always sees every write that was acknowledged before it started.

How many children wait: the store forks its ``workers`` at start, and one after each write
(a fork copies the page tables of the zygote: about 30 ms per GB of data, so a series of
writes does not fork a full pool each time). Children forked on demand, when more queries
run at once than children wait, stay idle afterwards, up to ``idle_max``; so the pool grows
with concurrency and shrinks at each write.
"""

from __future__ import annotations

import collections
import contextlib
import threading

from treatygraph.errors import StoreError
from treatygraph.store.processes import ChildProcess, Zygote


class WorkerPool:
    """Hands out query children, forking new ones when no current one is idle; thread-safe."""

    def __init__(self, zygote: Zygote, idle_max: int) -> None:
        self._zygote = zygote
        self._idle_max = max(1, idle_max)
        self._idle: list[ChildProcess] = []
        self._live: set[ChildProcess] = set()
        self._abandoned: collections.deque[ChildProcess] = collections.deque()
        self._generation = 0
        self._closed = False
        self._lock = threading.Lock()

    @property
    def zygote(self) -> Zygote:
        return self._zygote

    @property
    def generation(self) -> int:
        return self._generation

    def pids(self) -> list[int]:
        """Every child this pool has not let go of, idle or busy."""
        with self._lock:
            self._forget_abandoned()
            return sorted(child.pid for child in self._live)

    def acquire(self) -> ChildProcess:
        """A child of the current generation for one query; raises StoreError (ZygoteLost
        when the zygote is gone)."""
        with self._lock:
            self._check_open()
            self._forget_abandoned()
            if self._idle:
                child = self._idle.pop()
                child.waited = True
                return child
            generation, zygote = self._generation, self._zygote
        child = zygote.fork(generation)
        if not self._adopt(child, idle=False):
            raise StoreError("the store is closed")
        return child

    def acquire_idle(self) -> ChildProcess | None:
        """An idle child of the current generation, or None when :meth:`acquire` would have
        to fork one (which waits for the zygote: not for an event loop)."""
        with self._lock:
            self._check_open()
            self._forget_abandoned()
            if not self._idle:
                return None
            child = self._idle.pop()
            child.waited = True
            return child

    def release(self, child: ChildProcess) -> None:
        """A child whose query ended cleanly: kept if still current, else let go."""
        with self._lock:
            keep = (
                not self._closed
                and child.generation == self._generation
                and len(self._idle) < self._idle_max
            )
            if keep:
                self._idle.append(child)
                return
            self._live.discard(child)
        child.close()

    def discard(self, child: ChildProcess) -> None:
        """A child in an unknown state (timed out, failed): killed, and replaced so that
        the next query does not wait for a fork."""
        with self._lock:
            self._live.discard(child)
        child.kill()
        with contextlib.suppress(StoreError):  # the next query will fork, or report it
            self.prefork(1)

    def abandon(self, child: ChildProcess) -> None:
        """:meth:`discard` for finalizers, which may run in the middle of any code of any
        thread, this pool's locked sections included: kill, take no lock, fork nothing; the
        pool forgets the child at its next call, and the next query forks if need be."""
        child.kill()
        self._abandoned.append(child)

    def advance(self, zygote: Zygote | None = None) -> None:
        """Start a new generation (after a write, or with a new ``zygote``): idle children
        are let go; the old zygote, if replaced, is stopped."""
        with self._lock:
            self._generation += 1
            stale, self._idle = self._idle, []
            self._live.difference_update(stale)
            old, self._zygote = self._zygote, zygote or self._zygote
        for child in stale:
            child.close()
        if old is not self._zygote:
            old.stop()

    def prefork(self, count: int) -> None:
        """Fork children until ``count`` of the current generation are idle."""
        while True:
            with self._lock:
                if self._closed or len(self._idle) >= min(count, self._idle_max):
                    return
                generation, zygote = self._generation, self._zygote
            self._adopt(zygote.fork(generation), idle=True)

    def close(self) -> None:
        """Kill every child, idle or busy, and stop the zygote. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            children = list(self._live)
            self._live.clear()
            self._idle.clear()
        for child in children:
            child.kill()
        self._zygote.stop()

    def _adopt(self, child: ChildProcess, *, idle: bool) -> bool:
        """Count a new child as live (and idle); kill it instead when the pool closed, or
        when a write came while an idle one was being forked."""
        with self._lock:
            adopted = not self._closed and (not idle or child.generation == self._generation)
            if adopted:
                self._live.add(child)
                if idle:
                    self._idle.append(child)
        if not adopted:
            child.kill()
        return adopted

    def _forget_abandoned(self) -> None:
        while self._abandoned:
            self._live.discard(self._abandoned.popleft())

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")
