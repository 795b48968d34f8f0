"""Turn a draft into RDF: the article's named graph and its provenance description.

The article graph holds the article itself (its description and verbatim text, so the draft is
self-contained and its quotes can be checked) and every drafted fact with its evidence; the
provenance graph says the graph was derived from the article by an extraction run of this
extractor and version (SPEC.md, Provenance). Facts about a resource the store already has
(an agreement another article reported) are stated again only with this article's evidence.
"""

from __future__ import annotations

import datetime as dt

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SDO, SKOS, XSD

from treatygraph.ingest.draft import Draft, Quote
from treatygraph.ingest.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION
from treatygraph.ingest.naming import observation_iri, observation_label
from treatygraph.namespaces import (
    PROVENANCE_GRAPH,
    TG,
    article_graph,
    evidence_iri,
    resource_iri,
    slugify,
)
from treatygraph.parsing import new_dataset
from treatygraph.provenance import article_description, article_iri, graph_provenance


def extractor_activity() -> URIRef:
    """``id/activity/extractor-{version}``: the extraction run that makes drafts."""
    return resource_iri("activity", f"extractor-{slugify(EXTRACTOR_VERSION)}")


def build_dataset(draft: Draft, generated_at: dt.datetime) -> Dataset:
    """The draft as a dataset: ``graph/article-{slug}`` and a ``graph/provenance`` part."""
    dataset = new_dataset()
    facts = build_graph(draft)
    target = dataset.graph(article_graph(draft.article.slug))
    for triple in facts:
        target.add(triple)
    provenance = dataset.graph(PROVENANCE_GRAPH)
    for triple in graph_provenance(draft.article, generated_at, extractor_activity()):
        provenance.add(triple)
    for triple in activity_description():
        provenance.add(triple)
    return dataset


def trig(dataset: Dataset) -> str:
    """The dataset as TriG a curator can read: prefixes once, then one block per graph.

    Written per graph with rdflib's Turtle serializer (its TriG serializer goes through
    deprecated Dataset APIs); a Turtle body is valid inside a TriG graph block.
    """
    prefixes: dict[str, str] = {}
    blocks: list[str] = []
    graphs = sorted(
        dataset.graphs(), key=lambda g: (g.identifier == PROVENANCE_GRAPH, str(g.identifier))
    )
    for graph in graphs:
        if not len(graph) or not isinstance(graph.identifier, URIRef):
            continue
        plain = Graph()
        for prefix, namespace in dataset.namespaces():
            plain.bind(prefix, namespace)
        for triple in graph:
            plain.add(triple)
        lines = plain.serialize(format="turtle").split("\n")
        while lines and (lines[0].startswith("@prefix ") or not lines[0].strip()):
            if lines[0].startswith("@prefix "):
                prefixes[lines[0]] = lines[0]
            lines.pop(0)
        body = "\n".join(lines)  # verbatim: long literals span lines and must not change
        blocks.append(f"<{graph.identifier}> {{\n{body.rstrip()}\n}}\n")
    return "\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)


def activity_description() -> Graph:
    """The extraction activity: which extractor, which version."""
    graph = Graph()
    node = extractor_activity()
    graph.add((node, RDF.type, PROV.Activity))
    graph.add((node, RDFS.label, Literal(f"{EXTRACTOR_NAME} {EXTRACTOR_VERSION}", lang="en")))
    graph.add(
        (
            node,
            RDFS.comment,
            Literal(
                "Facts drafted from an article by deterministic rules over its sentences, each "
                "backed by a verbatim quote with character offsets into the article body.",
                lang="en",
            ),
        )
    )
    graph.add((node, SDO.name, Literal(EXTRACTOR_NAME)))
    graph.add((node, SDO.softwareVersion, Literal(EXTRACTOR_VERSION)))
    return graph


