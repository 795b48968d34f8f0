"""SPARQL 1.1 Update at ``POST /sparql``: the write half of the protocol handler.

:mod:`treatygraph.web.routers.sparql` recognises an update (``application/sparql-update``,
or a form with ``update=``) and hands it here: :func:`authorize` first (401/403 before an
``application/sparql-update`` body is read), then :func:`run`, which applies it through the
:class:`~treatygraph.writes.Writer` — staged, SHACL-checked, atomic — and answers 204.
"""

from __future__ import annotations

from fastapi import Request, Response

from treatygraph.auth import check_write_token
from treatygraph.errors import BadInput
from treatygraph.web import observe
from treatygraph.web.deps import get_settings, get_writer


def authorize(request: Request) -> None:
    """Mark the request as a write and check its bearer token (Unauthorized: 401/403)."""
    observe.mark("write")
    check_write_token(get_settings(request), request.headers.get("authorization"))


async def run(request: Request, params: dict[str, list[str]]) -> Response:
    """Apply the one ``update`` of ``params`` with its ``using-graph-uri`` and
    ``using-named-graph-uri`` graphs; 204 when it committed."""
    updates = params.get("update", [])
    if len(updates) != 1:
        raise BadInput(f"send exactly one update (got {len(updates)}) in 'update' or the body")
    if params.get("query"):
        raise BadInput("send a query or an update, not both")
    writer = get_writer(request)
    await writer.submit(
        writer.update,
        updates[0],
        params.get("using-graph-uri", []),
        params.get("using-named-graph-uri", []),
    )
    return Response(status_code=204)
