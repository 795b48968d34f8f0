"""Ingest end to end: checked, atomic, idempotent; the corpus answers the analysts' questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, SDO
from tests.ingest.conftest import CORPUS, NEW_ARTICLES, REFERENCE_NZ, StoreFactory, dump

from treatygraph.bundle import queries_dir
from treatygraph.cli import main
from treatygraph.config import Settings
from treatygraph.errors import ArticleFormatError, ShapeViolation, StoreError
from treatygraph.ingest import ingest, ingest_folder
from treatygraph.ingest import pipeline as pipeline_module
from treatygraph.ingest.build import extractor_activity
from treatygraph.ingest.pipeline import ingest_file
from treatygraph.loader import load_files
from treatygraph.namespaces import ID, PROVENANCE_GRAPH, TG, article_graph
from treatygraph.store.base import Change, SelectResult, Store
from treatygraph.store.oxigraph import OxigraphStore

SETTINGS = Settings.model_construct()


def rows(store: Store, query: str) -> list[list[str | None]]:
    result = store.query(query)
    assert isinstance(result, SelectResult)
    return [[None if t is None else t.value for t in row] for row in result.rows]


def graph_of(store: Store, slug: str) -> set[tuple[str, str, str]]:
    query = f"SELECT ?s ?p ?o {{ GRAPH <{article_graph(slug)}> {{ ?s ?p ?o }} }}"
    return {(s or "", p or "", o or "") for s, p, o in rows(store, query)}


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """``treatygraph ingest data/articles/`` into a store with only ontology and reference."""
    store = OxigraphStore(None)
    outcomes = ingest_folder(CORPUS[0].parent, store, SETTINGS)
    assert all(o.ok for o in outcomes), [str(o.error) for o in outcomes]
    return store


@pytest.mark.parametrize("path", sorted(queries_dir().glob("*.rq")), ids=lambda p: p.stem)
def test_competency_questions_after_ingesting_the_corpus(corpus_store: Store, path: Path) -> None:
    expected = json.loads((path.parent / "expected" / f"{path.stem}.json").read_text("utf-8"))
    found = rows(corpus_store, path.read_text("utf-8"))
    if expected["ordered"]:
        assert found == expected["rows"]
    else:
        assert sorted(found, key=json.dumps) == sorted(expected["rows"], key=json.dumps)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_each_article_ingests_and_conforms(make_store: StoreFactory, path: Path) -> None:
    store = make_store()
    result = ingest_file(path, store)
    assert result.changed and result.loaded and result.triples > 40
    assert result.agreements and all(fact.quotes for fact in result.agreements)
    assert graph_of(store, path.stem)


def test_reingest_is_idempotent(corpus_store: Store) -> None:
    before = dump(corpus_store)
    outcomes = ingest_folder(CORPUS[0].parent, corpus_store, SETTINGS)
    assert [o.result.changed for o in outcomes if o.result] == [False] * len(CORPUS)
    assert dump(corpus_store) == before


def test_reingest_of_a_changed_article_replaces_its_facts(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    original = CORPUS[0].read_text("utf-8")
    path = tmp_path / CORPUS[0].name
    shorter = original.replace(
        "In July, the Philippines and Japan signed a Reciprocal Access Agreement, a defense pact "
        "allowing deployment of troops to each other’s territories for military exercises and "
        "humanitarian operations.",
        "",
    )
    assert shorter != original
    store = make_store()
    path.write_text(original, "utf-8")
    ingest_file(path, store)
    path.write_text(shorter, "utf-8")
    result = ingest_file(path, store)
    assert result.changed
    fresh = make_store()
    ingest_file(path, fresh)
    assert graph_of(store, path.stem) == graph_of(fresh, path.stem)
    assert not any("jp-ph-raa" in s for s, _, _ in graph_of(store, path.stem))


def test_provenance_names_the_extractor(corpus_store: Store) -> None:
    slug = CORPUS[0].stem
    activity = extractor_activity()
    assert str(activity).endswith("/id/activity/extractor-0-1-0")
    query = f"""SELECT ?from ?by ?name ?version {{ GRAPH <{PROVENANCE_GRAPH}> {{
        <{article_graph(slug)}> <{PROV.wasDerivedFrom}> ?from ; <{PROV.wasGeneratedBy}> ?by .
        ?by <{SDO.name}> ?name ; <{SDO.softwareVersion}> ?version }} }}"""
    assert rows(corpus_store, query) == [
        [str(ID[f"article/{slug}"]), str(activity), "treatygraph rule-based extractor", "0.1.0"]
    ]


# -- a rejected article changes nothing ------------------------------------------------------


def test_malformed_article_changes_nothing(corpus_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("Publisher: X\nDate: 29 April 2025\n\nThe deal was signed.", "utf-8")
    before = dump(corpus_store)
    with pytest.raises(ArticleFormatError, match=r"bad\.txt:2"):
        ingest(path, corpus_store, SETTINGS)
    assert dump(corpus_store) == before


def test_draft_failing_shacl_changes_nothing(
    make_store: StoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store()
    ingest_file(CORPUS[1], store)
    before = dump(store)
    build = pipeline_module.build_dataset

    def second_date(draft: Any, generated_at: Any) -> Any:
        dataset = build(draft, generated_at)
        event = ID["event/jp-ph-raa-signing-2024-07-08"]
        dataset.graph(article_graph(draft.article.slug)).add(
            (event, TG.date, Literal("2024-07-09"))
        )
        return dataset

    monkeypatch.setattr(pipeline_module, "build_dataset", second_date)
    with pytest.raises(ShapeViolation) as info:
        ingest_file(CORPUS[1], store)
    assert any(r.path == str(TG.date) for r in info.value.report.violations)
    assert dump(store) == before


def test_quote_not_verbatim_changes_nothing(
    make_store: StoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store()
    before = dump(store)
    build = pipeline_module.build_dataset

    def shifted(draft: Any, generated_at: Any) -> Any:
        dataset = build(draft, generated_at)
        graph = dataset.graph(article_graph(draft.article.slug))
        evidence, start = next(iter(graph.subject_objects(TG.startOffset)))
        graph.set((evidence, TG.startOffset, Literal(int(start) + 1)))
        return dataset

    monkeypatch.setattr(pipeline_module, "build_dataset", shifted)
    with pytest.raises(ShapeViolation, match="not verbatim"):
        ingest_file(CORPUS[3], store)
    assert dump(store) == before


class FailingStore:
    """A real OxigraphStore whose ``apply`` fails on the n-th call: before writing, or after
    the change was written (a flush that fails), the worst case for atomicity."""

    def __init__(self, inner: Store, fail_on: int, after_write: bool) -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.after_write = after_write
        self.calls = 0

    def apply(self, change: Change) -> None:
        self.calls += 1
        if self.calls == self.fail_on and not self.after_write:
            raise StoreError("the disk is full")
        self.inner.apply(change)
        if self.calls == self.fail_on:
            raise StoreError("the disk is full")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("after_write", [False, True], ids=["before-write", "after-write"])
# One apply per load: the article's change and graph/inferred commit together
# (treatygraph.incremental.commit), so there is no second write to fail between them.
@pytest.mark.parametrize("fail_on", [1], ids=["article-change-with-inferred"])
def test_store_failing_mid_load_changes_nothing(
    make_store: StoreFactory, fail_on: int, after_write: bool
) -> None:
    inner = make_store()
    ingest_file(CORPUS[0], inner)
    before = dump(inner)
    store: Any = FailingStore(inner, fail_on, after_write)
    with pytest.raises(StoreError, match="disk is full"):
        ingest_file(CORPUS[1], store)
    assert dump(inner) == before


def test_store_failing_while_replacing_keeps_the_old_version(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    inner = make_store()
    path = tmp_path / CORPUS[3].name
    path.write_text(CORPUS[3].read_text("utf-8"), "utf-8")
    ingest_file(path, inner)
    before = dump(inner)
    path.write_text(
        CORPUS[3].read_text("utf-8").replace("Boris Johnson", "Boris  Johnson"), "utf-8"
    )
    store: Any = FailingStore(inner, 1, after_write=True)
    with pytest.raises(StoreError):
        ingest_file(path, store)
    assert dump(inner) == before


def test_folder_continues_after_a_bad_article(make_store: StoreFactory, tmp_path: Path) -> None:
    for path in CORPUS[:2]:
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    (tmp_path / "03-broken.txt").write_text("no header here\n\ntext", "utf-8")
    store = make_store()
    outcomes = ingest_folder(tmp_path, store, SETTINGS)
    assert [o.ok for o in outcomes] == [True, True, False]
    assert isinstance(outcomes[2].error, ArticleFormatError)
    assert graph_of(store, CORPUS[1].stem)


# -- review before load ----------------------------------------------------------------------


def test_dry_run_changes_nothing(make_store: StoreFactory) -> None:
    store = make_store()
    before = dump(store)
    result = ingest_file(CORPUS[2], store, dry_run=True)
    assert not result.loaded and "LegislativeConsent" in result.trig
    assert dump(store) == before


def test_draft_file_loads_with_treatygraph_load(make_store: StoreFactory, tmp_path: Path) -> None:
    draft = tmp_path / "draft.trig"
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(CORPUS[6]), "--out", str(draft), "-q"])
    assert result.exit_code == 0, result.output
    text = draft.read_text("utf-8")
    assert "tg:text" in text and str(extractor_activity()) in text
    reviewed, ingested = make_store(), make_store()
    load_files(reviewed, [draft])
    ingest_file(CORPUS[6], ingested)
    assert graph_of(reviewed, CORPUS[6].stem) == graph_of(ingested, CORPUS[6].stem)


def test_cli_ingest_folder_into_a_new_store(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in CORPUS[:3]:
        (folder / path.name).write_text(path.read_text("utf-8"), "utf-8")
    (folder / "99-bad.txt").write_text("Publisher: X\n\nno date", "utf-8")
    runner = CliRunner()
    store = tmp_path / "store"
    result = runner.invoke(main, ["ingest", str(folder), "--store", str(store), "-q"])
    assert result.exit_code == 2, result.output
    assert "no reference data" in result.output
    assert "loaded" in result.output and "failed" in result.output
    again = runner.invoke(main, ["ingest", str(folder), "--store", str(store), "-q"])
    assert again.exit_code == 2 and "unchanged" in again.output
    opened = OxigraphStore(store)
    try:
        assert graph_of(opened, CORPUS[2].stem)
    finally:
        opened.close()


def test_cli_dry_run_prints_trig_and_quotes() -> None:
    result = CliRunner().invoke(main, ["ingest", str(CORPUS[3]), "--dry-run", "-q"])
    assert result.exit_code == 0, result.output
    assert "graph/article-07-govuk-uk-japan-logistics-treaty> {" in result.output
    assert "1 agreements, 1 events" in result.output
    assert "“The UK and Japan have today (26 January 2017) signed" in result.output


# -- new articles, no code changes -----------------------------------------------------------


def test_new_articles_ingest_without_code_changes(make_store: StoreFactory) -> None:
    store = make_store(extra=[REFERENCE_NZ])
    results = {path.stem: ingest_file(path, store) for path in NEW_ARTICLES}
    australia = results["defence-au-jp-raa-entry-into-force"]
    assert [f.iri.rsplit("/", 1)[-1] for f in australia.events] == [
        "au-jp-raa-entry-into-force-2023-08-13",
        "au-jp-raa-signing-2022-01-06",
    ]
    assert [f.iri.rsplit("/", 1)[-1] for f in australia.agreements] == ["au-jp-raa"]
    new_zealand = results["rnz-nz-ph-sovfa-signing"]
    assert [f.label for f in new_zealand.agreements] == [
        "New Zealand–Philippines Status of Visiting Forces Agreement"
    ]
    assert [f.iri.rsplit("/", 1)[-1] for f in new_zealand.events] == [
        "nz-ph-vfa-signing-2025-04-14"
    ]
    signing = ID["event/nz-ph-vfa-signing-2025-04-14"]
    facts = graph_of(store, "rnz-nz-ph-sovfa-signing")
    assert (str(signing), str(TG.place), str(ID["place/manila"])) in facts
    people = {o for s, p, o in facts if s == str(signing) and p == str(TG.participant)}
    assert people == {str(ID["person/judith-collins"]), str(ID["person/gilberto-teodoro-jr"])}
    assert not any("Reciprocal Access" in o for _, _, o in facts if "jp" in o)  # the sidebar


def test_without_the_state_in_the_reference_it_is_only_noted(make_store: StoreFactory) -> None:
    store = make_store()
    result = ingest_file(next(p for p in NEW_ARTICLES if p.stem.startswith("rnz")), store)
    assert result.agreements == () and result.events == ()
    assert any("New Zealand (NZ, wd:Q664)" in note for note in result.notes)


def test_public_ingest_gives_an_empty_store_its_reference() -> None:
    store = OxigraphStore(None)
    result = ingest(CORPUS[5], store, SETTINGS)
    assert result.observations and result.changed
    assert URIRef(result.graph) == article_graph(CORPUS[5].stem)
    assert rows(store, f"SELECT ?c {{ <{ID['state/ph']}> <{TG.isoCode}> ?c }}") == [["PH"]]