def build_graph(draft: Draft) -> Graph:
    """The article graph: the article and its facts, each with its evidence."""
    graph = article_description(draft.article)
    source = article_iri(draft.article)
    quotes: dict[int, URIRef] = {}

    def evidence(node: URIRef, clauses: list[int]) -> None:
        for clause in clauses:
            if clause not in quotes:
                quotes[clause] = _evidence(graph, draft, draft.quote(clause), source)
            graph.add((node, TG.evidence, quotes[clause]))

    for agreement in draft.agreements:
        if not agreement.evidence:
            continue
        node = agreement.iri
        graph.add((node, RDF.type, agreement.cls))
        graph.add((node, RDFS.label, Literal(agreement.label, lang="en")))
        for name in agreement.names:
            if name != agreement.label:
                graph.add((node, SKOS.altLabel, Literal(name, lang="en")))
        for code in agreement.parties:
            graph.add((node, TG.party, resource_iri("state", code.lower())))
        for concept in sorted(agreement.covers):
            graph.add((node, TG.covers, concept))
        for concept in sorted(agreement.applies_to):
            graph.add((node, TG.appliesTo, concept))
        for other in sorted(agreement.related):
            graph.add((node, TG.relatedTo, other))
        if agreement.amends is not None:
            graph.add((node, TG.amends, agreement.amends))
        evidence(node, agreement.evidence)
    for event in draft.events:
        if event.iri is None or event.date is None:
            continue
        graph.add((event.iri, RDF.type, event.cls))
        graph.add((event.iri, RDFS.label, Literal(event.label, lang="en")))
        if event.agreement is not None:
            graph.add((event.iri, TG.concerns, event.agreement.iri))
        graph.add((event.iri, TG.date, event.date.literal()))
        for participant in event.participants:
            graph.add((event.iri, TG.participant, participant))
        if event.place is not None:
            graph.add((event.iri, TG.place, event.place))
        if event.consenting_body is not None:
            graph.add((event.iri, TG.consentingBody, event.consenting_body))
        if event.on_behalf_of is not None:
            state = resource_iri("state", event.on_behalf_of.lower())
            graph.add((event.iri, TG.onBehalfOf, state))
        evidence(event.iri, event.evidence)
    published = Literal(draft.article.date.isoformat(), datatype=XSD.date)
    for observation in draft.observations:
        agreement = observation.agreement
        node = observation_iri(draft, agreement.slug)
        graph.add((node, RDF.type, TG.StatusObservation))
        label = observation_label(draft, agreement.label, observation.status)
        graph.add((node, RDFS.label, Literal(label, lang="en")))
        graph.add((node, TG.concerns, agreement.iri))
        graph.add((node, TG.observedStatus, observation.status))
        graph.add((node, TG.date, published))
        evidence(node, observation.evidence)
    for person in draft.new_persons:
        graph.add((person.iri, RDF.type, TG.Person))
        graph.add((person.iri, RDFS.label, Literal(person.label, lang="en")))
    for office in draft.offices:
        graph.add((office.person, TG.holdsOffice, office.office))
        evidence(office.person, office.evidence)
    for program in draft.programs:
        if program.provider:
            graph.add(
                (program.program, TG.provider, resource_iri("state", program.provider.lower()))
            )
        for code in program.recipients:
            graph.add((program.program, TG.recipient, resource_iri("state", code.lower())))
        evidence(program.program, program.evidence)
    return graph


def _evidence(graph: Graph, draft: Draft, quote: Quote, source: URIRef) -> URIRef:
    node = evidence_iri(draft.article.slug, quote.text)
    label = f"Quote from {draft.article.slug}, characters {quote.start}–{quote.end}"
    graph.add((node, RDF.type, TG.Evidence))
    graph.add((node, RDFS.label, Literal(label, lang="en")))
    graph.add((node, TG.quote, Literal(quote.text)))
    graph.add((node, TG.source, source))
    graph.add((node, TG.startOffset, Literal(quote.start, datatype=XSD.nonNegativeInteger)))
    graph.add((node, TG.endOffset, Literal(quote.end, datatype=XSD.nonNegativeInteger)))
    return node
