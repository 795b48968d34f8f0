"""Request dependencies, read from ``app.state`` where :func:`create_app` put them.

The ``*Dep`` aliases depend on the ``*_dependency`` coroutines (override those with
``app.dependency_overrides``); the ``get_*`` functions serve code that has a request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from treatygraph.auth import check_write_token
from treatygraph.config import Settings
from treatygraph.metrics import Metrics
from treatygraph.query_runner import QueryRunner
from treatygraph.store.base import Store
from treatygraph.void import VoidCache
from treatygraph.web import observe
from treatygraph.writes import Writer


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_runner(request: Request) -> QueryRunner:
    runner: QueryRunner = request.app.state.runner
    return runner


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def get_void_cache(request: Request) -> VoidCache:
    cache: VoidCache = request.app.state.void_cache
    return cache


# FastAPI runs a plain ``def`` dependency in its thread pool: a thread hop per dependency
# and request, which cost more than a point lookup. These coroutines run inline.


async def settings_dependency(request: Request) -> Settings:
    return get_settings(request)


async def store_dependency(request: Request) -> Store:
    return get_store(request)


async def runner_dependency(request: Request) -> QueryRunner:
    return get_runner(request)


async def templates_dependency(request: Request) -> Jinja2Templates:
    return get_templates(request)


async def void_cache_dependency(request: Request) -> VoidCache:
    return get_void_cache(request)


SettingsDep = Annotated[Settings, Depends(settings_dependency)]
StoreDep = Annotated[Store, Depends(store_dependency)]
RunnerDep = Annotated[QueryRunner, Depends(runner_dependency)]
TemplatesDep = Annotated[Jinja2Templates, Depends(templates_dependency)]
VoidCacheDep = Annotated[VoidCache, Depends(void_cache_dependency)]


def get_writer(request: Request) -> Writer:
    writer: Writer = request.app.state.writer
    return writer


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


async def writer_dependency(request: Request) -> Writer:
    return get_writer(request)


async def metrics_dependency(request: Request) -> Metrics:
    return get_metrics(request)


async def write_access(request: Request) -> None:
    """Let a write through only with ``Authorization: Bearer <write token>`` (401/403
    otherwise; see :func:`treatygraph.auth.check_write_token`), before its body is read."""
    observe.mark("write")
    check_write_token(get_settings(request), request.headers.get("authorization"))


WriterDep = Annotated[Writer, Depends(writer_dependency)]
MetricsDep = Annotated[Metrics, Depends(metrics_dependency)]
WriteAccess = Annotated[None, Depends(write_access)]
"""Put on every write route: the one token check of the service."""
