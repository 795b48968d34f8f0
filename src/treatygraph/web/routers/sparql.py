"""``GET|POST /sparql``: the SPARQL 1.1 Protocol for queries, the service description and the
query page. Protocol parsing and content negotiation only; queries run in the query runner.

Updates are not served yet: ``update=`` or ``application/sparql-update`` get 403.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from treatygraph.config import Settings
from treatygraph.errors import BadInput, Unauthorized
from treatygraph.namespaces import PREFIXES, sparql_prologue
from treatygraph.query_runner import QueryRequest, QueryRunner
from treatygraph.rdfformats import ALL_FORMATS, GRAPH_FORMATS, choose, media_types, negotiate
from treatygraph.service_description import service_description
from treatygraph.sparql_results import graph_result, serialize
from treatygraph.store.base import Store
from treatygraph.web.deps import RunnerDep, SettingsDep, StoreDep, TemplatesDep
from treatygraph.web.streaming import QueryResponse

router = APIRouter(tags=["sparql"])

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_HTML = ("text/html", "application/xhtml+xml")
_VARY = {"Vary": "Accept"}
_READ_ONLY = "this server is read-only: SPARQL Update is not enabled"

EXAMPLE_QUERY = (
    sparql_prologue({name: PREFIXES[name] for name in ("tg", "rdfs")})
    + "\nSELECT ?agreement ?label ?party WHERE {\n"
    "  ?agreement a tg:Agreement ;\n"
    "             rdfs:label ?label ;\n"
    "             tg:party ?party .\n"
    "}\nORDER BY ?label ?party\nLIMIT 100\n"
)

GraphParam = Annotated[list[str], Query(alias="default-graph-uri")]
NamedParam = Annotated[list[str], Query(alias="named-graph-uri")]


@router.api_route("/sparql", methods=["GET", "POST"], response_model=None)
async def sparql(
    request: Request,
    runner: RunnerDep,
    store: StoreDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    query: Annotated[str | None, Query(description="The SPARQL query.")] = None,
    default_graph_uri: GraphParam = [],  # noqa: B006 (FastAPI copies defaults)
    named_graph_uri: NamedParam = [],  # noqa: B006
    format: Annotated[str | None, Query(description="Result format; wins over Accept.")] = None,
    output: Annotated[str | None, Query(description="Same as format.")] = None,
) -> Response:
    """Run ``query``; without one, the service description (RDF) or the query page (HTML).

    One route for both methods, so that a 405 names both in its Allow header.
    """
    if request.method == "POST":
        return await _post(request, runner, settings)
    if "update" in request.query_params:
        raise BadInput("SPARQL Update must be sent with POST, and this server is read-only")
    fmt_name = format or output
    if query is None:
        return await _describe(request, store, settings, templates, fmt_name)
    _one_query(request.query_params.getlist("query"))
    return await _run(request, runner, query, default_graph_uri, named_graph_uri, fmt_name)


async def _describe(
    request: Request,
    store: Store,
    settings: Settings,
    templates: Jinja2Templates,
    fmt_name: str | None,
) -> Response:
    """The query page for browsers, else the service description in the negotiated syntax."""
    accept = request.headers.get("accept")
    if negotiate(accept, [*media_types(GRAPH_FORMATS), *_HTML]) in _HTML:
        page = {"endpoint": _endpoint(request), "example": EXAMPLE_QUERY, "formats": ALL_FORMATS}
        return templates.TemplateResponse(request, "sparql.html", page, headers=_VARY)
    fmt = choose(GRAPH_FORMATS, accept, fmt_name)
    graphs = await run_in_threadpool(store.graphs)
    description = service_description(settings, _endpoint(request), graphs)
    body = b"".join(serialize(graph_result(description), fmt))
    return Response(body, media_type=fmt.content_type, headers=_VARY)


async def _post(request: Request, runner: QueryRunner, settings: Settings) -> Response:
    """A query as ``application/sparql-query`` or form-encoded ``query=``; updates get 403.

    Graph parameters and ``format`` come from the URL, and also from the form when there is
    one."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == _UPDATE:
        raise Unauthorized(_READ_ONLY, forbidden=True)
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
        raise Unauthorized(_READ_ONLY, forbidden=True)
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
    query = QueryRequest(sparql, tuple(default_graphs), tuple(named_graphs), accept, fmt_name)
    return QueryResponse(await runner.start(query), headers=_VARY)


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
