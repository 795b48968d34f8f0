"""``POST /api/articles``: a curator sends an article, the service drafts, checks and loads it.

The body is the article in the corpus format (``text/plain; charset=utf-8``: header lines, a
blank line, the text as published). The answer is 201 with the article's IRI and the ingest
report (every drafted fact with its quotes, the extractor's notes), 200 when the store already
held exactly this draft, or a problem: 401/403 without the write token, 400 for a malformed
article, 413 for a body over ``max_body_bytes``, 422 with the SHACL violations when the draft
does not conform — and then nothing changed. Ingests run one at a time with every other write
(:class:`treatygraph.writes.Writer`), in a worker thread
(pyoxigraph results must be read in the thread that made them).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from treatygraph.errors import BadInput
from treatygraph.ingest import ingest_text
from treatygraph.web.deps import SettingsDep, StoreDep, WriteAccess, WriterDep

router = APIRouter(prefix="/api", tags=["articles"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Ingested: the article's IRI and the ingest report."},
    200: {"description": "The store already held exactly this draft; nothing was written."},
    400: {"description": "The body is not an article in the corpus format."},
    401: {"description": "No bearer token."},
    403: {"description": "Wrong token, or the server is read-only."},
    413: {"description": "The body is larger than max_body_bytes."},
    415: {"description": "The body is not text/plain in UTF-8."},
    422: {"description": "The draft does not conform: the SHACL violations; nothing changed."},
}


@router.post("/articles", status_code=201, responses=_RESPONSES, response_model=None)
async def post_article(
    request: Request,
    _: WriteAccess,
    store: StoreDep,
    settings: SettingsDep,
    writer: WriterDep,
    slug: Annotated[
        str | None,
        Query(description="The article's slug; default: made from its date and headline."),
    ] = None,
) -> JSONResponse:
    """Draft the facts of an article, check them and load them, or change nothing."""
    content = await _read_text(request, settings.max_body_bytes)
    # One write at a time, with the other writes (SPARQL Update, Graph Store).
    result = await writer.submit(
        writer.exclusive, lambda: ingest_text(content, store, settings, slug)
    )
    body = {"article": result.article, "graph": result.graph, "report": result.as_dict()}
    location = {"Location": f"/id/article/{result.slug}"}
    return JSONResponse(body, status_code=201 if result.changed else 200, headers=location)


async def _read_text(request: Request, limit: int) -> str:
    media = request.headers.get("content-type", "text/plain").lower()
    kind, _, parameters = media.partition(";")
    charset = next(
        (p.split("=", 1)[1].strip().strip('"') for p in parameters.split(";") if "charset=" in p),
        "utf-8",
    )
    if kind.strip() != "text/plain" or charset not in ("utf-8", "utf8"):
        raise HTTPException(415, "send the article as text/plain; charset=utf-8")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the article is larger than {limit} bytes")
        chunks.append(chunk)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"the body is not UTF-8 (byte {exc.start})") from exc
