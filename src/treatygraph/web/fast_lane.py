"""A fast lane for SPARQL queries: past the routing and FastAPI's per-request solving.

For a query sent to ``/sparql``, FastAPI's per-request work (the exception, exit-stack and
body-limit middlewares, route matching, solving dependencies, reading and validating every
declared parameter) found nothing to do and cost about as much as everything else the server
does for a point lookup. :class:`FastLane` sits inside the application's own middlewares
(problem reports, CORS, whatever else wraps the app) and hands such requests to the
endpoint's protocol handler directly; the handler answers None for a request it leaves to the
route (a GET without ``query=``). Errors it raises go to the application's exception handlers,
as they would from the route, so the answers are the same either way.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Handler = Callable[[Request], Awaitable[Response | None]]


class FastLane:
    """ASGI middleware: GET and POST requests to ``path`` go to ``handler`` first."""

    def __init__(self, app: ASGIApp, path: str, handler: Handler) -> None:
        self.app = app
        self.path = path
        self.handler = handler
        self._found: object | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "POST")
            or scope["path"][len(scope.get("root_path", "")) :] != self.path
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        # As the router would: middlewares that label requests by route (metrics) read it.
        scope.setdefault("route", self._route(scope))
        try:
            response = await self.handler(request)
        except Exception as exc:
            response = await _handled(request, exc)
        if response is None:  # only before the body was read: the route answers
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    def _route(self, scope: Scope) -> object:
        if self._found is None:
            routes = getattr(scope["app"], "routes", [])
            self._found = next((r for r in routes if getattr(r, "path", None) == self.path), None)
        return self._found


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
