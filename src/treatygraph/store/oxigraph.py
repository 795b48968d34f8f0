"""The embedded backend: a pyoxigraph store in memory or in a directory (RocksDB).

The only module that imports pyoxigraph. Queries see the union of the named graphs as their
default graph; writes go through ``Store.update`` so each one is a single transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pyoxigraph as ox

from treatygraph.errors import StoreError
from treatygraph.store.base import (
    AskResult,
    Capabilities,
    Change,
    Deadline,
    GraphResult,
    QueryResult,
    Row,
    SelectResult,
    Term,
    TermTriple,
    syntax_error,
)
from treatygraph.store.changes import change_update

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_CHECK_EVERY = 256
_REMEMBERED = 4096


class OxigraphStore:
    """Embedded store; ``path=None`` keeps everything in memory."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        try:
            self._store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store in {path}: {exc}") from exc
        self.capabilities = Capabilities(persistent=path is not None)
        self._write_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OxigraphStore({str(self.path) if self.path else 'memory'})"

    # -- queries -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        deadline: Deadline | None = None,
    ) -> QueryResult:
        return self._query(sparql, default_graphs, named_graphs, deadline, _term)

    def query_for_pickle(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """:meth:`query`, but each term is a plain ``(kind, value, datatype, lang)`` tuple
        instead of the equal :class:`Term`: pickle handles plain tuples in C, a NamedTuple
        with a Python call per term (see :mod:`treatygraph.store.query_child`)."""
        return self._query(sparql, default_graphs, named_graphs, None, _plain_term)

    def _query(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        deadline: Deadline | None,
        convert: Callable[[Any], Term],
    ) -> QueryResult:
        kwargs: dict[str, Any] = {}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            result = self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise syntax_error(str(exc), sparql) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise StoreError(f"the query failed: {exc}") from exc
        if isinstance(result, ox.QueryBoolean):
            return AskResult(bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return SelectResult(names, _rows(result, deadline, convert))
        return GraphResult(_triples(result, deadline, convert))

    # -- writes ------------------------------------------------------------------------------

    def update(self, sparql: str, *, deadline: Deadline | None = None) -> None:
        with self._write_lock:
            try:
                self._store.update(sparql)
            except SyntaxError as exc:
                raise syntax_error(str(exc), sparql, "update") from None
            except (OSError, ValueError, RuntimeError) as exc:
                raise StoreError(f"the update failed and changed nothing: {exc}") from exc
            self._flush()

    def apply(self, change: Change) -> None:
        text = change_update(change)
        if text is not None:
            self.apply_update(text)

    def apply_update(self, text: str) -> None:
        """Commit a change already written by :func:`change_update` (one transaction)."""
        with self._write_lock:
            try:
                self._store.update(text)
            except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
                raise StoreError(
                    f"the change could not be applied; nothing changed: {exc}"
                ) from exc
            self._flush()

    def extend_from_nquads(self, path: Path) -> None:
        """Add every quad of an N-Quads file in one transaction, keeping blank node labels
        (``Store.load`` renames them), so a copy filled from :meth:`dump` answers with the
        same labels as the original. Runs in the calling thread: starts no thread pool."""
        with self._write_lock:
            try:
                self._store.extend(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
            except (SyntaxError, OSError, ValueError) as exc:
                raise StoreError(f"cannot load {path}: {exc}") from exc

    def _flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    # -- inspection --------------------------------------------------------------------------

    def graphs(self) -> list[str]:
        names = [g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]
        return sorted(g for g in names if self.count(g) > 0)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        solutions = self._store.query(
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )
        for solution in solutions:  # type: ignore[union-attr]
            value = solution["n"]
            return int(value.value) if value is not None else 0
        return 0

    def dump(self, out: BinaryIO, fmt: Literal["nquads", "trig"] = "nquads") -> None:
        rdf_format = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG
        self._store.dump(out, rdf_format, from_graph=None)

    def close(self) -> None:
        self._flush()
        del self._store


def _term(node: Any) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return Term("literal", node.value, _RDF_LANG_STRING, node.language)
        datatype = node.datatype.value
        return Term("literal", node.value, None if datatype == _XSD_STRING else datatype)
    if isinstance(node, ox.Triple):
        inner = f"<< {_term(node.subject)} {_term(node.predicate)} {_term(node.object)} >>"
        return Term("triple", inner)
    raise StoreError(f"unexpected term from the engine: {node!r}")


def _plain_term(node: Any) -> Term:
    return tuple(_term(node))  # type: ignore[return-value]  # equal to the Term; see caller


def _rows(
    solutions: Any, deadline: Deadline | None, convert: Callable[[Any], Term]
) -> Iterator[Row]:
    seen: dict[Any, Term] = {}
    for index, solution in enumerate(solutions):
        if index % _CHECK_EVERY == 0:
            if deadline is not None:
                deadline.check()
            if len(seen) > _REMEMBERED:
                seen.clear()
        yield tuple(
            [
                None if node is None else (seen.get(node) or _remember(seen, node, convert))
                for node in solution
            ]
        )


def _triples(
    triples: Any, deadline: Deadline | None, convert: Callable[[Any], Term]
) -> Iterator[TermTriple]:
    seen: dict[Any, Term] = {}
    for index, triple in enumerate(triples):
        if index % _CHECK_EVERY == 0:
            if deadline is not None:
                deadline.check()
            if len(seen) > _REMEMBERED:
                seen.clear()
        yield (
            seen.get(triple.subject) or _remember(seen, triple.subject, convert),
            seen.get(triple.predicate) or _remember(seen, triple.predicate, convert),
            seen.get(triple.object) or _remember(seen, triple.object, convert),
        )


def _remember(seen: dict[Any, Term], node: Any, convert: Callable[[Any], Term]) -> Term:
    """Results repeat terms (predicates, classes, the subject of many rows), and converting
    a term costs several times what the engine spends producing it: convert each once."""
    term = seen[node] = convert(node)
    return term
