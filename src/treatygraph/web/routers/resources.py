"""``/id/{kind}/{slug}``: dereferenceable IRIs, by content negotiation; ``/id/``, the index
of agreements by state; ``/context.jsonld``, the published JSON-LD context.

Path checks, negotiation and headers only: descriptions come from
:mod:`treatygraph.resources`, pages from :mod:`treatygraph.web.views`, all store work of a
request in one worker-thread call.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from treatygraph.jsonld_docs import context_bytes
from treatygraph.listings import agreements_by_state
from treatygraph.rdfformats import HTML, JSONLD, RESOURCE_FORMATS, choose_strict
from treatygraph.resources import describe, parse_resource_path, render
from treatygraph.store.base import Deadline
from treatygraph.web.deps import SettingsDep, StoreDep, TemplatesDep
from treatygraph.web.linked import conditional, representation_headers
from treatygraph.web.views import PageBuilder

router = APIRouter(tags=["linked data"])

_RDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The resource: JSON-LD (default), Turtle, N-Triples, RDF/XML or HTML.",
        "content": {fmt.media_type: {} for fmt in RESOURCE_FORMATS},
    },
    400: {"description": "Unknown kind, malformed slug, or unknown suffix or format."},
    404: {"description": "Nothing is known about this resource."},
    406: {"description": "None of the representations is acceptable."},
}


@router.head("/id/{kind}/{slug}", include_in_schema=False)
@router.get(
    "/id/{kind}/{slug}",
    summary="Dereference a resource",
    response_class=Response,
    responses=_RDF_RESPONSES,
)
async def resource(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    kind: Annotated[str, Path(description="agreement, state, event, article, person…")],
    slug: Annotated[
        str, Path(description="The slug, optionally with a suffix: .jsonld .ttl .nt .rdf .html")
    ],
    format: Annotated[
        str | None, Query(description="jsonld, turtle, ntriples, rdfxml or html; wins over Accept")
    ] = None,
) -> Response:
    """The description of ``{base_iri}id/{kind}/{slug}``: its own triples, labels of what it
    links to, the events that concern it with their evidence, and its derived status."""
    ref = parse_resource_path(kind, slug, settings)
    fmt = choose_strict(RESOURCE_FORMATS, request.headers.get("accept"), format, ref.suffix_format)
    headers = representation_headers(ref.path, fmt, RESOURCE_FORMATS)
    deadline = Deadline(settings.query_timeout)

    def work() -> bytes | dict[str, Any]:
        description = describe(store, ref.iri, deadline)
        if fmt is not HTML:
            return render(description, fmt, settings)
        builder = PageBuilder(settings)
        return {
            "page": builder.build(description, ref.path),
            "article_quotes": builder.article_quotes(description) if kind == "article" else [],
        }

    result = await run_in_threadpool(work)
    if isinstance(result, bytes):
        return conditional(request, Response(result, media_type=fmt.content_type, headers=headers))
    alternates = [
        (f.name, ref.path + f.suffix, f.media_type) for f in RESOURCE_FORMATS if f is not HTML
    ]
    context = {**result, "alternates": alternates, "kind": kind}
    page = templates.TemplateResponse(request, "resource.html", context, headers=headers)
    return conditional(request, page)


@router.get(
    "/id/",
    summary="Agreements by state (HTML)",
    response_class=Response,
    responses={200: {"description": "An HTML page.", "content": {"text/html": {}}}},
)
async def index(
    request: Request, store: StoreDep, settings: SettingsDep, templates: TemplatesDep
) -> Response:
    """Every agreement, grouped by state (an HTML page; apps use ``/api/agreements``)."""
    deadline = Deadline(settings.query_timeout)
    groups = await run_in_threadpool(agreements_by_state, store, deadline)
    builder = PageBuilder(settings)
    headers = {"Link": f'</api/agreements>; rel="alternate"; type="{JSONLD.media_type}"'}
    page = {"groups": groups, "href": builder.href, "term_label": builder.term_label}
    return templates.TemplateResponse(request, "index.html", page, headers=headers)


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context",
    response_class=Response,
    responses={200: {"content": {JSONLD.media_type: {}}, "description": "The JSON-LD context."}},
)
async def context(request: Request) -> Response:
    """The published JSON-LD context, which every JSON-LD document names by its public IRI
    (``{base_iri}context.jsonld``)."""
    response = Response(
        context_bytes(),
        media_type=JSONLD.media_type,
        headers={"Cache-Control": "public, max-age=3600"},
    )
    return conditional(request, response)
