"""A :class:`~treatygraph.store.base.Change` written as one SPARQL 1.1 Update request.

One text, so that a backend commits a change in a single transaction, and so that the same
change can be replayed elsewhere (the query replica of the isolated store) by sending the text.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import BNode, Graph, URIRef

from treatygraph.store.base import Change


def change_update(
    change: Change,
    *,
    insert_data_bnodes: bool = True,
    staged: Mapping[str, str] | None = None,
) -> str | None:
    """The update that applies ``change``, or None when the change is empty.

    ``staged`` maps graphs whose new content already waits in a staging graph to that
    graph: a replaced graph is moved into place (``MOVE``), new descriptions are added
    (``ADD``) once the old ones are deleted, instead of being sent again. Without
    ``insert_data_bnodes`` (Virtuoso 7 refuses blank nodes in ``INSERT DATA``), content
    with blank nodes is inserted by ``INSERT { … } WHERE {}``, which inserts fresh blank
    nodes just the same.

    >>> change_update(Change(graphs={"http://e/g": Graph()}))
    'DROP SILENT GRAPH <http://e/g>'
    >>> change_update(Change(graphs={"http://e/g": Graph()}), staged={"http://e/g": "urn:s"})
    'MOVE SILENT GRAPH <urn:s> TO GRAPH <http://e/g>'
    """
    parts: list[str] = []
    staged = staged or {}
    for graph, content in change.graphs.items():
        if graph in staged:
            parts.append(f"MOVE SILENT GRAPH <{staged[graph]}> TO GRAPH <{graph}>")
            continue
        parts.append(f"DROP SILENT GRAPH <{graph}>")
        if len(content):
            parts.append(insert_update({graph: content}, insert_data_bnodes))
    described = [
        *change.descriptions,
        *(g for g in change.subjects if g not in change.descriptions),
    ]
    for graph in described:
        content = change.descriptions.get(graph, Graph())
        subjects = sorted(
            {str(s) for s in content.subjects() if isinstance(s, URIRef)}
            | set(change.subjects.get(graph, ()))
        )
        if subjects:
            values = " ".join(f"<{s}>" for s in subjects)
            parts.append(
                f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
                f"WHERE {{ VALUES ?s {{ {values} }} GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            )
        if graph in staged:
            parts.append(f"ADD SILENT GRAPH <{staged[graph]}> TO GRAPH <{graph}>")
            parts.append(f"DROP SILENT GRAPH <{staged[graph]}>")
        elif len(content):
            parts.append(insert_update({graph: content}, insert_data_bnodes))
    return " ;\n".join(parts) if parts else None


def insert_update(graphs: Mapping[str, Graph], insert_data_bnodes: bool = True) -> str:
    """One operation adding every graph's triples to the named graph of its key."""
    blocks = [
        f"GRAPH <{name}> {{\n{content.serialize(format='nt')}\n}}"
        for name, content in graphs.items()
        if len(content)
    ]
    body = "\n".join(blocks)
    if not insert_data_bnodes and any(has_bnodes(content) for content in graphs.values()):
        return f"INSERT {{ {body} }} WHERE {{}}"
    return f"INSERT DATA {{ {body} }}"


def has_bnodes(graph: Graph) -> bool:
    """Whether any triple of ``graph`` has a blank node."""
    return any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in graph)
