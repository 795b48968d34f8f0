"""Streamed results of a remote store: read with the deadline in view, closed when done.

:class:`Body` wraps an open response from :mod:`treatygraph.store.sparql` (which makes every
request); :class:`Stream` hands out its rows or triples. A result that breaks off becomes
the error it means: QueryTimeout at the client's deadline or the engine's own limit,
StoreError otherwise. The response is closed at the end, on error, or when the rows are
dropped unread, so no pooled connection stays taken.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from treatygraph.errors import QueryTimeout, StoreError, TreatygraphError
from treatygraph.store.base import Deadline
from treatygraph.store.json_results import ResultsError

CHECK_EVERY = 256
T = TypeVar("T")


class Body:
    """The body of a streamed response, read with the deadline in view.

    Keeps the last bytes read, so that an engine that writes a notice into a result it
    cancels (Oxigraph) is told from a broken connection.
    """

    def __init__(
        self,
        response: httpx.Response,
        deadline: Deadline | None,
        cancelled: bytes | None,
        endpoint: str,
    ) -> None:
        self.response = response
        self.deadline = deadline
        self.cancelled = cancelled
        self.endpoint = endpoint
        self.timed_out = False
        self.tail = b""

    def chunks(self) -> Iterator[bytes]:
        for chunk in self.response.iter_bytes():
            if self.deadline is not None and self.deadline.expired():
                self.timed_out = True
                self.deadline.check()
            self.tail = (self.tail + chunk)[-200:]
            yield chunk

    def reader(self) -> BinaryIO:
        return io.BufferedReader(_RawReader(self.chunks()), 64 * 1024)

    def failure(self, exc: BaseException) -> TreatygraphError:
        """What a broken-off result means: the deadline, the engine's limit, or a failure."""
        if isinstance(exc, TreatygraphError):
            return exc
        if self.timed_out or (self.deadline is not None and self.deadline.expired()):
            seconds = self.deadline.seconds if self.deadline else 0
            return QueryTimeout(f"the query ran longer than the limit of {seconds:g} s")
        if self.cancelled is not None and self.cancelled in self.tail:
            return QueryTimeout("the store stopped the query at its time limit")
        return StoreError(
            f"the result from the SPARQL store at {redacted(self.endpoint)} broke "
            f"off or is malformed: {exc}"
        )

    def close(self) -> None:
        self.response.close()


class _RawReader(io.RawIOBase):
    """A file over an iterator of byte chunks, for parsers that read files."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            except TreatygraphError as exc:
                raise OSError(str(exc)) from exc
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class Stream(Iterator[T]):
    """Rows or triples of a streamed result: checks the deadline, maps a broken stream to
    the error it means, and closes the response at the end, on error, or when dropped."""

    def __init__(self, items: Iterator[T], body: Body) -> None:
        self._items = items
        self._body = body
        self._count = 0

    def __iter__(self) -> Stream[T]:
        return self

    def __next__(self) -> T:
        if self._count % CHECK_EVERY == 0 and self._body.deadline is not None:
            try:
                self._body.deadline.check()
            except QueryTimeout:
                self.close()
                raise
        self._count += 1
        try:
            return next(self._items)
        except StopIteration:
            self.close()
            raise
        except (ResultsError, SyntaxError, OSError, ValueError, httpx.HTTPError) as exc:
            self.close()
            raise self._body.failure(exc) from None
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._body.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._body.close()


def redacted(url: str) -> str:
    """``url`` without user information, for messages and logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
