"""Streaming serialisers: query results to SPARQL JSON/XML/CSV/TSV and RDF syntaxes, as bytes.

:func:`serialize` is a generator: it yields a few bytes per row, never the whole document, so a
caller can cut the output into chunks and send them while later rows are still being written.
It never reads past the rows it is given; bounding them is the caller's job (the query runner
stops at ``max_results``). Terms follow RDF 1.1: a literal without a datatype is an
``xsd:string`` and is written without one; a language-tagged literal carries ``xml:lang``
(XML), ``"xml:lang"`` (JSON) or ``@lang`` (N-Triples, Turtle, TSV).

Truncation is announced in the document itself where the format has room for it (the HTTP
header ``TreatyGraph-Results-Truncated`` is set by the web layer for every format):

* SPARQL JSON and XML: a ``link`` to :data:`TRUNCATED_LINK` in ``head`` (the standard slot for
  metadata about the results);
* Turtle, TriG, N-Triples, N-Quads: a ``#`` comment before the first triple;
* CSV, TSV, JSON-LD, RDF/XML: no room; the HTTP header is the only announcement.

:func:`incomplete_marker` is what a stream ends with when it fails after it has started: text
that is deliberately not a valid continuation (SPARQL JSON and XML are left unclosed, so any
parser rejects them), written just before the server drops the connection.

Limitations, by design: XML 1.0 cannot carry the control characters U+0000-U+0008, U+000B,
U+000C, U+000E-U+001F (not even as character references); SPARQL XML replaces them with
U+FFFD. RDF-star triple terms are written as plain literals holding their text. JSON-LD is
written in expanded form (no context, so nothing can be misread). RDF/XML goes through an
rdflib Graph, which holds every triple in memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import quoteattr

from rdflib import BNode as RdfBNode
from rdflib import Graph, Literal, URIRef

from treatygraph.namespaces import PREFIXES, TG
from treatygraph.rdfformats import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    NotAcceptable,
    RdfFormat,
    by_name,
    media_types,
)
from treatygraph.store.base import (
    AskResult,
    GraphResult,
    QueryResult,
    Row,
    Term,
    TermTriple,
    to_rdflib,
)

TRUNCATED_LINK = str(TG) + "resultsTruncated"
"""Linked from the head of a SPARQL JSON/XML result that was cut at ``max_results``."""

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_CSV_BATCH = 256
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)

# N-Triples/Turtle string escapes, canonical form of RDF 1.2 N-Triples: ECHAR where one
# exists, UCHAR for the other control characters.
_STRING_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_STRING_ESCAPES.update(
    {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
)
# TSV cells: ECHAR where one exists; other control characters stay raw (allowed in SPARQL and
# Turtle strings), except those that line-splitting readers (Python's splitlines) take for
# line breaks, which get UCHAR escapes as Turtle allows.
_TSV_ESCAPES = {c: e for c, e in _STRING_ESCAPES.items() if not e.startswith("\\u")}
_TSV_ESCAPES.update({c: f"\\u{c:04X}" for c in (0x0B, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)})
# Characters IRIREF forbids; engines do not produce them, remote stores might.
_IRI_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in [*range(0x21), *map(ord, '<>"{}|^`\\')]}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_PN_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")


def serialize(
    result: QueryResult, fmt: RdfFormat | str, *, truncated_at: int | None = None
) -> Iterator[bytes]:
    """Yield ``result`` in ``fmt`` as UTF-8 bytes, piece by piece.

    ``fmt`` is an :class:`RdfFormat`, or a media type or short name (``"text/turtle"``,
    ``"json"``) looked up among the formats for this kind of result. ``truncated_at`` is the
    number of rows (or triples) kept when the caller cut the result; the document then says
    so (see the module docstring). Raises ``ValueError`` when ``fmt`` does not fit the kind
    of result, and :class:`NotAcceptable` when RDF/XML cannot express a predicate IRI.
    """
    graph = isinstance(result, GraphResult)
    if isinstance(fmt, str):
        found = by_name(fmt, GRAPH_FORMATS if graph else RESULT_FORMATS)
        if found is None:
            raise ValueError(f"no {'graph' if graph else 'results'} format is called {fmt!r}")
        fmt = found
    if isinstance(result, GraphResult):
        if fmt.kind != "graph":
            raise ValueError(f"{fmt.name} is not a graph format")
        return _GRAPH_WRITERS[fmt.name](result.triples, truncated_at)
    if fmt.kind != "results":
        raise ValueError(f"{fmt.name} is not a SPARQL results format")
    if isinstance(result, AskResult):
        return iter((_ASK_WRITERS[fmt.name](result.value),))
    return _SELECT_WRITERS[fmt.name](result.variables, result.rows, truncated_at)


def incomplete_marker(reason: str) -> bytes:
    """Bytes that end a stream which broke after it started, so the break is never silent.

    It tells a person why, and no parser accepts it at that position: JSON, JSON-LD and
    XML stay unclosed, and it is no statement of N-Triples, Turtle or TriG, nor a TSV row of
    terms. Only CSV can read it as a row; there, as everywhere, the connection the server
    drops without the final chunk is what every HTTP client reports.
    """
    text = reason.replace("\r", " ").replace("\n", " ")
    return f"\n\n!!! treatygraph: {text}. THE RESULTS ABOVE ARE INCOMPLETE. !!!\n".encode()


def graph_result(graph: Graph) -> GraphResult:
    """A :class:`GraphResult` over an rdflib graph, to write it with :func:`serialize`."""
    return GraphResult(
        (_from_rdflib(s), _from_rdflib(p), _from_rdflib(o))
        for s, p, o in graph.triples((None, None, None))
    )


def _from_rdflib(node: object) -> Term:
    if isinstance(node, URIRef):
        return Term("uri", str(node))
    if isinstance(node, RdfBNode):
        return Term("bnode", str(node))
    if isinstance(node, Literal):
        if node.language:
            return Term("literal", str(node), _RDF_LANG_STRING, node.language)
        datatype = str(node.datatype) if node.datatype else None
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = None
        return Term("literal", str(node), datatype)
    raise TypeError(f"not an RDF term: {node!r}")


# -- SPARQL results ----------------------------------------------------------------------------


def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "uri":
        return {"type": "uri", "value": term.value}
    if term.kind == "bnode":
        return {"type": "bnode", "value": term.value}
    if term.lang:
        return {"type": "literal", "value": term.value, "xml:lang": term.lang}
    if term.datatype and term.kind == "literal":
        return {"type": "literal", "value": term.value, "datatype": term.datatype}
    return {"type": "literal", "value": term.value}


def _select_json(
    variables: list[str], rows: Iterable[Row], truncated_at: int | None
) -> Iterator[bytes]:
    head: dict[str, object] = {"vars": variables}
    if truncated_at is not None:
        head["link"] = [TRUNCATED_LINK]
    yield b'{"head":' + _JSON.encode(head).encode() + b',"results":{"bindings":['
    separator = "\n"
    for row in rows:
        binding = {var: _json_term(term) for var, term in zip(variables, row, strict=True) if term}
        yield (separator + _JSON.encode(binding)).encode()
        separator = ",\n"
    yield b"\n]}}\n"


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text).translate(_XML_TEXT)


def _xml_term(term: Term) -> str:
    if term.kind == "uri":
        return f"<uri>{_xml_text(term.value)}</uri>"
    if term.kind == "bnode":
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if term.lang:
        return f"<literal xml:lang={quoteattr(term.lang)}>{_xml_text(term.value)}</literal>"
    if term.datatype and term.kind == "literal":
        dt = quoteattr(_xml_text(term.datatype))
        return f"<literal datatype={dt}>{_xml_text(term.value)}</literal>"
    return f"<literal>{_xml_text(term.value)}</literal>"


_XML_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
)


def _select_xml(
    variables: list[str], rows: Iterable[Row], truncated_at: int | None
) -> Iterator[bytes]:
    names = [quoteattr(v) for v in variables]
    head = "".join(f"<variable name={name}/>" for name in names)
    if truncated_at is not None:
        head += f"<link href={quoteattr(TRUNCATED_LINK)}/>"
    yield f"{_XML_HEAD}{head}</head>\n<results>\n".encode()
    for row in rows:
        bindings = "".join(
            f"<binding name={name}>{_xml_term(term)}</binding>"
            for name, term in zip(names, row, strict=True)
            if term
        )
        yield f"<result>{bindings}</result>\n".encode()
    yield b"</results>\n</sparql>\n"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return "_:" + term.value if term.kind == "bnode" else term.value


def _select_csv(
    variables: list[str], rows: Iterable[Row], truncated_at: int | None
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for index, row in enumerate(rows, 1):
        writer.writerow([_csv_value(term) for term in row])
        if index % _CSV_BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _select_tsv(
    variables: list[str], rows: Iterable[Row], truncated_at: int | None
) -> Iterator[bytes]:
    yield ("\t".join("?" + v for v in variables) + "\n").encode()
    for row in rows:
        yield (
            "\t".join("" if t is None else _nt_term(t, _TSV_ESCAPES) for t in row) + "\n"
        ).encode()


def _ask_json(value: bool) -> bytes:
    return b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}\n"


def _ask_xml(value: bool) -> bytes:
    word = "true" if value else "false"
    return f"{_XML_HEAD}</head>\n<boolean>{word}</boolean>\n</sparql>\n".encode()


def _ask_text(value: bool) -> bytes:
    return b"true\n" if value else b"false\n"


# -- RDF syntaxes ------------------------------------------------------------------------------


def _bnode(label: str) -> str:
    if _BNODE_LABEL.fullmatch(label):
        return "_:" + label
    return "_:b" + label.encode().hex()


def _nt_term(term: Term, escapes: dict[int, str] = _STRING_ESCAPES) -> str:
    if term.kind == "uri":
        return f"<{term.value.translate(_IRI_ESCAPES)}>"
    if term.kind == "bnode":
        return _bnode(term.value)
    text = f'"{term.value.translate(escapes)}"'
    if term.lang:
        return f"{text}@{term.lang}"
    if term.datatype and term.kind == "literal":
        return f"{text}^^<{term.datatype.translate(_IRI_ESCAPES)}>"
    return text


def _comment(truncated_at: int | None) -> bytes:
    if truncated_at is None:
        return b""
    return (
        f"# treatygraph: results truncated to the first {truncated_at} triples "
        "(the server's max_results); use LIMIT and OFFSET to page through them\n"
    ).encode()


def _ntriples(triples: Iterable[TermTriple], truncated_at: int | None) -> Iterator[bytes]:
    yield _comment(truncated_at)
    for s, p, o in triples:
        yield f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} .\n".encode()


class _TurtleTerms:
    """Turtle for terms: prefixed names where the local part is safe, cached per IRI."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def iri(self, iri: str) -> str:
        name = self._names.get(iri)
        if name is None:
            name = f"<{iri.translate(_IRI_ESCAPES)}>"
            for prefix, namespace in self._prefixes:
                if iri.startswith(namespace) and _PN_LOCAL.fullmatch(iri[len(namespace) :]):
                    name = f"{prefix}:{iri[len(namespace) :]}"
                    break
            self._names[iri] = name
        return name

    def term(self, term: Term) -> str:
        if term.kind == "uri":
            return self.iri(term.value)
        if term.kind == "literal" and term.datatype and not term.lang:
            return f'"{term.value.translate(_STRING_ESCAPES)}"^^{self.iri(term.datatype)}'
        return _nt_term(term)

    def statement(self, triple: TermTriple) -> str:
        s, p, o = triple
        verb = "a" if p.value == _RDF_TYPE else self.iri(p.value)
        return f"{self.term(s)} {verb} {self.term(o)} .\n"


