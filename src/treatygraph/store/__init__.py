"""Open the store the settings name; nothing else knows which backend it talks to.

``memory`` is an embedded in-memory store, a directory path an embedded persistent store, an
``http(s)://`` URL a remote SPARQL 1.1 store.
"""

from __future__ import annotations

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
    "open_store",
]


def open_store(settings: Settings) -> Store:
    """The store named by ``settings.store``; raises StoreError when it cannot be opened."""
    location = settings.store
    if location.startswith(("http://", "https://")):
        raise StoreError(f"remote SPARQL stores are not supported by this version yet: {location}")
    from treatygraph.store.oxigraph import OxigraphStore

    if settings.is_memory:
        return OxigraphStore(None)
    path = Path(location.removeprefix("oxigraph:")).expanduser()
    if path.exists() and not path.is_dir():
        raise StoreError(f"--store {location}: not a directory")
    return OxigraphStore(path)
