"""``POST /validate``: the SHACL report a write would get, without writing (like Fuseki's
``/shacl``). No token: it changes nothing.

The body (any RDF syntax, within ``max_body_bytes``) is checked together with its
neighbourhood in the store, as a write of it would be: with ``?graph=IRI`` as the new content
of that graph; without it, quad syntaxes name their graphs and triples are checked as a graph
of their own. With ``?graph=IRI`` and no body, the store's graph is checked as it is. The
answer is 200 with ``{"conforms": …, "violations": […]}`` (the 422 body's shape), or the SHACL
report in Turtle for ``Accept: text/turtle``. Checks are CPU-heavy: a few run at once (a
quarter of ``max_concurrent_queries``), more get 503 with Retry-After.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from treatygraph.errors import BadInput
from treatygraph.rdfformats import negotiate
from treatygraph.update_analysis import check_iri
from treatygraph.validation import ValidationReport
from treatygraph.web.bodies import parse_body, rdflib_format, read_body
from treatygraph.web.deps import SettingsDep, WriterDep

router = APIRouter(tags=["validation"])

UPLOAD_GRAPH = "urn:x-treatygraph:upload"
"""Where the triples of a body without ``?graph=`` are checked (a graph of their own)."""


@router.post("/validate", response_model=None)
async def validate_data(
    request: Request,
    writer: WriterDep,
    settings: SettingsDep,
    graph: Annotated[
        str | None, Query(description="The graph the body would replace, or to check.")
    ] = None,
) -> Response:
    """Check a body, or a graph of the store, in its neighbourhood; write nothing."""
    if graph is not None:
        check_iri(graph, "?graph")
    data = await read_body(request)
    if data.strip():
        fmt = rdflib_format(request)
        dataset = await run_in_threadpool(parse_body, data, fmt, graph or UPLOAD_GRAPH, settings)
        replaced = [str(g.identifier) for g in dataset.graphs() if len(g)]
        report = await run_in_threadpool(writer.check, dataset, replaced)
    elif graph is not None:
        report = await run_in_threadpool(writer.check_stored, graph)
    else:
        raise BadInput("send RDF in the body, or name a graph of the store with ?graph=IRI")
    return _report(report, request.headers.get("accept"))


def _report(report: ValidationReport, accept: str | None) -> Response:
    if negotiate(accept, ["application/json", "text/turtle"]) == "text/turtle":
        body = report.graph.serialize(format="turtle", encoding="utf-8")
        return Response(body, media_type="text/turtle; charset=utf-8")
    return JSONResponse(report.as_dict())
