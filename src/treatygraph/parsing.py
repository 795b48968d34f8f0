"""Parse RDF files and bodies into rdflib datasets, with errors that name the file and line.

Every format the service accepts goes through here, so a curator sees the same clear
message from ``treatygraph load``, ``validate`` and an HTTP upload.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from rdflib import Dataset, Graph, URIRef

from treatygraph.errors import InvalidRDF
from treatygraph.namespaces import PREFIXES
from treatygraph.untrusted import check_xml, jsonld_document, local_contexts

SUFFIX_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
"""File suffix → rdflib parser name."""

QUAD_FORMATS = frozenset({"trig", "nquads", "json-ld"})
_LINE = re.compile(r"at line (\d+)|line (\d+)|:(\d+):\d+:")


def format_for(path: Path) -> str:
    """The rdflib format of a file from its suffix; raises InvalidRDF for an unknown one."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise InvalidRDF(
            f"{path}: unknown RDF file type {path.suffix!r} (known: {known})", str(path)
        )
    return fmt


class _CountingReader:
    """A binary file wrapper that reports how many bytes the parser has read so far."""

    def __init__(self, raw: IO[bytes], report: Callable[[int], None]) -> None:
        self._raw = raw
        self._report = report

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self._report(len(chunk))
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self._raw.readline(size)
        self._report(len(line))
        return line

    def __iter__(self) -> _CountingReader:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def new_dataset() -> Dataset:
    dataset = Dataset(default_union=True)
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    return dataset


def parse_file(
    path: Path,
    fmt: str | None = None,
    graph: str | None = None,
    progress: Callable[[int], None] | None = None,
    into: Dataset | None = None,
) -> Dataset:
    """Parse one file; triples-only formats land in ``graph`` (required for them)."""
    fmt = fmt or format_for(path)
    dataset = into if into is not None else new_dataset()
    try:
        with path.open("rb") as raw:
            source: IO[bytes] | _CountingReader = (
                _CountingReader(raw, progress) if progress else raw
            )
            _parse_into(dataset, source, fmt, graph, str(path))
    except OSError as exc:
        raise InvalidRDF(f"cannot read {path}: {exc.strerror}", str(path)) from exc
    return dataset


def parse_data(
    data: bytes | str,
    fmt: str,
    graph: str | None = None,
    source: str = "<body>",
    *,
    contexts: Mapping[str, Any] | None = None,
) -> Dataset:
    """Parse RDF held in memory (an HTTP body, a string).

    Nothing is fetched and no entity is expanded (:mod:`treatygraph.untrusted`): JSON-LD may
    name the published treatygraph context, or a context of ``contexts`` (IRI → its
    ``@context`` value), and no other remote one."""
    dataset = new_dataset()
    _parse_into(dataset, data, fmt, graph, source, contexts)
    return dataset


def _parse_into(
    dataset: Dataset,
    data: bytes | str | IO[bytes] | _CountingReader,
    fmt: str,
    graph: str | None,
    source: str,
    contexts: Mapping[str, Any] | None = None,
) -> None:
    target: Graph = dataset
    if fmt not in QUAD_FORMATS:
        if graph is None:
            raise InvalidRDF(
                f"{source}: {fmt} holds triples only; name the graph to load them into", source
            )
        target = dataset.graph(URIRef(graph))
    public_id = graph if fmt in QUAD_FORMATS else None
    document: Any = None
    if fmt == "json-ld":
        raw = data if isinstance(data, (bytes, str)) else data.read()
        document = jsonld_document(raw, source, local_contexts(contexts))
    elif fmt == "xml" and isinstance(data, (bytes, str)):
        check_xml(data, source)
    try:
        with warnings.catch_warnings():
            # rdflib's TriG/N-Quads parsers call APIs that rdflib itself deprecates
            warnings.simplefilter("ignore", DeprecationWarning)
            if document is not None:
                target.parse(data=document, format=fmt, publicID=public_id)
            elif isinstance(data, (bytes, str)):
                target.parse(data=data, format=fmt, publicID=public_id)
            else:
                target.parse(source=data, format=fmt, publicID=public_id)  # type: ignore[arg-type]
    except Exception as exc:  # rdflib's parsers raise many unrelated exception types
        raise _invalid(exc, source, data) from None


def _invalid(exc: Exception, source: str, data: object) -> InvalidRDF:
    message = " ".join(str(exc).split())
    match = _LINE.search(str(exc))
    line = next((int(g) for g in match.groups() if g), None) if match else None
    if line is None and isinstance(data, (bytes, str)) and "Invalid line" in message:
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        bad = re.search(r"Invalid line[^:]*:\s*['\"]?(.{1,40})", message)
        if bad:
            position = text.find(bad.group(1).strip("'\" "))
            line = text.count("\n", 0, position) + 1 if position >= 0 else None
    where = f"{source}:{line}" if line else source
    return InvalidRDF(f"{where}: not valid RDF: {message[:500]}", source, line)
