"""The bundled graph: it conforms, loads without duplicates, and entails what SPEC.md says."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from treatygraph.bundle import data_dir
from treatygraph.config import Settings
from treatygraph.errors import InvalidRDF, ShapeViolation
from treatygraph.ingest.article import read_article
from treatygraph.loader import build_bundle, load_bundled, load_files
from treatygraph.namespaces import GRAPH, ID, TG
from treatygraph.store.base import SelectResult, Store
from treatygraph.store.oxigraph import OxigraphStore
from treatygraph.validation import validate


def rows(store: Store, query: str) -> list[tuple[str | None, ...]]:
    result = store.query(f"PREFIX tg: <{TG}>\n{query}")
    assert isinstance(result, SelectResult)
    return [tuple(None if t is None else t.value for t in row) for row in result.rows]


def dump(store: Store) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, "nquads")
    return sorted(out.getvalue().splitlines())


def test_bundle_conforms() -> None:
    report = validate(build_bundle(data_dir()))
    assert report.conforms, report.text


def test_every_quote_is_verbatim_in_its_source() -> None:
    dataset = build_bundle(data_dir())
    texts = {
        ID[f"article/{p.stem}"]: read_article(p).text
        for p in sorted((data_dir() / "articles").glob("*.txt"))
    }
    quotes = list(dataset.subject_objects(TG.quote))
    assert len(quotes) > 20
    for evidence, quote in quotes:
        source = dataset.value(evidence, TG.source)
        assert str(quote) in texts[source], evidence


def test_nothing_from_page_furniture() -> None:
    text = read_article(data_dir() / "articles" / "01-ph-japan-acsa-talks.txt").text
    furniture = text[text.index("\nPopular\n") :]
    caption = text[text.index("DEEPER DEFENSE TIES") : text.index("(Photo courtesy: PCO)")]
    for _, quote in build_bundle(data_dir()).subject_objects(TG.quote):
        assert str(quote) not in furniture
        assert str(quote) not in caption


def test_reload_skips_and_forced_reload_changes_nothing(bundled_settings: Settings) -> None:
    store = OxigraphStore(None)
    first = load_bundled(store, bundled_settings)
    assert not first.skipped and first.triples > 1000
    before = dump(store)
    assert load_bundled(store, bundled_settings).skipped
    again = load_bundled(store, bundled_settings, force=True)
    assert not again.skipped
    after = dump(store)
    # the same quads, up to blank node labels and the time stamp of the load
    changed = {line for line in set(before) ^ set(after) if b"_:" not in line}
    assert all(b"modified" in line for line in changed)
    assert len(before) == len(after)


def test_subclass_entailment(bundled_store: Store) -> None:
    found = rows(bundled_store, "SELECT ?a { ?a a tg:DefenseAgreement }")
    assert (str(ID["agreement/jp-ph-acsa"]),) in found
    assert (str(ID["agreement/jp-ph-raa"]),) in found
    inferred = rows(
        bundled_store,
        f"SELECT ?g {{ GRAPH ?g {{ <{ID['agreement/jp-ph-acsa']}> a tg:DefenseAgreement }} }}",
    )
    assert inferred == [(str(GRAPH["inferred"]),)]


def test_exactly_one_status_per_agreement(bundled_store: Store) -> None:
    counts = rows(
        bundled_store,
        "SELECT ?a (COUNT(?s) AS ?n) "
        "{ ?a a tg:Agreement OPTIONAL { ?a tg:status ?s } } GROUP BY ?a",
    )
    assert counts and all(n == "1" for _, n in counts)
    statuses = dict(rows(bundled_store, "SELECT ?a ?s { ?a a tg:Agreement ; tg:status ?s }"))
    assert statuses[str(ID["agreement/jp-ph-acsa"])] == str(TG.UnderNegotiation)
    assert statuses[str(ID["agreement/jp-ph-raa"])] == str(TG.Signed)
    assert statuses[str(ID["agreement/jp-ph-isa"])] == str(TG.Proposed)


def test_status_is_never_asserted_in_an_article_graph(bundled_store: Store) -> None:
    graphs = rows(bundled_store, "SELECT DISTINCT ?g { GRAPH ?g { ?a tg:status ?s } }")
    assert graphs == [(str(GRAPH["inferred"]),)]


def test_as_of_lookup(bundled_store: Store) -> None:
    query = """SELECT ?s {
      <%s> tg:statusPeriod ?p . ?p tg:status ?s ; tg:validFrom ?f .
      OPTIONAL { ?p tg:validUntil ?u }
      FILTER(?f <= "%s"^^<http://www.w3.org/2001/XMLSchema#date> &&
             (!BOUND(?u) || ?u > "%s"^^<http://www.w3.org/2001/XMLSchema#date>))
    }"""
    raa = ID["agreement/jp-ph-raa"]
    assert rows(bundled_store, query % (raa, "2024-07-07", "2024-07-07")) == []
    assert rows(bundled_store, query % (raa, "2024-07-08", "2024-07-08")) == [(str(TG.Signed),)]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target)
    return target


def test_nonconforming_file_changes_nothing(bundled_store: Store, data_copy: Path) -> None:
    path = data_copy / "graphs" / "01-ph-japan-acsa-talks.trig"
    text = path.read_text("utf-8")
    path.write_text(
        text.replace(
            "tg:party state:jp , state:ph", "tg:party state:jp , article:01-ph-japan-acsa-talks", 1
        ),
        "utf-8",
    )
    before = dump(bundled_store)
    with pytest.raises(ShapeViolation) as info:
        load_files(bundled_store, [path])
    assert "jp-ph-acsa" in info.value.report.text
    assert dump(bundled_store) == before


def test_unparseable_file_names_file(bundled_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n", "utf-8")
    with pytest.raises(InvalidRDF, match=r"broken\.ttl"):
        load_files(bundled_store, [path], graph="http://e/g")
