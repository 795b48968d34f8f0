"""JSON-LD that reads like JSON: the published context, and framed resource documents.

The context (``ontology/context.jsonld``, served at ``/context.jsonld`` and published at
``{base_iri}context.jsonld``) maps the vocabulary to short stable keys: ``id`` and ``type``
for ``@id`` and ``@type``, ``label``, ``parties``, ``events``, ``evidence``… Its choices:

* ``@vocab`` is the ontology namespace, so classes read as ``"type": "Signing"``.
* Links are ``@id``-coerced; plural properties are ``@set`` containers, always arrays.
* Labels are English (``@language: en`` on ``label``, ``altLabel``, ``comment``), so they
  compact to plain strings.
* ``date`` (``tg:date``) is *not* coerced: a date is ``xsd:date``, ``xsd:gYearMonth`` or
  ``xsd:gYear`` as precise as the source, and a coercion to one of them would push the others
  out to a second key. It is always a value object, ``{"value": "2024-07", "type":
  "xsd:gYearMonth"}`` (``value`` aliases ``@value``), which sorts as text. ``validFrom``,
  ``validUntil``, ``datePublished`` and ``effectiveDate`` are always ``xsd:date`` and coerced,
  so they are plain strings. ``startOffset`` and ``endOffset`` are value objects too: the
  embedded engine stores ``xsd:nonNegativeInteger`` as ``xsd:integer``, a remote store may
  not, and a coercion would move the other datatype to another key.
* Reverse properties bring in what points at a resource: ``events`` (``tg:concerns``),
  ``agreements`` (``tg:party``), ``participatedIn``, ``amendedBy``, ``quotedIn``
  (``tg:source``) and ``supports`` (``tg:evidence``).
* Collections use the ActivityStreams 2.0 terms ``Collection``, ``totalItems``, ``items``
  (an ordered ``@list``), ``first``, ``next`` and ``prev``.

Resource documents are framed with pyld (``@embed: @always``), so an agreement nests its
parties, events, evidence and sources as objects, and then compacted with the context by its
public IRI. The document loader given to pyld resolves that IRI locally and refuses every
other remote document: the server never fetches anything while it answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from pyld import jsonld

from treatygraph.bundle import ontology_dir
from treatygraph.config import Settings
from treatygraph.rdfformats import JSONLD
from treatygraph.sparql_results import serialize
from treatygraph.store.base import GraphResult, TermTriple

CONTEXT_FILE = "context.jsonld"
DocumentLoader = Callable[[str, Any], dict[str, Any]]

# Reverse properties embedded at the root of a framed document; see resources.py for the
# incoming links a description holds. A fact an article's quote supports lists its evidence
# as references: each quote is already in full under the article's ``quotedIn``.
_SUPPORTED: dict[str, Any] = {"evidence": {"@embed": "@never"}}
_REVERSE_FRAME: dict[str, Any] = {
    "events": {},
    "agreements": {},
    "participatedIn": {},
    "amendedBy": {},
    "quotedIn": {"supports": _SUPPORTED},
    "supports": _SUPPORTED,
}


@cache
def context_document() -> dict[str, Any]:
    """The published context document (``{"@context": {...}}``), parsed once."""
    document: dict[str, Any] = json.loads((ontology_dir() / CONTEXT_FILE).read_text("utf-8"))
    return document


def context_bytes() -> bytes:
    """The context file as shipped, byte for byte."""
    return (ontology_dir() / CONTEXT_FILE).read_bytes()


def context_iri(settings: Settings) -> str:
    """The public IRI of the context, which every document names as its ``@context``."""
    return settings.base_iri + CONTEXT_FILE


def document_loader(settings: Settings) -> DocumentLoader:
    """A pyld document loader that knows only our context, by its public IRI."""
    iri = context_iri(settings)

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url != iri:
            raise jsonld.JsonLdError(
                f"treatygraph loads no remote JSON-LD documents (asked for {url})",
                "jsonld.LoadDocumentError",
                code="loading remote context failed",
            )
        return {"contextUrl": None, "documentUrl": url, "document": context_document()}

    return load


def expanded(triples: Iterable[TermTriple]) -> list[dict[str, Any]]:
    """Triples as expanded JSON-LD (the SPARQL writer's output, parsed), one node object per
    subject: the writer starts a node object whenever the subject changes."""
    ordered_triples = sorted(triples, key=lambda triple: (triple[0].kind, triple[0].value))
    body = b"".join(serialize(GraphResult(iter(ordered_triples)), JSONLD))
    document: list[dict[str, Any]] = json.loads(body)
    return document


def frame_resource(iri: str, triples: Iterable[TermTriple], settings: Settings) -> dict[str, Any]:
    """The framed, compacted document of one resource described by ``triples``.

    Its expansion yields exactly ``triples`` (up to blank node labels): every node of a
    description is reachable from ``iri`` by a property or a reverse term of the frame.
    Events are sorted by date and status periods by start, which JSON-LD sets allow.
    """
    frame = {"@context": context_iri(settings), "@id": iri, "@embed": "@always", **_REVERSE_FRAME}
    options = {
        "documentLoader": document_loader(settings),
        "embed": "@always",
        "omitGraph": True,
        "processingMode": "json-ld-1.1",
    }
    document: dict[str, Any] = jsonld.frame(expanded(triples), frame, options)
    _stable(document)
    _sort(document.get("events"), lambda event: _date_key(event.get("date")))
    _sort(document.get("statusPeriods"), lambda period: str(period.get("validFrom", "")))
    _sort(document.get("quotedIn"), lambda quote: _offset_key(quote.get("startOffset")))
    result: dict[str, Any] = ordered(document)
    return result


def compact_graph(triples: Iterable[TermTriple], settings: Settings) -> dict[str, Any]:
    """A whole graph (ontology, shapes, VoID) compacted with the context, unframed."""
    options = {"documentLoader": document_loader(settings), "processingMode": "json-ld-1.1"}
    document: dict[str, Any] = jsonld.compact(expanded(triples), context_iri(settings), options)
    return document


@cache
def _prefixes() -> tuple[tuple[str, str], ...]:
    """The context's prefix terms (IRIs ending in ``/`` or ``#``), longest IRI first."""
    context = context_document()["@context"]
    found = [
        (term, iri)
        for term, iri in context.items()
        if isinstance(iri, str) and not term.startswith("@") and iri.endswith(("/", "#"))
    ]
    return tuple(sorted(found, key=lambda item: -len(item[1])))


def compact_iri(iri: str) -> str:
    """An ``@id`` value as compaction with the context writes it: ``tg:InForce``,
    ``wd:Q17``; resource IRIs stay whole (the context has no prefix for them)."""
    for term, namespace in _prefixes():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{term}:{iri[len(namespace) :]}"
    return iri


def compact_type(iri: str) -> str:
    """A ``type`` value as compaction writes it: ontology classes by their local name."""
    vocab = str(context_document()["@context"]["@vocab"])
    local = iri[len(vocab) :]
    if iri.startswith(vocab) and local and local not in context_document()["@context"]:
        return local
    return compact_iri(iri)


def expand(document: Any, settings: Settings) -> list[dict[str, Any]]:
    """Expand one of our documents offline (tests and clients use it to check them)."""
    result: list[dict[str, Any]] = jsonld.expand(
        document, {"documentLoader": document_loader(settings)}
    )
    return result


def dumps(document: Any) -> bytes:
    """UTF-8 JSON, readable (indented), characters kept as they are."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


_FIRST_KEYS = ("@context", "id", "type", "label")
_LAST_KEYS = tuple(_REVERSE_FRAME)


def ordered(value: Any) -> Any:
    """The same JSON with keys in reading order: id, type, label, the rest, reverse terms.

    pyld sorts keys alphabetically; JSON objects are unordered, so this changes nothing for
    a JSON-LD processor and puts what a person looks for first.
    """
    if isinstance(value, list):
        return [ordered(item) for item in value]
    if not isinstance(value, dict):
        return value

    def rank(key: str) -> tuple[int, int, str]:
        if key in _FIRST_KEYS:
            return (0, _FIRST_KEYS.index(key), key)
        if key in _LAST_KEYS:
            return (2, _LAST_KEYS.index(key), key)
        return (1, 0, key)

    return {key: ordered(value[key]) for key in sorted(value, key=rank)}


def _stable(value: Any) -> None:
    """Sort every array (all are unordered sets in our documents) by id or value, in place,
    so the same data always gives the same bytes."""
    if isinstance(value, dict):
        for item in value.values():
            _stable(item)
    elif isinstance(value, list):
        for item in value:
            _stable(item)
        value.sort(
            key=lambda item: json.dumps(
                item.get("id", item) if isinstance(item, dict) else item, sort_keys=True
            )
        )


def _sort(items: Any, key: Callable[[dict[str, Any]], str]) -> None:
    if isinstance(items, list) and all(isinstance(item, dict) for item in items):
        items.sort(key=lambda item: (key(item), str(item.get("id", ""))))


def _offset_key(offset: Any) -> str:
    text = _date_key(offset)
    return text.zfill(12) if text.isdigit() else text


def _date_key(date: Any) -> str:
    if isinstance(date, dict):
        return str(date.get("value", ""))
    if isinstance(date, list) and date:
        return _date_key(date[0])
    return str(date or "")
