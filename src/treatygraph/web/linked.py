"""Response headers shared by the linked-data routes: ``Vary``, ``Link`` and
``Content-Location``, so a client (or a JSON-LD processor) can find the other
representations of a document and the context its JSON-LD uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from treatygraph.rdfformats import JSONLD, RdfFormat

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
