"""``/api/agreements``, ``/api/states``, ``/api/events``, ``/api/articles``: lists for apps,
as JSON-LD ``Collection`` documents with the published context.

Parameters are parsed here and checked in :mod:`treatygraph.listings` (a bad date, slug,
class or status is a 400 problem); all store work of a request runs in one worker thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from treatygraph.config import Settings
from treatygraph.jsonld_docs import dumps
from treatygraph.listings import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Listing,
    Page,
    collection_document,
    list_agreements,
    list_articles,
    list_events,
    list_states,
    page_links,
)
from treatygraph.rdfformats import JSONLD
from treatygraph.store.base import Deadline, Store
from treatygraph.web.deps import SettingsDep, StoreDep
from treatygraph.web.linked import conditional, page_link_header
from treatygraph.web.schemas import (
    AgreementCollection,
    ArticleCollection,
    EventCollection,
    StateCollection,
)

router = APIRouter(prefix="/api", tags=["collections"])


Limit = Annotated[int, Query(description=f"Items per page, 1 to {MAX_LIMIT}.")]
Offset = Annotated[int, Query(description="Items to skip.")]
Text = Annotated[str | None, Query(description="Case-insensitive text in the labels.")]
DateFrom = Annotated[
    str | None, Query(alias="from", description="On or after this date (YYYY-MM-DD).")
]
DateTo = Annotated[
    str | None, Query(alias="to", description="On or before this date (YYYY-MM-DD).")
]
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A parameter is malformed: a date, a slug, a class or status name."}
}


def _responses(description: str) -> dict[int | str, dict[str, Any]]:
    # The JSON schema of the body is the response model's; the media type is JSON-LD.
    return {200: {"description": description, "content": {JSONLD.media_type: {}}}, **_ERRORS}


async def _respond(
    request: Request,
    store: Store,
    settings: Settings,
    page: Page,
    run: Callable[..., Listing],
    **filters: str | None,
) -> Response:
    """``run(store, settings, page, **filters)`` in the thread pool, within the time limit,
    as a page of the collection with its links."""
    deadline = Deadline(settings.query_timeout)
    listing = await run_in_threadpool(
        functools.partial(run, store, settings, page, deadline=deadline, **filters)
    )
    url = str(request.url)
    document = collection_document(listing, page, url, settings)
    headers = {"Link": page_link_header(page_links(listing, page, url)), "Vary": "Accept"}
    return conditional(
        request, Response(dumps(document), media_type=JSONLD.media_type, headers=headers)
    )


@router.get(
    "/agreements",
    summary="List agreements",
    response_model=AgreementCollection,
    responses=_responses("A page of agreements."),
)
async def agreements(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    party: Annotated[
        str | None, Query(description="A party: the state's ISO code (jp) or Wikidata QID (Q17).")
    ] = None,
    type: Annotated[
        str | None,
        Query(
            description="A class name, subclasses included (AcquisitionCrossServicingAgreement)."
        ),
    ] = None,
    status: Annotated[
        str | None,
        Query(
            description="Proposed, UnderNegotiation, Signed, InForce or Terminated; "
            "the status on as_of when it is given, else the current one."
        ),
    ] = None,
    as_of: Annotated[
        str | None, Query(description="A date (YYYY-MM-DD): status as of that day.")
    ] = None,
    q: Text = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Response:
    """Agreements by label, filtered; with ``as_of``, each item's ``statusPeriods`` holds the
    period that covers the date, and agreements with nothing reported by then are left out."""
    return await _respond(
        request,
        store,
        settings,
        Page(limit, offset),
        list_agreements,
        party=party,
        type=type,
        status=status,
        as_of=as_of,
        q=q,
    )


@router.get(
    "/states",
    summary="List states",
    response_model=StateCollection,
    responses=_responses("A page of states."),
)
async def states(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: Text = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Response:
    """States by label, with their ISO code and Wikidata entity."""
    return await _respond(request, store, settings, Page(limit, offset), list_states, q=q)


@router.get(
    "/events",
    summary="List events",
    response_model=EventCollection,
    responses=_responses("A page of events and status observations."),
)
async def events(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    agreement: Annotated[
        str | None, Query(description="Only events concerning this agreement (its slug).")
    ] = None,
    type: Annotated[
        str | None, Query(description="An event class name (Signing, Meeting…).")
    ] = None,
    q: Text = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Response:
    """Events and status observations in date order. A month or a year matches a range it
    overlaps."""
    return await _respond(
        request,
        store,
        settings,
        Page(limit, offset),
        list_events,
        date_from=date_from,
        date_to=date_to,
        agreement=agreement,
        type=type,
        q=q,
    )


@router.get(
    "/articles",
    summary="List articles",
    response_model=ArticleCollection,
    responses=_responses("A page of articles."),
)
async def articles(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    q: Annotated[
        str | None, Query(description="Case-insensitive text in label or headline.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Response:
    """Source articles, oldest first."""
    return await _respond(
        request,
        store,
        settings,
        Page(limit, offset),
        list_articles,
        date_from=date_from,
        date_to=date_to,
        q=q,
    )
