"""Every error response of the service, as ``application/problem+json`` (RFC 9457).

This is the only module that turns exceptions into HTTP: the :class:`TreatygraphError` tree
(see ``errors.py``), FastAPI's own 404/405/422 and anything unexpected. Every body has
``type``, ``title``, ``status``, ``detail`` and the ``request_id`` of the request (also in
the ``X-Request-ID`` header and the access log, :mod:`treatygraph.web.observe`); some add
members a client can act on (``line``/``column`` of a syntax error, ``offered`` media types of
a 406, ``violations`` of a 422, whose SHACL report comes as Turtle to a client that asks for
``text/turtle``). A 500 is logged with its request id and its detail says nothing about the
internals. A browser that asks for a page (``Accept`` prefers ``text/html``) on a ``GET``
gets the same problem as an HTML page instead, with the same status and headers.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from treatygraph.errors import (
    BadInput,
    InvalidRDF,
    NotFound,
    Overloaded,
    QuerySyntaxError,
    QueryTimeout,
    ShapeViolation,
    StoreError,
    TreatygraphError,
    Unauthorized,
    UpdateTimeout,
    WritesBusy,
)
from treatygraph.namespaces import DEFAULT_BASE_IRI
from treatygraph.rdfformats import NotAcceptable, negotiate
from treatygraph.web import observe

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = DEFAULT_BASE_IRI + "problems/"
"""Base of our problem type IRIs; HTTP-level problems use ``about:blank`` (RFC 9457 §4.2.1)."""

logger = logging.getLogger("treatygraph.web")
_REPORT_TYPES = [PROBLEM_JSON, "application/json", "text/turtle"]
"""A 422 is problem+json, or the SHACL report itself for a client that asks for Turtle."""
_PAGE_TYPES = [PROBLEM_JSON, "application/json", "text/html"]
"""Problem+json first: a client that accepts anything alike gets JSON."""


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **members: Any,
) -> JSONResponse:
    """A problem+json response; ``kind`` names the problem type under :data:`PROBLEM_TYPES`."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES + kind if kind else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    info = observe.current()
    if info is not None:
        body["request_id"] = info.request_id
        info.problem = kind
    body.update({key: value for key, value in members.items() if value is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def error_response(exc: TreatygraphError, request: Request) -> Response:
    """The response for one of our errors; unknown subclasses are 500s."""
    detail = str(exc)
    if isinstance(exc, QuerySyntaxError):
        return problem(
            400,
            detail,
            kind="query-syntax",
            title="Malformed query",
            line=exc.line,
            column=exc.column,
        )
    if isinstance(exc, InvalidRDF):
        return problem(400, detail, kind="invalid-rdf", title="Malformed RDF", line=exc.line)
    if isinstance(exc, BadInput):
        return problem(400, detail, kind="bad-request", title="Bad request")
    if isinstance(exc, NotAcceptable):
        return problem(406, detail, kind="not-acceptable", offered=list(exc.offered))
    if isinstance(exc, ShapeViolation):
        if negotiate(request.headers.get("accept"), _REPORT_TYPES) == "text/turtle":
            problem(422, detail, kind="shape-violation")  # recorded, not sent
            report = exc.report.graph.serialize(format="turtle", encoding="utf-8")
            return Response(report, status_code=422, media_type="text/turtle; charset=utf-8")
        violations = exc.report.as_dict()["violations"]
        return problem(422, detail, kind="shape-violation", violations=violations)
    if isinstance(exc, NotFound):
        return problem(404, detail, kind="not-found")
    if isinstance(exc, Unauthorized):
        if exc.forbidden:
            return problem(403, detail, kind="forbidden")
        bearer = {"WWW-Authenticate": 'Bearer realm="treatygraph"'}
        return problem(401, detail, kind="unauthorized", headers=bearer)
    if isinstance(exc, UpdateTimeout):
        return problem(503, detail, kind="update-timeout", title="Write timeout")
    if isinstance(exc, QueryTimeout):
        return problem(503, detail, kind="query-timeout", title="Query timeout")
    if isinstance(exc, Overloaded):
        retry = {"Retry-After": str(exc.retry_after)}
        title = "Too many writes" if isinstance(exc, WritesBusy) else "Too many queries"
        return problem(503, detail, kind="overloaded", title=title, headers=retry)
    if isinstance(exc, StoreError):
        remote = bool(getattr(request.app.state.settings, "is_remote", False))
        return problem(502 if remote else 503, detail, kind="store-error", title="Store error")
    return internal_error(exc, request)


def internal_error(exc: BaseException, request: Request | None) -> JSONResponse:
    """A 500 that is logged with a request id and tells the client only that id."""
    info = observe.current()
    request_id = info.request_id if info is not None else uuid.uuid4().hex
    where = f"{request.method} {request.url.path}" if request is not None else "request"
    logger.error("unexpected error in %s, request id %s", where, request_id, exc_info=exc)
    generated = re.fullmatch(r"[0-9a-f]{32}", request_id) is not None
    return problem(
        500,
        f"An unexpected error happened; it was logged with request id {request_id}. "
        "Please report it with that id.",
        kind="internal",
        request_id=request_id,
        instance=f"urn:uuid:{uuid.UUID(request_id)}" if generated else None,
    )


def for_client(request: Request, response: Response) -> Response:
    """``response``, or, when it is a problem and the client is a browser asking for a page
    (``GET`` or ``HEAD``, ``text/html`` preferred to JSON), the same problem as HTML."""
    if request.method not in ("GET", "HEAD") or response.media_type != PROBLEM_JSON:
        return response
    if negotiate(request.headers.get("accept"), _PAGE_TYPES) != "text/html":
        return response
    templates = getattr(request.app.state, "templates", None)
    if templates is None:
        return response
    kept = {
        name: value
        for name, value in response.headers.items()
        if name not in ("content-length", "content-type", "vary")
    }
    page: Response = templates.TemplateResponse(
        request,
        "problem.html",
        {"problem": json.loads(bytes(response.body))},
        status_code=response.status_code,
        headers={**kept, "Vary": "Accept"},
    )
    return page


async def _treatygraph_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, TreatygraphError):  # registered for this class only
        raise exc
    return for_client(request, error_response(exc, request))


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # registered for this class only
        raise exc
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    if detail is None and exc.status_code == 404:
        detail = f"Nothing is served at {request.url.path}."
    if detail is None and exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    kind = "too-large" if exc.status_code == 413 else None  # as the edge's own 413
    return for_client(
        request, problem(exc.status_code, detail or phrase, kind=kind, headers=exc.headers)
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):  # registered for this class only
        raise exc
    errors = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()))
        errors.append({"where": where, "message": str(error.get("msg", ""))})
    summary = "; ".join(f"{e['where']}: {e['message']}" for e in errors)
    return for_client(
        request,
        problem(422, f"The request is invalid: {summary}", kind="invalid-request", errors=errors),
    )


class _CatchAll:
    """Turns an exception that escaped every handler into a logged 500 problem.

    Sits inside Starlette's ServerErrorMiddleware, which would answer plain text and re-raise.
    When the response has already started nothing can be sent any more: re-raise, and the
    server closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            request = Request(scope)
            await for_client(request, internal_error(exc, request))(scope, receive, send)


def install(app: FastAPI) -> None:
    """Register the problem handlers on ``app`` (before CORS, so CORS wraps them)."""
    app.add_exception_handler(TreatygraphError, _treatygraph_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(_CatchAll)
