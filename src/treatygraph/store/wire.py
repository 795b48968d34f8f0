"""Messages between the isolated store and its processes: length-prefixed pickles on a socket.

Each message is a pickle preceded by its length (8 bytes, big-endian), over one end of a Unix
``socketpair``. Pickle is acceptable here, and only here, because both ends are processes this
package started for the same user on a private socketpair: nothing from a network or a file
is ever unpickled. A raw socket rather than ``multiprocessing.Connection`` keeps a round trip
to a few system calls, which is most of the cost of a point lookup in a worker process.

Messages are plain tuples whose first item names them; see :mod:`treatygraph.store.zygote`
and :mod:`treatygraph.store.query_child` for the vocabularies.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
import time

_LENGTH = struct.Struct("!Q")
_READ_SIZE = 256 * 1024
_MAX_FDS = 4
_SMALL = 64 * 1024


def send(sock: socket.socket, message: object) -> None:
    """Write one message; blocks while the peer's buffer is full (that is the backpressure)."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(payload) <= _SMALL:
        sock.sendall(_LENGTH.pack(len(payload)) + payload)
    else:  # no copy of a large batch just to prepend 8 bytes
        sock.sendall(_LENGTH.pack(len(payload)))
        sock.sendall(payload)


async def send_async(loop: asyncio.AbstractEventLoop, sock: socket.socket, message: object) -> None:
    """:func:`send` on a non-blocking socket, awaiting buffer space on ``loop``."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    await loop.sock_sendall(sock, _LENGTH.pack(len(payload)) + payload)


def send_with_fd(sock: socket.socket, message: object, fd: int) -> None:
    """Write one message carrying a file descriptor (SCM_RIGHTS) with its first byte."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = _LENGTH.pack(len(payload)) + payload
    sent = socket.send_fds(sock, [data], [fd])
    if sent < len(data):
        sock.sendall(data[sent:])


class FrameReader:
    """Reads messages from one socket, keeping bytes that arrived ahead of the next message.

    ``read(until)`` waits at most until the :func:`time.monotonic` instant ``until`` and then
    raises TimeoutError; a message already buffered is returned even after ``until``. The peer
    closing the socket raises EOFError. With ``with_fds``, descriptors sent along with the
    bytes are collected for :meth:`take_fds`.
    """

    def __init__(self, sock: socket.socket, *, with_fds: bool = False) -> None:
        self._sock = sock
        self._buffer = bytearray()
        # Bytes are received into this one buffer: ``recv(n)`` allocates n bytes on every
        # call and then shrinks them, which in a process whose heap holds a large store made
        # the allocator, not the query, the main cost of a point lookup.
        self._landing = memoryview(bytearray(_READ_SIZE))
        self._with_fds = with_fds
        self._fds: list[int] = []

    def read(self, until: float | None = None) -> object:
        size = self._frame_size()
        while size is None or len(self._buffer) < _LENGTH.size + size:
            self._fill(until)
            size = self._frame_size()
        return self._take(size)

    async def read_async(self, loop: asyncio.AbstractEventLoop) -> object:
        """:meth:`read` for a non-blocking socket, awaiting the bytes on ``loop``. No time
        limit here: the caller stops a peer that is too slow by killing it (the read then
        ends with EOFError)."""
        size = self._frame_size()
        while size is None or len(self._buffer) < _LENGTH.size + size:
            received = await loop.sock_recv_into(self._sock, self._landing)
            if not received:
                raise EOFError("the peer closed the connection")
            self._buffer += self._landing[:received]
            size = self._frame_size()
        return self._take(size)

    def _take(self, size: int) -> object:
        end = _LENGTH.size + size
        with memoryview(self._buffer) as view, view[_LENGTH.size : end] as body:
            message = pickle.loads(body)  # noqa: S301 (our own processes; see module docstring)
        del self._buffer[:end]
        return message

    def take_fds(self) -> list[int]:
        fds, self._fds = self._fds, []
        return fds

    def _frame_size(self) -> int | None:
        if len(self._buffer) < _LENGTH.size:
            return None
        size: int = _LENGTH.unpack_from(self._buffer)[0]
        return size

    def _fill(self, until: float | None) -> None:
        if until is None:
            if self._sock.gettimeout() is not None:  # a system call: only when it changes
                self._sock.settimeout(None)
        else:
            left = until - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message before the deadline")
            self._sock.settimeout(left)
        try:
            if self._with_fds:
                data, fds, _flags, _addr = socket.recv_fds(self._sock, _READ_SIZE, _MAX_FDS)
                self._fds.extend(fds)
                received = len(data)
                self._buffer += data
            else:
                received = self._sock.recv_into(self._landing)
                self._buffer += self._landing[:received]
        except TimeoutError:
            raise TimeoutError("no message before the deadline") from None
        if not received:
            raise EOFError("the peer closed the connection")
