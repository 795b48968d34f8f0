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
    help="'memory', a directory for a persistent store, or the query endpoint URL of a "
    "SPARQL 1.1 store [env TREATYGRAPH_STORE; default memory].",
)
_REMOTE_OPTIONS = (
    click.option(
        "--query-endpoint",
        default=None,
        help="Query endpoint of a remote SPARQL 1.1 store; the same as --store URL "
        "[env TREATYGRAPH_QUERY_ENDPOINT].",
    ),
    click.option(
        "--update-endpoint",
        default=None,
        help="Update endpoint of a remote store, where it is not derived from the query "
        "endpoint [env TREATYGRAPH_UPDATE_ENDPOINT].",
    ),
    click.option(
        "--graph-store-endpoint",
        default=None,
        help="Graph Store Protocol endpoint of a remote store [env "
        "TREATYGRAPH_GRAPH_STORE_ENDPOINT].",
    ),
    click.option(
        "--store-dialect",
        type=click.Choice(
            ["auto", "oxigraph", "fuseki", "graphdb", "virtuoso", "neptune", "generic"]
        ),
        default=None,
        help="The engine behind a remote store [env TREATYGRAPH_STORE_DIALECT; auto]. "
        "Credentials come from TREATYGRAPH_STORE_USER/_PASSWORD or TREATYGRAPH_STORE_TOKEN.",
    ),
)


def remote_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that point a command at a remote store (besides --store URL)."""
    for option in reversed(_REMOTE_OPTIONS):
        command = option(command)
    return command


data_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with articles/ and graphs/ to load instead of the bundled data "
    "[env TREATYGRAPH_DATA_DIR].",
)


def _log_to_stderr() -> None:
    """Show the service's own log lines (loading, errors) beside uvicorn's; the access log
    (``treatygraph.access``) as bare JSON lines, one per request, for log collectors."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-9s %(name)s: %(message)s"))
    logger = logging.getLogger("treatygraph")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    access = logging.getLogger("treatygraph.access")
    json_lines = logging.StreamHandler()
    json_lines.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(json_lines)
    access.propagate = False
    # Neither format shows the process or thread; not looking them up for every record
    # saves a system call and a few microseconds per request (see "Optimization" in the
    # logging documentation).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


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
@click.option(
    "--update-timeout",
    type=float,
    default=None,
    help="Time limit of a write in seconds, waiting included [env TREATYGRAPH_UPDATE_TIMEOUT; 30].",
)
@click.option(
    "--backup-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for POST /admin/backup copies of the running store [env "
    "TREATYGRAPH_BACKUP_DIR; off].",
)
@remote_options
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes; more than one needs a remote store (one process owns an embedded "
    "store).",
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
def serve(workers: int, **flags: Any) -> None:
    """Serve the graph over HTTP: SPARQL endpoint, linked data, pages.

    With a remote store the service keeps no state of its own: run several workers, or
    several servers on other machines, over the same store.
    """
    settings = _settings(**flags)
    import uvicorn

    _log_to_stderr()
    if workers > 1:
        _serve_workers(settings, workers)
        return
    from treatygraph.web.app import create_app

    with _errors():
        if settings.is_remote:  # say plainly when the store cannot be reached, then start
            from treatygraph.store import open_store

            open_store(settings).close()
        app = create_app(settings)
        err.print(f"treatygraph {__version__}: http://{settings.host}:{settings.port}/sparql")
        # access_log off: the app writes its own (treatygraph.access, web/observe.py); a
        # second line per request cost a tenth of a point lookup's time.
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False)


def _serve_workers(settings: Settings, workers: int) -> None:
    """``workers`` uvicorn processes, each building its app from ``TREATYGRAPH_*`` variables
    (:func:`treatygraph.web.app.app_from_env`). The bundled graph is loaded once, here."""
    import os

    import uvicorn

    if not settings.is_remote:
        _fail(
            f"--workers {workers} needs a remote store: one process owns an embedded store. "
            "Give --store http(s)://… (a SPARQL 1.1 store), or run one worker",
            EXIT_BAD_INPUT,
        )
    if settings.load_bundled:
        from treatygraph.loader import load_bundled
        from treatygraph.store import open_store

        with _errors():
            store = open_store(settings)
            try:
                load_bundled(store, settings)
            finally:
                store.close()
    for name in [key for key in os.environ if key.startswith("TREATYGRAPH_")]:
        del os.environ[name]
    os.environ.update(settings.model_copy(update={"load_bundled": False}).to_environment())
    err.print(
        f"treatygraph {__version__}: http://{settings.host}:{settings.port}/sparql "
        f"({workers} workers)"
    )
    uvicorn.run(
        "treatygraph.web.app:app_from_env",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
    )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_option
