"""Response headers shared by the linked-data routes: ``Vary``, ``Link`` and
``Content-Location``, so a client (or a JSON-LD processor) can find the other
representations of a document and the context its JSON-LD uses; and conditional requests
(``ETag``, ``If-None-Match``, 304), so an app that keeps a copy asks again cheaply."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from treatygraph.rdfformats import JSONLD, RdfFormat

REVALIDATE = "no-cache"
"""Documents change with every write that touches them: keep them, but ask before reuse."""
_NOT_MODIFIED_HEADERS = ("etag", "vary", "link", "content-location", "cache-control")

CONTEXT_PATH = "/context.jsonld"
JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"


def representation_headers(
    path: str, chosen: RdfFormat, formats: Iterable[RdfFormat], *, suffixes: bool = True
) -> dict[str, str]:
    """Headers for the ``chosen`` representation of the document at ``path``.

    With ``suffixes`` the alternates are file-style URLs (``/id/agreement/x.ttl``), else
    ``?format=`` URLs. The context link names the local copy of the context.
    """
    links = []
    for fmt in formats:
        target = _url(path, fmt, suffixes)
        links.append(f'<{target}>; rel="alternate"; type="{fmt.media_type}"')
    links.append(f'<{CONTEXT_PATH}>; rel="{JSONLD_CONTEXT_REL}"; type="{JSONLD.media_type}"')
    return {
        "Vary": "Accept",
        "Link": ", ".join(links),
        "Content-Location": _url(path, chosen, suffixes),
    }


def page_link_header(links: Mapping[str, str]) -> str:
    """A Link header value for pagination links (``first``, ``prev``, ``next``)."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())


def _url(path: str, fmt: RdfFormat, suffixes: bool) -> str:
    return path + fmt.suffix if suffixes else f"{path}?format={fmt.names[0]}"


def conditional(request: Request, response: Response) -> Response:
    """``response`` with an ``ETag`` (a digest of its body, so each representation has its
    own) and ``Cache-Control: no-cache``; a ``304 Not Modified`` without a body instead when
    the client's ``If-None-Match`` names that tag. Only for a complete ``200`` to a ``GET``
    or ``HEAD``."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    tag = f'"{hashlib.blake2b(bytes(response.body), digest_size=16).hexdigest()}"'
    response.headers["ETag"] = tag
    response.headers.setdefault("Cache-Control", REVALIDATE)
    if not _matches(request.headers.get("if-none-match"), tag):
        return response
    kept = {k: v for k, v in response.headers.items() if k.lower() in _NOT_MODIFIED_HEADERS}
    return Response(status_code=304, headers=kept)


def _matches(header: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``tag`` (weak comparison, RFC 9110 13.1.2)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(candidate.strip().removeprefix("W/") == tag for candidate in header.split(","))
