"""The IRIs of treatygraph: namespaces, resource and graph IRIs, and the slug rules of SPEC.md.

>>> resource_iri("state", "ph")
rdflib.term.URIRef('https://w3id.org/treatygraph/id/state/ph')
>>> agreement_slug(["ph", "jp"], "acsa")
'jp-ph-acsa'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from rdflib import Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

DEFAULT_BASE_IRI = "https://w3id.org/treatygraph/"
TG = Namespace(DEFAULT_BASE_IRI + "ontology#")
ID = Namespace(DEFAULT_BASE_IRI + "id/")
GRAPH = Namespace(DEFAULT_BASE_IRI + "graph/")
WD = Namespace("http://www.wikidata.org/entity/")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
OA = Namespace("http://www.w3.org/ns/oa#")

ONTOLOGY_IRI = URIRef(DEFAULT_BASE_IRI + "ontology")
ONTOLOGY_GRAPH = GRAPH["ontology"]
SHAPES_GRAPH = GRAPH["shapes"]
REFERENCE_GRAPH = GRAPH["reference"]
PROVENANCE_GRAPH = GRAPH["provenance"]
INFERRED_GRAPH = GRAPH["inferred"]
ARTICLE_GRAPH_PREFIX = str(GRAPH) + "article-"

KINDS = (
    "agreement",
    "state",
    "person",
    "organization",
    "program",
    "event",
    "article",
    "evidence",
    "observation",
    "office",
    "place",
    "activity",
)
"""Kinds of resources under ``id/``; SPEC.md requires the first seven."""

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 200

PREFIXES: dict[str, str] = {
    "tg": str(TG),
    "id": str(ID),
    "graph": str(GRAPH),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "schema": str(SDO),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "sh": str(SH),
    "oa": str(OA),
    "wd": str(WD),
}
"""Prefixes declared in serialisations and offered to query writers."""


def is_slug(text: str) -> bool:
    """Whether ``text`` is a valid slug: lowercase ASCII kebab-case, not too long."""
    return len(text) <= MAX_SLUG_LENGTH and SLUG_RE.fullmatch(text) is not None


def slugify(text: str) -> str:
    """Lowercase ASCII kebab-case of ``text``; characters outside [a-z0-9] become separators.

    >>> slugify("01 PH–Japan ACSA talks.txt")
    '01-ph-japan-acsa-talks-txt'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-")


def resource_iri(kind: str, slug: str, base: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of a resource; raises ``ValueError`` for an unknown kind or a malformed slug.

    ``base`` is the public base IRI (``settings.base_iri``, ending in ``/``); a deployment
    with its own base names its resources under it.

    >>> resource_iri("agreement", "jp-ph-acsa", "https://example.org/tg/")
    rdflib.term.URIRef('https://example.org/tg/id/agreement/jp-ph-acsa')
    """
    if kind not in KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not is_slug(slug):
        raise ValueError(f"malformed slug {slug!r}: use lowercase ASCII kebab-case")
    if base == DEFAULT_BASE_IRI:
        return ID[f"{kind}/{slug}"]
    return URIRef(f"{base}id/{kind}/{slug}")


def agreement_slug(party_codes: Iterable[str], kind: str) -> str:
    """Slug of an agreement: the parties' ISO codes in alphabetical order, then the kind."""
    codes = sorted({code.lower() for code in party_codes})
    return "-".join([*codes, slugify(kind)])


def article_graph(article_slug: str) -> URIRef:
    """The named graph that holds the facts drawn from one article."""
    return URIRef(ARTICLE_GRAPH_PREFIX + article_slug)


def article_slug_of_graph(graph: str) -> str | None:
    """The article slug of an article graph IRI, or None for any other graph."""
    if graph.startswith(ARTICLE_GRAPH_PREFIX):
        return graph[len(ARTICLE_GRAPH_PREFIX) :]
    return None


def evidence_iri(article_slug: str, quote: str) -> URIRef:
    """Evidence IRI from the article and the quote, so the same quote is one node."""
    digest = hashlib.sha256(quote.encode("utf-8")).hexdigest()[:10]
    return resource_iri("evidence", f"{article_slug}-{digest}")


_SPARQL_STRING_ESCAPES = {
    ord("\\"): "\\\\",
    ord('"'): '\\"',
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    ord("\b"): "\\b",
    ord("\f"): "\\f",
}


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal, quoted and escaped, safe to put into a query.

    Every character that could end the literal or the line is escaped (SPARQL 1.1 ECHAR), so
    user input can never become query syntax.

    >>> print(sparql_string('say "hi" }'))
    "say \\"hi\\" }"
    """
    return '"' + text.translate(_SPARQL_STRING_ESCAPES) + '"'


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """PREFIX declarations for ``prefixes`` (default: all of ours), one per line."""
    items = (prefixes or PREFIXES).items()
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in items)
