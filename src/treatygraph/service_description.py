"""The SPARQL 1.1 Service Description of the endpoint, as an rdflib graph.

Besides the standard terms (``sd:endpoint``, ``sd:supportedLanguage``, ``sd:resultFormat``
with the W3C format IRIs, ``sd:feature``, ``sd:defaultDataset`` listing the named graphs), it
states the service's limits with three terms of our own, so that clients can adapt:

``tg:queryTimeoutSeconds`` (xsd:decimal)
    seconds a query may run before it is stopped with a 503 (``settings.query_timeout``);
``tg:maxResults`` (xsd:integer)
    most rows or triples in one response; longer results are cut and say so
    (``settings.max_results``);
``tg:maxConcurrentQueries`` (xsd:integer)
    queries run at once; more are refused with 503 and Retry-After
    (``settings.max_concurrent_queries``);
``tg:federationAllowPrefix`` (string, only when federation is on)
    each IRI prefix a SERVICE clause may call;
``tg:maxBodyBytes`` (xsd:integer)
    largest request body read; larger ones get 413 (``settings.max_body_bytes``);
``tg:updateTimeoutSeconds`` (xsd:decimal), ``tg:maxQueuedWrites`` (xsd:integer)
    the time limit of a write and how many writes may wait (``settings.update_timeout``,
    ``settings.max_queued_writes``); stated with ``sd:supportedLanguage sd:SPARQL11Update``
    when writes are enabled (a write token is configured).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from treatygraph.config import Settings
from treatygraph.namespaces import PREFIXES, TG
from treatygraph.rdfformats import ALL_FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def service_description(settings: Settings, endpoint: str, named_graphs: Iterable[str]) -> Graph:
    """Describe the endpoint at ``endpoint`` whose store holds ``named_graphs``."""
    graph = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    graph.bind("sd", SD)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, DCTERMS.title, Literal("treatygraph SPARQL endpoint", lang="en")))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in ALL_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(fmt.w3c_iri)))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.federation:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
        for allowed in settings.federation_allow:
            graph.add((service, TG.federationAllowPrefix, Literal(allowed)))
    timeout = Decimal(str(settings.query_timeout))
    graph.add((service, TG.queryTimeoutSeconds, Literal(timeout, datatype=XSD.decimal)))
    graph.add((service, TG.maxResults, Literal(settings.max_results)))
    graph.add((service, TG.maxConcurrentQueries, Literal(settings.max_concurrent_queries)))
    graph.add((service, TG.maxBodyBytes, Literal(settings.max_body_bytes)))
    if settings.write_token is not None:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
        update_timeout = Decimal(str(settings.update_timeout))
        graph.add((service, TG.updateTimeoutSeconds, Literal(update_timeout, datatype=XSD.decimal)))
        graph.add((service, TG.maxQueuedWrites, Literal(settings.max_queued_writes)))

    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDFS.comment, Literal("The union of all named graphs.", lang="en")))
    for name in named_graphs:
        node = BNode()
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, URIRef(name)))
    return graph
