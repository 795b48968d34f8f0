"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol, with ``?graph=IRI`` or ``?default``.

Reads (``GET``, ``HEAD``) need no token and stream like queries (same time limit, result
limit and conneg); ``GET ?default`` gives the default graph, the union of all named graphs.
Writes need the write token and go through :class:`treatygraph.writes.Writer`: ``PUT``
replaces a graph, ``POST`` adds to it, ``DELETE`` removes it; each is SHACL-checked and
atomic, and answers 201 when it created the graph, 204 otherwise, 404 for a ``DELETE`` of a
graph that holds nothing, 422 with the report when the result would not conform. The default
graph cannot be written (it is a view; see :mod:`treatygraph.writes`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from rdflib import Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from starlette.concurrency import run_in_threadpool

from treatygraph.errors import BadInput, NotFound
from treatygraph.query_runner import QueryRequest
from treatygraph.rdfformats import GRAPH_FORMATS, choose
from treatygraph.update_analysis import check_iri
from treatygraph.web.bodies import parse_body, rdflib_format, read_body
from treatygraph.web.deps import RunnerDep, SettingsDep, WriteAccess, WriterDep
from treatygraph.web.streaming import QueryResponse
from treatygraph.writes import WriteResult, writable

router = APIRouter(tags=["graph store"])

GraphParam = Annotated[
    str | None, Query(description="IRI of the named graph (absolute).", max_length=4096)
]
DefaultParam = Annotated[
    str | None, Query(description="Present (no value needed): the default graph.")
]

_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "The graph did not exist and now holds the data."},
    204: {"description": "Done; the graph existed (or was removed)."},
    400: {"description": "Bad parameters or a body that does not parse."},
    401: {"description": "No bearer token."},
    403: {"description": "Wrong token, read-only server, or a graph the service maintains."},
    404: {"description": "DELETE or GET of a graph that holds nothing."},
    413: {"description": "The body is larger than max_body_bytes."},
    415: {"description": "The body's Content-Type is no RDF syntax."},
    422: {"description": "The graph would not conform: the SHACL report; nothing changed."},
    503: {"description": "Writes busy or the write ran past update_timeout; nothing changed."},
}


def target(graph: str | None, default: str | None) -> str | None:
    """The named graph of the request, or None for the default graph."""
    if graph is not None and default is not None:
        raise BadInput("give either ?graph=IRI or ?default, not both")
    if graph is None and default is None:
        raise BadInput("name the graph: ?graph=IRI, or ?default for the default graph")
    if graph is not None:
        check_iri(graph, "?graph")
    return graph


@router.api_route("/store", methods=["GET", "HEAD"], response_model=None)
async def get_graph(
    request: Request,
    runner: RunnerDep,
    writer: WriterDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """The graph by content negotiation (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML)."""
    name = target(graph, default)
    accept = request.headers.get("accept")
    fmt = choose(GRAPH_FORMATS, accept)
    if name is not None and not await run_in_threadpool(writer.exists, name):
        raise NotFound(f"there is no graph <{name}> in the store")
    if request.method == "HEAD":
        return Response(media_type=fmt.content_type, headers={"Vary": "Accept"})
    where = f"GRAPH <{name}> {{ ?s ?p ?o }}" if name is not None else "?s ?p ?o"
    query = QueryRequest(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}", accept=fmt.media_type)
    return QueryResponse(await runner.start(query), headers={"Vary": "Accept"})


@router.put("/store", status_code=204, responses=_RESPONSES, response_model=None)
async def put_graph(
    request: Request,
    _: WriteAccess,
    writer: WriterDep,
    settings: SettingsDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Replace the graph with the body."""
    name = _writable_target(graph, default)
    content = await _content(request, name, settings)
    return _answer(await writer.submit(writer.put_graph, name, content), name)


@router.post("/store", status_code=204, responses=_RESPONSES, response_model=None)
async def post_graph(
    request: Request,
    _: WriteAccess,
    writer: WriterDep,
    settings: SettingsDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Add the body's triples to the graph."""
    name = _writable_target(graph, default)
    content = await _content(request, name, settings)
    return _answer(await writer.submit(writer.post_graph, name, content), name)


@router.delete("/store", status_code=204, responses=_RESPONSES, response_model=None)
async def delete_graph(
    _: WriteAccess,
    writer: WriterDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Remove the graph."""
    name = _writable_target(graph, default)
    return _answer(await writer.submit(writer.delete_graph, name), name)


def _writable_target(graph: str | None, default: str | None) -> str:
    name = target(graph, default)
    if name is None:
        raise BadInput(
            "the default graph is the union of all named graphs and cannot be written: "
            "write a named graph with ?graph=IRI"
        )
    writable(name)  # 403 for a graph the service maintains, before the body is read
    return name


async def _content(request: Request, graph: str, settings: Any) -> Graph:
    """The body as the content of ``graph``: triples of any syntax, and in quad syntaxes the
    default graph and ``graph``; another named graph in the body is refused."""
    fmt = rdflib_format(request)
    data = await read_body(request)
    dataset = await run_in_threadpool(parse_body, data, fmt, graph, settings)
    content = Graph()
    for context in dataset.graphs():
        if not len(context):
            continue
        if context.identifier not in (URIRef(graph), DATASET_DEFAULT_GRAPH_ID):
            raise BadInput(
                f"the body holds the graph <{context.identifier}>; a Graph Store request "
                f"carries the content of <{graph}> only"
            )
        content += context
    return content


def _answer(result: WriteResult, graph: str) -> Response:
    if graph in result.created:
        location = f"/store?graph={quote(graph, safe='')}"
        return Response(status_code=201, headers={"Location": location})
    return Response(status_code=204)
