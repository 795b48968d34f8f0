"""RDF request bodies: read them whole (within the body limit) and parse them by media type.

Shared by the Graph Store routes and ``POST /validate``. The size limit itself is enforced at
the edge (:mod:`treatygraph.web.observe`); parsing goes through :mod:`treatygraph.parsing`,
which fetches nothing and expands no entity.
"""

from __future__ import annotations

from fastapi import Request
from rdflib import Dataset
from starlette.exceptions import HTTPException

from treatygraph.config import Settings
from treatygraph.jsonld_docs import context_document, context_iri
from treatygraph.parsing import parse_data
from treatygraph.rdfformats import GRAPH_FORMATS, by_name, media_types


async def read_body(request: Request) -> bytes:
    """The whole body (the edge middleware stops it at ``settings.max_body_bytes``)."""
    chunks = [chunk async for chunk in request.stream()]
    return b"".join(chunks)


def rdflib_format(request: Request) -> str:
    """The rdflib parser for the body's ``Content-Type``; 415 when it is no RDF syntax."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = by_name(media_type, GRAPH_FORMATS) if media_type else None
    if fmt is None:
        offered = ", ".join(media_types(GRAPH_FORMATS)[: len(GRAPH_FORMATS)])
        raise HTTPException(
            415, f"send the RDF as one of {offered}, not {media_type or 'no content type'}"
        )
    return fmt.rdflib_name


def parse_body(data: bytes, fmt: str, graph: str | None, settings: Settings) -> Dataset:
    """Parse a body; triples (of any syntax) land in ``graph``, or in the dataset's default
    graph when it is None. JSON-LD may name this deployment's context by its public IRI."""
    contexts = {context_iri(settings): context_document()["@context"]}
    return parse_data(data, fmt, graph, source="request body", contexts=contexts)
