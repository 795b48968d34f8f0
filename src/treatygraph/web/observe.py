"""Every request seen once, at the edge: its id, its body size limit, its metrics, its log line.

:class:`Edge` does it, for :class:`Observe`, the outermost middleware of the app, and for the
query lane, which answers queries in front of the middlewares
(:mod:`treatygraph.web.query_lane`):

* **Request id.** ``X-Request-ID`` from the client when it is sane (1–128 of
  ``A-Z a-z 0-9 . _ : -``), else a new UUID; echoed in the response header of the same name,
  in every problem+json body (``request_id``, see :mod:`treatygraph.web.problems`) and in the
  access log, so one id ties a client's report to the server's log.
* **Body limit.** A body over ``settings.max_body_bytes`` is refused with 413: at once from
  its ``Content-Length``, before a byte of it is read; and while it streams (a chunked body
  has no length), at the first chunk past the limit. Either way the server stops reading and
  closes the connection after the answer.
* **Metrics and the access log.** One JSON line per request on the ``treatygraph.access``
  logger: time, request id, method, route template, status, duration, bytes sent and
  received. Never the URL's query, a header or a body: the write token cannot reach the log.

Routers add what only they know through :func:`mark` (this request is a query, or a write).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from treatygraph.config import Settings
from treatygraph.metrics import Metrics

REQUEST_ID_HEADER = "X-Request-ID"
_ID_KEY = REQUEST_ID_HEADER.lower()
_ID_HEADER = _ID_KEY.encode()
_SANE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_WRITE_PATHS = ("/store", "/api/articles", "/admin/backup")
_UNROUTED = frozenset({"/sparql"})
"""Paths answered before routing (:mod:`treatygraph.web.query_lane`): their own label."""
_REASONS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    413: "too_large",
    415: "bad_request",
    400: "bad_request",
}

access_log = logging.getLogger("treatygraph.access")


@dataclass
class RequestInfo:
    """What the routers and the problem handlers learn about the request in flight."""

    request_id: str
    kind: str | None = None
    """``"query"`` or ``"write"`` once a router knows."""
    problem: str | None = None
    """The problem type (``shape-violation``, ``update-timeout``, …) of an error answer."""


_current: ContextVar[RequestInfo | None] = ContextVar("treatygraph_request", default=None)


def current() -> RequestInfo | None:
    """The request in flight in this task (None outside a request)."""
    return _current.get()


def mark(kind: str) -> None:
    """Say what the request in flight is: ``"query"`` or ``"write"``."""
    info = _current.get()
    if info is not None:
        info.kind = kind


def request_id_of(header: str | None) -> str:
    """The client's id when sane, else a new random UUID (version 4) as 32 hex digits; built
    here from 16 random bytes, which costs a fraction of ``uuid.uuid4().hex``."""
    if header is not None and _SANE_ID.fullmatch(header):
        return header
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 9562 variant
    return raw.hex()


class BodyTooLarge(HTTPException):
    """A body that grew past the limit while it was read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class Exchange:
    """One request at the edge: its info, and what was sent and received, for the record."""

    __slots__ = (
        "_token",
        "headers",
        "info",
        "received",
        "responded",
        "sent",
        "started",
        "status",
    )

    def __init__(self, scope: Scope) -> None:
        self.headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope["headers"]
        }
        self.info = RequestInfo(request_id_of(self.headers.get(_ID_KEY)))
        self.started = time.monotonic()
        self.status = 500
        self.responded = False
        self.sent = self.received = 0
        self._token = _current.set(self.info)

    def sender(self, send: Send) -> Send:
        """``send``, recording the status and bytes and adding the request id header."""

        async def observing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.responded = True
                extra = (_ID_HEADER, self.info.request_id.encode())
                message = {**message, "headers": [*message.get("headers", []), extra]}
            elif message["type"] == "http.response.body":
                self.sent += len(message.get("body", b""))
            await send(message)

        return observing_send

    def receiver(self, receive: Receive, limit: int) -> Receive:
        """``receive``, counting the body and refusing it past ``limit`` bytes."""

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > limit:
                    raise BodyTooLarge(limit)
            return message

        return counting_receive

    def close(self) -> None:
        _current.reset(self._token)


