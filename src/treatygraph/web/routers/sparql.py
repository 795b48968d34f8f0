"""``GET|POST /sparql``: the SPARQL 1.1 Protocol for queries, the service description and the
query editor. Protocol parsing and content negotiation only; queries run in the query runner,
and the editor page (with results, for a browser that sends a query) is built in
:mod:`treatygraph.web.editor`.

Updates (``application/sparql-update``, or a form with ``update=``) are handed to
:mod:`treatygraph.web.updates`: token-gated, staged, SHACL-checked and atomic.
"""

from __future__ import annotations

import functools
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from treatygraph.config import Settings
from treatygraph.errors import BadInput
from treatygraph.query_runner import QueryRequest, QueryRunner
from treatygraph.rdfformats import GRAPH_FORMATS, choose, media_types, negotiate
from treatygraph.service_description import service_description
from treatygraph.sparql_results import graph_result, serialize
from treatygraph.store.base import Store
from treatygraph.web import editor, observe, updates
from treatygraph.web.deps import RunnerDep, SettingsDep, StoreDep, get_runner, get_settings
from treatygraph.web.streaming import QueryResponse

router = APIRouter(tags=["sparql"])

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_HTML = editor.HTML_TYPES
_VARY = {"Vary": "Accept"}


GraphParam = Annotated[list[str], Query(alias="default-graph-uri")]
NamedParam = Annotated[list[str], Query(alias="named-graph-uri")]


@router.api_route("/sparql", methods=["GET", "POST"], response_model=None)
async def sparql(
    request: Request,
    runner: RunnerDep,
    store: StoreDep,
    settings: SettingsDep,
    query: Annotated[str | None, Query(description="The SPARQL query.")] = None,
    default_graph_uri: GraphParam = [],  # noqa: B006 (FastAPI copies defaults)
    named_graph_uri: NamedParam = [],  # noqa: B006
    format: Annotated[str | None, Query(description="Result format; wins over Accept.")] = None,
    output: Annotated[str | None, Query(description="Same as format.")] = None,
    qtext: Annotated[
        str | None, Query(description="For browsers: the editor holding this query, not run.")
    ] = None,
) -> Response:
    """Run ``query``; without one, the service description (RDF) or the query editor (HTML).

    A browser (``Accept: text/html`` preferred, or ``format=html``) that sends a query gets
    the editor with the results table. One route for both methods, so that a 405 names both
    in its Allow header.
    """
    if request.method == "POST":
        return await _post(request, runner, settings)
    if "update" in request.query_params:
        raise BadInput("SPARQL Update must be sent with POST")
    fmt_name = format or output
    if query is None:
        return await _describe(request, store, settings, fmt_name, qtext)
    return await _get_query(request, runner)


async def fast_query(request: Request) -> Response | None:
    """What :func:`sparql` answers to a query (POST, or GET with ``query=``), without
    FastAPI's request solving (see :mod:`treatygraph.web.query_lane`); None for any other
    request, which the route answers."""
    if request.method == "POST":
        return await _post(request, get_runner(request), get_settings(request))
    params = request.query_params
    if "query" not in params or "update" in params:
        return None
    return await _get_query(request, get_runner(request))


async def _get_query(request: Request, runner: QueryRunner) -> Response:
    params = request.query_params
    query = _one_query(params.getlist("query"))
    fmt_name = params.get("format") or params.get("output")
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    return await _run(request, runner, query, default_graphs, named_graphs, fmt_name)


async def _describe(
    request: Request,
    store: Store,
    settings: Settings,
    fmt_name: str | None,
    qtext: str | None,
) -> Response:
    """The query editor for browsers, else the service description in the negotiated
    syntax."""
    accept = request.headers.get("accept")
    if negotiate(accept, [*media_types(GRAPH_FORMATS), *_HTML]) in _HTML:
        return editor.editor_page(request, qtext)
    fmt = choose(GRAPH_FORMATS, accept, fmt_name)
    graphs = await run_in_threadpool(store.graphs)
    description = service_description(settings, _endpoint(request), graphs)
    body = b"".join(serialize(graph_result(description), fmt))
    return Response(body, media_type=fmt.content_type, headers=_VARY)


async def _post(request: Request, runner: QueryRunner, settings: Settings) -> Response:
    """A query as ``application/sparql-query`` or form-encoded ``query=``; an update as
    ``application/sparql-update`` or form-encoded ``update=`` (:mod:`.updates`).

    Graph parameters and ``format`` come from the URL, and also from the form when there is
    one."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == _UPDATE:
        updates.authorize(request)  # before reading the body
        params = _multi(request.query_params.multi_items())
        params["update"] = [await _read_body(request, settings.max_body_bytes)]
        return await updates.run(request, params)
    if media_type not in (_FORM, _QUERY):
        raise HTTPException(
            415, f"Send the query as {_QUERY} or {_FORM}, not {media_type or 'no content type'}."
        )
    params = _multi(request.query_params.multi_items())
    body = await _read_body(request, settings.max_body_bytes)
    if media_type == _QUERY:
        params["query"] = [*params.get("query", []), body]
    else:
        try:
            fields = parse_qsl(body, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as exc:
            raise BadInput(f"the form is not UTF-8 once percent-decoded: {exc}") from None
        for key, value in fields:
            params.setdefault(key, []).append(value)
    if "update" in params:
        updates.authorize(request)
        return await updates.run(request, params)
    fmt_name = next((v for key in ("format", "output") for v in params.get(key, []) if v), None)
    return await _run(
        request,
        runner,
        _one_query(params.get("query", [])),
        params.get("default-graph-uri", []),
        params.get("named-graph-uri", []),
        fmt_name,
    )


async def _run(
    request: Request,
    runner: QueryRunner,
    sparql: str,
    default_graphs: list[str],
    named_graphs: list[str],
    fmt_name: str | None,
) -> Response:
    accept = ", ".join(request.headers.getlist("accept")) or None
    if _wants_html(accept, fmt_name):
        return await editor.results_page(request, sparql, default_graphs, named_graphs)
    observe.mark("query")
    query = QueryRequest(sparql, tuple(default_graphs), tuple(named_graphs), accept, fmt_name)
    return QueryResponse(await runner.start(query, gone=_Disconnect(request)), headers=_VARY)


class _Disconnect:
    """Waits until the client has gone: ASGI says so through ``receive`` once the body has
    been read (the query's body has been by now)."""

    __slots__ = ("_receive",)

    def __init__(self, request: Request) -> None:
        self._receive = request.receive

    async def __call__(self) -> None:
        while (await self._receive())["type"] != "http.disconnect":
            pass


# Negotiated on every query, from the few Accept headers clients send: cached.
_wants_html = functools.lru_cache(maxsize=256)(editor.wants_html)


def _multi(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in items:
        params.setdefault(key, []).append(value)
    return params


def _one_query(queries: list[str]) -> str:
    if len(queries) != 1:
        raise BadInput(f"send exactly one query (got {len(queries)}) in 'query' or the body")
    return queries[0]


def _endpoint(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


async def _read_body(request: Request, limit: int) -> str:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"The request body is larger than {limit} bytes.")
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise HTTPException(413, f"The request body is larger than {limit} bytes.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"the request body is not UTF-8: {exc}") from None
