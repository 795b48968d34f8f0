"""The analysts' questions in queries/ give the answers written by hand from the articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from treatygraph.bundle import queries_dir
from treatygraph.store.base import SelectResult, Store

QUERIES = sorted(queries_dir().glob("*.rq"))


def test_every_query_has_an_expected_answer_and_a_description() -> None:
    assert len(QUERIES) >= 6
    for path in QUERIES:
        assert (path.parent / "expected" / f"{path.stem}.json").is_file(), path.name
        assert path.read_text(encoding="utf-8").startswith("# "), path.name


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_competency_question(bundled_store: Store, path: Path) -> None:
    expected = json.loads((path.parent / "expected" / f"{path.stem}.json").read_text("utf-8"))
    result = bundled_store.query(path.read_text(encoding="utf-8"))
    assert isinstance(result, SelectResult)
    assert result.variables == expected["vars"]
    rows = [[None if t is None else t.value for t in row] for row in result.rows]
    if expected["ordered"]:
        assert rows == expected["rows"]
    else:
        assert sorted(rows, key=json.dumps) == sorted(expected["rows"], key=json.dumps)
