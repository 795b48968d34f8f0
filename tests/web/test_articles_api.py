"""POST /api/articles: token-gated, checked, atomic; the report lists each fact with its quote."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph

from treatygraph.bundle import data_dir
from treatygraph.config import Settings
from treatygraph.inference import refresh_inferred
from treatygraph.ingest.baseline import load_reference, reference_dataset
from treatygraph.store.base import Change, Store
from treatygraph.store.oxigraph import OxigraphStore

TOKEN = "s3cret-token"
ARTICLE = (data_dir() / "articles" / "12-kantei-japan-germany-summit-acsa.txt").read_text("utf-8")
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
AUTH = {**TEXT, "Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def reference_graphs() -> dict[str, Graph]:
    checked = OxigraphStore(None)
    load_reference(checked)
    checked.close()
    return {str(g.identifier): g for g in reference_dataset().graphs() if len(g)}


@pytest.fixture
def store(reference_graphs: dict[str, Graph]) -> Iterator[Store]:
    opened = OxigraphStore(None)
    opened.apply(Change(graphs=reference_graphs))
    refresh_inferred(opened)
    yield opened
    opened.close()


@pytest.fixture
def client(
    store: Store,
    make_settings: Callable[..., Settings],
    serve: Callable[..., Any],
    tmp_path: Path,
) -> Iterator[httpx.Client]:
    """A real server (uvicorn in a thread, 127.0.0.1) over ``store``, with writes enabled.

    Settings with a write token must name a persistent store; the server is given ``store``
    itself, so that the test can compare its dumps.
    """
    settings = make_settings(write_token=TOKEN, store=str(tmp_path / "store"))
    with serve(settings, store) as url, httpx.Client(base_url=url) as c:
        yield c


def dump(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out, "nquads")
    return b"\n".join(sorted(out.getvalue().splitlines()))


def test_post_article_ingests_and_reports(client: httpx.Client, store: Store) -> None:
    response = client.post(
        "/api/articles?slug=12-kantei-japan-germany-summit-acsa", content=ARTICLE, headers=AUTH
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (
        body["article"]
        == "https://w3id.org/treatygraph/id/article/12-kantei-japan-germany-summit-acsa"
    )
    assert response.headers["location"] == "/id/article/12-kantei-japan-germany-summit-acsa"
    events = {e["iri"].rsplit("/", 1)[-1]: e for e in body["report"]["events"]}
    assert "de-jp-acsa-entry-into-force-2024-07-12" in events
    assert events["de-jp-acsa-entry-into-force-2024-07-12"]["quotes"] == [
        "the two leaders welcomed the entry into force of the Agreement on the Acquisition and "
        "Cross-Servicing Agreement (ACSA) between Japan and Germany on July 12"
    ]
    query = "ASK { <https://w3id.org/treatygraph/id/agreement/de-jp-acsa> a ?c }"
    assert client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    ).json()["boolean"]
    again = client.post(
        "/api/articles?slug=12-kantei-japan-germany-summit-acsa", content=ARTICLE, headers=AUTH
    )
    assert again.status_code == 200 and again.json()["report"]["changed"] is False


def test_default_slug_from_date_and_headline(client: httpx.Client) -> None:
    response = client.post("/api/articles", content=ARTICLE, headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["report"]["slug"] == "2024-07-12-japan-germany-summit-meeting-summary"


def test_missing_token_is_401(client: httpx.Client, store: Store) -> None:
    before = dump(store)
    response = client.post("/api/articles", content=ARTICLE, headers=TEXT)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert dump(store) == before


def test_wrong_token_is_403(client: httpx.Client, store: Store) -> None:
    before = dump(store)
    response = client.post(
        "/api/articles", content=ARTICLE, headers={**TEXT, "Authorization": "Bearer nope"}
    )
    assert response.status_code == 403
    assert dump(store) == before


def test_read_only_server_is_403(
    store: Store, make_settings: Callable[..., Settings], serve: Callable[..., Any]
) -> None:
    with serve(make_settings(), store) as url:
        response = httpx.post(f"{url}/api/articles", content=ARTICLE, headers=AUTH)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_malformed_article_is_400_and_changes_nothing(client: httpx.Client, store: Store) -> None:
    before = dump(store)
    response = client.post(
        "/api/articles", content="Publisher: X\nDate: 12 July\n\nText", headers=AUTH
    )
    assert response.status_code == 400
    assert "ISO 8601" in response.json()["detail"]
    assert dump(store) == before


def test_bad_slug_is_400(client: httpx.Client) -> None:
    response = client.post("/api/articles?slug=Not%20A%20Slug", content=ARTICLE, headers=AUTH)
    assert response.status_code == 400


def test_not_text_is_415(client: httpx.Client) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    assert client.post("/api/articles", content="{}", headers=headers).status_code == 415


def test_draft_that_does_not_conform_is_422_and_changes_nothing(
    client: httpx.Client, store: Store
) -> None:
    # the reference data is broken: Germany has lost its Wikidata link
    store.update(
        "DELETE WHERE { GRAPH ?g { <https://w3id.org/treatygraph/id/state/de> "
        "<http://www.w3.org/2002/07/owl#sameAs> ?o } }"
    )
    before = dump(store)
    response = client.post("/api/articles", content=ARTICLE, headers=AUTH)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    focus = {v["focus"] for v in problem["violations"]}
    assert "https://w3id.org/treatygraph/id/state/de" in focus
    assert {"focus", "path", "message", "severity"} <= set(problem["violations"][0])
    assert dump(store) == before
