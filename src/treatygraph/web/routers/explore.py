"""``/explore/network`` and ``/explore/timeline``: the pictures of the graph, as HTML pages
(the SVG inline, with a filter form that works without script) and as SVG documents for
reports (``.svg``). Parameters are checked in :mod:`treatygraph.pictures`; the store work of a
request runs in one worker-thread call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from treatygraph.config import Settings
from treatygraph.pictures import (
    CATEGORIES,
    NetworkFilter,
    PictureData,
    TimelineFilter,
    load_picture_data,
    network_svg,
    timeline_svg,
)
from treatygraph.pictures.svg import XML_DECLARATION
from treatygraph.store.base import Deadline, Store
from treatygraph.web.deps import SettingsDep, StoreDep, TemplatesDep

router = APIRouter(prefix="/explore", tags=["pictures"])

SVG_MEDIA_TYPE = "image/svg+xml"
_SVG: dict[int | str, dict[str, Any]] = {
    200: {"description": "An SVG image.", "content": {SVG_MEDIA_TYPE: {}}}
}
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"description": "An HTML page.", "content": {"text/html": {}}}
}
_KEYS = ", ".join(c.key for c in CATEGORIES)

Types = Annotated[
    list[str], Query(alias="type", description=f"Agreement types to show: {_KEYS} (repeatable).")
]
AsOf = Annotated[str | None, Query(description="Statuses on this date (YYYY-MM-DD).")]
Focus = Annotated[str | None, Query(description="Bring forward state/<code> or agreement/<slug>.")]
State = Annotated[str | None, Query(description="Only agreements of this state (ISO code).")]
AgreementSlug = Annotated[str | None, Query(description="Only this agreement (its slug).")]


async def _data(store: Store, settings: Settings, marks: bool) -> PictureData:
    deadline = Deadline(settings.query_timeout)
    return await run_in_threadpool(load_picture_data, store, deadline, marks)


def _svg_response(body: str) -> Response:
    return Response(XML_DECLARATION + body, media_type=SVG_MEDIA_TYPE)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/network.svg", summary="The network (SVG)", response_class=Response, responses=_SVG)
async def network_image(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    types: Types = [],  # noqa: B006 (FastAPI copies defaults)
    as_of: AsOf = None,
    focus: Focus = None,
) -> Response:
    """States and the agreements between them, coloured by type and drawn by status, with a
    legend; links are absolute, so the file works in a report."""
    view = NetworkFilter.parse(types, as_of, focus, settings.base_iri)
    data = await _data(store, settings, marks=False)
    return _svg_response(network_svg(data, view, link_base=_base(request)))


@router.get("/network", summary="The network (HTML)", response_class=Response, responses=_HTML)
async def network_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    types: Types = [],  # noqa: B006
    as_of: AsOf = None,
    focus: Focus = None,
) -> Response:
    """The network picture with its filters (type, as-of date, focus)."""
    view = NetworkFilter.parse(types, as_of, focus, settings.base_iri)
    data = await _data(store, settings, marks=False)
    page: dict[str, Any] = {
        "picture": Markup(network_svg(data, view)),  # noqa: S704 (escaped by pictures.svg)
        "categories": CATEGORIES,
        "chosen": view.categories,
        "as_of": view.as_of.isoformat() if view.as_of else "",
        "focus": focus or "",
        "focus_label": _focus_label(data, view.focus),
        "svg_url": str(request.url.replace(path="/explore/network.svg")),
    }
    return templates.TemplateResponse(request, "network.html", page)


@router.get("/timeline.svg", summary="The timeline (SVG)", response_class=Response, responses=_SVG)
async def timeline_image(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    state: State = None,
    agreement: AgreementSlug = None,
) -> Response:
    """Lifecycle events per agreement on a time axis, with status periods and a legend."""
    view = TimelineFilter.parse(state, agreement, settings.base_iri)
    data = await _data(store, settings, marks=True)
    return _svg_response(timeline_svg(data, view, link_base=_base(request)))


@router.get("/timeline", summary="The timeline (HTML)", response_class=Response, responses=_HTML)
async def timeline_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    state: State = None,
    agreement: AgreementSlug = None,
) -> Response:
    """The timeline picture, filterable by state or agreement."""
    view = TimelineFilter.parse(state, agreement, settings.base_iri)
    data = await _data(store, settings, marks=True)
    page: dict[str, Any] = {
        "picture": Markup(timeline_svg(data, view)),  # noqa: S704 (escaped by pictures.svg)
        "states": list(data.states.values()),
        "agreements": data.agreements,
        "state": (state or "").lower(),
        "agreement": (agreement or "").lower(),
        "svg_url": str(request.url.replace(path="/explore/timeline.svg")),
    }
    return templates.TemplateResponse(request, "timeline.html", page)


def _focus_label(data: PictureData, focus: str | None) -> str:
    if focus is None:
        return ""
    if focus in data.states:
        return data.states[focus].label
    found = next((a for a in data.agreements if a.iri == focus), None)
    return found.label if found else ""
