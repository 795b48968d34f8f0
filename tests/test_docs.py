"""The docs describe what exists: every setting, every command, the README's commands."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from treatygraph.cli import main
from treatygraph.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in CONFIGURATION
    assert f"`TREATYGRAPH_{name.upper()}`" in CONFIGURATION


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`treatygraph {command}" in README


def test_readme_quick_start_installs_serves_and_tests() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    assert "pip install -e '.[test]'" in blocks[0] and "treatygraph serve" in blocks[0]
    assert blocks[1].strip() == "pytest"
    assert "pytest" in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()


def test_readme_links_exist() -> None:
    for target in re.findall(r"\]\(([^)#:]+)\)", README):
        assert (ROOT / target).exists(), target


def _readme_block(language: str, containing: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)
    return next(block for block in blocks if containing in block)


JAPAN_EXPECTED = {
    (
        "Japan–Philippines Acquisition and Cross-Servicing Agreement",
        "Philippines",
        "under negotiation",
    ),
    ("Japan–Philippines Reciprocal Access Agreement", "Philippines", "signed"),
    ("Japan–Philippines Information Security Agreement", "Philippines", "proposed"),
    ("Japan–United States Acquisition and Cross-Servicing Agreement", "United States", "in force"),
    ("Australia–Japan Acquisition and Cross-Servicing Agreement", "Australia", "in force"),
}


def test_the_readme_curl_question_answers_once_per_agreement(bundled_server: str) -> None:
    """The README's curl line, sent as curl sends it, to a server over the bundled graph."""
    block = _readme_block("sh", "curl")
    query = re.search(r"query=(.*)'", block, flags=re.S)
    assert query is not None and "--data-urlencode" in block
    response = httpx.post(
        bundled_server + "/sparql",
        data={"query": query[1]},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    rows = [
        tuple(b[name]["value"] for name in ("agreement", "partner", "status"))
        for b in response.json()["results"]["bindings"]
    ]
    assert len(rows) == len(set(rows)), "each agreement, partner and status once"
    assert set(rows) >= JAPAN_EXPECTED


def test_the_readme_sparqlwrapper_snippet_runs(
    bundled_server: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    snippet = _readme_block("python", "SPARQLWrapper")
    monkeypatch.chdir(ROOT)
    exec(snippet.replace("http://127.0.0.1:8000", bundled_server), {})  # noqa: S102
    lines = capsys.readouterr().out.splitlines()
    rows = {tuple(part.strip() for part in line.split("|")) for line in lines}
    assert len(lines) == len(rows)
    assert rows >= JAPAN_EXPECTED
