"""The query editor page, and query results as HTML for browsers (``/sparql``).

The router decides *whether* a request gets HTML (content negotiation); this module builds
the page: the editor with the competency questions as examples, and, when a query came with
it, the results table or the error. Results are produced by the same query runner as for
any client, as SPARQL JSON (or Turtle for graphs), within the same limits, and then turned
into a table by :mod:`treatygraph.results_table`. Without JavaScript the page is a plain
form that submits here again; ``static/editor.js`` turns it into the editor.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from treatygraph.errors import QuerySyntaxError, TreatygraphError
from treatygraph.examples import competency_questions
from treatygraph.namespaces import PREFIXES, sparql_prologue
from treatygraph.query_runner import QueryRequest
from treatygraph.rdfformats import ALL_FORMATS, by_name, media_types, negotiate
from treatygraph.results_table import ResultsTable, results_table
from treatygraph.store.base import Deadline
from treatygraph.web.deps import get_runner, get_settings, get_store, get_templates
from treatygraph.web.problems import error_response

HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_ACCEPT = "application/sparql-results+json, text/turtle"
"""What the page asks the runner for: SPARQL JSON for SELECT and ASK, Turtle for graphs."""
EXAMPLE_QUERY = (
    sparql_prologue({name: PREFIXES[name] for name in ("tg", "rdfs")})
    + "\nSELECT ?agreement ?label ?party WHERE {\n"
    "  ?agreement a tg:Agreement ;\n"
    "             rdfs:label ?label ;\n"
    "             tg:party ?party .\n"
    "}\nORDER BY ?label ?party\nLIMIT 100\n"
)
DOWNLOADS = {
    "select": (("CSV", "csv"), ("TSV", "tsv"), ("JSON", "json"), ("XML", "xml")),
    "ask": (("JSON", "json"), ("XML", "xml")),
    "graph": (("Turtle", "turtle"), ("N-Triples", "ntriples"), ("JSON-LD", "jsonld")),
}


@dataclass(frozen=True)
class PageError:
    """A failed query as the page shows it; ``line``/``column`` as in the problem JSON."""

    status: int
    title: str
    message: str
    line: int | None = None
    column: int | None = None


def wants_html(accept: str | None, format_name: str | None) -> bool:
    """Whether a query request should get the results page rather than a result document:
    ``format=html``, or no ``format`` naming a result syntax and an Accept header that
    prefers HTML to every result syntax (a browser's; ``*/*`` alone still gets JSON)."""
    if format_name:
        if format_name.strip().lower() in ("html", "htm"):
            return True
        if by_name(format_name, ALL_FORMATS) is not None:
            return False
    if not accept:
        return False
    return negotiate(accept, [*media_types(ALL_FORMATS), *HTML_TYPES]) in HTML_TYPES


def editor_page(request: Request, text: str | None = None) -> Response:
    """The editor, holding ``text`` (a permalink's ``qtext``) or the example query."""
    return _render(request, text if text is not None else EXAMPLE_QUERY)


async def results_page(
    request: Request,
    sparql: str,
    default_graphs: list[str],
    named_graphs: list[str],
) -> Response:
    """Run ``sparql`` through the query runner and answer the editor page with its results,
    or with the error a person can act on (the status code is the problem's)."""
    settings = get_settings(request)
    store = get_store(request)
    started = time.perf_counter()
    query = QueryRequest(sparql, tuple(default_graphs), tuple(named_graphs), PAGE_ACCEPT)
    try:
        stream = await get_runner(request).start(query)
        chunks = [chunk async for chunk in stream]
        if stream.failure is not None:
            raise stream.failure
        deadline = Deadline(settings.query_timeout)
        table = await run_in_threadpool(
            results_table,
            b"".join(chunks),
            stream.info.format.media_type,
            store,
            settings.base_iri,
            deadline,
        )
    except TreatygraphError as exc:
        problem = json.loads(bytes(error_response(exc, request).body))
        error = PageError(
            problem["status"],
            problem["title"],
            problem["detail"],
            exc.line if isinstance(exc, QuerySyntaxError) else None,
            exc.column if isinstance(exc, QuerySyntaxError) else None,
        )
        return _render(request, sparql, error=error, status=error.status)
    elapsed = (time.perf_counter() - started) * 1000
    truncated = stream.info.truncated_at
    return _render(request, sparql, table=table, elapsed_ms=elapsed, truncated=truncated)


def _render(
    request: Request,
    text: str,
    *,
    table: ResultsTable | None = None,
    error: PageError | None = None,
    elapsed_ms: float | None = None,
    truncated: int | None = None,
    status: int = 200,
) -> Response:
    settings = get_settings(request)
    page: dict[str, Any] = {
        "text": text,
        "examples": competency_questions(),
        "prefixes": PREFIXES,
        "prefixes_json": json.dumps(PREFIXES),
        "timeout": settings.query_timeout,
        "max_results": settings.max_results,
        "base_iri": settings.base_iri,
        "permalink": "/sparql?" + urlencode({"qtext": text}),
        "table": table,
        "error": error,
        "elapsed_ms": elapsed_ms,
        "truncated": truncated,
        "downloads": [
            (name, "/sparql?" + urlencode({"query": text, "format": fmt}))
            for name, fmt in DOWNLOADS.get(table.kind if table else "", ())
        ],
        "formats": ALL_FORMATS,
    }
    return get_templates(request).TemplateResponse(
        request, "sparql.html", page, status_code=status, headers={"Vary": "Accept"}
    )
