"""Open the store the settings name; nothing else knows which backend it talks to.

``memory`` is an embedded in-memory store, a directory path an embedded persistent store, an
``http(s)://`` URL (or ``settings.query_endpoint``) a remote SPARQL 1.1 store
(:mod:`treatygraph.store.sparql`). An embedded store runs its queries in worker
processes that can be killed at the time limit (:mod:`treatygraph.store.isolated`) where the
platform allows it and ``settings.isolate_queries`` is on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from treatygraph.config import Settings
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
    Store,
    Term,
    TermTriple,
)

__all__ = [
    "AskResult",
    "Capabilities",
    "Change",
    "Deadline",
    "GraphResult",
    "QueryResult",
    "Row",
    "SelectResult",
    "Store",
    "Term",
    "TermTriple",
    "isolation_available",
    "open_store",
]


IDLE_WORKERS_MAX = 8
"""Most query processes kept ready to answer; more are forked when more queries run at once."""


def open_store(settings: Settings) -> Store:
    """The store named by ``settings.store``; raises StoreError when it cannot be opened."""
    if settings.is_remote:
        from treatygraph.store.sparql import SparqlStore

        return SparqlStore.from_settings(settings)
    location = settings.store
    path: Path | None = None
    if location not in ("memory", "memory:", ":memory:"):
        path = Path(location.removeprefix("oxigraph:")).expanduser()
        if path.exists() and not path.is_dir():
            raise StoreError(f"--store {location}: not a directory")
    if settings.isolate_queries and isolation_available():
        from treatygraph.store.isolated import IsolatedOxigraphStore

        workers = min(settings.max_concurrent_queries, IDLE_WORKERS_MAX)
        return IsolatedOxigraphStore(path, workers=workers)
    from treatygraph.store.oxigraph import OxigraphStore

    return OxigraphStore(path)


def isolation_available() -> bool:
    """Whether queries can run in killable worker processes here: Linux (``os.fork`` from a
    thread-free zygote, pidfds, parent-death signals) and a known Python executable."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and bool(sys.executable)