class Edge:
    """What happens to every request exactly once: an :class:`Exchange` opened with its id,
    the body limit, and at the end the metrics and the access log line. Used by
    :class:`Observe` for every request and by the query lane for the queries it answers
    itself (:mod:`treatygraph.web.query_lane`)."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.limit = settings.max_body_bytes
        self.metrics = metrics

    def too_large(self, exchange: Exchange) -> Response | None:
        """The 413 for a body whose declared length is over the limit, before reading it."""
        declared = exchange.headers.get("content-length", "")
        if not (declared.isdigit() and int(declared) > self.limit):
            return None
        from treatygraph.web.problems import problem

        return problem(413, str(BodyTooLarge(self.limit).detail), kind="too-large")

    def record(self, scope: Scope, exchange: Exchange) -> None:
        """Count the request in the metrics and write its access log line."""
        info, status = exchange.info, exchange.status
        seconds = time.monotonic() - exchange.started
        method = str(scope.get("method", ""))
        route = _route_of(scope, status)
        self.metrics.request(method, route, status)
        if info.problem in ("query-timeout", "update-timeout"):
            self.metrics.timeout("update" if info.problem == "update-timeout" else "query")
        if info.kind == "query":
            self.metrics.query(seconds)
        if info.kind == "write" or (
            info.kind is None and _looks_like_write(scope, exchange.headers)
        ):
            if status < 300:
                self.metrics.write("committed")
            else:
                self.metrics.rejected_write(_reason(status, info.problem))
        if access_log.isEnabledFor(logging.INFO):
            # handle() rather than info(): info() walks the stack for the caller's file and
            # line, the same on every line of this log. The line is written by hand: every
            # value is a number, or text that needs no JSON escaping (a sane or generated
            # request id, a route template of this app), except the method, which is quoted.
            now = datetime.now(UTC).isoformat(timespec="milliseconds")
            line = (
                f'{{"time":"{now}","request_id":"{info.request_id}",'
                f'"method":{_json_text(method)},"route":"{route}","status":{status},'
                f'"duration_ms":{round(seconds * 1000, 2)},"bytes":{exchange.sent},'
                f'"request_bytes":{exchange.received}}}'
            )
            access_log.handle(
                access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, line, (), None)
            )


class Observe:
    """The middleware; see the module docstring."""

    def __init__(self, app: ASGIApp, edge: Edge) -> None:
        self.app = app
        self.edge = edge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = Exchange(scope)
        send = exchange.sender(send)
        try:
            refusal = self.edge.too_large(exchange)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            await self.app(scope, exchange.receiver(receive, self.edge.limit), send)
        finally:
            self.edge.record(scope, exchange)
            exchange.close()


@functools.lru_cache(maxsize=64)
def _json_text(text: str) -> str:
    return json.dumps(text)


def _route_of(scope: Scope, status: int) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str):
        return template
    path = str(scope.get("path", ""))
    if path in _UNROUTED:
        return path
    if path.startswith("/static/"):
        return "/static"
    return "unmatched" if status == 404 or route is None else "other"


def _looks_like_write(scope: Scope, headers: dict[str, str]) -> bool:
    """A request refused before any router saw it (a body too large) that was a write."""
    method = scope.get("method")
    path = str(scope.get("path", ""))
    if method in ("PUT", "DELETE"):
        return True
    if method != "POST":
        return False
    sparql_update = headers.get("content-type", "").startswith("application/sparql-update")
    return path in _WRITE_PATHS or (path == "/sparql" and sparql_update)


def _reason(status: int, problem: str | None) -> str:
    if status == 422:
        return "invalid" if problem == "shape-violation" else "bad_request"
    if status == 503:
        return "timeout" if problem == "update-timeout" else "busy"
    return _REASONS.get(status, "error")
