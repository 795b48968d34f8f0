"""The API tier keeps no state: servers and workers over one remote store answer as one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from tests.store.conftest import remote_store

from remote_fixtures import Server
from test_serve import serving
from treatygraph.cli import main

TOKEN = "s3cret-token"
ARTICLE = Path(__file__).parent / "data" / "articles" / "defence-au-jp-raa-entry-into-force.txt"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
AGREEMENTS = (
    "PREFIX tg: <https://w3id.org/treatygraph/ontology#> "
    "SELECT ?a ?status { ?a a tg:DefenseAgreement ; tg:status ?status } ORDER BY ?a"
)


def answer(base: str, query: str) -> str:
    response = httpx.get(
        base + "/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30
    )
    response.raise_for_status()
    return response.text


def test_two_servers_over_one_store_see_each_others_writes(
    oxigraph_server: Server, tmp_path: Path
) -> None:
    remote_store(oxigraph_server).close()  # an empty dataset
    store = ["--store", oxigraph_server.query, "--write-token", TOKEN]
    with serving(tmp_path, *store) as (a, _), serving(tmp_path, *store) as (b, log_b):
        assert "already loaded" in log_b.read_text()  # b found a's bundled load in the store
        for query in (GRAPHS, AGREEMENTS):
            assert answer(a, query) == answer(b, query)
        before = answer(b, GRAPHS)

        posted = httpx.post(
            a + "/api/articles",
            content=ARTICLE.read_bytes(),
            headers={
                "Content-Type": "text/plain; charset=utf-8",
                "Authorization": f"Bearer {TOKEN}",
            },
            timeout=60,
        )
        assert posted.status_code == 201, posted.text
        after = answer(b, GRAPHS)
        assert len(after.splitlines()) == len(before.splitlines()) + 1  # the article's graph
        assert answer(a, AGREEMENTS) == answer(b, AGREEMENTS)

        extra = tmp_path / "note.trig"
        extra.write_text(
            "GRAPH <https://w3id.org/treatygraph/graph/note> "
            '{ <http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@en }\n'
        )
        loaded = CliRunner().invoke(
            main,
            ["load", "-q", "--query-endpoint", oxigraph_server.query, str(extra)],
            env={"TREATYGRAPH_STATE_DIR": str(tmp_path / "state")},
        )
        assert loaded.exit_code == 0, loaded.output
        assert "graph/note" in answer(a, GRAPHS) and answer(a, GRAPHS) == answer(b, GRAPHS)


def test_workers_share_a_remote_store(oxigraph_server: Server, tmp_path: Path) -> None:
    remote_store(oxigraph_server).close()
    args = ["--store", oxigraph_server.query, "--workers", "2"]
    with serving(tmp_path, *args) as (base, log):
        assert int(answer(base, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").split()[1]) > 1000
        give_up = time.monotonic() + 30
        while log.read_text().count("Application startup complete") < 2:
            assert time.monotonic() < give_up, log.read_text()
            time.sleep(0.1)
        assert log.read_text().count("Started server process") == 2


def test_workers_need_a_remote_store() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "treatygraph", "serve", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("TREATYGRAPH_")},
    )
    assert result.returncode == 2
    assert "one process owns an embedded store" in result.stderr


@pytest.mark.parametrize("command", ["query", "export", "validate"])
def test_commands_reach_a_remote_store(oxigraph_server: Server, command: str) -> None:
    store = remote_store(oxigraph_server)
    store.update(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "a"@en } }'
    )
    store.close()
    args = {
        "query": ["query", "SELECT ?s { ?s ?p ?o }"],
        "export": ["export"],
        "validate": ["validate"],
    }[command]
    result = CliRunner().invoke(main, [*args, "--store", oxigraph_server.query])
    assert result.exit_code == 0, result.output
    if command != "validate":
        assert "http://example.org/a" in result.output
