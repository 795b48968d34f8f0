"""The embedded backend: a pyoxigraph store in memory or in a directory (RocksDB).

The only module that imports pyoxigraph. Queries see the union of the named graphs as their
default graph; writes go through ``Store.update`` so each one is a single transaction.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol, TypeVar

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
from treatygraph.store.nesting import check_nesting

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

    def write_query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        pick: Callable[[ResultKind], str],
        max_results: int,
        out: ResultSink,
        bounded: bool = False,
        prefixes: Mapping[str, str] | None = None,
    ) -> Unwritten | None:
        """Run ``sparql`` and write its result to ``out`` with pyoxigraph's own serialisers,
        in the format ``pick`` names for its kind (a treatygraph format name; ``pick`` may
        raise NotAcceptable). Returns None when it wrote the result, else what it leaves to
        the caller: an ASK, a result cut at ``max_results`` (the caller marks the cut), or one
        in a format written differently here (RDF/XML, JSON-LD, TriG; SPARQL XML with
        characters XML cannot carry). Raises QuerySyntaxError or StoreError.

        Never more than ``max_results`` rows or triples, and never a silent cut: solutions
        are written as TSV (one line each, so counting them costs a byte count) up to one past
        the limit, and only then, if not cut, written again in the format asked for.
        ``bounded=True`` says the caller knows the query yields at most ``max_results``
        solutions (a top-level LIMIT), so they are written as the engine produces them.
        """
        result = self._evaluate(sparql, default_graphs, named_graphs)
        if isinstance(result, ox.QueryBoolean):
            return Unwritten(AskResult(bool(result)), pick("results"), None)
        if isinstance(result, ox.QuerySolutions):
            name = pick("results")
            fmt = _RESULT_SYNTAXES[name]
            if bounded and name != "xml":
                out.begin(name, None)
                _engine_call(result.serialize, out, fmt)
                return None
            variables = [v.value for v in result.variables]
            tsv, cut = _tsv_up_to(result, max_results)
            if cut or (name == "xml" and _XML_UNSAFE.search(tsv)):
                rows = _rows(_parse_tsv(tsv), None, _term)
                return Unwritten(SelectResult(variables, rows), name, max_results if cut else None)
            out.begin(name, None)
            if name == "tsv":
                out.write(tsv)
            else:
                _engine_call(_parse_tsv(tsv).serialize, out, fmt)
            return None
        name = pick("graph")
        triples: list[Any] = []
        cut = _engine_call(_take, result, max_results, triples)
        syntax = _GRAPH_SYNTAXES.get(name)
        if cut or syntax is None:
            bounded_triples = _triples(iter(triples), None, _term)
            return Unwritten(GraphResult(bounded_triples), name, max_results if cut else None)
        out.begin(name, None)
        chosen = dict(prefixes or {}) if syntax == ox.RdfFormat.TURTLE else None
        sink: Any = out  # a binary file as far as pyoxigraph is concerned
        _engine_call(lambda: ox.serialize(triples, sink, syntax, prefixes=chosen))
        return None

    def _evaluate(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> Any:
        check_nesting(sparql)  # deeper nesting overflows the engine's parser: SIGSEGV
        kwargs: dict[str, Any] = {}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise syntax_error(str(exc), sparql) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise StoreError(f"the query failed: {exc}") from exc

    def _query(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        deadline: Deadline | None,
        convert: Callable[[Any], Term],
    ) -> QueryResult:
        result = self._evaluate(sparql, default_graphs, named_graphs)
        if isinstance(result, ox.QueryBoolean):
            return AskResult(bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return SelectResult(names, _rows(result, deadline, convert))
        return GraphResult(_triples(result, deadline, convert))

    # -- writes ------------------------------------------------------------------------------

    def update(self, sparql: str, *, deadline: Deadline | None = None) -> None:
        check_nesting(sparql, "update")
        with self._write_lock:
            try:
                self._store.update(sparql)
            except SyntaxError as exc:
                raise syntax_error(str(exc), sparql, "update") from None
            except (OSError, ValueError, RuntimeError) as exc:
                raise StoreError(f"the update failed and changed nothing: {exc}") from exc
            self._flush()

    def apply(self, change: Change, *, progress: Callable[[int], None] | None = None) -> None:
        text = change_update(change)
        if text is not None:
            self.apply_update(text)
        if progress is not None:
            progress(sum(len(g) for g in (*change.graphs.values(), *change.descriptions.values())))

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

    def backup(self, target: Path) -> None:
        """A consistent copy of a disk store in the new folder ``target``, taken between two
        writes (a RocksDB checkpoint: hard links where the file system allows). Safe while
        the store serves; another process cannot do it, since RocksDB locks the folder.
        Raises StoreError for an in-memory store, an existing ``target`` or an I/O error."""
        if self.path is None:
            raise StoreError("an in-memory store cannot be backed up; export it instead")
        with self._write_lock:
            try:
                self._store.backup(str(target))
            except OSError as exc:
                raise StoreError(f"the backup into {target} failed: {exc}") from exc

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


# -- parsing for other backends --------------------------------------------------------------
# The remote store reads engines' N-Triples and N-Quads with the same Rust parser (faster and
# stricter than one in Python); it lives here because this is the module that owns pyoxigraph.


def parse_ntriples(stream: BinaryIO, deadline: Deadline | None = None) -> Iterator[TermTriple]:
    """Triples of an N-Triples stream as :class:`Term` triples, read as they arrive; blank
    node labels are kept. Raises SyntaxError or OSError (from the stream) while iterating."""
    return _triples(ox.parse(stream, ox.RdfFormat.N_TRIPLES, lenient=True), deadline, _term)


def copy_rdf(
    source: BinaryIO,
    out: BinaryIO,
    *,
    source_format: Literal["nquads", "ntriples"],
    fmt: Literal["nquads", "trig"],
    graph: str | None = None,
) -> None:
    """Re-serialise a stream as N-Quads or TriG, as it is read; triples of an N-Triples
    source go into ``graph``. Blank node labels are kept."""
    kind = ox.RdfFormat.N_QUADS if source_format == "nquads" else ox.RdfFormat.N_TRIPLES
    parsed: Iterator[Any] = ox.parse(source, kind, lenient=True)
    if graph is not None:
        name = ox.NamedNode(graph)
        parsed = (ox.Quad(q.subject, q.predicate, q.object, name) for q in parsed)
    target = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG
    ox.serialize(parsed, out, target)


# -- results written by pyoxigraph (the query children's fast path) --------------------------

ResultKind = Literal["results", "graph"]


class ResultSink(Protocol):
    """Where :meth:`OxigraphStore.write_query` writes: told the format first, then the bytes
    (a binary file for pyoxigraph's serialisers)."""

    def begin(self, format_name: str, truncated_at: int | None) -> None: ...

    def write(self, data: bytes) -> int: ...

    def flush(self) -> None: ...


@dataclass(frozen=True)
class Unwritten:
    """A result :meth:`OxigraphStore.write_query` leaves to its caller to serialise, already
    bounded; ``truncated_at`` is set when it was cut at the limit."""

    result: QueryResult
    format_name: str
    truncated_at: int | None


_RESULT_SYNTAXES = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
# N-Quads of a graph result is its N-Triples; TriG, JSON-LD and RDF/XML are written by
# treatygraph's own serialisers (its JSON-LD is expanded, its TriG a default graph block).
_GRAPH_SYNTAXES = {
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_TRIPLES,
    "turtle": ox.RdfFormat.TURTLE,
}
# pyoxigraph writes these raw into SPARQL XML, where XML 1.0 cannot carry them (and an XML
# parser turns a raw CR into LF): such results go to treatygraph's XML writer instead.
_XML_UNSAFE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\\r")


class _Enough(Exception):
    """Raised through pyoxigraph's serialiser to stop it once the limit is passed."""


class _LineCounter:
    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self._limit = limit

    def write(self, data: bytes) -> int:
        if self.lines > self._limit:  # pyoxigraph flushes its buffer again as it unwinds
            return len(data)
        self.parts.append(data)
        self.lines += data.count(b"\n")
        if self.lines > self._limit:
            raise _Enough
        return len(data)

    def flush(self) -> None:
        pass


def _tsv_up_to(solutions: Any, limit: int) -> tuple[bytes, bool]:
    """SPARQL TSV of at most ``limit`` solutions, and whether more exist. TSV writes one line
    per solution (line breaks in literals are escaped) after one line of variables."""
    counter = _LineCounter(limit + 1)
    try:
        _engine_call(solutions.serialize, counter, ox.QueryResultsFormat.TSV)
    except _Enough:
        last = counter.parts.pop()
        keep = limit + 1 - (counter.lines - last.count(b"\n"))
        end = -1
        for _ in range(keep):
            end = last.index(b"\n", end + 1)
        counter.parts.append(last[: end + 1])
        return b"".join(counter.parts), True
    return b"".join(counter.parts), False


def _parse_tsv(tsv: bytes) -> Any:
    return ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)


def _take(items: Iterator[Any], limit: int, into: list[Any]) -> bool:
    """Append up to ``limit`` items to ``into``; whether one more exists."""
    for index, item in enumerate(items):
        if index == limit:
            return True
        into.append(item)
    return False


T = TypeVar("T")


def _engine_call(function: Callable[..., T], *args: Any) -> T:
    """Call into pyoxigraph while it evaluates a query: its errors become StoreError."""
    try:
        return function(*args)
    except (OSError, ValueError, RuntimeError, TypeError, SyntaxError) as exc:
        raise StoreError(f"the query failed: {exc}") from exc
