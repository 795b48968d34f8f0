"""Every request seen once, at the edge: its id, its body size limit, its metrics, its log line.

:class:`Observe` is the outermost middleware of the app:

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

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from treatygraph.config import Settings
from treatygraph.metrics import Metrics

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_WRITE_PATHS = ("/store", "/api/articles", "/admin/backup")
_UNROUTED = frozenset({"/sparql"})
"""Paths answered before routing (:mod:`treatygraph.web.fast_lane`): their own label."""
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
    """The client's id when sane, else a new one (32 hex digits)."""
    if header is not None and _SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class BodyTooLarge(HTTPException):
    """A body that grew past the limit while it was read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class Observe:
    """The middleware; see the module docstring."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.limit = settings.max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        info = RequestInfo(request_id_of(headers.get(REQUEST_ID_HEADER.lower())))
        token = _current.set(info)
        started = time.monotonic()
        status = 500
        sent = received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def observing_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [(REQUEST_ID_HEADER.lower().encode(), info.request_id.encode())]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.limit:
                from treatygraph.web.problems import problem

                response = problem(413, str(BodyTooLarge(self.limit).detail), kind="too-large")
                await response(scope, receive, observing_send)
                return
            await self.app(scope, counting_receive, observing_send)
        finally:
            self._record(scope, headers, info, status, time.monotonic() - started, sent, received)
            _current.reset(token)

    def _record(
        self,
        scope: Scope,
        headers: dict[str, str],
        info: RequestInfo,
        status: int,
        seconds: float,
        sent: int,
        received: int,
    ) -> None:
        method = str(scope.get("method", ""))
        route = _route_of(scope, status)
        self.metrics.request(method, route, status)
        if info.problem in ("query-timeout", "update-timeout"):
            self.metrics.timeout("update" if info.problem == "update-timeout" else "query")
        if info.kind == "query":
            self.metrics.query(seconds)
        if info.kind == "write" or (info.kind is None and _looks_like_write(scope, headers)):
            if status < 300:
                self.metrics.write("committed")
            else:
                self.metrics.rejected_write(_reason(status, info.problem))
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                json.dumps(
                    {
                        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                        "request_id": info.request_id,
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "bytes": sent,
                        "request_bytes": received,
                    },
                    separators=(",", ":"),
                )
            )


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
