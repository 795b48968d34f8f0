"""Every error path answers the same problem+json shape (RFC 9457), from one place."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from rdflib import Graph

from conftest import BrokenStore, GatedStore, SettingsFactory, clean_settings, serve_asgi
from treatygraph.errors import (
    InvalidRDF,
    NotFound,
    ShapeViolation,
    StoreError,
    TreatygraphError,
    Unauthorized,
)
from treatygraph.store.base import Store
from treatygraph.validation import ValidationReport, ValidationResult
from treatygraph.web.app import create_app

STATES = "SELECT ?s WHERE { ?s a <https://w3id.org/treatygraph/ontology#State> }"


class StoreDown(GatedStore):
    def query(self, sparql: str, **kwargs: Any) -> Any:
        raise StoreError("the store at /var/lib/tg cannot be read")


def report() -> ValidationReport:
    result = ValidationResult(
        focus="https://w3id.org/treatygraph/id/agreement/x",
        path="https://w3id.org/treatygraph/ontology#party",
        message="an agreement has at least two parties",
        severity="Violation",
        shape="https://w3id.org/treatygraph/ontology#AgreementShape",
        value=None,
    )
    return ValidationReport(conforms=False, results=(result,), graph=Graph(), text="")


RAISERS: dict[str, Callable[[], TreatygraphError]] = {
    "unauthorized": lambda: Unauthorized("a write needs a token"),
    "not-found": lambda: NotFound("no agreement jp-xx-acsa"),
    "invalid-rdf": lambda: InvalidRDF("bad Turtle", "body", line=3),
    "shape": lambda: ShapeViolation("the data does not conform", report()),
    "plain": lambda: TreatygraphError("an error without a class of its own"),
}


def add_test_routes(app: FastAPI) -> None:
    @app.get("/test/raise/{name}")
    def raise_(name: str) -> None:
        raise RAISERS[name]()

    @app.get("/test/typed")
    def typed(n: int) -> dict[str, int]:
        return {"n": n}


@pytest.fixture
def client_for(make_settings: SettingsFactory) -> Iterator[Callable[..., httpx.Client]]:
    """Serves the app (plus the test routes) over ``store`` on 127.0.0.1; returns a client."""
    with ExitStack() as stack:

        def make(backend: Store, **overrides: Any) -> httpx.Client:
            app = create_app(make_settings(**overrides), backend)
            add_test_routes(app)
            url = stack.enter_context(serve_asgi(app))
            return stack.enter_context(httpx.Client(base_url=url, timeout=10))

        yield make


@pytest.fixture(scope="module")
def client(fixture_store: Store) -> Iterator[httpx.Client]:
    """One server for the tests that need no special store."""
    app = create_app(clean_settings(max_body_bytes=1000), fixture_store)
    add_test_routes(app)
    with serve_asgi(app) as url, httpx.Client(base_url=url, timeout=10) as http:
        yield http


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"] == "about:blank" or body["type"].startswith(
        "https://w3id.org/treatygraph/problems/"
    )
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def test_syntax_error(client: httpx.Client) -> None:
    body = assert_problem(client.get("/sparql", params={"query": "SELECT * {\n ?s ?p }"}), 400)
    assert body["type"].endswith("/query-syntax")
    assert body["line"] == 2 and body["column"] > 0
    assert "line 2" in body["detail"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/sparql", {"params": {"query": [STATES, STATES]}}, 400),
        (
            "get",
            "/sparql",
            {"params": {"query": "SELECT * { SERVICE <http://x.example/> {} }"}},
            400,
        ),
        ("get", "/sparql", {"params": {"update": "CLEAR ALL"}}, 400),
        ("post", "/sparql", {"data": {"update": "CLEAR ALL"}}, 403),
        (
            "post",
            "/sparql",
            {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
            403,
        ),
        ("get", "/nothing/here", {}, 404),
        ("put", "/sparql", {}, 405),
        ("delete", "/healthz", {}, 405),
        ("get", "/sparql", {"params": {"query": STATES}, "headers": {"Accept": "image/png"}}, 406),
        ("get", "/sparql", {"headers": {"Accept": "image/png"}}, 406),
        (
            "post",
            "/sparql",
            {"content": "x" * 2000, "headers": {"Content-Type": "application/sparql-query"}},
            413,
        ),
        ("post", "/sparql", {"content": STATES, "headers": {"Content-Type": "text/plain"}}, 415),
        (
            "post",
            "/sparql",
            {"content": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}},
            400,
        ),
        (
            "post",
            "/sparql",
            {
                "content": "query=%FF",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
        ),
        ("get", "/test/raise/unauthorized", {}, 401),
        ("get", "/test/raise/not-found", {}, 404),
        ("get", "/test/raise/invalid-rdf", {}, 400),
        ("get", "/test/raise/shape", {}, 422),
        ("get", "/test/typed", {"params": {"n": "many"}}, 422),
    ],
)
def test_error_shape(
    client: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    assert_problem(client.request(method.upper(), path, **kwargs), status)


def test_problem_members_a_client_can_act_on(client: httpx.Client) -> None:
    unauthorized = client.get("/test/raise/unauthorized")
    assert unauthorized.headers["www-authenticate"].startswith("Bearer")
    not_allowed = client.put("/sparql")
    assert set(not_allowed.headers["allow"].split(", ")) == {"GET", "POST"}
    not_acceptable = client.get(
        "/sparql", params={"query": STATES}, headers={"Accept": "image/png"}
    )
    assert "application/sparql-results+json" in not_acceptable.json()["offered"]
    shape = client.get("/test/raise/shape").json()
    assert shape["violations"][0]["message"] == "an agreement has at least two parties"
    invalid = client.get("/test/typed", params={"n": "many"}).json()
    assert invalid["errors"][0]["where"] == "query.n"
    assert client.get("/test/raise/invalid-rdf").json()["line"] == 3


def test_timeout(client_for: Callable[..., httpx.Client], fixture_store: Store) -> None:
    gated = GatedStore(fixture_store)
    client = client_for(gated, query_timeout=0.2)
    body = assert_problem(client.get("/sparql", params={"query": STATES}), 503)
    assert body["type"].endswith("/query-timeout")
    assert "0.2 s" in body["detail"]
    gated.gate.set()


def test_overloaded(client_for: Callable[..., httpx.Client], fixture_store: Store) -> None:
    gated = GatedStore(fixture_store)
    client = client_for(gated, max_concurrent_queries=1)
    thread = threading.Thread(target=lambda: client.get("/sparql", params={"query": STATES}))
    thread.start()
    assert gated.entered.wait(5)
    response = client.get("/sparql", params={"query": STATES})
    gated.gate.set()
    thread.join(10)
    body = assert_problem(response, 503)
    assert body["type"].endswith("/overloaded")
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.parametrize(
    ("location", "status"), [("memory", 503), ("http://store.example/sparql", 502)]
)
def test_store_error(
    client_for: Callable[..., httpx.Client], fixture_store: Store, location: str, status: int
) -> None:
    client = client_for(StoreDown(fixture_store), store=location)
    body = assert_problem(client.get("/sparql", params={"query": STATES}), status)
    assert body["type"].endswith("/store-error")


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/test/raise/plain"])
def test_unexpected_errors_are_logged_and_not_leaked(
    client_for: Callable[..., httpx.Client],
    fixture_store: Store,
    caplog: pytest.LogCaptureFixture,
    path: str,
) -> None:
    client = client_for(BrokenStore(fixture_store))
    with caplog.at_level(logging.ERROR, logger="treatygraph.web"):
        response = client.get(path)
    body = assert_problem(response, 500)
    assert "disk on fire" not in response.text and "secret" not in response.text
    assert "RuntimeError" not in response.text and "without a class" not in response.text
    assert body["request_id"] in body["detail"]
    assert body["instance"] == f"urn:uuid:{body['request_id'][:8]}-{body['request_id'][8:12]}-" + (
        f"{body['request_id'][12:16]}-{body['request_id'][16:20]}-{body['request_id'][20:]}"
    )
    logged = [r for r in caplog.records if body["request_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_problem_as_a_page(client: httpx.Client) -> None:
    """A link followed to a missing resource shows a page, not a JSON document."""
    page = client.get("/id/agreement/xx-yy-acsa", headers={"Accept": BROWSER})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert "xx-yy-acsa" in page.text and "404" in page.text
    assert page.headers["x-request-id"] in page.text
    unknown = client.get("/no/such/page", headers={"Accept": BROWSER})
    assert unknown.status_code == 404 and "<h1>404" in unknown.text
    # what the client sent is shown as text, never as markup
    hostile = client.get(
        "/id/agreement/%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers={"Accept": BROWSER}
    )
    assert hostile.status_code in (400, 404)
    assert "<script>alert" not in hostile.text


def test_programs_still_get_problem_json(client: httpx.Client) -> None:
    for accept in (None, "*/*", "application/json", "application/problem+json"):
        headers = {"Accept": accept} if accept else {}
        assert_problem(client.get("/no/such/page", headers=headers), 404)
