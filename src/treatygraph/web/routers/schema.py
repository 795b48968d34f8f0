"""``/ontology`` and ``/shapes`` (Turtle, JSON-LD, N-Triples, RDF/XML or an HTML listing),
and the dataset's VoID description at ``/void`` and ``/.well-known/void``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from treatygraph.rdfformats import (
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    SCHEMA_FORMATS,
    TURTLE,
    choose_strict,
)
from treatygraph.schema_docs import (
    SchemaName,
    ontology_view,
    render_graph,
    render_schema,
    shapes_view,
)
from treatygraph.store.base import Deadline
from treatygraph.void import Counts, void_graph
from treatygraph.web.deps import (
    SettingsDep,
    StoreDep,
    TemplatesDep,
    VoidCacheDep,
    WriterDep,
)
from treatygraph.web.linked import conditional, representation_headers

router = APIRouter(tags=["schema"])

VOID_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML, HTML)
Format = Annotated[
    str | None, Query(description="turtle, jsonld, ntriples, rdfxml or html; wins over Accept")
]


def _responses(formats: tuple[Any, ...], what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": what, "content": {f.media_type: {} for f in formats}}}


async def _schema(
    name: SchemaName,
    request: Request,
    settings: SettingsDep,
    templates: TemplatesDep,
    fmt_name: str | None,
) -> Response:
    fmt = choose_strict(SCHEMA_FORMATS, request.headers.get("accept"), fmt_name)
    headers = representation_headers(f"/{name}", fmt, SCHEMA_FORMATS, suffixes=False)
    if fmt is HTML:
        page = {"ontology": ontology_view()} if name == "ontology" else {"shapes": shapes_view()}
        html = templates.TemplateResponse(request, f"{name}.html", page, headers=headers)
        return conditional(request, html)
    body = await run_in_threadpool(render_schema, name, fmt, settings)
    return conditional(request, Response(body, media_type=fmt.content_type, headers=headers))


@router.get(
    "/ontology",
    summary="The ontology",
    response_class=Response,
    responses=_responses(SCHEMA_FORMATS, "The ontology."),
)
async def ontology(
    request: Request, settings: SettingsDep, templates: TemplatesDep, format: Format = None
) -> Response:
    """The treatygraph ontology; as HTML, every class and property with its comment, nested
    by rdfs:subClassOf and rdfs:subPropertyOf, and the status concept scheme."""
    return await _schema("ontology", request, settings, templates, format)


@router.get(
    "/shapes",
    summary="The SHACL shapes",
    response_class=Response,
    responses=_responses(SCHEMA_FORMATS, "The shapes."),
)
async def shapes(
    request: Request, settings: SettingsDep, templates: TemplatesDep, format: Format = None
) -> Response:
    """The SHACL shapes; as HTML, each shape with its targets, constraints and messages."""
    return await _schema("shapes", request, settings, templates, format)


@router.get(
    "/void",
    summary="VoID description of the dataset",
    response_class=Response,
    responses=_responses(VOID_FORMATS, "VoID."),
)
@router.get("/.well-known/void", response_class=Response, include_in_schema=False)
async def void(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    cache: VoidCacheDep,
    writer: WriterDep,
    format: Format = None,
) -> Response:
    """A VoID description of the dataset, counted from the store (cached until the next
    write, or a minute); as HTML, the Turtle with a summary."""
    fmt = choose_strict(VOID_FORMATS, request.headers.get("accept"), format)
    endpoint = str(request.url.replace(path="/sparql", query="", fragment=""))
    deadline = Deadline(settings.query_timeout)

    def work() -> tuple[Counts, bytes]:
        counts = cache.counts(store, settings, deadline, writer.generation)
        syntax = TURTLE if fmt is HTML else fmt
        return counts, render_graph(void_graph(counts, settings, endpoint), syntax, settings)

    counts, body = await run_in_threadpool(work)
    headers = representation_headers("/void", fmt, VOID_FORMATS, suffixes=False)
    if fmt is HTML:
        page = {"counts": counts, "turtle": body.decode("utf-8")}
        html = templates.TemplateResponse(request, "void.html", page, headers=headers)
        return conditional(request, html)
    return conditional(request, Response(body, media_type=fmt.content_type, headers=headers))