@store_option
@remote_options
@click.option(
    "--alone",
    is_flag=True,
    help="Check the files by themselves, not together with the bundled graph.",
)
def validate(paths: tuple[Path, ...], data_dir: Path | None, alone: bool, **flags: Any) -> None:
    """SHACL-check files (default: the bundled graph) and every quote against its article.

    Files are checked together with the bundled graph (the graphs they name replace the
    bundled ones), so a single article's graph can refer to the bundled states. Article
    files (.txt) are read as sources. With --store (a folder or a SPARQL store), the store
    is checked instead: its whole content, or the files together with it, as a load would.
    """
    from treatygraph.checking import check_files, check_store

    settings = _settings(data_dir=data_dir, **flags)
    with _errors():
        if settings.is_memory:
            report = check_files(list(paths), settings, alone=alone)
        else:
            report = check_store(list(paths), settings)
    click.echo(report.text)
    sys.exit(EXIT_OK if report.conforms else EXIT_INVALID)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_option
@remote_options
@click.option("--graph", default=None, help="Named graph for files that hold triples only.")
@click.option(
    "--resume",
    is_flag=True,
    help="Skip the graphs an earlier, interrupted load already wrote to this store with the "
    "same content (progress is kept in state_dir).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load(
    paths: tuple[Path, ...], graph: str | None, resume: bool, quiet: bool, **flags: Any
) -> None:
    """Load RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) after checking them.

    Each named graph in the files replaces the store's graph of that name; loading the same
    files again changes nothing. An embedded store takes the whole load in one transaction.
    A remote store takes it in requests of about store_batch_triples triples, each graph
    whole (a larger one staged, then moved into place): the progress is recorded, and an
    interrupted load continues with --resume.
    """
    from treatygraph.load_state import LoadState
    from treatygraph.loader import load_files
    from treatygraph.store import open_store

    settings = _settings(**flags)
    if settings.is_memory:
        _fail(
            "the in-memory store is gone when this command ends, so nothing would be loaded: "
            "give --store DIR (or TREATYGRAPH_STORE) for a persistent or remote store",
            EXIT_BAD_INPUT,
        )
    with _errors(), _progress(not quiet) as progress:
        opened = open_store(settings)
        try:
            parts = resume or opened.capabilities.write_batch is not None
            state = LoadState.for_store(settings) if parts else None
            report = load_files(
                opened, list(paths), graph=graph, progress=progress, state=state, resume=resume
            )
        finally:
            opened.close()
    for name, count in report.graphs.items():
        click.echo(f"{count:>8} triples  {name}")
    if report.skipped_graphs:
        click.echo(f"{len(report.skipped_graphs):>8} graphs   already loaded, skipped (--resume)")
    click.echo(f"{report.inferred:>8} triples  (inferred)")


@main.command()
@click.argument("sparql")
@store_option
@remote_options
@click.option(
    "--format",
    "fmt",
    default=None,
    help="json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, nquads, trig, jsonld, rdfxml "
    "(CONSTRUCT/DESCRIBE). Default: tsv or turtle.",
)
@click.option("--timeout", type=float, default=None, help="Time limit in seconds.")
def query(sparql: str, fmt: str | None, timeout: float | None, **flags: Any) -> None:
    """Run a SPARQL query on the store and print the results. '-' reads it from stdin."""
    from treatygraph.local import run_query

    settings = _settings(query_timeout=timeout, **flags)
    text = sys.stdin.read() if sparql == "-" else sparql
    with _errors():
        for chunk in run_query(settings, text, fmt):
            sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()


@main.command()
@store_option
@remote_options
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
def export(fmt: str, output: Path | None, **flags: Any) -> None:
    """Dump every quad of the store as N-Quads or TriG."""
    from treatygraph.local import export_store

    settings = _settings(**flags)
    with _errors():
        if output is None:
            export_store(settings, sys.stdout.buffer, fmt)
        else:
            with output.open("wb") as out:
                export_store(settings, out, fmt)


@main.command()
@click.argument("target", type=click.Path(path_type=Path))
@store_option
def backup(target: Path, **flags: Any) -> None:
    """Copy a persistent store (--store DIR) into the new folder TARGET, consistently.

    The copy opens as a store of its own. RocksDB locks a store's folder while a server uses
    it; for a running server, ask it instead: POST /admin/backup with the write token
    (see docs/operations.md).
    """
    from treatygraph.local import backup_store

    settings = _settings(**flags)
    with _errors():
        backup_store(settings, target)
    err.print(f"backup written to {target}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_option
@remote_options
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
    data_dir: Path | None,
    dry_run: bool,
    out: Path | None,
    quiet: bool,
    **flags: Any,
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

    settings = _settings(data_dir=data_dir, **flags)
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
