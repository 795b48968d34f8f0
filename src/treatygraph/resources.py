"""Linked-data descriptions: what ``GET /id/{kind}/{slug}`` says about one resource.

A description is a bounded set of triples, built by one CONSTRUCT query
(:func:`description_query`), that answers what a reader of one resource needs and nothing
more:

* the resource's own triples, from every graph but ``graph/inferred``, plus its derived
  ``tg:status`` and ``tg:statusPeriod`` from there (asserted types only: the entailed
  superclasses are left to SPARQL, so that a JSON reader sees one ``type``);
* the events and status observations that concern it (``tg:concerns``), in full;
* the evidence nodes of the resource and of those events, in full (quote, source, offsets);
* the resource's status periods, in full;
* for what all of these link to (parties, places, participants, sources, statuses…): the
  label, and for articles the URL, publisher and publication date;
* a few incoming links, each with the linking node's label and asserted type: agreements a
  state is party to, events a person or body took part in, amendments of an agreement, and
  for an article (or an evidence node) the quotes taken from it and the facts they support.

Everything a description contains is reachable from the resource through a forward property
or one of the reverse properties of the JSON-LD context (``events``, ``agreements``,
``participatedIn``, ``amendedBy``, ``quotedIn``, ``supports``), so the framed JSON-LD
document (:mod:`treatygraph.jsonld_docs`) carries exactly the same triples.

Nothing taken from a URL reaches a query unless it passed :func:`parse_resource_path`, and
the IRI is then built by :func:`~treatygraph.namespaces.resource_iri`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from treatygraph.config import Settings
from treatygraph.errors import BadInput, NotFound
from treatygraph.jsonld_docs import dumps, frame_resource
from treatygraph.namespaces import (
    INFERRED_GRAPH,
    KINDS,
    MAX_SLUG_LENGTH,
    PREFIXES,
    is_slug,
    resource_iri,
    sparql_prologue,
)
from treatygraph.rdfformats import RESOURCE_FORMATS, RdfFormat, by_suffix
from treatygraph.sparql_results import serialize
from treatygraph.store.base import Deadline, GraphResult, Store, TermTriple, to_rdflib

_PROLOGUE = sparql_prologue({name: PREFIXES[name] for name in ("tg", "rdf", "rdfs", "schema")})

# The nodes described in full, each with a role that decides which graphs count for it.
_FULL_NODES = """
    {
      { BIND(<%(iri)s> AS ?n) BIND("root" AS ?role) }
      UNION { ?n tg:concerns <%(iri)s> . BIND("event" AS ?role) }
      UNION { <%(iri)s> tg:evidence ?n . BIND("evidence" AS ?role) }
      UNION { ?event tg:concerns <%(iri)s> . ?event tg:evidence ?n . BIND("evidence" AS ?role) }
      UNION { ?n tg:source <%(iri)s> . BIND("evidence" AS ?role) }
      UNION { GRAPH <%(inferred)s> { <%(iri)s> tg:statusPeriod ?n } BIND("period" AS ?role) }
    }"""

# The nodes that link to the resource (see INCOMING), and those whose evidence quotes it.
_LINKING_NODES = """
    {
      { ?s ?in <%(iri)s> FILTER(?in IN (%(incoming)s)) }
      UNION { ?quote tg:source <%(iri)s> . ?s tg:evidence ?quote }
    }"""

INCOMING = ("tg:party", "tg:participant", "tg:amends", "tg:evidence")
"""Properties whose subjects a description lists as links to the resource; each has a
reverse term in the JSON-LD context (agreements, participatedIn, amendedBy, supports)."""

# Triples of graph/inferred that belong to a description: the derived status of the root, and
# everything about its status periods. Entailed types and effective dates stay out.
_GRAPH_RULE = """
      FILTER(?g != <%(inferred)s> || ?role = "period"
             || (?role = "root" && %(var)s IN (tg:status, tg:statusPeriod)))"""

_QUERY = """CONSTRUCT { ?s ?p ?o } WHERE {
  {
    # The resource, its events, evidence and status periods, in full.
    %(full)s
    GRAPH ?g { ?n ?p ?o }
    %(rule_p)s
    BIND(?n AS ?s)
  } UNION {
    # What those link to: a label, and for articles a few schema.org fields.
    %(full)s
    GRAPH ?g { ?n ?link ?s }
    %(rule_link)s
    FILTER(isIRI(?s) && ?link != rdf:type && ?s != <%(iri)s>)
    ?s ?p ?o
    FILTER(?p IN (rdfs:label, schema:url, schema:datePublished, schema:publisher))
  } UNION {
    # Incoming links: the linking triple ...
    {
      ?s ?p <%(iri)s> FILTER(?p IN (%(incoming)s)) BIND(<%(iri)s> AS ?o)
    } UNION {
      ?o tg:source <%(iri)s> . ?s tg:evidence ?o . BIND(tg:evidence AS ?p)
    }
  } UNION {
    # ... and the linking node's label ...
    %(linking)s
    ?s rdfs:label ?o . BIND(rdfs:label AS ?p)
  } UNION {
    # ... and its asserted types.
    %(linking)s
    GRAPH ?g { ?s rdf:type ?o } FILTER(?g != <%(inferred)s>) BIND(rdf:type AS ?p)
  }
}"""


@dataclass(frozen=True)
class ResourceRef:
    """A resource named by a request path: ``/id/{kind}/{slug}[.suffix]``."""

    kind: str
    slug: str
    iri: str
    suffix_format: RdfFormat | None = None
    """The representation a file-style suffix (``.ttl``, ``.jsonld``…) asked for."""

    @property
    def path(self) -> str:
        """The local path of the resource, without suffix."""
        return f"/id/{self.kind}/{self.slug}"


@dataclass(frozen=True)
class Description:
    """The triples that describe one resource (see the module docstring)."""

    iri: str
    triples: tuple[TermTriple, ...]

    def graph(self) -> Graph:
        """The description as an rdflib graph, prefixes bound."""
        graph = Graph(bind_namespaces="none")
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        for s, p, o in self.triples:
            graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
        return graph


def parse_resource_path(kind: str, segment: str, settings: Settings) -> ResourceRef:
    """Check a ``kind`` and a last path segment (``jp-ph-acsa`` or ``jp-ph-acsa.ttl``) and
    name the resource under ``settings.base_iri``. Raises BadInput (HTTP 400) for an unknown
    kind, a malformed slug or an unknown suffix; nothing unchecked goes further.
    """
    if kind not in KINDS:
        raise BadInput(f"unknown kind of resource {kind[:40]!r}; use one of {', '.join(KINDS)}")
    if len(segment) > MAX_SLUG_LENGTH + 8:
        raise BadInput(f"the slug is longer than {MAX_SLUG_LENGTH} characters")
    slug, dot, suffix = segment.partition(".")
    fmt = None
    if dot:
        fmt = by_suffix(suffix, RESOURCE_FORMATS) if suffix.isalnum() else None
        if fmt is None:
            known = ", ".join(f.suffix for f in RESOURCE_FORMATS)
            raise BadInput(f"unknown suffix {'.' + suffix[:20]!r}; use one of {known}")
    if not is_slug(slug):
        raise BadInput(
            f"malformed slug {slug[:60]!r}: slugs are lowercase ASCII letters and digits in "
            "groups joined by single hyphens (for example jp-ph-acsa)"
        )
    return ResourceRef(kind, slug, str(resource_iri(kind, slug, settings.base_iri)), fmt)


def description_query(iri: str) -> str:
    """The CONSTRUCT query whose result is the description of ``iri``.

    ``iri`` must come from :func:`~treatygraph.namespaces.resource_iri` (it is written
    between angle brackets as it is). Public so that tests and curious analysts can run the
    same query at ``/sparql``.
    """
    values = {"iri": iri, "inferred": str(INFERRED_GRAPH), "incoming": ", ".join(INCOMING)}
    query = _QUERY % {
        **values,
        "full": _FULL_NODES % values,
        "linking": _LINKING_NODES % values,
        "rule_p": _GRAPH_RULE % {**values, "var": "?p"},
        "rule_link": _GRAPH_RULE % {**values, "var": "?link"},
    }
    return _PROLOGUE + query


def describe(store: Store, iri: str, deadline: Deadline | None = None) -> Description:
    """The description of ``iri``; raises NotFound when the store says nothing about it.

    Runs one query and consumes its result before returning, so call it in the thread
    that may touch the store's iterators (a worker thread, never the event loop).
    """
    result = store.query(description_query(iri), deadline=deadline)
    if not isinstance(result, GraphResult):  # pragma: no cover - the query is a CONSTRUCT
        raise TypeError("expected a graph result")
    triples = tuple(dict.fromkeys(result.triples))
    if not triples:
        raise NotFound(f"nothing is known about {iri}")
    return Description(iri, triples)


def render(description: Description, fmt: RdfFormat, settings: Settings) -> bytes:
    """The description in an RDF syntax: framed JSON-LD, Turtle (grouped by subject, for
    people reading it), N-Triples or RDF/XML. Raises ValueError for HTML (see web.views)."""
    if fmt.name == "jsonld":
        return dumps(frame_resource(description.iri, description.triples, settings))
    if fmt.name == "turtle":
        return description.graph().serialize(format="turtle", encoding="utf-8")
    if fmt.kind != "graph":
        raise ValueError(f"{fmt.name} is not an RDF syntax")
    return b"".join(serialize(GraphResult(iter(description.triples)), fmt))
