"""The zygote: a thread-free process that holds the query replica and forks query children.

Started by :class:`treatygraph.store.processes.Zygote` as a fresh interpreter
(``python -c``, never a fork of the server, whose threads and locks a fork would copy
mid-flight). It keeps an in-memory copy of the store, applies the writes it is sent in order,
and forks a child per request: ``os.fork`` is safe because no second thread runs when it
forks, which :func:`_fork_child` checks before every fork (a replica is loaded in a thread
of its own, see :func:`_loaded`, which has ended before the command is answered). Each
child serves queries on the copy-on-write snapshot of the moment it was forked
(:mod:`.query_child`).

Commands on the control socket, each answered ``("ok", value)`` or ``("error", message)``::

    ("update", text)   apply a SPARQL Update (a rendered Change, or a client's update)
    ("load", path)     replace the replica by the quads of an N-Quads file
    ("fork",)          with a socket attached (SCM_RIGHTS): fork a child serving it; → its pid
    ("status",)        → {"pid", "threads", "tasks", "quads"}

The zygote exits when the parent closes the control socket (also when the parent dies). Its
children die with it (``PR_SET_PDEATHSIG``), and exit by themselves when the parent closes
their sockets.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from treatygraph.errors import TreatygraphError
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.store.query_child import serve
from treatygraph.store.wire import FrameReader, send

_PR_SET_PDEATHSIG = 1
THREAD_EXIT_SECONDS = 5.0
"""How long a finished loading thread may take to leave the kernel's task list."""


def main(fd: int) -> NoReturn:
    """Serve the control socket ``fd`` until the parent closes it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children: no zombies
    control = socket.socket(fileno=fd)
    replica = OxigraphStore(None)
    die_with_parent = _pdeathsig_setter()
    reader = FrameReader(control, with_fds=True)
    try:
        send(control, ("ok", os.getpid()))
        while True:
            try:
                command = reader.read()
            except EOFError:
                break
            fds = reader.take_fds()
            try:
                match command:
                    case ("load", str() as path):
                        replica = _loaded(Path(path))
                        reply: object = ("ok", replica.count())
                    case ("fork",) if len(fds) == 1:
                        reply = ("ok", _fork_child(replica, control, fds.pop(), die_with_parent))
                    case _:
                        reply = ("ok", _command(replica, command))
            except TreatygraphError as exc:
                reply = ("error", str(exc))
            finally:
                for extra in fds:
                    os.close(extra)
            send(control, reply)
    except OSError:  # the parent went away while we answered
        pass
    os._exit(0)  # skip freeing the replica at interpreter exit: it may be large


def _loaded(path: Path) -> OxigraphStore:
    """A new replica holding the quads of ``path``, loaded in a thread of its own.

    Why a thread: glibc's allocator gives each thread its own arena, and the main thread's is
    the one the query children allocate from. Loaded here, the replica and the garbage of
    loading it (hundreds of MB at a million triples, freed in scattered pieces) fill the main
    arena, and a child's every allocation then lands in a free piece somewhere in that heap:
    a page it must copy (copy-on-write) and a cache miss. Measured on point lookups at a
    million triples: 0.17 ms of a child's CPU per query loaded here, 0.11 ms loaded in a
    thread. The thread is gone before this returns, so the zygote may fork again.
    """
    loaded: list[OxigraphStore] = []
    failed: list[TreatygraphError] = []

    def load() -> None:
        try:
            replica = OxigraphStore(None)
            replica.extend_from_nquads(path)
            loaded.append(replica)
        except TreatygraphError as exc:
            failed.append(exc)

    loader = threading.Thread(target=load, name="treatygraph-replica-load")
    loader.start()
    loader.join()
    give_up = time.monotonic() + THREAD_EXIT_SECONDS
    while _tasks() != 1 and time.monotonic() < give_up:  # the kernel's side of the exit
        time.sleep(0.001)
    if failed:
        raise failed[0]
    if not loaded:
        raise TreatygraphError(f"loading the replica from {path} failed")
    return loaded[0]


def _command(replica: OxigraphStore, command: object) -> object:
    match command:
        case ("update", str() as text):
            replica.apply_update(text)
            return None
        case ("status",):
            return {
                "pid": os.getpid(),
                "threads": threading.active_count(),
                "tasks": _tasks(),
                "quads": replica.count(),
            }
    raise TreatygraphError(f"unknown zygote command {command!r}")


def _fork_child(
    replica: OxigraphStore,
    control: socket.socket,
    fd: int,
    die_with_parent: Callable[[], None],
) -> int:
    tasks = _tasks()
    if tasks != 1:
        os.close(fd)
        raise TreatygraphError(f"refusing to fork: the zygote runs {tasks} threads")
    zygote = os.getpid()
    # Objects that exist now are never collected in the child: a collection would write to
    # each of them and so copy every page of the zygote's heap into the child.
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the zygote's loop
        try:
            die_with_parent()
            if os.getppid() != zygote:  # the zygote died before the line above
                os._exit(0)
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            serve(socket.socket(fileno=fd), replica)
        finally:
            os._exit(1)
    os.close(fd)
    return pid


def _tasks() -> int:
    """Threads of this process as the kernel counts them (Python's count misses native ones)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _pdeathsig_setter() -> Callable[[], None]:
    """A function that makes the calling process get SIGKILL when its parent dies (Linux),
    looked up once here so that children do not load libraries after the fork."""
    if not sys.platform.startswith("linux"):
        return lambda: None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return lambda: None

    def setter() -> None:
        with contextlib.suppress(OSError):
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return setter
