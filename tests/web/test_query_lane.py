"""Queries over HTTP on the default embedded store (isolated): through the query lane, with
results written by the query children, the same protocol as everywhere else; and the same
answers, headers and records as through the full middleware stack."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from urllib.parse import quote_plus

import httpx
import pytest

from conftest import clean_settings, fill, run_server, serve_asgi
from treatygraph.config import Settings
from treatygraph.store import isolation_available
from treatygraph.store.isolated import IsolatedOxigraphStore
from treatygraph.web.app import create_app

pytestmark = pytest.mark.skipif(not isolation_available(), reason="needs Linux")

STATES = "SELECT ?s { ?s a <https://w3id.org/treatygraph/ontology#State> } ORDER BY ?s"


@pytest.fixture(scope="module")
def store() -> Iterator[IsolatedOxigraphStore]:
    store = IsolatedOxigraphStore(None, workers=2)
    fill(store, filler=3000)
    yield store
    store.close()


def _settings() -> Settings:
    return clean_settings(
        query_timeout=10, max_results=2000, cors_origins=("*",), max_body_bytes=100_000
    )


@pytest.fixture(scope="module")
def url(store: IsolatedOxigraphStore) -> Iterator[str]:
    with run_server(_settings(), store) as base:
        yield base + "/sparql"


@pytest.fixture(scope="module")
def stack_url(store: IsolatedOxigraphStore) -> Iterator[str]:
    """The same service with the lane taken out: every query goes through the stack."""
    app = create_app(_settings(), store)
    app.query_lane = None
    with serve_asgi(app) as base:
        yield base + "/sparql"


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


SAME_HEADERS = (
    "content-type",
    "content-length",
    "vary",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "treatygraph-results-truncated",
    "treatygraph-max-results",
    "retry-after",
)

REQUESTS = [
    ("POST", {"data": {"query": STATES}}),
    ("GET", {"params": {"query": STATES, "format": "tsv"}}),
    ("GET", {"params": {"query": STATES}, "headers": {"Origin": "https://app.example"}}),
    ("POST", {"content": STATES, "headers": {"Content-Type": "application/sparql-query"}}),
    ("POST", {"data": {"query": "SELECT * { ?s ?p ?o }"}}),
    (
        "POST",
        {
            "data": {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"},
            "headers": {"Accept": "text/turtle"},
        },
    ),
    ("POST", {"data": {"query": "SELECT * {"}}),
    ("POST", {"data": {"query": STATES}, "headers": {"Accept": "image/png"}}),
    ("POST", {"content": STATES, "headers": {"Content-Type": "text/plain"}}),
    ("POST", {"data": {"query": [STATES, STATES]}}),
    ("POST", {"data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}),
    ("GET", {"params": {"query": STATES, "update": "CLEAR ALL"}}),
    ("POST", {"content": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}}),
    ("POST", {"content": b"x" * 100_001, "headers": {"Content-Type": "application/sparql-query"}}),
    ("GET", {"params": {"query": STATES}, "headers": {"Accept": "text/html"}}),
]


@pytest.mark.parametrize(("method", "options"), REQUESTS, ids=range(len(REQUESTS)))
def test_the_lane_answers_as_the_stack_does(
    url: str, stack_url: str, method: str, options: dict[str, object]
) -> None:
    with httpx.Client(timeout=10) as client:
        lane = client.request(method, url, **options)  # type: ignore[arg-type]
        stack = client.request(method, stack_url, **options)  # type: ignore[arg-type]
    assert lane.status_code == stack.status_code
    for name in SAME_HEADERS:
        assert lane.headers.get(name) == stack.headers.get(name), name
    assert lane.headers["x-request-id"] and stack.headers["x-request-id"]
    if lane.headers["content-type"] == "application/problem+json":
        mine, theirs = lane.json(), stack.json()
        assert mine.pop("request_id") == lane.headers["x-request-id"]
        theirs.pop("request_id")
        assert mine == theirs
    elif "text/html" not in lane.headers["content-type"]:
        assert lane.content == stack.content


def test_the_lane_keeps_the_request_id_and_writes_the_access_log(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="treatygraph.access"):
        response = httpx.post(url, data={"query": STATES}, headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "treatygraph.access"]
    mine = [line for line in lines if line["request_id"] == "abc-123"]
    assert len(mine) == 1
    assert mine[0]["route"] == "/sparql" and mine[0]["status"] == 200
    assert mine[0]["bytes"] == len(response.content) and mine[0]["request_bytes"] > 0


def test_queries_in_the_lane_are_counted(url: str) -> None:
    metrics = url.removesuffix("/sparql") + "/metrics"

    def count() -> float:
        text = httpx.get(metrics).text
        line = next(
            (
                line
                for line in text.splitlines()
                if line.startswith("treatygraph_http_requests_total")
                and 'route="/sparql"' in line
                and 'method="POST"' in line
                and 'status="200"' in line
            ),
            None,
        )
        return float(line.rsplit(" ", 1)[1]) if line else 0.0

    before = count()
    for _ in range(3):
        assert httpx.post(url, data={"query": STATES}).status_code == 200
    assert count() == before + 3


RUNAWAY_COUNT = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_client_that_leaves_before_the_first_byte_stops_its_query(
    store: IsolatedOxigraphStore,
) -> None:
    """With one query slot: a runaway query whose client hangs up frees the slot at once,
    not at the time limit (10 s here)."""
    settings = clean_settings(query_timeout=10, max_concurrent_queries=1)
    with run_server(settings, store) as base:
        host, port = base.removeprefix("http://").split(":")
        body = f"query={quote_plus(RUNAWAY_COUNT)}".encode()
        with socket.create_connection((host, int(port)), timeout=5) as client:
            client.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            time.sleep(0.5)  # the query is running: its slot is taken
            busy = httpx.post(base + "/sparql", data={"query": STATES}, timeout=5)
            assert busy.status_code == 503
        started = time.monotonic()
        while True:  # the hang-up is seen and the slot freed within moments
            answer = httpx.post(base + "/sparql", data={"query": STATES}, timeout=5)
            if answer.status_code == 200 or time.monotonic() - started > 5:
                break
            time.sleep(0.05)
        assert answer.status_code == 200
        assert time.monotonic() - started < 3
