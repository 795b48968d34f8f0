"""Queries over HTTP on the default embedded store (isolated): through the fast lane, with
results written by the query children, the same protocol as everywhere else."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conftest import clean_settings, fill, run_server
from treatygraph.store import isolation_available
from treatygraph.store.isolated import IsolatedOxigraphStore

pytestmark = pytest.mark.skipif(not isolation_available(), reason="needs Linux")

STATES = "SELECT ?s { ?s a <https://w3id.org/treatygraph/ontology#State> } ORDER BY ?s"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    store = IsolatedOxigraphStore(None, workers=2)
    fill(store, filler=3000)
    try:
        with run_server(clean_settings(query_timeout=10, max_results=2000), store) as base:
            yield base + "/sparql"
    finally:
        store.close()


def test_a_point_lookup_comes_whole_with_its_length(url: str) -> None:
    response = httpx.post(url, data={"query": STATES})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert int(response.headers["content-length"]) == len(response.content)
    assert "Accept" in response.headers["vary"]
    assert response.headers["treatygraph-results-truncated"] == "false"
    assert len(response.json()["results"]["bindings"]) == 2


def test_get_and_post_bodies_agree(url: str) -> None:
    got = httpx.get(url, params={"query": STATES, "format": "csv"})
    posted = httpx.post(
        url,
        content=STATES,
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert got.status_code == posted.status_code == 200
    assert got.content == posted.content and got.content.startswith(b"s\r\n")


def test_a_large_result_streams_and_a_cut_is_announced(url: str) -> None:
    response = httpx.post(url, data={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 200
    assert "content-length" not in response.headers
    assert response.headers["treatygraph-results-truncated"] == "true"
    assert response.headers["treatygraph-max-results"] == "2000"
    assert len(response.json()["results"]["bindings"]) == 2000


def test_errors_are_problems(url: str) -> None:
    bad = httpx.post(url, data={"query": "SELECT * {"})
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["line"] == 1
    refused = httpx.post(url, content=STATES, headers={"Content-Type": "text/plain"})
    assert refused.status_code == 415
    unacceptable = httpx.post(url, data={"query": STATES}, headers={"Accept": "text/turtle"})
    assert unacceptable.status_code == 406 and "offered" in unacceptable.json()


def test_other_requests_take_the_route(url: str) -> None:
    description = httpx.get(url, headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and b"sd:" in description.content
    assert httpx.put(url, content=b"").status_code == 405
