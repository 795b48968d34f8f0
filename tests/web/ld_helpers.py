"""Helpers for the linked-data tests: pyld with a loader that fetches our context from the
server under test (and nothing else), and graph comparison."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import httpx
from pyld import jsonld
from rdflib import Graph

PUBLIC_CONTEXT = "https://w3id.org/treatygraph/context.jsonld"


def loader_for(base_url: str, public: str = PUBLIC_CONTEXT) -> Callable[..., dict[str, Any]]:
    """A pyld document loader: the public context IRI is fetched from the server's
    ``/context.jsonld``; any other URL is refused, so a test never goes online."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url != public:
            raise jsonld.JsonLdError(f"refusing to load {url}", "jsonld.LoadDocumentError")
        return {"contextUrl": None, "documentUrl": url, "document": _fetch(base_url)}

    return load


@cache
def _fetch(base_url: str) -> Any:
    """The server's context, fetched once per server (pyld asks for it per document)."""
    response = httpx.get(base_url + "/context.jsonld", timeout=10)
    response.raise_for_status()
    assert response.headers["content-type"].startswith("application/ld+json")
    return response.json()


def expand(document: Any, base_url: str, public: str = PUBLIC_CONTEXT) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = jsonld.expand(
        document, {"documentLoader": loader_for(base_url, public)}
    )
    return result


def jsonld_graph(document: Any, base_url: str, public: str = PUBLIC_CONTEXT) -> Graph:
    """The RDF a JSON-LD document means, by pyld's expansion and toRdf."""
    nquads = jsonld.to_rdf(
        document,
        {"format": "application/n-quads", "documentLoader": loader_for(base_url, public)},
    )
    return Graph().parse(data=nquads, format="nt")


def parse(text: str | bytes, fmt: str) -> Graph:
    return Graph().parse(data=text, format=fmt)
