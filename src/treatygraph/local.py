"""Commands that work on a store directly, without the HTTP service: query and export.

An in-memory store starts empty, so these load the bundled graph into it first; a
persistent or remote store is used as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal

from treatygraph.config import Settings
from treatygraph.errors import BadInput, StoreError
from treatygraph.store import Store, open_store
from treatygraph.store.base import Deadline, SupportsBackup

FORMAT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "xml-rdf": "application/rdf+xml",
}


def open_loaded(settings: Settings) -> Store:
    """The store of ``settings``, with the bundled graph loaded when it is in memory."""
    store = open_store(settings)
    if not store.capabilities.persistent and settings.load_bundled:
        from treatygraph.loader import load_bundled

        try:
            load_bundled(store, settings)
        except BaseException:
            store.close()
            raise
    return store


def run_query(settings: Settings, sparql: str, fmt: str | None) -> Iterator[bytes]:
    """Serialised results of ``sparql``: TSV for SELECT/ASK and Turtle for graphs by default."""
    from treatygraph.sparql_results import serialize
    from treatygraph.store.base import GraphResult

    if fmt is not None and fmt.lower() not in FORMAT_NAMES:
        raise BadInput(f"unknown format {fmt!r}; use one of {', '.join(sorted(FORMAT_NAMES))}")
    store = open_loaded(settings)
    try:
        result = store.query(sparql, deadline=Deadline(settings.query_timeout))
        default = "text/turtle" if isinstance(result, GraphResult) else "text/tab-separated-values"
        media_type = FORMAT_NAMES[fmt.lower()] if fmt else default
        yield from serialize(result, media_type)
    finally:
        store.close()


def export_store(settings: Settings, out: BinaryIO, fmt: str) -> None:
    """Every quad of the store, as N-Quads or TriG."""
    if fmt not in ("nquads", "trig"):
        raise BadInput(f"unknown export format {fmt!r}; use nquads or trig")
    kind: Literal["nquads", "trig"] = "nquads" if fmt == "nquads" else "trig"
    store = open_loaded(settings)
    try:
        store.dump(out, kind)
    finally:
        store.close()


def backup_store(settings: Settings, target: Path) -> None:
    """A consistent copy of the persistent store of ``settings`` in the new folder
    ``target``. Raises BadInput (not a local persistent store, ``target`` exists) or
    StoreError (the store is in use by a server: RocksDB locks it)."""
    if settings.is_memory or settings.is_remote:
        raise BadInput("backup copies a store folder: give --store DIR (a persistent store)")
    if target.exists():
        raise BadInput(f"{target} exists: a backup goes into a new folder")
    try:
        store = open_store(settings.model_copy(update={"isolate_queries": False}))
    except StoreError as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                f"the store in {settings.store} is in use by a running server (RocksDB locks "
                "it); ask that server for a backup: POST /admin/backup with the write token"
            ) from None
        raise
    try:
        if not isinstance(store, SupportsBackup):
            raise BadInput("this store cannot be copied as a folder; export it instead")
        store.backup(target)
    finally:
        store.close()
