"""SPARQL Update at /sparql: token-gated, staged, SHACL-checked, atomic, one at a time.

Against real servers on 127.0.0.1 over a persistent store holding the bundled graph. Every
refused write is checked to have changed nothing (a snapshot of the store before and after).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph
from rdflib.namespace import Namespace

from conftest import clean_settings, run_server, serve_asgi
from treatygraph.inference import compute_inferred
from treatygraph.store.base import Change, GraphResult, SelectResult, Store
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.web.app import create_app
from write_fixtures import (
    AUTH,
    GRAPH,
    INFERRED,
    RDFS_COMMENT,
    TG,
    TOKEN,
    UPDATE,
    Tripwire,
    article_graphs,
    snapshot,
    write_settings,
)

SH = Namespace("http://www.w3.org/ns/shacl#")
NOTE_GRAPH = "urn:x-test:notes"


def insert_note(text: str = "checked", graph: str = NOTE_GRAPH) -> str:
    return f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:n> <{RDFS_COMMENT}> "{text}" }} }}'


def first_quote(store: Store) -> tuple[str, str]:
    """An article graph and one evidence node in it with a quote."""
    for graph in article_graphs(store):
        result = store.query(
            f"SELECT ?e WHERE {{ GRAPH <{graph}> {{ ?e <{TG}quote> ?q }} }} LIMIT 1"
        )
        assert isinstance(result, SelectResult)
        for (evidence,) in result.rows:
            assert evidence is not None
            return graph, evidence.value
    raise AssertionError("no quote in the bundled graph")


def signing(store: Store) -> tuple[str, str, str]:
    """An article graph, a Signing event in it with a day date, and that date."""
    result = store.query(
        f"SELECT ?g ?e ?d WHERE {{ GRAPH ?g {{ ?e a <{TG}Signing> ; <{TG}date> ?d }} "
        f'FILTER(STRSTARTS(STR(?g), "{GRAPH}article-")) }} LIMIT 1'
    )
    assert isinstance(result, SelectResult)
    for g, e, d in result.rows:
        assert g is not None and e is not None and d is not None
        return g.value, e.value, d.value
    raise AssertionError("no signing in the bundled graph")


def inferred_of(store: Store) -> set[str]:
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, GraphResult)
    return {f"{s} {p} {o}" for s, p, o in result.triples}


def full_inferred(store: Store) -> set[str]:
    scratch = OxigraphStore(None)
    scratch.apply(Change(graphs={INFERRED: compute_inferred(store)}))
    try:
        return inferred_of(scratch)
    finally:
        scratch.close()


# -- the token ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "Bearer wrong-token"}, 403),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403),
        ({"Authorization": f"bearer {TOKEN}"}, 204),
    ],
    ids=["missing", "basic", "wrong", "longer", "lowercase-scheme"],
)
@pytest.mark.parametrize("form", [False, True], ids=["sparql-update", "form"])
def test_updates_need_the_bearer_token(
    write_server: str,
    write_store: Store,
    headers: dict[str, str],
    status: int,
    form: bool,
) -> None:
    before = snapshot(write_store)
    with httpx.Client(base_url=write_server, timeout=30) as http:
        if form:
            response = http.post("/sparql", data={"update": insert_note()}, headers=headers)
        else:
            content = {"Content-Type": "application/sparql-update", **headers}
            response = http.post("/sparql", content=insert_note(), headers=content)
    assert response.status_code == status, response.text
    if status == 204:
        assert snapshot(write_store) != before
        return
    assert response.headers["content-type"] == "application/problem+json"
    assert snapshot(write_store) == before
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_server_without_token_is_read_only(fixture_store: Store) -> None:
    with run_server(clean_settings(), fixture_store) as url:
        response = httpx.post(url + "/sparql", content=insert_note(), headers=UPDATE)
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
        put = httpx.put(
            url + "/store",
            params={"graph": NOTE_GRAPH},
            content=b"<urn:x:a> <urn:x:p> <urn:x:b> .",
            headers={"Content-Type": "application/n-triples", **AUTH},
        )
        assert put.status_code == 403


def test_reads_need_no_token(writer_client: httpx.Client) -> None:
    query = writer_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert query.status_code == 200
    graph = writer_client.get("/store", params={"graph": GRAPH + "reference"})
    assert graph.status_code == 200


# -- what an update does -------------------------------------------------------------------


def test_update_commits_and_inference_follows(
    writer_client: httpx.Client, write_store: Store
) -> None:
    graph, event, date = signing(write_store)
    moved = f"{int(date[:4]) - 1}{date[4:]}"
    update = (
        f"PREFIX tg: <{TG}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        f"WITH <{graph}> DELETE {{ <{event}> tg:date ?d }}\n"
        f'INSERT {{ <{event}> tg:date "{moved}"^^xsd:date }} WHERE {{ <{event}> tg:date ?d }}'
    )
    before = inferred_of(write_store)
    response = writer_client.post("/sparql", content=update, headers=UPDATE)
    assert response.status_code == 204, response.text
    after = inferred_of(write_store)
    assert after != before  # the status history moved with the date
    assert after == full_inferred(write_store)


def test_using_graph_uri_parameters(writer_client: httpx.Client, write_store: Store) -> None:
    writer_client.post("/sparql", content=insert_note("one"), headers=UPDATE).raise_for_status()
    copy = "INSERT { GRAPH <urn:x-test:copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    response = writer_client.post(
        "/sparql", params={"using-graph-uri": NOTE_GRAPH}, content=copy, headers=UPDATE
    )
    assert response.status_code == 204, response.text
    assert write_store.count("urn:x-test:copy") == 1
    named = "INSERT { GRAPH <urn:x-test:named> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = writer_client.post(
        "/sparql", data={"update": named, "using-named-graph-uri": NOTE_GRAPH}, headers=AUTH
    )
    assert response.status_code == 204, response.text
    assert write_store.count("urn:x-test:named") == 1
    with_clause = f"WITH <{NOTE_GRAPH}> INSERT {{ ?s ?p 1 }} WHERE {{ ?s ?p ?o }}"
    response = writer_client.post(
        "/sparql", params={"using-graph-uri": NOTE_GRAPH}, content=with_clause, headers=UPDATE
    )
    assert response.status_code == 400
    assert "§2.2.3" in response.json()["detail"]


def test_non_conforming_update_is_422_with_the_report(
    writer_client: httpx.Client, write_store: Store
) -> None:
    graph, evidence = first_quote(write_store)
    update = (
        f"PREFIX tg: <{TG}> WITH <{graph}> DELETE {{ <{evidence}> tg:quote ?q }} "
        f'INSERT {{ <{evidence}> tg:quote "words nobody wrote" }} '
        f"WHERE {{ <{evidence}> tg:quote ?q }}"
    )
    before = snapshot(write_store)
    response = writer_client.post("/sparql", content=update, headers=UPDATE)
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/shape-violation") and body["request_id"]
    violations = body["violations"]
    assert violations and all(
        {"focus", "path", "message", "severity"} <= set(v) for v in violations
    )
    assert any(v["focus"] == evidence and v["severity"] == "Violation" for v in violations)
    assert snapshot(write_store) == before

    turtle = writer_client.post(
        "/sparql", content=update, headers={**UPDATE, "Accept": "text/turtle"}
    )
    assert turtle.status_code == 422
    assert turtle.headers["content-type"].startswith("text/turtle")
    report = Graph().parse(data=turtle.text, format="turtle")
    assert (None, SH.conforms, None) in report
    assert len(set(report.subjects(None, SH.ValidationResult))) >= 1
    assert snapshot(write_store) == before


@pytest.mark.parametrize(
    ("update", "status", "kind"),
    [
        ("LOAD <file:///etc/passwd> INTO GRAPH <urn:x-test:l>", 403, "forbidden"),
        ("LOAD SILENT <file:///etc/passwd>", 403, "forbidden"),
        (
            "INSERT { GRAPH <urn:x-test:s> { ?s ?p ?o } } WHERE "
            "{ SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            403,
            "forbidden",
        ),
        (f"INSERT DATA {{ GRAPH <{INFERRED}> {{ <urn:x:a> <urn:x:p> 1 }} }}", 403, "forbidden"),
        (f"DROP GRAPH <{GRAPH}ontology>", 403, "forbidden"),
        (f"CLEAR GRAPH <{GRAPH}shapes>", 403, "forbidden"),
        ("INSERT DATA { <urn:x:a> <urn:x:p> 1 }", 400, "bad-request"),
        ("DROP ALL", 400, "bad-request"),
        ("CLEAR DEFAULT", 400, "bad-request"),
        ("COPY DEFAULT TO <urn:x-test:c>", 400, "bad-request"),
        ("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", 400, "bad-request"),
        ("DELETE { GRAPH <urn:x-test:g> { ?s ?p ?o } } WHERE { ?s ?p ?o }", 400, "bad-request"),
        (
            "INSERT { GRAPH <urn:x-test:g> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
            400,
            "bad-request",
        ),
        ("INSERT DATA { GRAPH <urn:x-test:g> { <urn:x:a> <urn:x:p> 1 }", 400, "query-syntax"),
        ("SELECT * WHERE { ?s ?p ?o }", 400, "query-syntax"),
        (
            "INSERT DATA { GRAPH <urn:x-test:g> { <urn:x:a> <urn:x:p> "
            + "(" * 300
            + ")" * 300
            + " } }",
            400,
            "query-syntax",
        ),
        ("CREATE GRAPH <urn:x-test:g> ; CREATE GRAPH <urn:x-test:g>", 400, "bad-request"),
    ],
)
def test_refused_updates_change_nothing(
    writer_client: httpx.Client, write_store: Store, update: str, status: int, kind: str
) -> None:
    before = snapshot(write_store)
    response = writer_client.post("/sparql", content=update, headers=UPDATE)
    assert response.status_code == status, response.text
    assert response.json()["type"].endswith("/" + kind)
    assert snapshot(write_store) == before


def test_load_and_service_never_call_out(
    writer_client: httpx.Client, write_store: Store, tripwire: Tripwire
) -> None:
    before = snapshot(write_store)
    for update in (
        f"LOAD <{tripwire.url}/data.ttl> INTO GRAPH <urn:x-test:l>",
        f"INSERT {{ GRAPH <urn:x-test:s> {{ ?s ?p ?o }} }} WHERE "
        f"{{ SERVICE <{tripwire.url}/sparql> {{ ?s ?p ?o }} }}",
    ):
        response = writer_client.post("/sparql", content=update, headers=UPDATE)
        assert response.status_code == 403
    query = f"SELECT * WHERE {{ SERVICE <{tripwire.url}/sparql> {{ ?s ?p ?o }} }}"
    assert writer_client.get("/sparql", params={"query": query}).status_code == 400
    assert tripwire.hits == []
    assert snapshot(write_store) == before


def test_update_by_get_is_refused(writer_client: httpx.Client) -> None:
    response = writer_client.get("/sparql", params={"update": insert_note()}, headers=AUTH)
    assert response.status_code == 400


def test_query_and_update_together_are_refused(writer_client: httpx.Client) -> None:
    response = writer_client.post(
        "/sparql", data={"update": insert_note(), "query": "ASK {}"}, headers=AUTH
    )
    assert response.status_code == 400


# -- one at a time, within a time limit --------------------------------------------------------


class HeldStore:
    """A real store whose commits wait for ``gate`` (at most 20 s), or whose reads are slow."""

    def __init__(self, inner: Store, read_delay: float = 0.0) -> None:
        self.inner = inner
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.read_delay = read_delay

    def apply(self, change: Change, **kwargs: Any) -> None:
        self.entered.set()
        self.gate.wait(20)
        self.inner.apply(change, **kwargs)

    def query(self, sparql: str, **kwargs: Any) -> Any:
        if self.read_delay and sparql.startswith("CONSTRUCT"):
            time.sleep(self.read_delay)
        return self.inner.query(sparql, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def held_app(write_store: Store, tmp_path: Path) -> Callable[..., tuple[Any, HeldStore]]:
    def make(**overrides: Any) -> tuple[Any, HeldStore]:
        held = HeldStore(write_store, overrides.pop("read_delay", 0.0))
        app = create_app(write_settings(tmp_path, **overrides), held)  # type: ignore[arg-type]
        return app, held

    return make


def post_update(url: str, update: str, results: list[httpx.Response]) -> threading.Thread:
    thread = threading.Thread(
        target=lambda: results.append(
            httpx.post(url + "/sparql", content=update, headers=UPDATE, timeout=30)
        )
    )
    thread.start()
    return thread


def test_writes_queue_one_at_a_time_and_overflow_with_503(
    held_app: Callable[..., tuple[Any, HeldStore]], write_store: Store
) -> None:
    app, held = held_app(max_queued_writes=1, update_timeout=20)
    with serve_asgi(app) as url:
        first: list[httpx.Response] = []
        second: list[httpx.Response] = []
        one = post_update(url, insert_note("first", "urn:x-test:first"), first)
        assert held.entered.wait(10)
        two = post_update(url, insert_note("second", "urn:x-test:second"), second)
        give_up = time.monotonic() + 10
        while app.state.writer._pending < 2 and time.monotonic() < give_up:
            time.sleep(0.01)
        third = httpx.post(
            url + "/sparql", content=insert_note("third", "urn:x-test:third"), headers=UPDATE
        )
        assert third.status_code == 503
        assert third.json()["type"].endswith("/overloaded")
        assert int(third.headers["retry-after"]) >= 1
        held.gate.set()
        one.join(20)
        two.join(20)
    assert [r.status_code for r in first + second] == [204, 204]
    assert write_store.count("urn:x-test:first") == 1
    assert write_store.count("urn:x-test:second") == 1
    assert write_store.count("urn:x-test:third") == 0


def test_a_write_past_its_time_limit_changes_nothing(
    held_app: Callable[..., tuple[Any, HeldStore]], write_store: Store
) -> None:
    app, held = held_app(update_timeout=0.5, read_delay=1.0)
    held.gate.set()
    before = snapshot(write_store)
    with serve_asgi(app) as url:
        started = time.monotonic()
        response = httpx.post(url + "/sparql", content=insert_note(), headers=UPDATE, timeout=30)
        assert response.status_code == 503
        assert response.json()["type"].endswith("/update-timeout")
        assert time.monotonic() - started < 5
        time.sleep(1.5)  # the abandoned write reaches its next check and stops there
        metrics = httpx.get(url + "/metrics").text
    assert snapshot(write_store) == before
    assert 'treatygraph_timeouts_total{kind="update"} 1' in metrics
    assert 'treatygraph_rejected_writes_total{reason="timeout"} 1' in metrics


def test_a_write_that_began_committing_completes(
    held_app: Callable[..., tuple[Any, HeldStore]], write_store: Store
) -> None:
    app, held = held_app(update_timeout=0.5)
    threading.Timer(1.5, held.gate.set).start()  # the commit takes longer than the limit
    with serve_asgi(app) as url:
        response = httpx.post(url + "/sparql", content=insert_note(), headers=UPDATE, timeout=30)
    assert response.status_code == 204  # acknowledged: it is in the store
    assert write_store.count(NOTE_GRAPH) == 1


def test_waiting_in_line_counts_against_the_time_limit(
    held_app: Callable[..., tuple[Any, HeldStore]], write_store: Store
) -> None:
    app, held = held_app(update_timeout=1)
    with serve_asgi(app) as url:
        first: list[httpx.Response] = []
        one = post_update(url, insert_note("first", "urn:x-test:first"), first)
        assert held.entered.wait(10)
        waiting = httpx.post(
            url + "/sparql", content=insert_note("late", "urn:x-test:late"), headers=UPDATE
        )
        held.gate.set()
        one.join(20)
    assert waiting.status_code == 503 and waiting.json()["type"].endswith("/update-timeout")
    assert write_store.count("urn:x-test:late") == 0


# -- POST /validate --------------------------------------------------------------------------


def test_validate_reports_without_writing(writer_client: httpx.Client, write_store: Store) -> None:
    before = snapshot(write_store)
    bad = f"<https://w3id.org/treatygraph/id/agreement/x-y-acsa> a <{TG}Agreement> ."
    response = writer_client.post("/validate", content=bad, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 200
    assert response.json()["conforms"] is False and response.json()["violations"]
    good = f'<urn:x:a> <{RDFS_COMMENT}> "fine" .'
    response = writer_client.post(
        "/validate", content=good, headers={"Content-Type": "application/n-triples"}
    )
    assert response.json() == {"conforms": True, "violations": []}
    stored = writer_client.post("/validate", params={"graph": GRAPH + "reference"})
    assert stored.status_code == 200 and "conforms" in stored.json()
    turtle = writer_client.post(
        "/validate",
        content=bad,
        headers={"Content-Type": "text/turtle", "Accept": "text/turtle"},
    )
    assert (None, SH.conforms, None) in Graph().parse(data=turtle.text, format="turtle")
    assert writer_client.post("/validate", params={"graph": "urn:x:none"}).status_code == 404
    assert writer_client.post("/validate").status_code == 400
    assert snapshot(write_store) == before


def test_validate_is_size_limited(write_store: Store, tmp_path: Path) -> None:
    with run_server(write_settings(tmp_path, max_body_bytes=1000), write_store) as url:
        body = b"<urn:x:a> <urn:x:p> " + b'"' + b"x" * 2000 + b'" .'
        response = httpx.post(
            url + "/validate", content=body, headers={"Content-Type": "application/n-triples"}
        )
    assert response.status_code == 413
    assert response.json()["type"].endswith("/too-large")


# -- what the operators see ------------------------------------------------------------------


def test_request_ids_in_headers_and_problems(writer_client: httpx.Client) -> None:
    mine = writer_client.post(
        "/sparql", content=insert_note(), headers={**UPDATE, "X-Request-ID": "abc-123.x:y"}
    )
    assert mine.headers["x-request-id"] == "abc-123.x:y"
    bad = writer_client.post(
        "/sparql", content="LOAD <x:y>", headers={**UPDATE, "X-Request-ID": "no spaces allowed"}
    )
    assert bad.headers["x-request-id"] != "no spaces allowed"
    assert bad.json()["request_id"] == bad.headers["x-request-id"]
    missing = writer_client.get("/nothing/here")
    assert missing.json()["request_id"] == missing.headers["x-request-id"]


def test_the_token_is_never_logged_nor_echoed(
    write_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "Bearer not-the-token-5ecret"
    with caplog.at_level(logging.DEBUG), httpx.Client(base_url=write_server, timeout=30) as http:
        responses = [
            http.post("/sparql", content=insert_note(), headers=UPDATE),
            http.post(
                "/sparql",
                content="LOAD <x:y>",
                headers={**UPDATE, "Authorization": wrong},
            ),
            http.put(
                "/store",
                params={"graph": "urn:x-test:t"},
                content=b"not rdf",
                headers={"Content-Type": "text/turtle", **AUTH},
            ),
        ]
    text = "\n".join(r.text + json.dumps(dict(r.headers)) for r in responses)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (TOKEN, "not-the-token-5ecret"):
        assert secret not in text
        assert secret not in logged
    access = [r for r in caplog.records if r.name == "treatygraph.access"]
    assert len(access) >= 3
    line = json.loads(access[0].getMessage())
    assert set(line) == {
        "time",
        "request_id",
        "method",
        "route",
        "status",
        "duration_ms",
        "bytes",
        "request_bytes",
    }


def test_metrics_exposition(writer_client: httpx.Client) -> None:
    writer_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    writer_client.get("/id/agreement/no-such-thing")
    writer_client.get("/random/path/abc")
    writer_client.post("/sparql", content=insert_note(), headers=UPDATE)
    writer_client.post("/sparql", content=insert_note(), headers={**UPDATE, "Authorization": "x"})
    response = writer_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert 'route="/sparql",status="200"' in text
    assert 'route="/id/{kind}/{slug}",status="404"' in text
    assert 'route="unmatched",status="404"' in text
    assert "/random/path" not in text
    assert 'treatygraph_rejected_writes_total{reason="bad_request"} 1' not in text
    assert 'treatygraph_writes_total{result="committed"} 1' in text
    assert 'treatygraph_rejected_writes_total{reason="unauthorized"} 1' in text
    assert f'treatygraph_graph_triples{{graph="{GRAPH}reference"}}' in text
    assert 'treatygraph_graph_triples{graph="articles"}' in text
    buckets = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("treatygraph_query_duration_seconds_bucket")
    ]
    assert buckets == sorted(buckets) and buckets[-1] >= 1
    for line in text.splitlines():
        assert line.startswith("#") or line.startswith("treatygraph_"), line


def test_health_and_readiness(writer_client: httpx.Client) -> None:
    assert writer_client.get("/healthz").json()["status"] == "ok"
    assert writer_client.get("/readyz").json()["status"] == "ready"


def test_not_ready_before_start_up_ends(write_store: Store, tmp_path: Path) -> None:
    app = create_app(write_settings(tmp_path), write_store)
    with serve_asgi(app) as url:
        assert httpx.get(url + "/readyz").status_code == 200
        app.state.ready = False  # as during start-up and shutdown
        response = httpx.get(url + "/readyz")
        assert response.status_code == 503
        assert response.json()["type"].endswith("/store-error")
        assert httpx.get(url + "/healthz").status_code == 200


def test_limits_are_in_the_service_description(writer_client: httpx.Client) -> None:
    graph = Graph().parse(
        data=writer_client.get("/sparql", headers={"Accept": "text/turtle"}).text,
        format="turtle",
    )
    tg = Namespace(TG)
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) in graph
    for term in (
        tg.updateTimeoutSeconds,
        tg.maxQueuedWrites,
        tg.maxBodyBytes,
        tg.queryTimeoutSeconds,
        tg.maxConcurrentQueries,
    ):
        assert (None, term, None) in graph, term


def test_backup_of_the_running_store(
    writer_client: httpx.Client, write_store: Store, tmp_path: Path
) -> None:
    writer_client.post("/sparql", content=insert_note(), headers=UPDATE).raise_for_status()
    assert writer_client.post("/admin/backup").status_code == 401
    response = writer_client.post("/admin/backup", headers=AUTH)
    assert response.status_code == 201, response.text
    folder = tmp_path / "backups" / response.json()["backup"]
    copy = OxigraphStore(folder)
    try:
        assert snapshot(copy) == snapshot(write_store)
    finally:
        copy.close()


def test_backup_is_off_without_a_folder(write_store: Store, tmp_path: Path) -> None:
    with run_server(write_settings(tmp_path), write_store) as url:
        assert httpx.post(url + "/admin/backup", headers=AUTH).status_code == 404
