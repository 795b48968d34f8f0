"""Request dependencies, read from ``app.state`` where :func:`create_app` put them.

Tests override them with ``app.dependency_overrides`` like any FastAPI dependency.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from treatygraph.config import Settings
from treatygraph.query_runner import QueryRunner
from treatygraph.store.base import Store
from treatygraph.void import VoidCache


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


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
RunnerDep = Annotated[QueryRunner, Depends(get_runner)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
VoidCacheDep = Annotated[VoidCache, Depends(get_void_cache)]
