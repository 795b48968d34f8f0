"""SHACL validation of treatygraph data; the one module that imports pySHACL.

The shapes (``ontology/shapes.ttl``) judge the *union* of all graphs of the data together
with the ontology's triples, without inference: ``sh:targetClass`` reaches instances of
subclasses through the ontology's ``rdfs:subClassOf`` triples, and the checks that look
across graphs (the text of a quoted article, the events concerning an agreement) see every
graph at once. pySHACL's own report is turned into plain, sorted, typed results so that the
CLI, the loader and the web layer share one shape of report (SPEC.md, HTTP interface: 422).

>>> from rdflib import Graph
>>> validate(Graph()).conforms
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.extras.shacl import SHACLPathError, parse_shacl_path
from rdflib.namespace import RDF
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor, Result
from rdflib.term import Identifier, Node

from treatygraph.errors import BadInput
from treatygraph.namespaces import PREFIXES, SH
from treatygraph.ontology import ontology_graph, shapes_graph

Severity = Literal["Violation", "Warning", "Info"]

SHAPES_NS = "https://w3id.org/treatygraph/shapes#"
_SEVERITIES: dict[Node, Severity] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}
_SEVERITY_ORDER: dict[str, int] = {"Violation": 0, "Warning": 1, "Info": 2}
_DISPLAY_PREFIXES = {"tgsh": SHAPES_NS, **PREFIXES}
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_MAX_SHOWN = 120


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result as plain strings, ready for JSON or a terminal.

    ``focus`` is the node at fault (an IRI, or ``_:id`` for a blank node), ``path`` the
    property path (None for node-level checks), ``shape`` the IRI of the shape that failed,
    ``value`` the offending value (an IRI, a literal's lexical form, or None when the check
    has no single value, such as a missing property).
    """

    focus: str
    path: str | None
    message: str
    severity: Severity
    shape: str
    value: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "focus": self.focus,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
            "shape": self.shape,
            "value": self.value,
        }

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        return (
            _SEVERITY_ORDER[self.severity],
            self.focus,
            self.path or "",
            self.message,
            self.value or "",
            self.shape,
        )


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`.

    ``conforms`` is True when no result has severity Violation: warnings and infos are
    reported but never block data. ``results`` are sorted (violations first, then by focus
    node, path and message), so two runs over the same data give the same report. ``graph``
    is pySHACL's report graph (``sh:ValidationReport``), served as Turtle on request;
    ``text`` is the report for people.
    """

    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph = field(repr=False, compare=False)
    text: str = field(repr=False, compare=False)

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Warning")

    def as_dict(self) -> dict[str, Any]:
        """``{"conforms": bool, "violations": [result, ...]}`` for JSON bodies.

        The ``violations`` list holds *every* result, each with its ``severity`` (SPEC.md,
        HTTP interface: the 422 body), not only those of the :attr:`violations` property.
        """
        return {"conforms": self.conforms, "violations": [r.as_dict() for r in self.results]}


def validate(
    data: Dataset | Graph,
    *,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
) -> ValidationReport:
    """Check the union of every graph of ``data``, plus the ontology, against the shapes.

    ``shapes`` defaults to ``ontology/shapes.ttl`` and ``ontology`` to
    ``ontology/treatygraph.ttl``. Neither ``data`` nor the graphs given (or cached) are
    modified: pySHACL mutates the shapes graph it runs (pySHACL#314), so each call works on
    its own copy, and the data is copied into a fresh union graph. Raises
    :class:`~treatygraph.errors.BadInput` when the shapes cannot be used.
    """
    union = _union(data, ontology_graph() if ontology is None else ontology)
    shapes_copy = shapes_graph(copy=True) if shapes is None else _copy(shapes)
    try:
        _, report_graph, _ = pyshacl.validate(
            union,
            shacl_graph=shapes_copy,
            inference="none",
            inplace=True,
            abort_on_first=False,
            allow_warnings=True,
            allow_infos=True,
            advanced=False,
            meta_shacl=False,
        )
    except ReportableRuntimeError as exc:
        raise BadInput(f"the SHACL shapes cannot be used: {exc.message}") from exc
    if not isinstance(report_graph, Graph):  # pragma: no cover - pySHACL returns a graph here
        raise BadInput(f"SHACL validation failed: {report_graph}")
    entries = sorted(_results(report_graph, shapes_copy), key=lambda e: (e[0].sort_key(), e[1]))
    results = tuple(result for result, _ in entries)
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(
        conforms=conforms,
        results=results,
        graph=report_graph,
        text=_text(conforms, results, [block for _, block in entries]),
    )


class _UnionGraph(Graph):
    """The graph pySHACL validates, with SPARQL texts parsed once.

    pySHACL sends a SPARQL constraint's text again for every focus node and rdflib parses it
    each time (about 30 ms per parse, most of a validation's cost); the text only changes
    with the constraint, so parsing it once makes validation time follow the data's size.
    """

    def query(
        self,
        query_object: str | Query,
        processor: str | Processor = "sparql",
        result: str | type[Result] = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Identifier] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and not initNs and not kwargs.get("base"):
            query_object = _prepared(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


def _union(data: Dataset | Graph, ontology: Graph) -> Graph:
    union = _UnionGraph()
    if isinstance(data, Dataset):
        union.addN((s, p, o, union) for s, p, o, _ in data.quads((None, None, None, None)))
    else:
        union.addN((s, p, o, union) for s, p, o in data)
    union.addN((s, p, o, union) for s, p, o in ontology)
    return union


def _copy(graph: Graph) -> Graph:
    clone = Graph()
    clone.addN((s, p, o, clone) for s, p, o in graph)
    return clone


def _results(report: Graph, shapes: Graph) -> list[tuple[ValidationResult, str]]:
    entries = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        severity = _severity(report.value(node, SH.resultSeverity))
        result = ValidationResult(
            focus=_plain(focus) or "",
            path=_path(shapes, path),
            message=_message(report, node),
            severity=severity,
            shape=_plain(shape) or "",
            value=_plain(value),
        )
        block = [severity, f"  focus:   {_show(focus)}"]
        if result.path is not None:
            block.append(f"  path:    {_show(path) if isinstance(path, URIRef) else result.path}")
        block.append(f"  message: {result.message}")
        if value is not None:
            block.append(f"  value:   {_show(value)}")
        constraint = report.value(node, SH.sourceConstraint)
        named = f" ({_show(constraint)})" if isinstance(constraint, URIRef) else ""
        block.append(f"  shape:   {_show(shape)}{named}")
        entries.append((result, "\n".join(block)))
    return entries


def _severity(node: Node | None) -> Severity:
    """SHACL's three severities; a custom one counts as a violation, as SHACL's conforms does."""
    return _SEVERITIES.get(node, "Violation") if node is not None else "Violation"


def _message(report: Graph, node: Node) -> str:
    """The English (or untagged) message, else any; pySHACL supplies one when a shape has none."""
    messages = sorted(report.objects(node, SH.resultMessage), key=str)
    english = [
        m
        for m in messages
        if isinstance(m, RdfLiteral) and (m.language is None or m.language.startswith("en"))
    ]
    chosen = english or messages
    return str(chosen[0]) if chosen else ""


def _path(shapes: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    try:
        parsed = parse_shacl_path(shapes, path)
    except (SHACLPathError, TypeError):
        return _plain(path)
    return str(parsed) if isinstance(parsed, URIRef) else parsed.n3()


def _plain(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _show(node: Node | None) -> str:
    """A node for people: a prefixed name where one reads cleanly, else N-Triples-like."""
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        iri = str(node)
        for prefix, namespace in _DISPLAY_PREFIXES.items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and _LOCAL_NAME.match(local):
                return f"{prefix}:{local}"
        return f"<{iri}>"
    if isinstance(node, RdfLiteral):
        lexical = str(node)
        shown = lexical if len(lexical) <= _MAX_SHOWN else lexical[: _MAX_SHOWN - 1] + "…"
        text = '"' + shown.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None:
            return f"{text}^^{_show(node.datatype)}"
        return text
    return _plain(node) or "-"


def _text(conforms: bool, results: tuple[ValidationResult, ...], blocks: list[str]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.severity] = counts.get(result.severity, 0) + 1
    tally = ", ".join(
        f"{count} {severity.lower()}{'s' if count != 1 else ''}"
        for severity, count in sorted(counts.items(), key=lambda item: _SEVERITY_ORDER[item[0]])
    )
    head = f"Conforms: {'yes' if conforms else 'no'}" + (f" ({tally})" if tally else "")
    return "\n\n".join([head, *blocks]) + "\n"
