"""Each command through click's runner, with the exit codes the help text documents."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from treatygraph.bundle import data_dir
from treatygraph.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target)
    return target


def test_validate_bundled_conforms(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output.lower()


def test_validate_catches_a_party_that_is_not_a_state(runner: CliRunner, data_copy: Path) -> None:
    path = data_copy / "graphs" / "07-govuk-uk-japan-logistics-treaty.trig"
    text = path.read_text("utf-8")
    assert "tg:party state:gb , state:jp" in text
    path.write_text(text.replace("tg:party state:gb , state:jp", "tg:party state:gb , tg:Fuel"))
    result = runner.invoke(main, ["validate", "--data-dir", str(data_copy)])
    assert result.exit_code == 1, result.output
    assert "gb-jp-lsa" in result.output
    assert "party" in result.output


def test_validate_catches_a_quote_not_in_the_text(runner: CliRunner, data_copy: Path) -> None:
    path = data_copy / "graphs" / "12-kantei-japan-germany-summit-acsa.trig"
    text = path.read_text("utf-8")
    quote = "the two leaders welcomed the entry into force"
    assert quote in text
    path.write_text(text.replace(quote, "the two leaders celebrated the entry into force"))
    result = runner.invoke(main, ["validate", str(path), "--data-dir", str(data_copy)])
    assert result.exit_code == 1, result.output
    assert "12-kantei-japan-germany-summit-acsa-" in result.output
    assert "verbatim" in result.output.lower() or "not found" in result.output.lower()


def test_validate_unparseable_names_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.trig"
    path.write_text("<http://e/g> {\n  <http://e/a> <http://e/b> \n}\n", "utf-8")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "broken.trig" in result.output
    assert "Traceback" not in result.output


def test_query_prints_tsv(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "query",
            "SELECT ?a { ?a <https://w3id.org/treatygraph/ontology#party> "
            "<https://w3id.org/treatygraph/id/state/ph> } ORDER BY ?a",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "?a"
    assert "<https://w3id.org/treatygraph/id/agreement/jp-ph-acsa>" in lines


def test_query_syntax_error_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "SELECT ?a WHERE { ?a ?b }"])
    assert result.exit_code == 2
    assert "line 1" in result.output


def test_export_and_load_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    dump = tmp_path / "all.nq"
    assert runner.invoke(main, ["export", "-o", str(dump)]).exit_code == 0
    exported = Dataset()
    exported.parse(dump, format="nquads")
    store = tmp_path / "store"
    result = runner.invoke(main, ["load", "-q", "--store", str(store), str(dump)])
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.nq"
    assert runner.invoke(main, ["export", "--store", str(store), "-o", str(again)]).exit_code == 0
    reloaded = Dataset()
    reloaded.parse(again, format="nquads")
    assert len(list(reloaded.quads())) == len(list(exported.quads()))


def test_bad_setting_is_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "ASK {}", "--timeout", "-1"])
    assert result.exit_code == 2
    assert "query_timeout" in result.output
