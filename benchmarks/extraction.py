#!/usr/bin/env python3
"""Measure the extractor against the hand-curated graphs: precision and recall, per article.

Why: ``treatygraph ingest`` drafts facts by rules; a rule that fires wrongly puts a false
fact into the graph, one that misses leaves a gap. Each corpus article is ingested — the real
path: extract, build, quote check, SHACL, load — into its own empty in-memory store holding
only the ontology, the shapes and the reference data, and the article graph that was loaded is
compared with the curated one (``data/graphs/{slug}.trig``), fact by fact:

* agreements by class and parties;
* lifecycle events by class, agreement and date (as the source gives it);
* meetings by IRI (kind, states, date), date and participants;
* participants by event and person (or organization);
* status observations by agreement and status.

Usage::

    PYTHONPATH=src python benchmarks/extraction.py            # Markdown on stdout
    PYTHONPATH=src python benchmarks/extraction.py --write    # and into benchmarks/RESULTS.md

``--write`` replaces only the "Extraction quality" section of RESULTS.md (creating the file if
needed); other sections belong to other benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from pathlib import Path

from rdflib import Dataset, Graph

from treatygraph import __version__
from treatygraph.bundle import data_dir
from treatygraph.ingest.baseline import load_reference
from treatygraph.ingest.pipeline import ingest_file
from treatygraph.ingest.scoring import KINDS, Counts, fact_keys
from treatygraph.namespaces import article_graph
from treatygraph.store.base import GraphResult, Store, to_rdflib
from treatygraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
NEW_ARTICLES = ROOT / "tests" / "data" / "articles"
HEADING = "## Extraction quality"
SHOWN = ("agreements", "events", "meetings", "participants", "observations")


def stored_graph(store: Store, slug: str) -> Graph:
    result = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{article_graph(slug)}> {{ ?s ?p ?o }} }}"
    )
    graph = Graph()
    if isinstance(result, GraphResult):
        for s, p, o in result.triples:
            graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def curated_graph(slug: str) -> Graph:
    dataset = Dataset()
    dataset.parse(data_dir() / "graphs" / f"{slug}.trig", format="trig")
    return dataset.graph(article_graph(slug))


def evaluate(paths: list[Path]) -> tuple[dict[str, dict[str, Counts]], dict[str, list[str]], float]:
    scores: dict[str, dict[str, Counts]] = {}
    misses: dict[str, list[str]] = {}
    started = time.perf_counter()
    for path in paths:
        store = OxigraphStore(None)
        try:
            load_reference(store)
            ingest_file(path, store)
            drafted = fact_keys(stored_graph(store, path.stem))
        finally:
            store.close()
        gold = fact_keys(curated_graph(path.stem))
        scores[path.stem] = drafted.score(gold)
        for kind in KINDS:
            for key in sorted(drafted.keys[kind] - gold.keys[kind]):
                misses.setdefault(path.stem, []).append(f"extra {kind[:-1]}: {' '.join(key)}")
            for key in sorted(gold.keys[kind] - drafted.keys[kind]):
                misses.setdefault(path.stem, []).append(f"missed {kind[:-1]}: {' '.join(key)}")
    return scores, misses, time.perf_counter() - started


def cell(counts: Counts) -> str:
    if counts.tp + counts.fp + counts.fn == 0:
        return "–"
    found = f"({counts.tp}/{counts.tp + counts.fn})"
    return f"{100 * counts.precision:.0f} / {100 * counts.recall:.0f} {found}"


def unseen_articles() -> list[str]:
    """What the rules draft from articles written after them, for a reader to judge."""
    lines = []
    extra = ROOT / "tests" / "data" / "reference-nz.trig"
    for path in sorted(NEW_ARTICLES.glob("*.txt")):
        store = OxigraphStore(None)
        try:
            load_reference(store, extra=[extra])
            result = ingest_file(path, store)
        finally:
            store.close()
        facts = [f.label for f in (*result.agreements, *result.events, *result.observations)]
        lines.append(f"- `{path.name}`: " + "; ".join(facts) + f" ({len(result.notes)} notes)")
    return lines


def report(paths: list[Path]) -> str:
    scores, misses, seconds = evaluate(paths)
    total = {kind: sum((s[kind] for s in scores.values()), Counts()) for kind in KINDS}
    header = "| article | " + " | ".join(SHOWN) + " |"
    lines = [
        HEADING,
        "",
        f"`benchmarks/extraction.py`, treatygraph {__version__}, {dt.date.today().isoformat()}: "
        f"each of the {len(paths)} corpus articles ingested (extract, quote check, SHACL, load) "
        "into an in-memory store holding only the ontology and the reference data, and the "
        "loaded article graph compared with the curated one. Cells: precision / recall in %, "
        "(found / curated). Agreements by class and parties; events by class, agreement and "
        "date; meetings by IRI, date and participants; participants by event and person; status "
        f"observations by agreement and status. {seconds:.1f} s in all.",
        "",
        header,
        "|" + "---|" * (len(SHOWN) + 1),
    ]
    for slug, counts in scores.items():
        lines.append(f"| {slug} | " + " | ".join(cell(counts[k]) for k in SHOWN) + " |")
    lines.append("| **all** | " + " | ".join(f"**{cell(total[k])}**" for k in SHOWN) + " |")
    lines.append("")
    if misses:
        lines.append("Differences from the curated graphs:")
        lines.append("")
        for slug, items in misses.items():
            lines.extend(f"- {slug}: {item}" for item in items)
    else:
        lines.append("No differences from the curated graphs.")
    lines += [
        "",
        "Generality: articles written for the test suite after the rules, from outlets the "
        "rules had never seen, ingested without code changes (New Zealand added to the "
        "reference data, as a curator would):",
        "",
        *unseen_articles(),
        "",
    ]
    return "\n".join(lines)


def write_section(section: str, path: Path = RESULTS) -> None:
    """Replace (or append) the Extraction quality section; other sections stay as they are."""
    text = path.read_text("utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip() + "\n\n", text)
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    path.write_text(text.rstrip() + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"update {RESULTS.name}")
    args = parser.parse_args(argv)
    paths = sorted((data_dir() / "articles").glob("*.txt"))
    section = report(paths)
    sys.stdout.write(section + "\n")
    if args.write:
        write_section(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
