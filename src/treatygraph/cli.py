"""The ``treatygraph`` command: flags become one Settings, each command calls one core function.

Exit codes (also in ``treatygraph --help``): 0 success, 1 the data does not conform,
2 bad input (unreadable file, malformed query or RDF, bad option), 3 store error.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from treatygraph._version import __version__
from treatygraph.config import Settings
from treatygraph.errors import BadInput, ShapeViolation, StoreError, TreatygraphError

EXIT_OK, EXIT_INVALID, EXIT_BAD_INPUT, EXIT_STORE = 0, 1, 2, 3

err = Console(stderr=True, highlight=False)


def _settings(**flags: Any) -> Settings:
    """Settings from the environment, overridden by the flags that were given."""
    given = {name: value for name, value in flags.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        messages = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        _fail(f"invalid configuration: {messages}", EXIT_BAD_INPUT)


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    sys.exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Map the error tree to exit codes and messages; no traceback reaches the user."""
    try:
        yield
    except ShapeViolation as exc:
        click.echo(exc.report.text, err=True)
        _fail(str(exc), EXIT_INVALID)
    except BadInput as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except StoreError as exc:
        _fail(str(exc), EXIT_STORE)
    except TreatygraphError as exc:
        _fail(str(exc), EXIT_STORE)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar fed by ``callback(label, done, total)``; nothing when disabled."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        yield update


store_option = click.option(
    "--store",
    "store",
    default=None,
    help="'memory', a directory for a persistent store, or a SPARQL endpoint URL "
    "[env TREATYGRAPH_STORE; default memory].",
)
data_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with articles/ and graphs/ to load instead of the bundled data "
    "[env TREATYGRAPH_DATA_DIR].",
)


