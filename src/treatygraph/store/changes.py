"""A :class:`~treatygraph.store.base.Change` written as one SPARQL 1.1 Update request.

One text, so that a backend commits a change in a single transaction, and so that the same
change can be replayed elsewhere (the query replica of the isolated store) by sending the text.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from treatygraph.store.base import Change


def change_update(change: Change) -> str | None:
    """The update that applies ``change``, or None when the change is empty.

    >>> change_update(Change(graphs={"http://e/g": Graph()}))
    'DROP SILENT GRAPH <http://e/g>'
    """
    parts: list[str] = []
    for graph, content in change.graphs.items():
        parts.append(f"DROP SILENT GRAPH <{graph}>")
        if len(content):
            parts.append(_insert_data(graph, content))
    for graph, content in change.descriptions.items():
        subjects = sorted({str(s) for s in content.subjects() if isinstance(s, URIRef)})
        if subjects:
            values = " ".join(f"<{s}>" for s in subjects)
            parts.append(
                f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
                f"WHERE {{ VALUES ?s {{ {values} }} GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            )
        if len(content):
            parts.append(_insert_data(graph, content))
    return " ;\n".join(parts) if parts else None


def _insert_data(graph: str, content: Graph) -> str:
    body = content.serialize(format="nt")
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"
