"""The streaming serialisers, checked by parsing their output back with rdflib, json and csv."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.query import Result

from treatygraph.namespaces import PREFIXES
from treatygraph.rdfformats import (
    GRAPH_FORMATS,
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    RESULT_FORMATS,
    SPARQL_CSV,
    SPARQL_JSON,
    SPARQL_TSV,
    SPARQL_XML,
    TRIG,
    TURTLE,
    NotAcceptable,
    RdfFormat,
)
from treatygraph.sparql_results import (
    TRUNCATED_LINK,
    graph_result,
    incomplete_marker,
    serialize,
)
from treatygraph.store.base import AskResult, GraphResult, SelectResult, Term, to_rdflib

XSD_STRING = str(XSD.string)
LANG_STRING = str(RDF.langString)

NASTY = [
    'quote " and \\ backslash',
    "new\nline and \r carriage",
    "tab\there",
    "unicode: 日本 déjà ✓ 🚢",
    "<tag> & ampersand ]]>",
    'comma, "quoted", and; semicolon',
    "",
    " leading and trailing spaces ",
    "control \x01 \x7f chars",
]

TERMS = [
    Term("uri", "https://w3id.org/treatygraph/id/state/ph"),
    Term("uri", "https://w3id.org/treatygraph/ontology#party"),
    Term("uri", "http://example.org/with#hash?and=query"),
    Term("bnode", "b0"),
    Term("literal", "plain"),
    Term("literal", "Philippines", LANG_STRING, "en"),
    Term("literal", "日本", LANG_STRING, "ja"),
    Term("literal", "Ninoy", LANG_STRING, "en-ph"),
    Term("literal", "2024-07-08", str(XSD.date)),
    Term("literal", "2024-05", str(XSD.gYearMonth)),
    Term("literal", "42", str(XSD.integer)),
    Term("literal", "1.5", str(XSD.decimal)),
    *(Term("literal", text) for text in NASTY),
    *(Term("literal", text, LANG_STRING, "en") for text in NASTY[:3]),
]


def xml_safe(term: Term) -> bool:
    return not any(ord(c) < 0x20 and c not in "\t\n\r" for c in term.value)


def rows_of(terms: list[Term]) -> list[tuple[Term | None, ...]]:
    """One row per term in ?o, ?s always bound, ?none never."""
    return [(Term("uri", f"http://example.org/s{n}"), term, None) for n, term in enumerate(terms)]


def select(
    terms: list[Term], truncated_at: int | None = None, fmt: RdfFormat = SPARQL_JSON
) -> bytes:
    result = SelectResult(["s", "o", "none"], iter(rows_of(terms)))
    return b"".join(serialize(result, fmt, truncated_at=truncated_at))


def parsed(data: bytes, fmt: RdfFormat) -> list[tuple[object, ...]]:
    return [tuple(row) for row in Result.parse(io.BytesIO(data), format=fmt.rdflib_name)]


def expected_rows(terms: list[Term]) -> list[tuple[object, ...]]:
    return [(to_rdflib(s), to_rdflib(o), None) for s, o, _ in rows_of(terms) if s and o]


# -- SELECT ------------------------------------------------------------------------------------


def test_json_select_round_trip() -> None:
    data = select(TERMS)
    document = json.loads(data)
    assert document["head"] == {"vars": ["s", "o", "none"]}
    first = document["results"]["bindings"][5]["o"]
    assert first == {"type": "literal", "value": "Philippines", "xml:lang": "en"}
    plain = document["results"]["bindings"][4]["o"]
    assert plain == {"type": "literal", "value": "plain"}, "xsd:string gets no datatype"
    assert all("none" not in binding for binding in document["results"]["bindings"])
    assert parsed(data, SPARQL_JSON) == expected_rows(TERMS)


def test_xml_select_round_trip() -> None:
    terms = [t for t in TERMS if xml_safe(t)]
    data = select(terms, fmt=SPARQL_XML)
    ET.fromstring(data)  # noqa: S314 (our own output): well-formed
    assert parsed(data, SPARQL_XML) == expected_rows(terms)
    assert b"&#13;" in data, "a carriage return survives XML parsing only as a reference"


def test_xml_replaces_characters_xml_cannot_carry() -> None:
    data = select([Term("literal", "a\x01b")], fmt=SPARQL_XML)
    assert parsed(data, SPARQL_XML)[0][1] == Literal("a\ufffdb")


def test_tsv_select_round_trip() -> None:
    data = select(TERMS, fmt=SPARQL_TSV)
    assert data.startswith(b"?s\t?o\t?none\n")
    assert parsed(data, SPARQL_TSV) == expected_rows(TERMS)


def test_csv_select_gives_lexical_forms() -> None:
    data = select(TERMS, fmt=SPARQL_CSV)
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows[0] == ["s", "o", "none"]
    values = [row[1] for row in rows[1:]]
    expected = [("_:" + t.value if t.kind == "bnode" else t.value) for t in TERMS]
    assert values == expected
    assert all(row[2] == "" for row in rows[1:])


def test_csv_batches_large_results() -> None:
    terms = [Term("literal", str(n)) for n in range(1000)]
    pieces = list(serialize(SelectResult(["x"], iter([(t,) for t in terms])), SPARQL_CSV))
    assert len(pieces) > 1
    assert b"".join(pieces).decode().split("\r\n")[1:4] == ["0", "1", "2"]


@pytest.mark.parametrize("fmt", [SPARQL_JSON, SPARQL_XML, SPARQL_TSV, SPARQL_CSV])
def test_empty_select(fmt: RdfFormat) -> None:
    data = b"".join(serialize(SelectResult(["a", "b"], iter([])), fmt))
    if fmt is not SPARQL_CSV:
        assert list(Result.parse(io.BytesIO(data), format=fmt.rdflib_name)) == []
    else:
        assert data == b"a,b\r\n"


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("fmt", RESULT_FORMATS)
def test_ask(fmt: RdfFormat, value: bool) -> None:
    data = b"".join(serialize(AskResult(value), fmt))
    if fmt in (SPARQL_JSON, SPARQL_XML):
        assert Result.parse(io.BytesIO(data), format=fmt.rdflib_name).askAnswer is value
    else:
        assert data.strip() == (b"true" if value else b"false")


def test_truncation_is_announced_in_json_and_xml() -> None:
    document = json.loads(select(TERMS[:2], truncated_at=2))
    assert document["head"]["link"] == [TRUNCATED_LINK]
    root = ET.fromstring(select(TERMS[:2], truncated_at=2, fmt=SPARQL_XML))  # noqa: S314
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert root.find(f"{ns}head/{ns}link").attrib["href"] == TRUNCATED_LINK  # type: ignore[union-attr]
    assert "link" not in json.loads(select(TERMS[:2]))["head"]


@pytest.mark.parametrize("fmt", [SPARQL_JSON, SPARQL_XML])
def test_incomplete_marker_breaks_json_and_xml(fmt: RdfFormat) -> None:
    pieces = serialize(SelectResult(["s", "o", "none"], iter(rows_of(TERMS))), fmt)
    broken = next(pieces) + next(pieces) + incomplete_marker("the query timed out")
    with pytest.raises(Exception):  # noqa: B017 (each parser raises its own type)
        Result.parse(io.BytesIO(broken), format=fmt.rdflib_name)
    assert b"THE RESULTS ABOVE ARE INCOMPLETE" in broken


def test_format_by_media_type_or_name() -> None:
    result = SelectResult(["x"], iter([(Term("literal", "1"),)]))
    assert b"".join(serialize(result, "text/csv")) == b"x\r\n1\r\n"
    triples = GraphResult(
        iter([(Term("uri", "http://e/s"), Term("uri", "http://e/p"), Term("uri", "http://e/o"))])
    )
    assert b"".join(serialize(triples, "nt")) == b"<http://e/s> <http://e/p> <http://e/o> .\n"
    with pytest.raises(ValueError, match="no results format is called 'text/turtle'"):
        serialize(AskResult(True), "text/turtle")


def test_wrong_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a graph format"):
        serialize(GraphResult(iter([])), SPARQL_JSON)
    with pytest.raises(ValueError, match="not a SPARQL results format"):
        serialize(AskResult(True), TURTLE)


# -- graphs ------------------------------------------------------------------------------------


def triples_of(terms: list[Term]) -> list[tuple[Term, Term, Term]]:
    subject = Term("uri", "https://w3id.org/treatygraph/id/agreement/jp-ph-raa")
    blank = Term("bnode", "ev1")
    out = [
        (subject, Term("uri", str(RDF.type)), Term("uri", PREFIXES["tg"] + "Agreement")),
        (subject, Term("uri", PREFIXES["tg"] + "evidence"), blank),
        (blank, Term("uri", PREFIXES["rdfs"] + "label"), Term("literal", "a.b", LANG_STRING, "en")),
        (blank, Term("uri", PREFIXES["tg"] + "x.y"), Term("uri", PREFIXES["tg"] + "end.")),
    ]
    out += [(subject, Term("uri", PREFIXES["tg"] + "value"), term) for term in terms]
    return out


def graph_of(triples: list[tuple[Term, Term, Term]]) -> Graph:
    graph = Graph()
    for s, p, o in triples:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def write_graph(
    triples: list[tuple[Term, Term, Term]], fmt: RdfFormat, cut: int | None = None
) -> bytes:
    return b"".join(serialize(GraphResult(iter(triples)), fmt, truncated_at=cut))


def read_graph(data: bytes, fmt: RdfFormat) -> Graph:
    if fmt in (NQUADS, TRIG):
        dataset = Dataset()
        dataset.parse(data=data, format=fmt.rdflib_name)
        graph = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return Graph().parse(data=data, format=fmt.rdflib_name)


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_graph_round_trip(fmt: RdfFormat) -> None:
    terms = TERMS if fmt is not RDFXML else [t for t in TERMS if xml_safe(t)]
    triples = triples_of([t for t in terms if t.kind == "literal"])
    assert isomorphic(read_graph(write_graph(triples, fmt), fmt), graph_of(triples))


@pytest.mark.parametrize("fmt", [TURTLE, TRIG, NTRIPLES, NQUADS], ids=lambda f: f.name)
def test_truncation_comment_keeps_rdf_valid(fmt: RdfFormat) -> None:
    triples = triples_of(TERMS[:3])
    data = write_graph(triples, fmt, cut=len(triples))
    assert data.startswith(b"# treatygraph: results truncated")
    assert isomorphic(read_graph(data, fmt), graph_of(triples))


def test_turtle_uses_prefixes_only_where_safe() -> None:
    text = write_graph(triples_of([]), TURTLE).decode()
    assert " a tg:Agreement ." in text
    assert "tg:x.y" in text
    assert "<https://w3id.org/treatygraph/ontology#end.>" in text, "a local name cannot end in '.'"
    assert "<https://w3id.org/treatygraph/id/agreement/jp-ph-raa>" in text


def test_jsonld_is_expanded_and_groups_subjects() -> None:
    document = json.loads(
        write_graph(triples_of([Term("literal", ""), Term("literal", "0")]), JSONLD)
    )
    subject = "https://w3id.org/treatygraph/id/agreement/jp-ph-raa"
    assert [node["@id"] for node in document] == [subject, "_:ev1", subject]
    assert document[0]["@type"] == [PREFIXES["tg"] + "Agreement"]
    assert document[2][PREFIXES["tg"] + "value"] == [{"@value": ""}, {"@value": "0"}]


def test_jsonld_reads_the_same_in_the_reference_processor() -> None:
    triples = triples_of([t for t in TERMS if t.kind == "literal"])
    document = json.loads(write_graph(triples, JSONLD))
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), graph_of(triples))


def test_rdfxml_refuses_unsplittable_predicates() -> None:
    triples = [(Term("uri", "http://e/s"), Term("uri", "http://e/p/"), Term("literal", "x"))]
    with pytest.raises(NotAcceptable, match="RDF/XML"):
        write_graph(triples, RDFXML)


def test_odd_blank_node_labels_are_made_valid() -> None:
    triples = [(Term("bnode", "not valid!"), Term("uri", "http://e/p"), Term("bnode", "ok_1"))]
    graph = read_graph(write_graph(triples, NTRIPLES), NTRIPLES)
    assert len(graph) == 1
    assert all(isinstance(node, BNode) for node in (*graph.subjects(), *graph.objects()))


def test_graph_result_of_rdflib_graph() -> None:
    source = Graph()
    source.add((URIRef("http://e/s"), URIRef("http://e/p"), Literal("x", datatype=XSD.string)))
    source.add((URIRef("http://e/s"), URIRef("http://e/p"), Literal("y", lang="en")))
    source.add((BNode("b"), URIRef("http://e/p"), Literal(3)))
    data = b"".join(serialize(graph_result(source), NTRIPLES))
    assert b'"x" .' in data, "xsd:string is written without a datatype"
    source.remove((None, None, Literal("x", datatype=XSD.string)))
    source.add((URIRef("http://e/s"), URIRef("http://e/p"), Literal("x")))
    assert isomorphic(read_graph(data, NTRIPLES), source)


# -- property tests: any text survives every format that can carry it ---------------------------

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
langs = st.from_regex(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", fullmatch=True)
literals = st.one_of(
    texts.map(lambda t: Term("literal", t)),
    st.tuples(texts, langs).map(lambda tl: Term("literal", tl[0], LANG_STRING, tl[1])),
    texts.map(lambda t: Term("literal", t, "http://example.org/datatype")),
)
quick = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def tsv_safe(term: Term) -> bool:
    """rdflib's TSV reader knows no \\u escapes, which TSV (Turtle syntax) allows."""
    return not any(c in "\x0b\x1c\x1d\x1e\x85\u2028\u2029" for c in term.value)


@quick
@given(st.lists(literals, min_size=1, max_size=5))
def test_any_literal_round_trips_through_results(terms: list[Term]) -> None:
    assert parsed(select(terms), SPARQL_JSON) == expected_rows(terms)
    readable = [t for t in terms if tsv_safe(t)]
    if readable:
        assert parsed(select(readable, fmt=SPARQL_TSV), SPARQL_TSV) == expected_rows(readable)
    safe = [t for t in terms if xml_safe(t)]
    if safe:
        assert parsed(select(safe, fmt=SPARQL_XML), SPARQL_XML) == expected_rows(safe)


@quick
@given(st.lists(literals, min_size=1, max_size=5))
def test_any_literal_round_trips_through_rdf(terms: list[Term]) -> None:
    triples = triples_of(terms)
    for fmt in (NTRIPLES, TURTLE, TRIG, JSONLD):
        assert isomorphic(read_graph(write_graph(triples, fmt), fmt), graph_of(triples)), fmt.name
