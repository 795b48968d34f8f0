"""The FastAPI application: built from one :class:`Settings`, over one store.

:func:`create_app` builds the app and nothing else; the lifespan opens the store (unless the
caller gave one), loads the bundled graph when ``settings.load_bundled`` asks for it, starts
the query runner, and at shutdown closes what it opened. OpenAPI stays at ``/openapi.json``;
the interactive docs pages are off because they load their scripts from a CDN.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import Receive, Scope, Send

from treatygraph._version import __version__
from treatygraph.config import Settings
from treatygraph.metrics import Metrics
from treatygraph.query_runner import QueryRunner
from treatygraph.store import open_store
from treatygraph.store.base import Store
from treatygraph.void import VoidCache
from treatygraph.web import problems
from treatygraph.web.observe import REQUEST_ID_HEADER, Edge, Observe
from treatygraph.web.query_lane import QueryLane
from treatygraph.web.routers import (
    admin,
    api,
    articles,
    docs,
    explore,
    graph_store,
    health,
    home,
    labels,
    metrics,
    resources,
    schema,
    sparql,
    validate,
)
from treatygraph.web.streaming import MAX_RESULTS_HEADER, TRUNCATED_HEADER
from treatygraph.writes import Writer

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

logger = logging.getLogger("treatygraph.web")


class TreatygraphApp(FastAPI):
    """FastAPI with the query lane in front of its middleware stack (see
    :mod:`treatygraph.web.query_lane`)."""

    query_lane: QueryLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.query_lane
        if lane is not None and lane.takes(scope):
            await lane(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def through_stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The request through the middlewares and the router, whatever the lane takes."""
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, store: Store | None = None) -> TreatygraphApp:
    """The service for ``settings``; over ``store`` when given (the caller then closes it)."""
    app = TreatygraphApp(
        title="treatygraph",
        version=__version__,
        summary=(
            "A knowledge graph of defense agreements between states, over SPARQL 1.1 and as "
            "linked data."
        ),
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.given_store = store
    app.state.templates = Jinja2Templates(directory=TEMPLATES)
    app.state.void_cache = VoidCache()
    app.state.metrics = Metrics()
    app.state.ready = False
    problems.install(app)
    cors = _cors_options(settings)
    app.add_middleware(CORSMiddleware, **cors)
    # Outermost: request ids, the body limit, metrics and the access log see every answer.
    edge = Edge(settings, app.state.metrics)
    app.add_middleware(Observe, edge=edge)
    # Queries skip the stack above; the lane does for them what it does (web/query_lane.py).
    app.query_lane = QueryLane(
        app,
        app.through_stack,
        "/sparql",
        sparql.fast_query,
        edge,
        CORSMiddleware(app.through_stack, **cors),
    )
    app.include_router(sparql.router)
    app.include_router(health.router)
    app.include_router(resources.router)
    app.include_router(api.router)
    app.include_router(articles.router)
    app.include_router(schema.router)
    app.include_router(docs.router)
    app.include_router(home.router)
    app.include_router(explore.router)
    app.include_router(labels.router)
    app.include_router(graph_store.router)
    app.include_router(validate.router)
    app.include_router(admin.router)
    app.include_router(metrics.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _cors_options(settings: Settings) -> dict[str, Any]:
    return {
        "allow_origins": list(settings.cors_origins),
        # POST carries queries. Writes need an Authorization header, which is not allowed
        # cross-origin: they come from scripts and same-origin pages.
        "allow_methods": ["GET", "HEAD", "POST"],
        "allow_headers": ["Accept", "Content-Type"],
        "expose_headers": [
            TRUNCATED_HEADER,
            MAX_RESULTS_HEADER,
            "Retry-After",
            "Link",
            REQUEST_ID_HEADER,
        ],
    }


def app_from_env() -> FastAPI:
    """The app of one uvicorn worker process (``serve --workers N``): the settings come from
    the ``TREATYGRAPH_*`` variables the parent process set from its own settings."""
    return create_app(Settings())


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, built once, with one operation id per method.

    FastAPI gives a route one operation id whatever its methods, and warns about the
    duplicate; ``/sparql`` is one route for GET and POST on purpose (a 405 then names both),
    so each of its operations gets its method appended instead.
    """
    if app.openapi_schema is None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
        seen: set[str] = set()
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                if operation.get("operationId") in seen:
                    operation["operationId"] += "_" + method
                seen.add(operation.get("operationId", ""))
        app.openapi_schema = schema
    return app.openapi_schema


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    given: Store | None = app.state.given_store
    store = given if given is not None else open_store(settings)
    runner: QueryRunner | None = None
    try:
        if settings.load_bundled:
            await anyio.to_thread.run_sync(_load_bundled, store, settings)
        runner = QueryRunner(store, settings)
        app.state.store = store
        app.state.runner = runner
        app.state.writer = Writer(store, settings)
        app.state.ready = True
        yield
    finally:
        app.state.ready = False
        if runner is not None:
            runner.close()
        if given is None:
            store.close()


def _load_bundled(store: Store, settings: Settings) -> None:
    """Load the bundled graph (skipped when the store already holds this version of it).

    Imported here, not at module level: the loader pulls in pySHACL, which is slow to import
    and not needed by an app that serves an existing store.
    """
    from treatygraph.loader import load_bundled

    report = load_bundled(store, settings)
    if report.skipped:
        logger.info("bundled graph already loaded (content hash %s)", report.content_hash[:12])
    else:
        logger.info(
            "bundled graph loaded: %d triples, %d inferred", report.triples, report.inferred
        )