def _log_to_stderr() -> None:
    """Show the service's own log lines (loading, errors) beside uvicorn's."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-9s %(name)s: %(message)s"))
    logger = logging.getLogger("treatygraph")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 success, 1 data does not conform, 2 bad input, 3 store error.",
)
@click.version_option(__version__, prog_name="treatygraph")
def main() -> None:
    """treatygraph: a knowledge graph of defense agreements between states."""


@main.command()
@store_option
@data_option
@click.option("--host", default=None, help="Interface to bind [env TREATYGRAPH_HOST; 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [env TREATYGRAPH_PORT; 8000].")
@click.option("--base-iri", default=None, help="Public base IRI [env TREATYGRAPH_BASE_IRI].")
@click.option(
    "--timeout",
    "query_timeout",
    type=float,
    default=None,
    help="Query time limit in seconds [env TREATYGRAPH_QUERY_TIMEOUT; 30].",
)
@click.option(
    "--write-token",
    default=None,
    help="Enable writes for requests bearing this token [env TREATYGRAPH_WRITE_TOKEN].",
)
@click.option("--update-endpoint", default=None, help="SPARQL Update endpoint of a remote store.")
@click.option(
    "--graph-store-endpoint", default=None, help="Graph Store Protocol endpoint of a remote store."
)
@click.option(
    "--no-bundled",
    "load_bundled",
    flag_value=False,
    default=None,
    help="Serve the store as it is, without loading the bundled graph.",
)
@click.option(
    "--no-isolation",
    "isolate_queries",
    flag_value=False,
    default=None,
    help="Run queries in the server process instead of worker processes that are killed at "
    "the time limit [env TREATYGRAPH_ISOLATE_QUERIES; isolated on Linux].",
)
def serve(**flags: Any) -> None:
    """Serve the graph over HTTP: SPARQL endpoint, linked data, pages."""
    settings = _settings(**flags)
    import uvicorn

    from treatygraph.web.app import create_app

    _log_to_stderr()
    with _errors():
        app = create_app(settings)
        err.print(f"treatygraph {__version__}: http://{settings.host}:{settings.port}/sparql")
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_option
@click.option(
    "--alone",
    is_flag=True,
    help="Check the files by themselves, not together with the bundled graph.",
)
def validate(paths: tuple[Path, ...], data_dir: Path | None, alone: bool) -> None:
    """SHACL-check files (default: the bundled graph) and every quote against its article.

    Files are checked together with the bundled graph (the graphs they name replace the
    bundled ones), so a single article's graph can refer to the bundled states. Article
    files (.txt) are read as sources.
    """
    from treatygraph.checking import check_files

    settings = _settings(data_dir=data_dir)
    with _errors():
        report = check_files(list(paths), settings, alone=alone)
    click.echo(report.text)
    sys.exit(EXIT_OK if report.conforms else EXIT_INVALID)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_option
@click.option("--graph", default=None, help="Named graph for files that hold triples only.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load(paths: tuple[Path, ...], store: str | None, graph: str | None, quiet: bool) -> None:
    """Load RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) after checking them.

    Each named graph in the files replaces the store's graph of that name, in one
    transaction; loading the same files again changes nothing.
    """
    from treatygraph.loader import load_files
    from treatygraph.store import open_store

    settings = _settings(store=store)
    if settings.is_memory:
        _fail(
            "the in-memory store is gone when this command ends, so nothing would be loaded: "
            "give --store DIR (or TREATYGRAPH_STORE) for a persistent or remote store",
            EXIT_BAD_INPUT,
        )
    with _errors(), _progress(not quiet) as progress:
        opened = open_store(settings)
        try:
            report = load_files(opened, list(paths), graph=graph, progress=progress)
        finally:
            opened.close()
    for name, count in report.graphs.items():
        click.echo(f"{count:>8} triples  {name}")
    click.echo(f"{report.inferred:>8} triples  (inferred)")


@main.command()
@click.argument("sparql")
@store_option
@click.option(
    "--format",
    "fmt",
    default=None,
    help="json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, nquads, trig, jsonld, rdfxml "
    "(CONSTRUCT/DESCRIBE). Default: tsv or turtle.",
)
@click.option("--timeout", type=float, default=None, help="Time limit in seconds.")
def query(sparql: str, store: str | None, fmt: str | None, timeout: float | None) -> None:
    """Run a SPARQL query on the store and print the results. '-' reads it from stdin."""
    from treatygraph.local import run_query

    settings = _settings(store=store, query_timeout=timeout)
    text = sys.stdin.read() if sparql == "-" else sparql
    with _errors():
        for chunk in run_query(settings, text, fmt):
            sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()


@main.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["nquads", "trig"]),
    default="nquads",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
def export(store: str | None, fmt: str, output: Path | None) -> None:
    """Dump every quad of the store as N-Quads or TriG."""
    from treatygraph.local import export_store

    settings = _settings(store=store)
    with _errors():
        if output is None:
            export_store(settings, sys.stdout.buffer, fmt)
        else:
            with output.open("wb") as out:
                export_store(settings, out, fmt)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_option
@data_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the draft as TriG (stdout) and its facts with their quotes (stderr); "
    "change nothing.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the draft as TriG for review instead of loading it; load the reviewed file "
    "with 'treatygraph load'.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def ingest(
    paths: tuple[Path, ...],
    store: str | None,
    data_dir: Path | None,
    dry_run: bool,
    out: Path | None,
    quiet: bool,
) -> None:
    """Draft facts from articles (files, or folders of *.txt), check them and load them.

    Every fact comes with the exact quote behind it. Each article is checked (quotes
    verbatim, SHACL together with the store) and loaded in one transaction that replaces what
    an earlier ingest of it drew; a rejected article changes nothing. In a folder a bad
    article is reported and the others still load, and the exit code says the worst failure.
    A store without reference data (states, persons, offices) gets the bundled one first.
    """
    from treatygraph.ingest import ingest_folder
    from treatygraph.ingest.baseline import has_reference
    from treatygraph.ingest.pipeline import article_files
    from treatygraph.store import open_store

    settings = _settings(store=store, data_dir=data_dir)
    review = dry_run or out is not None
    if not article_files(list(paths)):
        _fail("no article files (*.txt) found", EXIT_BAD_INPUT)
    with _errors(), _progress(not quiet) as progress:
        opened = open_store(settings)
        try:
            if not review and not has_reference(opened):
                err.print("the store has no reference data: loading the bundled reference")
            outcomes = ingest_folder(list(paths), opened, settings, progress, dry_run=review)
        finally:
            opened.close()
    drafts = "".join(o.result.trig for o in outcomes if o.result is not None)
    if dry_run:
        sys.stdout.write(drafts)
    if out is not None:
        out.write_text(drafts, encoding="utf-8")
        err.print(f"draft written to {out}: review it, then 'treatygraph load {out}'")
    if review:
        for outcome in outcomes:
            if outcome.result is not None:
                _print_facts(outcome.result)
    sys.exit(_report_outcomes(outcomes, review))


def _print_facts(result: Any) -> None:
    """An article's drafted facts with their quotes, for a person reviewing a draft."""
    counts = (
        f"{len(result.agreements)} agreements, {len(result.events)} events, "
        f"{len(result.observations)} status observations"
    )
    err.print(f"\n[bold]{result.slug}[/]: {counts}", soft_wrap=True)
    for heading, facts in (
        ("agreement", result.agreements),
        ("event", result.events),
        ("status", result.observations),
        ("office", result.offices),
    ):
        for fact in facts:
            err.print(f"  {heading}: {fact.label or fact.iri}", soft_wrap=True, markup=False)
            for quote in fact.quotes:
                err.print(f"      “{quote}”", soft_wrap=True, markup=False, highlight=False)
    for note in result.notes:
        err.print(f"  note: {note}", soft_wrap=True, markup=False)


def _report_outcomes(outcomes: list[Any], review: bool) -> int:
    """The summary table; returns the exit code of the worst failure (0 if none)."""
    from rich.table import Table

    table = Table(title="ingest", title_justify="left")
    for column in ("article", "agreements", "events", "result"):
        table.add_column(column, justify="right" if column in ("agreements", "events") else "left")
    code = EXIT_OK
    for outcome in outcomes:
        name = Path(outcome.path).stem
        if outcome.result is not None:
            result = outcome.result
            state = "draft" if review else ("loaded" if result.changed else "unchanged")
            table.add_row(name, str(len(result.agreements)), str(len(result.events)), state)
            continue
        error = outcome.error
        if isinstance(error, ShapeViolation):
            code = max(code, EXIT_INVALID)
            err.print(f"\n{name}:\n{error.report.text}", soft_wrap=True, markup=False)
        elif isinstance(error, BadInput):
            code = max(code, EXIT_BAD_INPUT)
        else:
            code = max(code, EXIT_STORE)
        table.add_row(name, "-", "-", f"[red]failed[/]: {error}")
    err.print(table)
    return code