def _prefix_block() -> bytes:
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()).encode() + b"\n"


def _turtle(triples: Iterable[TermTriple], truncated_at: int | None) -> Iterator[bytes]:
    yield _comment(truncated_at) + _prefix_block()
    terms = _TurtleTerms()
    for triple in triples:
        yield terms.statement(triple).encode()


def _trig(triples: Iterable[TermTriple], truncated_at: int | None) -> Iterator[bytes]:
    yield _comment(truncated_at) + _prefix_block() + b"{\n"
    terms = _TurtleTerms()
    for triple in triples:
        yield b"  " + terms.statement(triple).encode()
    yield b"}\n"


def _rdflib_graph(triples: Iterable[TermTriple]) -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    for s, p, o in triples:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def _jsonld_object(term: Term) -> dict[str, str]:
    if term.kind == "uri":
        return {"@id": term.value}
    if term.kind == "bnode":
        return {"@id": _bnode(term.value)}
    if term.lang:
        return {"@value": term.value, "@language": term.lang}
    if term.datatype and term.kind == "literal":
        return {"@value": term.value, "@type": term.datatype}
    return {"@value": term.value}


def _jsonld(triples: Iterable[TermTriple], truncated_at: int | None) -> Iterator[bytes]:
    """Expanded JSON-LD, one node object per run of triples with the same subject.

    Expanded form needs no context, so no IRI can be misread; a subject whose triples are
    not adjacent gets several node objects, which JSON-LD merges. (rdflib's compacting
    serialiser drops empty-string literals, and needs the whole graph in memory.)
    """
    yield b"["
    separator = "\n"
    subject: Term | None = None
    node: dict[str, list[object]] = {}
    for s, p, o in triples:
        if s != subject:
            if subject is not None:
                yield (separator + _JSON.encode({"@id": _node_id(subject), **node})).encode()
                separator = ",\n"
            subject, node = s, {}
        if p.value == _RDF_TYPE and o.kind == "uri":
            node.setdefault("@type", []).append(o.value)
        else:
            node.setdefault(p.value, []).append(_jsonld_object(o))
    if subject is not None:
        yield (separator + _JSON.encode({"@id": _node_id(subject), **node})).encode()
    yield b"\n]\n"


def _node_id(term: Term) -> str:
    return _bnode(term.value) if term.kind == "bnode" else term.value


def _rdfxml(triples: Iterable[TermTriple], truncated_at: int | None) -> Iterator[bytes]:
    graph = _rdflib_graph(triples)
    try:
        yield graph.serialize(format="xml", encoding="utf-8")
    except ValueError as exc:  # rdflib: a predicate IRI that cannot be split into a QName
        raise NotAcceptable(
            f"this result cannot be written as RDF/XML ({exc}); ask for Turtle or N-Triples",
            media_types(GRAPH_FORMATS),
        ) from None


_SELECT_WRITERS = {"json": _select_json, "xml": _select_xml, "csv": _select_csv, "tsv": _select_tsv}
_ASK_WRITERS = {"json": _ask_json, "xml": _ask_xml, "csv": _ask_text, "tsv": _ask_text}
_GRAPH_WRITERS = {
    "turtle": _turtle,
    "ntriples": _ntriples,
    "nquads": _ntriples,
    "trig": _trig,
    "jsonld": _jsonld,
    "rdfxml": _rdfxml,
}
