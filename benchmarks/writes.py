#!/usr/bin/env python3
"""What one checked write costs in a large store, stage by stage.

A write to one article's graph is staged, validated with its neighbourhood and committed
with its share of ``graph/inferred`` (:mod:`treatygraph.writes`); none of that should grow
with the store. This script fills a disk store from a generated N-Quads file (once; the
folder is reused), then times, for a few article graphs:

* the whole :meth:`Writer.update` of a ``DELETE/INSERT`` that moves an event's date (which
  changes the agreement's status history), and of a one-triple ``INSERT DATA``;
* its stages on their own: analysis, copying the graph, running the update on the copy, the
  neighbourhood, SHACL, the incremental inference and the commit;
* for comparison, a full ``compute_inferred`` over the store (what every write would cost
  without the incremental inference).

Usage::

    PYTHONPATH=src python benchmarks/generate.py --triples 1000000 --out /tmp/t1m.nq
    PYTHONPATH=src python benchmarks/writes.py --data /tmp/t1m.nq --store /tmp/t1m-store

Prints a Markdown table; ``--json FILE`` also writes every sample.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("treatygraph") is None:  # run from a checkout without install
    sys.path.insert(0, str(REPO / "src"))

from rdflib import Graph  # noqa: E402

from treatygraph.config import Settings  # noqa: E402
from treatygraph.errors import ShapeViolation  # noqa: E402
from treatygraph.incremental import inferred_change  # noqa: E402
from treatygraph.inference import compute_inferred  # noqa: E402
from treatygraph.neighbourhood import neighbourhood  # noqa: E402
from treatygraph.parsing import new_dataset  # noqa: E402
from treatygraph.store.base import Change, SelectResult  # noqa: E402
from treatygraph.store.oxigraph import OxigraphStore  # noqa: E402
from treatygraph.update_analysis import analyse_update  # noqa: E402
from treatygraph.validation import validate  # noqa: E402
from treatygraph.writes import Ticket, Writer, _with_context  # noqa: E402

TG = "https://w3id.org/treatygraph/ontology#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def timed(samples: dict[str, list[float]], name: str, call: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    value = call()
    samples.setdefault(name, []).append(time.perf_counter() - started)
    return value


def article_events(store: OxigraphStore, count: int) -> list[tuple[str, str, str]]:
    """(graph, event, date) for ``count`` article graphs with a day-precise event date."""
    result = store.query(
        f"SELECT ?g ?e ?d WHERE {{ GRAPH ?g {{ ?e <{TG}date> ?d ; <{TG}concerns> ?a }} "
        f'FILTER(STRSTARTS(STR(?g), "https://w3id.org/treatygraph/graph/article-") '
        f"&& DATATYPE(?d) = <{XSD_DATE}>) }} LIMIT {count * 20}"
    )
    seen: dict[str, tuple[str, str, str]] = {}
    assert isinstance(result, SelectResult)
    for g, e, d in result.rows:
        if g is not None and e is not None and d is not None and g.value not in seen:
            seen[g.value] = (g.value, e.value, d.value)
    return list(seen.values())[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="generated N-Quads file")
    parser.add_argument("--store", type=Path, required=True, help="store folder (reused)")
    parser.add_argument("--articles", type=int, default=10, help="article graphs to write")
    parser.add_argument("--json", type=Path, default=None, help="write every sample here")
    args = parser.parse_args()

    fresh = not args.store.exists()
    store = OxigraphStore(args.store)
    if fresh:
        started = time.perf_counter()
        store.extend_from_nquads(args.data)
        print(f"loaded {store.count()} quads in {time.perf_counter() - started:.1f} s")
    quads = store.count()
    writer = Writer(store, Settings.model_construct())
    samples: dict[str, list[float]] = {}
    targets = article_events(store, args.articles)
    for graph, event, date in targets:
        year = int(date[:4])
        moved = f"{year - 1}{date[4:]}"
        move = (
            f"PREFIX tg: <{TG}> WITH <{graph}> DELETE {{ <{event}> tg:date ?d }} "
            f'INSERT {{ <{event}> tg:date "{moved}"^^<{XSD_DATE}> }} '
            f"WHERE {{ <{event}> tg:date ?d }}"
        )
        back = move.replace(f'"{moved}"', f'"{date}"')
        note = (
            f"INSERT DATA {{ GRAPH <{graph}> {{ <{event}> "
            f'<http://www.w3.org/2000/01/rdf-schema#comment> "checked"@en }} }}'
        )
        # stages, on their own (nothing committed)
        plan = timed(samples, "1 analyse", lambda text=move: analyse_update(text))
        ticket = Ticket(60)
        copies = timed(
            samples,
            "2 copy graphs",
            lambda plan=plan, ticket=ticket: {
                g: writer._read(g, ticket) for g in sorted(plan.graphs)
            },
        )
        staged = timed(
            samples,
            "3 run on copies",
            lambda plan=plan, copies=copies: writer._staged(plan, copies),
        )
        dataset = new_dataset()
        for name, content in staged.items():
            dataset.graph(name).__iadd__(content)
        context = timed(
            samples,
            "4 neighbourhood",
            lambda dataset=dataset, staged=staged: neighbourhood(store, dataset, list(staged)),
        )
        timed(
            samples,
            "5 SHACL",
            lambda dataset=dataset, context=context: validate(_with_context(dataset, context)),
        )
        change = Change(graphs=staged)
        inferred = timed(
            samples, "6 incremental inference", lambda change=change: inferred_change(store, change)
        )
        samples.setdefault("  affected subjects", []).append(
            float(sum(len(s) for s in inferred.subjects.values()))
        )
        # whole writes, committed (and undone, so every round sees the same store); a move
        # the shapes refuse (an entry into force before its signing, say) is timed apart
        started = time.perf_counter()
        try:
            writer.update(move)
        except ShapeViolation:
            refused = "update: move refused by SHACL (422)"
            samples.setdefault(refused, []).append(time.perf_counter() - started)
        else:
            moved_name = "update: move an event date"
            samples.setdefault(moved_name, []).append(time.perf_counter() - started)
            timed(samples, "update: move it back", lambda back=back: writer.update(back))
        timed(samples, "update: INSERT DATA one triple", lambda note=note: writer.update(note))
        writer.update(note.replace("INSERT DATA", "DELETE DATA"))
    full = timed(samples, "full compute_inferred (for comparison)", lambda: compute_inferred(store))
    del full
    store.close()

    print(f"\n{quads} quads, {len(targets)} article graphs\n")
    print("| step | median ms | p90 ms | max ms |")
    print("|---|---:|---:|---:|")
    for name, values in sorted(samples.items()):
        if name.startswith("  "):
            print(f"| {name.strip()} | {statistics.median(values):.0f} | | {max(values):.0f} |")
            continue
        ordered = sorted(values)
        p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
        print(
            f"| {name} | {statistics.median(values) * 1000:.0f} | {p90 * 1000:.0f} | "
            f"{max(values) * 1000:.0f} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"quads": quads, "samples": samples}, indent=1))


if __name__ == "__main__":
    Graph()  # rdflib's plugins load once, outside the timings
    main()
