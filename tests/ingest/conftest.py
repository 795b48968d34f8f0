"""Stores with only the ontology, the shapes and the reference data: what ingest starts from.

The reference data is checked once per session (:func:`load_reference`); each test then gets a
fresh store filled with the same graphs, which takes milliseconds.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from treatygraph.bundle import data_dir
from treatygraph.inference import refresh_inferred
from treatygraph.ingest.baseline import load_reference, reference_dataset
from treatygraph.store.base import Change, Store
from treatygraph.store.oxigraph import OxigraphStore

CORPUS = sorted((data_dir() / "articles").glob("*.txt"))
GOLD = data_dir() / "graphs"
TEST_DATA = Path(__file__).resolve().parents[1] / "data"
NEW_ARTICLES = sorted((TEST_DATA / "articles").glob("*.txt"))
REFERENCE_NZ = TEST_DATA / "reference-nz.trig"

StoreFactory = Callable[..., Store]


@pytest.fixture(scope="session")
def reference_graphs() -> dict[str, Graph]:
    checked = OxigraphStore(None)
    load_reference(checked)  # raises if the reference data does not conform
    checked.close()
    return {str(g.identifier): g for g in reference_dataset().graphs() if len(g)}


@pytest.fixture
def make_store(reference_graphs: dict[str, Graph]) -> Iterator[StoreFactory]:
    """``make_store(extra=[...])``: a fresh in-memory store with the reference data."""
    opened: list[Store] = []

    def make(extra: list[Path] | None = None) -> Store:
        store = OxigraphStore(None)
        graphs = dict(reference_graphs)
        if extra:
            graphs = {
                str(g.identifier): g for g in reference_dataset(extra=extra).graphs() if len(g)
            }
        store.apply(Change(graphs=graphs))
        refresh_inferred(store)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def empty_store(make_store: StoreFactory) -> Store:
    return make_store()


def dump(store: Store) -> bytes:
    """Every quad of the store, sorted: equal dumps mean equal stores."""
    out = io.BytesIO()
    store.dump(out, "nquads")
    return b"\n".join(sorted(out.getvalue().splitlines()))
