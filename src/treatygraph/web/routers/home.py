"""``/``: the home page, what the graph holds and where to go from there; ``/search``: labels
of agreements, states, persons, organizations and programs. Both HTML, rendered on the
server (no script); the store work of a request runs in one worker-thread call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool

from treatygraph.overview import overview
from treatygraph.search import MAX_TEXT, search
from treatygraph.store.base import Deadline
from treatygraph.web.deps import SettingsDep, StoreDep, TemplatesDep
from treatygraph.web.views import PageBuilder, human_date

router = APIRouter(tags=["pages"])

_HTML: dict[int | str, dict[str, Any]] = {
    200: {"description": "An HTML page.", "content": {"text/html": {}}}
}


@router.get("/", summary="Home page (HTML)", response_class=Response, responses=_HTML)
async def home(
    request: Request, store: StoreDep, settings: SettingsDep, templates: TemplatesDep
) -> Response:
    """What the graph holds (counts by kind, agreements by type), the newest events with
    their sources, a search box, and links to the editor, the pictures and the API."""
    found = await run_in_threadpool(overview, store, Deadline(settings.query_timeout))
    builder = PageBuilder(settings)
    page = {"overview": found, "href": builder.href, "human_date": _human_date}
    return templates.TemplateResponse(request, "home.html", page)


def _human_date(lexical: str, datatype: str | None) -> str:
    return human_date(lexical, URIRef(datatype) if datatype else None)


@router.get("/search", summary="Search by label (HTML)", response_class=Response, responses=_HTML)
async def search_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    q: Annotated[
        str, Query(description=f"Text in a label or alternative label (≤ {MAX_TEXT} chars).")
    ] = "",
) -> Response:
    """Agreements, states, persons, organizations and programs whose label contains ``q``."""
    result = await run_in_threadpool(search, store, q, Deadline(settings.query_timeout))
    builder = PageBuilder(settings)
    page = {"result": result, "href": builder.href}
    return templates.TemplateResponse(request, "search.html", page)
