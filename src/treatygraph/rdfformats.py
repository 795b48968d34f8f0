"""The formats treatygraph writes, their media types, and HTTP content negotiation.

Two families: SPARQL results (for SELECT and ASK) and RDF graphs (for CONSTRUCT, DESCRIBE,
the service description and, later, linked-data pages). Each :class:`RdfFormat` names its
media type, the aliases clients send, its file suffix, its rdflib name, its W3C format IRI
(used in the service description) and the short names accepted by ``format=``/``output=``.

Negotiation follows RFC 9110 §12.5.1: the offer with the highest quality wins; among equal
qualities an offer named exactly beats one matched by ``type/*``, which beats ``*/*``; then the
client's order, then the server's order (the first offer is the default).

>>> negotiate("text/turtle;q=0.5, application/ld+json", ["text/turtle", "application/ld+json"])
'application/ld+json'
>>> choose(GRAPH_FORMATS, "*/*").name
'turtle'
>>> choose(RESULT_FORMATS, "application/json").media_type
'application/sparql-results+json'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from treatygraph.errors import BadInput, TreatygraphError

FormatKind = Literal["results", "graph", "page"]
_W3C = "http://www.w3.org/ns/formats/"


class NotAcceptable(TreatygraphError):
    """No offered representation fits the request's ``Accept`` (HTTP 406).

    Defined here rather than in ``errors.py`` because only negotiation raises it;
    ``offered`` lists the media types the client may ask for instead.
    """

    def __init__(self, message: str, offered: Sequence[str]) -> None:
        super().__init__(message)
        self.offered = tuple(offered)


@dataclass(frozen=True)
class RdfFormat:
    """One serialisation: how HTTP, files, rdflib and the service description name it."""

    name: str
    kind: FormatKind
    media_type: str
    suffix: str
    rdflib_name: str
    w3c_iri: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header value: text/* types state their UTF-8 charset."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


SPARQL_JSON = RdfFormat(
    name="json",
    kind="results",
    media_type="application/sparql-results+json",
    suffix=".srj",
    rdflib_name="json",
    w3c_iri=_W3C + "SPARQL_Results_JSON",
    aliases=("application/json",),
    names=("json", "srj"),
)
SPARQL_XML = RdfFormat(
    name="xml",
    kind="results",
    media_type="application/sparql-results+xml",
    suffix=".srx",
    rdflib_name="xml",
    w3c_iri=_W3C + "SPARQL_Results_XML",
    aliases=(),
    names=("xml", "srx"),
)
SPARQL_CSV = RdfFormat(
    name="csv",
    kind="results",
    media_type="text/csv",
    suffix=".csv",
    rdflib_name="csv",
    w3c_iri=_W3C + "SPARQL_Results_CSV",
    aliases=(),
    names=("csv",),
)
SPARQL_TSV = RdfFormat(
    name="tsv",
    kind="results",
    media_type="text/tab-separated-values",
    suffix=".tsv",
    rdflib_name="tsv",
    w3c_iri=_W3C + "SPARQL_Results_TSV",
    aliases=(),
    names=("tsv",),
)
TURTLE = RdfFormat(
    name="turtle",
    kind="graph",
    media_type="text/turtle",
    suffix=".ttl",
    rdflib_name="turtle",
    w3c_iri=_W3C + "Turtle",
    aliases=("application/x-turtle", "application/turtle"),
    names=("turtle", "ttl"),
)
NTRIPLES = RdfFormat(
    name="ntriples",
    kind="graph",
    media_type="application/n-triples",
    suffix=".nt",
    rdflib_name="nt",
    w3c_iri=_W3C + "N-Triples",
    aliases=(),
    names=("ntriples", "nt", "n-triples"),
)
NQUADS = RdfFormat(
    name="nquads",
    kind="graph",
    media_type="application/n-quads",
    suffix=".nq",
    rdflib_name="nquads",
    w3c_iri=_W3C + "N-Quads",
    aliases=(),
    names=("nquads", "nq", "n-quads"),
)
TRIG = RdfFormat(
    name="trig",
    kind="graph",
    media_type="application/trig",
    suffix=".trig",
    rdflib_name="trig",
    w3c_iri=_W3C + "TriG",
    aliases=(),
    names=("trig",),
)
JSONLD = RdfFormat(
    name="jsonld",
    kind="graph",
    media_type="application/ld+json",
    suffix=".jsonld",
    rdflib_name="json-ld",
    w3c_iri=_W3C + "JSON-LD",
    aliases=("application/x-json+ld",),
    names=("jsonld", "json-ld", "json"),
)
RDFXML = RdfFormat(
    name="rdfxml",
    kind="graph",
    media_type="application/rdf+xml",
    suffix=".rdf",
    rdflib_name="xml",
    w3c_iri=_W3C + "RDF_XML",
    aliases=(),
    names=("rdfxml", "rdf", "xml", "rdf+xml"),
)

HTML = RdfFormat(
    name="html",
    kind="page",
    media_type="text/html",
    suffix=".html",
    rdflib_name="",
    w3c_iri="",
    aliases=("application/xhtml+xml",),
    names=("html", "htm"),
)
"""A page for people; offered beside the RDF syntaxes by the linked-data routes only."""

RESULT_FORMATS: tuple[RdfFormat, ...] = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)
"""Formats for SELECT and ASK, in order of preference (the first is the default)."""
GRAPH_FORMATS: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, NQUADS, TRIG, JSONLD, RDFXML)
"""Formats for graphs, in order of preference (the first is the default)."""
ALL_FORMATS = RESULT_FORMATS + GRAPH_FORMATS
RESOURCE_FORMATS: tuple[RdfFormat, ...] = (JSONLD, TURTLE, NTRIPLES, RDFXML, HTML)
"""Representations of a linked-data resource (``/id/...``): JSON-LD is the default."""
SCHEMA_FORMATS: tuple[RdfFormat, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML, HTML)
"""Representations of the ontology and the shapes: Turtle, their source syntax, is the default."""


def media_types(formats: Iterable[RdfFormat]) -> list[str]:
    """Every media type the formats answer to: canonical types first, then aliases."""
    formats = list(formats)
    return [f.media_type for f in formats] + [a for f in formats for a in f.aliases]


def by_suffix(suffix: str, formats: Iterable[RdfFormat] = ALL_FORMATS) -> RdfFormat | None:
    """The format among ``formats`` that a file suffix (``.ttl``, ``ttl``) stands for."""
    wanted = "." + suffix.lower().lstrip(".")
    return next((f for f in formats if f.suffix == wanted), None)


def by_name(name: str, formats: Iterable[RdfFormat] = ALL_FORMATS) -> RdfFormat | None:
    """The format with this short name or media type among ``formats`` (case-insensitive)."""
    wanted = name.strip().lower()
    for fmt in formats:
        if wanted in fmt.names or wanted == fmt.media_type or wanted in fmt.aliases:
            return fmt
    return None


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int


def _parse_accept(header: str | None) -> list[_Range]:
    """Media ranges of an Accept header; malformed entries are skipped, and a header with no
    well-formed entry counts as ``*/*`` (RFC 9110 lets a server ignore a malformed Accept)."""
    ranges: list[_Range] = []
    for order, item in enumerate((header or "*/*").split(",")):
        parts = [p.strip() for p in item.split(";")]
        full = parts[0].lower()
        if full == "*":  # seen in the wild; means */*
            full = "*/*"
        main, slash, sub = full.partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = -1.0
                break  # parameters after q are accept-extensions
        if q >= 0:
            ranges.append(_Range(main, sub, q, order))
    return ranges or [_Range("*", "*", 1.0, 0)]


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or None when none is acceptable.

    A missing or empty header accepts anything. Parameters other than ``q`` are ignored.
    """
    ranges = _parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    chosen: str | None = None
    for position, offer in enumerate(offered):
        main, _, sub = offer.lower().partition("/")
        match: tuple[int, _Range] | None = None
        for rng in ranges:
            if rng.type == main and rng.subtype == sub:
                specificity = 2
            elif rng.type == main and rng.subtype == "*":
                specificity = 1
            elif rng.type == "*":
                specificity = 0
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, rng)
        if match is None or match[1].q <= 0:
            continue
        key = (match[1].q, match[0], -match[1].order, -position)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def choose(
    formats: Sequence[RdfFormat], accept: str | None, format_param: str | None = None
) -> RdfFormat:
    """The format to answer with: ``format_param`` (``format=``/``output=``) when it names one
    of ``formats``, else Accept negotiation. Raises :class:`NotAcceptable`.

    An unknown ``format_param`` is ignored, as most SPARQL endpoints do, so that client
    libraries which always send one (SPARQLWrapper sends ``format=xml`` for CONSTRUCT) work.
    """
    if format_param:
        named = by_name(format_param, formats)
        if named is not None:
            return named
    offered = media_types(formats)
    media_type = negotiate(accept, offered)
    if media_type is None:
        raise NotAcceptable(
            f"none of the media types in 'Accept: {accept}' can be produced here; "
            f"ask for one of: {', '.join(offered)}",
            offered,
        )
    return next(f for f in formats if media_type == f.media_type or media_type in f.aliases)


def choose_strict(
    formats: Sequence[RdfFormat],
    accept: str | None,
    format_param: str | None = None,
    suffix_format: RdfFormat | None = None,
) -> RdfFormat:
    """Like :func:`choose` for the linked-data routes, where a file-style suffix wins over
    ``format=``, which wins over Accept, and an unknown ``format=`` is a BadInput (HTTP 400)
    instead of being ignored: these routes have no legacy clients to humour.
    """
    if suffix_format is not None:
        return suffix_format
    if format_param:
        named = by_name(format_param, formats)
        if named is None:
            names = ", ".join(f.names[0] for f in formats)
            raise BadInput(f"unknown format {format_param[:40]!r}; use one of {names}")
        return named
    return choose(formats, accept)
