"""Query results as a table for people: the server-rendered twin of the editor's table.

The query runner produces SPARQL JSON (SELECT, ASK) or Turtle (CONSTRUCT, DESCRIBE), exactly
as it would for any client; :func:`results_table` turns those bytes into rows of cells that a
template prints. An IRI shows its label and links to its page: a local ``/id/...`` path for
our resources, ``/ontology#Name`` for terms of the ontology, the IRI itself elsewhere. The
editor's script does the same in the browser (``static/editor.js``), so both tables read
alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from treatygraph.labels import MAX_IRIS, is_iri, labels_of
from treatygraph.namespaces import PREFIXES, TG
from treatygraph.store.base import Deadline, Store

MAX_SHOWN = 1000
"""Rows printed in a page; the rest are in the downloads."""


@dataclass(frozen=True)
class Cell:
    """One value: its text, where it links to, and what it is (for styling and tooltips)."""

    text: str = ""
    href: str | None = None
    kind: str = "empty"  # "uri" | "bnode" | "literal" | "triple" | "empty"
    title: str | None = None
    """The IRI behind a label, or the datatype or language of a literal."""
    external: bool = False


@dataclass(frozen=True)
class ResultsTable:
    """A result ready to print: a table (SELECT), a boolean (ASK) or Turtle text (graphs)."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    total: int = 0
    boolean: bool | None = None
    text: str | None = None

    @property
    def shown(self) -> int:
        return len(self.rows)


def links(iri: str, base_iri: str) -> tuple[str, bool]:
    """Where a link to ``iri`` goes, and whether that is outside this service.

    >>> links("https://w3id.org/treatygraph/id/state/jp", "https://w3id.org/treatygraph/")
    ('/id/state/jp', False)
    >>> links("https://w3id.org/treatygraph/ontology#Signing", "https://w3id.org/treatygraph/")
    ('/ontology#Signing', False)
    """
    id_base = base_iri + "id/"
    if iri.startswith(id_base):
        return "/id/" + iri[len(id_base) :], False
    if iri.startswith(str(TG)):
        return "/ontology#" + iri[len(str(TG)) :], False
    return iri, True


def short_name(iri: str) -> str:
    """A prefixed name for ``iri`` when one of our prefixes fits, else the IRI.

    >>> short_name("http://www.w3.org/2001/XMLSchema#date")
    'xsd:date'
    """
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri


def results_table(
    body: bytes,
    media_type: str,
    store: Store,
    base_iri: str,
    deadline: Deadline | None = None,
    max_shown: int = MAX_SHOWN,
) -> ResultsTable:
    """The table for a result serialised as SPARQL JSON, or the text of a graph result.

    Looks up the labels of the IRIs shown (one query); call it in a worker thread.
    """
    if media_type != "application/sparql-results+json":
        return ResultsTable("graph", text=body.decode("utf-8"), total=body.count(b"\n"))
    document: dict[str, Any] = json.loads(body)
    if "boolean" in document:
        return ResultsTable("ask", boolean=bool(document["boolean"]), total=1)
    variables = [str(v) for v in document.get("head", {}).get("vars", [])]
    bindings = document.get("results", {}).get("bindings", [])
    shown = bindings[:max_shown]
    iris = dict.fromkeys(
        str(term["value"])
        for row in shown
        for term in row.values()
        if term.get("type") == "uri" and is_iri(str(term.get("value", "")))
    )
    named = labels_of(store, list(iris)[:MAX_IRIS], deadline) if iris else {}
    rows = [[_cell(row.get(v), named, base_iri) for v in variables] for row in shown]
    return ResultsTable("select", variables, rows, total=len(bindings))


def _cell(term: dict[str, Any] | None, named: dict[str, str], base_iri: str) -> Cell:
    if term is None:
        return Cell()
    kind = str(term.get("type", "literal"))
    value = term.get("value", "")
    if kind == "uri":
        href, external = links(str(value), base_iri)
        label = named.get(str(value))
        return Cell(label or short_name(str(value)), href, "uri", str(value), external)
    if kind == "bnode":
        return Cell(f"_:{value}", kind="bnode")
    if kind == "triple":
        return Cell(json.dumps(value), kind="triple")
    title = None
    if term.get("xml:lang"):
        title = "@" + str(term["xml:lang"])
    elif term.get("datatype"):
        title = short_name(str(term["datatype"]))
    return Cell(str(value), kind="literal", title=title)
