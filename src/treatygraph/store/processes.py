"""The processes of the isolated store, as the server sees them: the zygote and its children.

:class:`Zygote` starts :mod:`treatygraph.store.zygote` in a fresh interpreter and talks to it
over a control socket, one command at a time. :class:`ChildProcess` is one forked query child:
its socket, its pid, and the two ways it ends: :meth:`~ChildProcess.close` (it exits when it
sees the socket closed) and :meth:`~ChildProcess.kill` (SIGKILL, then wait until it is gone).

The zygote is started with ``subprocess`` running ``python -c``, with the parent's
``sys.path`` as ``PYTHONPATH``, and not with ``multiprocessing``'s spawn context: spawn
re-imports the parent's ``__main__`` module in the child (a script that opens a store at top
level, without a ``__main__`` guard, would then fail in the child) and starts a
resource-tracker process we do not need. Both give the same thing that matters: a new
interpreter with no threads, created by fork+exec, which is safe from a threaded server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from treatygraph.errors import StoreError
from treatygraph.store.wire import FrameReader, send, send_async, send_with_fd

START_SECONDS = 60.0
"""How long a new zygote may take to import its modules and say it is ready."""
STOP_SECONDS = 5.0
"""How long a killed or stopped process may take to disappear before we stop waiting."""

_BOOT = "import sys; from treatygraph.store.zygote import main; main(int(sys.argv[1]))"


class ZygoteLost(StoreError):
    """The zygote is gone (crashed, killed); a new one must be started and filled."""


class ReplicaRejected(StoreError):
    """The zygote answered a command with an error (a write its replica refused, say)."""


class Zygote:
    """A running zygote process and its control socket; thread-safe, one command at a time."""

    def __init__(self) -> None:
        if not sys.executable:
            raise StoreError("cannot start query workers: no Python executable is known")
        ours, theirs = socket.socketpair()
        try:
            self._process = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
                [sys.executable, "-c", _BOOT, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=_child_environment(),
            )
        except OSError as exc:
            ours.close()
            raise StoreError(f"cannot start the query zygote: {exc}") from exc
        finally:
            theirs.close()
        self.pid = self._process.pid
        self._sock = ours
        self._reader = FrameReader(ours)
        self._lock = threading.Lock()
        self._broken = False
        try:
            with self._lock:
                reply = self._reader.read(time.monotonic() + START_SECONDS)
        except (OSError, EOFError) as exc:
            self.stop()
            raise StoreError(f"the query zygote did not start: {exc}") from exc
        if reply != ("ok", self.pid):
            self.stop()
            raise StoreError(f"the query zygote did not start: it said {reply!r}")

    @property
    def alive(self) -> bool:
        return not self._broken and self._process.poll() is None

    def call(self, command: tuple[object, ...], fd: int | None = None) -> object:
        """Send ``command`` (with ``fd`` attached) and return the zygote's answer.

        Raises ReplicaRejected when the zygote reports an error, ZygoteLost when it is gone.
        """
        with self._lock:
            if self._broken:
                raise ZygoteLost("the query zygote stopped earlier")
            try:
                if fd is None:
                    send(self._sock, command)
                else:
                    send_with_fd(self._sock, command, fd)
                reply = self._reader.read()
            except (OSError, EOFError) as exc:
                self._broken = True
                raise ZygoteLost(f"the query zygote stopped: {exc}") from exc
        match reply:
            case ("ok", value):
                return value
            case ("error", str() as message):
                raise ReplicaRejected(message)
        self._broken = True
        raise ZygoteLost(f"the query zygote answered {reply!r}")

    def fork(self, generation: int) -> ChildProcess:
        """A new query child forked from the replica as it is now."""
        ours, theirs = socket.socketpair()
        try:
            pid = self.call(("fork",), fd=theirs.fileno())
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        if not isinstance(pid, int):
            ours.close()
            raise ZygoteLost(f"the query zygote answered a fork with {pid!r}")
        return ChildProcess(pid, ours, generation)

    def stop(self) -> None:
        """Close the control socket, which makes the zygote exit, and wait for it."""
        self._broken = True
        self._sock.close()
        try:
            self._process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


class ChildProcess:
    """One query child: not a child of this process (the zygote forked it), so it is
    signalled through a pidfd where the kernel has them, which no reused pid can fool.

    Ends once, by :meth:`close` or :meth:`kill`, from any thread (a store closing while a
    query times out) and even re-entered from a finalizer: whoever ends it first does it.
    """

    def __init__(self, pid: int, sock: socket.socket, generation: int) -> None:
        self.pid = pid
        self.generation = generation
        self.waited = False
        """Whether it waited idle before its current query (and so may have died unseen)."""
        self._sock = sock
        self._reader = FrameReader(sock)
        self._pidfd = _pidfd_open(pid)
        self._ended = False
        self._lock = threading.RLock()

    def send(self, message: object) -> None:
        if self._sock.gettimeout() is not None:  # blocking, whatever an async user left
            self._sock.settimeout(None)
        send(self._sock, message)

    def read(self, until: float | None) -> object:
        """The next message; TimeoutError after ``until``, EOFError if the child is gone."""
        return self._reader.read(until)

    async def send_async(self, loop: asyncio.AbstractEventLoop, message: object) -> None:
        """:meth:`send` on ``loop``; the socket stays non-blocking for :meth:`read_async`."""
        if self._sock.gettimeout() != 0.0:
            self._sock.setblocking(False)
        await send_async(loop, self._sock, message)

    async def read_async(self, loop: asyncio.AbstractEventLoop) -> object:
        """The next message, awaited on ``loop``; EOFError if the child is gone (killed by
        :meth:`interrupt`, say). Only after :meth:`send_async`."""
        return await self._reader.read_async(loop)

    def interrupt(self) -> None:
        """SIGKILL without waiting (safe on an event loop): the child's socket reports EOF
        once it is gone. It must still be ended with :meth:`kill` (which then returns at
        once) or :meth:`close`."""
        with self._lock:
            if not self._ended:
                self._sigkill()

    def close(self) -> None:
        """Let the child go: it exits by itself once it sees its socket closed."""
        if self._end():
            self._release()

    def kill(self) -> None:
        """Stop the child at once, whatever it computes, and wait until it is gone."""
        if not self._end():
            return
        self._sigkill()
        self._wait_gone()
        self._release()

    def _sigkill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)

    def _end(self) -> bool:
        with self._lock:
            first, self._ended = not self._ended, True
            return first

    def _release(self) -> None:
        self._sock.close()
        if self._pidfd is not None:
            os.close(self._pidfd)

    def _wait_gone(self) -> None:
        if self._pidfd is not None:
            poller = select.poll()
            poller.register(self._pidfd, select.POLLIN)
            poller.poll(STOP_SECONDS * 1000)
            return
        give_up = time.monotonic() + STOP_SECONDS
        while os.path.exists(f"/proc/{self.pid}") and time.monotonic() < give_up:
            time.sleep(0.001)


def _child_environment() -> dict[str, str]:
    """This process's environment, with its ``sys.path`` (which a test runner or a script
    may have extended) as ``PYTHONPATH``, so the zygote imports the same code."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(entry or os.getcwd() for entry in sys.path)
    return environment


def _pidfd_open(pid: int) -> int | None:
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:  # no pidfds in this kernel, or the child is already gone
        return None
