"""The SHACL shapes and ``treatygraph.validation``: each shape against a dataset with one defect.

``tests/data/valid/*.trig`` conform; each ``tests/data/invalid/<name>.trig`` is
``valid/minimal.trig`` with one defect, and ``INVALID`` says which node the report must
name and which shape's message it must give.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, SKOS, XSD

from treatygraph.errors import BadInput
from treatygraph.ingest.article import read_article
from treatygraph.namespaces import ID, SH, TG, article_graph
from treatygraph.ontology import ontology_graph, shapes_graph, superclasses
from treatygraph.provenance import article_description
from treatygraph.validation import SHAPES_NS, ValidationReport, ValidationResult, validate

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parents[1]
TGSH = SHAPES_NS

AGREEMENT = str(ID["agreement/jp-ph-raa"])
SIGNING = str(ID["event/jp-ph-raa-signing-2024-07-08"])
MEETING = str(ID["event/jp-ph-ministerial-meeting-2024-07-08"])
OBSERVATION = str(ID["observation/jp-ph-raa-status-2024-07-09"])
EVIDENCE = str(ID["evidence/test-wire-signed"])
ARTICLE = str(ID["article/test-wire"])
JAPAN = str(ID["state/jp"])
KAMIKAWA = str(ID["person/yoko-kamikawa"])

# file in tests/data/invalid → (focus node, distinctive part of the sh:message, severity)
INVALID: dict[str, tuple[str, str, str]] = {
    "agreement-one-party": (AGREEMENT, "at least two tg:party values", "Violation"),
    "agreement-party-not-state": (AGREEMENT, "each a tg:State of the reference graph", "Violation"),
    "agreement-without-event": (
        AGREEMENT,
        f"Agreement {AGREEMENT} has no event or status observation",
        "Violation",
    ),
    "label-missing": (AGREEMENT, f"{AGREEMENT} has no English rdfs:label", "Violation"),
    "label-not-english": (JAPAN, "Every rdfs:label is English and tagged @en", "Violation"),
    "status-unknown": (AGREEMENT, "at most one tg:status, one of the concepts", "Violation"),
    "event-concerns-state": (
        SIGNING,
        "A lifecycle event concerns exactly one agreement",
        "Violation",
    ),
    "event-no-date": (SIGNING, "An event has exactly one tg:date", "Violation"),
    "event-date-datetime": (SIGNING, 'xsd:gYearMonth ("2024-07") or xsd:gYear', "Violation"),
    "meeting-no-date": (MEETING, "An event has exactly one tg:date", "Violation"),
    "meeting-participant-state": (MEETING, "is a tg:Person or a tg:Organization", "Violation"),
    "event-place-literal": (SIGNING, "The tg:place of an event is a tg:Place", "Violation"),
    "event-after-publication": (
        SIGNING,
        f"Event {SIGNING} is dated 2024-08, after the publication date of every article",
        "Warning",
    ),
    "fact-without-evidence": (SIGNING, "This fact has no tg:evidence", "Violation"),
    "person-office-without-evidence": (KAMIKAWA, "This fact has no tg:evidence", "Violation"),
    "evidence-no-quote": (EVIDENCE, "exactly one non-empty tg:quote", "Violation"),
    "evidence-empty-quote": (EVIDENCE, "exactly one non-empty tg:quote", "Violation"),
    "evidence-quote-not-in-text": (
        EVIDENCE,
        f"Evidence {EVIDENCE}: its tg:quote does not occur verbatim in the tg:text of {ARTICLE}",
        "Violation",
    ),
    "evidence-offsets-mismatch": (
        EVIDENCE,
        f"Evidence {EVIDENCE}: characters 10 to 72 of the tg:text of {ARTICLE} are not its",
        "Violation",
    ),
    "evidence-offset-unpaired": (
        EVIDENCE,
        f"Evidence {EVIDENCE} has only one of tg:startOffset and tg:endOffset",
        "Violation",
    ),
    "evidence-offset-not-integer": (EVIDENCE, "tg:startOffset is given at most once", "Violation"),
    "evidence-end-offset-negative": (EVIDENCE, "tg:endOffset is given at most once", "Violation"),
    "evidence-source-not-article": (EVIDENCE, "exactly one tg:source, the tg:Article", "Violation"),
    "evidence-untyped-no-source": (EVIDENCE, "exactly one tg:source, the tg:Article", "Violation"),
    "article-no-publisher": (ARTICLE, "exactly one schema:publisher", "Violation"),
    "article-date-string": (ARTICLE, "exactly one schema:datePublished", "Violation"),
    "article-no-text": (ARTICLE, "exactly one tg:text", "Violation"),
    "state-iso-lowercase": (JAPAN, "exactly one tg:isoCode", "Violation"),
    "state-no-wikidata": (JAPAN, "owl:sameAs link to its Wikidata entity", "Violation"),
    "state-iri-mismatch": (JAPAN, f'State {JAPAN} has tg:isoCode "JA"', "Violation"),
    "observation-status-unknown": (OBSERVATION, "exactly one tg:observedStatus", "Violation"),
    "observation-no-concerns": (
        OBSERVATION,
        "A status observation concerns exactly one agreement",
        "Violation",
    ),
    "observation-date-gyear": (
        OBSERVATION,
        "A status observation has exactly one tg:date",
        "Violation",
    ),
}


def load(path: Path, into: Dataset | None = None) -> Dataset:
    """Parse a TriG file; ``-W error`` overrides pyproject's filter for rdflib's own warning."""
    dataset = Dataset() if into is None else into
    with warnings.catch_warnings():
        # rdflib 7.6's TriG parser uses what rdflib itself deprecated.
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        # From a string: rdflib leaves a file it opens itself unclosed (a ResourceWarning).
        dataset.parse(data=path.read_text(encoding="utf-8"), format="trig")
    return dataset


def minimal() -> Dataset:
    return load(DATA / "valid" / "minimal.trig")


def failures(report: ValidationReport) -> str:
    return "\n" + report.text


@pytest.mark.parametrize("path", sorted((DATA / "valid").glob("*.trig")), ids=lambda p: p.stem)
def test_valid_data_conforms_without_warnings(path: Path) -> None:
    report = validate(load(path))
    assert report.conforms, failures(report)
    assert report.results == (), failures(report)


@pytest.mark.parametrize(("name", "expected"), sorted(INVALID.items()))
def test_each_defect_is_reported_on_its_node(name: str, expected: tuple[str, str, str]) -> None:
    focus, message, severity = expected
    report = validate(load(DATA / "invalid" / f"{name}.trig"))
    assert report.conforms is (severity != "Violation"), failures(report)
    assert any(
        r.focus == focus and message in r.message and r.severity == severity for r in report.results
    ), failures(report)
    assert {r.focus for r in report.results} == {focus}, failures(report)


def test_every_invalid_file_has_an_expectation() -> None:
    assert {p.stem for p in (DATA / "invalid").glob("*.trig")} == set(INVALID)


def test_a_quote_missing_from_its_source_names_the_evidence_and_the_source() -> None:
    dataset = minimal()
    evidence = URIRef(EVIDENCE)
    dataset.remove((evidence, TG.startOffset, None, None))
    dataset.remove((evidence, TG.endOffset, None, None))
    dataset.remove((evidence, TG.quote, None, None))
    quote = "Japan and the Philippines signed a reciprocal access deal"
    dataset.add((evidence, TG.quote, Literal(quote), article_graph("test-wire")))
    report = validate(dataset)
    assert not report.conforms
    (result,) = report.results
    assert result.focus == EVIDENCE
    assert EVIDENCE in result.message and ARTICLE in result.message
    assert result.value == quote
    assert result.shape == TGSH + "EvidenceShape"


@pytest.mark.parametrize(("start", "end"), [(8, 70), (9, 70), (71, 9), (0, 1000)])
def test_offsets_that_do_not_frame_the_quote_are_caught(start: int, end: int) -> None:
    dataset = minimal()
    evidence = URIRef(EVIDENCE)
    graph = article_graph("test-wire")
    dataset.remove((evidence, TG.startOffset, None, None))
    dataset.remove((evidence, TG.endOffset, None, None))
    dataset.add((evidence, TG.startOffset, Literal(start), graph))
    dataset.add((evidence, TG.endOffset, Literal(end), graph))
    report = validate(dataset)
    assert not report.conforms
    assert [r.focus for r in report.results] == [EVIDENCE]
    assert f"characters {start} to {end}" in report.results[0].message


@pytest.mark.parametrize(
    ("date", "datatype", "warned"),
    [
        ("2024-07-09", XSD.date, False),  # the publication day itself
        ("2024-07-10", XSD.date, True),
        ("2024-07", XSD.gYearMonth, False),  # the month of publication
        ("2024-08", XSD.gYearMonth, True),
        ("2024", XSD.gYear, False),
        ("2025", XSD.gYear, True),
    ],
)
def test_events_after_publication_warn_on_their_lexical_prefix(
    date: str, datatype: URIRef, warned: bool
) -> None:
    dataset = minimal()
    signing = URIRef(SIGNING)
    dataset.remove((signing, TG.date, None, None))
    dataset.add((signing, TG.date, Literal(date, datatype=datatype), article_graph("test-wire")))
    report = validate(dataset)
    assert report.conforms, failures(report)
    assert [r.focus for r in report.warnings] == ([SIGNING] if warned else [])


@pytest.mark.parametrize(
    ("date", "datatype"),
    [
        ("2024-13-45", XSD.date),
        ("2024-7", XSD.gYearMonth),
        ("July 2024", XSD.gYear),
        ("2024-07-08", XSD.string),
    ],
)
def test_ill_formed_event_dates_are_violations(date: str, datatype: URIRef) -> None:
    dataset = minimal()
    signing = URIRef(SIGNING)
    dataset.remove((signing, TG.date, None, None))
    dataset.add((signing, TG.date, Literal(date, datatype=datatype), article_graph("test-wire")))
    report = validate(dataset)
    assert not report.conforms
    assert [(r.focus, r.path) for r in report.violations] == [(SIGNING, str(TG.date))]
    assert "An event has exactly one tg:date" in report.violations[0].message


def test_validation_leaves_shapes_data_and_ontology_unchanged() -> None:
    cached_shapes, cached_ontology = len(shapes_graph()), len(ontology_graph())
    dataset = load(DATA / "invalid" / "agreement-one-party.trig")
    quads = set(dataset.quads((None, None, None, None)))
    own_shapes = shapes_graph(copy=True)
    first = validate(dataset)
    second = validate(dataset)
    validate(dataset, shapes=own_shapes)
    assert len(shapes_graph()) == cached_shapes
    assert len(ontology_graph()) == cached_ontology
    assert len(own_shapes) == cached_shapes
    assert set(dataset.quads((None, None, None, None))) == quads
    assert first.results == second.results
    assert first.text == second.text


def test_a_graph_is_validated_like_the_union_of_a_dataset() -> None:
    dataset = load(DATA / "invalid" / "evidence-offsets-mismatch.trig")
    flat = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        flat.add((s, p, o))
    assert validate(flat).results == validate(dataset).results


def test_the_report_is_sorted_and_readable() -> None:
    report = validate(load(DATA / "invalid" / "evidence-end-offset-negative.trig"))
    assert list(report.results) == sorted(report.results, key=ValidationResult.sort_key)
    assert report.violations == report.results
    assert report.warnings == ()
    assert report.text.startswith("Conforms: no (2 violations)\n")
    block = report.text.split("\n\n")[2]
    assert block.splitlines() == [
        "Violation",
        f"  focus:   <{EVIDENCE}>",
        "  path:    tg:endOffset",
        "  message: tg:endOffset is given at most once, as a non-negative integer: the character "
        "position just after the quote in the source's text.",
        '  value:   "-1"^^xsd:integer',
        "  shape:   tgsh:EvidenceEndOffsetShape",
    ]
    assert (None, RDF.type, SH.ValidationReport) in report.graph


def test_the_report_as_json() -> None:
    report = validate(load(DATA / "invalid" / "state-iso-lowercase.trig"))
    body = json.loads(json.dumps(report.as_dict()))
    assert body == {
        "conforms": False,
        "violations": [
            {
                "focus": JAPAN,
                "path": str(TG.isoCode),
                "message": "A state has exactly one tg:isoCode: its ISO 3166-1 alpha-2 code as a "
                'plain string in upper case, such as "PH".',
                "severity": "Violation",
                "shape": TGSH + "StateIsoCodeShape",
                "value": "jp",
            }
        ],
    }


def test_warnings_are_listed_but_do_not_block() -> None:
    report = validate(load(DATA / "invalid" / "event-after-publication.trig"))
    assert report.conforms
    assert report.violations == ()
    assert [r["severity"] for r in report.as_dict()["violations"]] == ["Warning"]
    assert report.text.startswith("Conforms: yes (1 warning)\n")


def test_unusable_shapes_are_bad_input() -> None:
    shapes = Graph()
    shape = URIRef(TGSH + "Broken")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, TG.State))
    shapes.add((shape, SH.minCount, Literal("two")))
    shapes.add((shape, SH.path, OWL.sameAs))
    with pytest.raises(BadInput, match="SHACL shapes cannot be used"):
        validate(minimal(), shapes=shapes)


def test_every_shape_tells_the_curator_what_to_fix() -> None:
    shapes = shapes_graph()
    rules = set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(
        shapes.subjects(RDF.type, SH.SPARQLConstraint)
    )
    rules |= set(shapes.objects(None, SH.sparql))
    assert len(rules) > 20
    for rule in rules:
        messages = [m for m in shapes.objects(rule, SH.message) if isinstance(m, Literal)]
        assert [m.language for m in messages] == ["en"], rule


@pytest.mark.parametrize("shape", ["LabelLanguageShape", "ResourceLabelShape"])
def test_the_label_shapes_target_every_class_but_evidence(shape: str) -> None:
    shapes = shapes_graph()
    targets = set(shapes.objects(URIRef(TGSH + shape), SH.targetClass))
    classes = {
        c
        for c in ontology_graph().subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and str(c).startswith(str(TG)) and c != TG.Evidence
    }
    uncovered = {c for c in classes if not (superclasses().get(c, frozenset({c})) | {c}) & targets}
    assert uncovered == set()


def test_status_lists_are_the_agreement_status_scheme() -> None:
    shapes = shapes_graph()
    scheme = set(ontology_graph().subjects(SKOS.inScheme, TG.AgreementStatus))
    for name in ("StatusValueShape", "ObservedStatusShape"):
        head = shapes.value(URIRef(TGSH + name), SH["in"])
        assert head is not None
        assert set(Collection(shapes, head)) == scheme


def bundled_dataset() -> Dataset:
    dataset = Dataset()
    for path in sorted((REPO / "data" / "graphs").glob("*.trig")):
        load(path, into=dataset)
    for path in sorted((REPO / "data" / "articles").glob("*.txt")):
        article = read_article(path)
        target = dataset.graph(article_graph(article.slug))
        for triple in article_description(article):
            target.add(triple)
    return dataset


needs_bundled_data = pytest.mark.skipif(
    not any((REPO / "data" / "graphs").glob("*.trig")), reason="no curated data/graphs/*.trig"
)


@needs_bundled_data
def test_the_bundled_data_conforms() -> None:
    report = validate(bundled_dataset())
    print(report.text)
    assert report.conforms, failures(report)


@needs_bundled_data
def test_a_changed_quote_in_the_bundled_data_is_caught() -> None:
    dataset = bundled_dataset()
    evidence, quote, graph = next(
        (s, o, g)
        for s, o, g in sorted(
            ((s, o, g) for s, _, o, g in dataset.quads((None, TG.quote, None, None))),
            key=lambda q: str(q[0]),
        )
    )
    dataset.remove((evidence, TG.quote, quote, graph))
    dataset.add((evidence, TG.quote, Literal(str(quote) + " (sic)"), graph))
    report = validate(dataset)
    assert not report.conforms
    assert {r.focus for r in report.violations} == {str(evidence)}
    assert any(
        f"Evidence {evidence}: its tg:quote does not occur verbatim" in r.message
        for r in report.violations
    ), failures(report)
