"""SPARQL queries answered in one layer, in front of the application's middleware stack.

A point lookup costs the engine some tens of microseconds. Through the full stack it cost
the server several times that before the query even started: Starlette's server-error,
FastAPI's telemetry and body-limit layers, the edge (:class:`.observe.Observe`), CORS and the
problem reports each wrap ``send`` and ``receive``, then routing and FastAPI's per-request
solving of the declared parameters. :class:`QueryLane` takes the requests that are queries
(``POST /sparql``, and ``GET /sparql`` with ``query=``) before all that and does for them,
in one layer, what the stack does:

* the edge: request id, body limit, metrics and the access log line
  (:class:`.observe.Edge`, the same object the stack's :class:`.observe.Observe` uses);
* CORS headers, written by the application's own ``CORSMiddleware`` settings;
* the route's protocol handler (:func:`treatygraph.web.routers.sparql.fast_query`);
* errors through the application's exception handlers, and a logged 500 problem for
  anything they do not handle, as :mod:`treatygraph.web.problems` would.

So the answers are the same whichever way a request goes; ``tests/web/test_query_lane.py``
holds the two side by side. Every other request, and a query the handler declines (it
answers None before reading anything), goes through the stack.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from treatygraph.web.observe import Edge, Exchange
from treatygraph.web.problems import for_client, internal_error

Handler = Callable[[Request], Awaitable[Response | None]]

_QUERY_KEY = re.compile(rb"(?:^|&)query=")
"""A GET that names ``query``: the handler answers it (a rare spelling such as ``%71uery``
goes through the stack, which reads it right too)."""


class QueryLane:
    """Answers the queries sent to ``path`` of ``app`` with ``handler``; see the module
    docstring. :meth:`takes` says which requests it answers."""

    def __init__(
        self,
        app: FastAPI,
        stack: ASGIApp,
        path: str,
        handler: Handler,
        edge: Edge,
        cors: CORSMiddleware,
    ) -> None:
        self.app = app
        self.stack = stack
        self.path = path
        self.handler = handler
        self.edge = edge
        self.cors = cors

    def takes(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            return False
        if scope["path"][len(scope.get("root_path", "")) :] != self.path:
            return False
        return scope["method"] == "POST" or _QUERY_KEY.search(scope["query_string"]) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self.app
        exchange = Exchange(scope)
        observed = exchange.sender(send)
        # As the stack's CORSMiddleware would (it sees every request, with or without Origin).
        headers = Headers(scope=scope)
        answer = functools.partial(self.cors.send, send=observed, request_headers=headers)
        request = Request(scope, exchange.receiver(receive, self.edge.limit), answer)
        declined = False
        try:
            refusal = self.edge.too_large(exchange)
            if refusal is not None:  # as the stack's edge answers it: outside CORS
                await refusal(scope, receive, observed)
                return
            try:
                response = await self.handler(request)
            except Exception as exc:
                response = await _handled(request, exc)
            if response is None:  # declined before reading anything: the stack answers
                declined = True
            else:
                await response(scope, receive, answer)
        except Exception as exc:
            if exchange.responded:  # nothing can be sent any more: the server drops it
                raise
            await for_client(request, internal_error(exc, request))(scope, receive, answer)
        finally:
            if not declined:
                self.edge.record(scope, exchange)
            exchange.close()
        if declined:
            await self.stack(scope, receive, send)


async def _handled(request: Request, exc: Exception) -> Response:
    """The application's answer to ``exc`` (as Starlette looks handlers up), or ``exc``
    raised again when it has no handler for it."""
    handlers = request.app.exception_handlers
    handler = None
    if isinstance(exc, HTTPException):
        handler = handlers.get(exc.status_code)
    for cls in type(exc).__mro__:
        if handler is not None:
            break
        handler = handlers.get(cls)
    if handler is None:
        raise exc
    response = handler(request, exc)
    if inspect.isawaitable(response):
        response = await response
    return response  # type: ignore[no-any-return]
