"""What RDF from outside must pass before rdflib parses it: no fetching, no entity expansion,
bounded nesting.

rdflib's parsers trust their input more than a service can:

* the JSON-LD parser fetches every remote ``@context`` (and ``@import``) it meets, so a body
  could make the server request any URL, from inside the network it runs in (SSRF), and wait
  on it. Here a remote context is replaced by a local copy when it is one we publish (the
  treatygraph context, by its public IRI) and refused otherwise;
* the RDF/XML parser expands entities declared in the document's DTD; nested declarations
  ("billion laughs") expand a few kilobytes into gigabytes, and expat's own amplification
  guard still lets through enough to keep rdflib busy for minutes. Documents that declare
  entities are refused (external entities are never fetched by Python's SAX parser);
* deeply nested JSON costs recursion in the JSON-LD algorithms, and thousands of contexts
  cost context processing per node: both are capped.

All refusals are :class:`~treatygraph.errors.InvalidRDF` (HTTP 400) with a message that says
what to change. See docs/security.md.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from treatygraph.bundle import ontology_dir
from treatygraph.errors import InvalidRDF
from treatygraph.namespaces import DEFAULT_BASE_IRI

MAX_DEPTH = 64
"""Deepest nesting of JSON objects and arrays accepted in a JSON-LD document."""
MAX_CONTEXTS = 1000
"""Most ``@context`` values (embedded, scoped or listed) in one JSON-LD document."""
PUBLISHED_CONTEXT = DEFAULT_BASE_IRI + "context.jsonld"

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


@cache
def _published_context() -> Any:
    document = json.loads((ontology_dir() / "context.jsonld").read_text("utf-8"))
    return document["@context"]


def local_contexts(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Context IRIs answered from local copies: the published treatygraph context, plus
    ``extra`` (IRI → the value of its ``@context``), such as the context under a deployment's
    own base IRI."""
    return {PUBLISHED_CONTEXT: _published_context(), **(extra or {})}


def jsonld_document(data: bytes | str, source: str, contexts: Mapping[str, Any]) -> Any:
    """The JSON of a JSON-LD document with every context local, ready for rdflib.

    Raises InvalidRDF for invalid JSON, nesting past :data:`MAX_DEPTH`, more than
    :data:`MAX_CONTEXTS` contexts, or a remote context (or ``@import``) not in ``contexts``.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = json.loads(text)
    except UnicodeDecodeError as exc:
        raise InvalidRDF(f"{source}: JSON-LD must be UTF-8 (byte {exc.start})", source) from None
    except json.JSONDecodeError as exc:
        message = f"{source}:{exc.lineno}: not valid JSON: {exc.msg}"
        raise InvalidRDF(message, source, exc.lineno) from None
    except RecursionError:
        raise InvalidRDF(f"{source}: JSON nested too deeply", source) from None
    return _Localiser(source, contexts).value(document, 0)


class _Localiser:
    def __init__(self, source: str, contexts: Mapping[str, Any]) -> None:
        self.source = source
        self.contexts = contexts
        self.seen = 0

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise InvalidRDF(
                f"{self.source}: JSON-LD nested deeper than {MAX_DEPTH} levels", self.source
            )
        if isinstance(node, list):
            return [self.value(item, depth + 1) for item in node]
        if isinstance(node, dict):
            return {
                key: self.context(item, depth + 1)
                if key == "@context"
                else self.value(item, depth + 1)
                for key, item in node.items()
            }
        return node

    def context(self, node: Any, depth: int) -> Any:
        self.seen += 1
        if self.seen > MAX_CONTEXTS:
            raise InvalidRDF(
                f"{self.source}: more than {MAX_CONTEXTS} JSON-LD contexts in one document",
                self.source,
            )
        if isinstance(node, str):
            return copy.deepcopy(self._known(node))
        if isinstance(node, list):
            return [self.context(item, depth + 1) for item in node]
        if isinstance(node, dict):
            if "@import" in node:  # JSON-LD 1.1: merge a context fetched from an IRI
                imported = self._known(str(node["@import"]))
                rest = {key: item for key, item in node.items() if key != "@import"}
                node = {**copy.deepcopy(imported), **rest} if isinstance(imported, dict) else rest
            return self.value(node, depth)
        return node

    def _known(self, iri: str) -> Any:
        if iri in self.contexts:
            return self.contexts[iri]
        raise InvalidRDF(
            f"{self.source}: the remote JSON-LD context {iri[:200]!r} is not fetched; put the "
            f"context in the document, or use {PUBLISHED_CONTEXT}",
            self.source,
        )


def check_xml(data: bytes | str, source: str) -> None:
    """Refuse RDF/XML that declares entities (or is not UTF-8, where declarations could hide).

    Raises InvalidRDF.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:1024]:
        raise InvalidRDF(f"{source}: RDF/XML must be sent in UTF-8", source)
    if _ENTITY.search(raw):
        raise InvalidRDF(
            f"{source}: RDF/XML with entity declarations (<!ENTITY …>) is not accepted, since "
            "entities can expand without bound; write the values out instead",
            source,
        )
