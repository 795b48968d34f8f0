#!/usr/bin/env python3
"""Run the analyst query mix side by side on several SPARQL engines over the same data.

Why: treatygraph answers SPARQL from an embedded pyoxigraph store behind FastAPI. To know
what that costs, and whether a deployment should point ``--store`` at an external store
instead, the same questions go, in one run and on one generated file, to

* ``pyoxigraph-memory`` / ``pyoxigraph-disk``: the engine in-process, the limit any
  service on top of it can reach (each request includes serialising SPARQL JSON, which an
  HTTP service must do too);
* ``oxigraph-server``: the same engine behind its own Rust HTTP server;
* ``virtuoso``: Debian's Virtuoso Open Source, an established triple store;
* ``treatygraph``: ``treatygraph serve`` on a copy of the same store;
* ``treatygraph-remote``: ``treatygraph serve --store http://…`` in front of an Oxigraph
  server loaded as for ``oxigraph-server`` (the remote-store mode).

Every engine gets the same requests in the same order (parameters drawn from the generated
data, a different IRI per request), so the runner can check that they agree: a fast wrong
answer is not a result. For each query and engine: warm-up requests, then timed requests
(median, p95); then requests per second with several concurrent clients for the cheap
queries. Servers are started on 127.0.0.1 as subprocesses, one engine at a time (so they do
not compete for CPU), and stopped by PID at the end, on error, on Ctrl-C and on SIGTERM.

Usage::

    python benchmarks/run.py --sizes 10000,100000 --out benchmarks/results/run.json
    python benchmarks/run.py --sizes 10000 --engines pyoxigraph-memory,virtuoso --repeat 5
    python benchmarks/report.py benchmarks/results/run.json > section.md
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import hashlib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pyoxigraph as ox

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
QUERIES = BENCH / "queries"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "treatygraph-bench"
ALL_ENGINES = (
    "pyoxigraph-memory",
    "pyoxigraph-disk",
    "oxigraph-server",
    "virtuoso",
    "treatygraph",
    "treatygraph-remote",
    "plain-fastapi",
    "plain-fastapi-h11",
)
THROUGHPUT_QUERIES = ("point-lookup", "agreements-of-state")
HEADERS = {
    "Accept": "application/sparql-results+json",
    # Virtuoso gzips when asked and the others do not; compare the engines, not zlib.
    "Accept-Encoding": "identity",
}
COUNT_QUERY = """SELECT (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "https://w3id.org/treatygraph/graph/"))
}"""
"""Quads in our graphs, to check a load: Virtuoso also has system graphs of its own."""
MAX_REQUESTS_PER_THREAD = 200_000
SLOW_WARMUP_SECONDS = 1.0
READY_SECONDS = 180.0
LOAD_SECONDS = 3600.0


class EngineUnavailable(Exception):
    """The engine cannot run here (not installed, not written yet); it is skipped, saying why."""


class QueryFailed(Exception):
    """A request did not produce a complete result (HTTP error, timeout, partial result)."""


# --------------------------------------------------------------------------------------------
# Subprocesses: every server is ours to stop, by PID, whatever happens
# --------------------------------------------------------------------------------------------


class Processes:
    """The servers this run started; ``stop_all`` runs on exit, error, Ctrl-C and SIGTERM.

    Children get a session of their own so a Ctrl-C in the terminal reaches only the runner,
    which then stops each child by its PID (SIGTERM, then SIGKILL after a grace period):
    Virtuoso in particular must get the chance to shut its database down cleanly.
    """

    def __init__(self) -> None:
        self._running: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()

    def start(
        self, args: list[str], log: Path, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with log.open("wb") as handle:
            proc = subprocess.Popen(
                args,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        with self._lock:
            self._running.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], grace: float = 30.0) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        with self._lock:
            if proc in self._running:
                self._running.remove(proc)

    def stop_all(self) -> None:
        with self._lock:
            running = list(reversed(self._running))
        for proc in running:
            self.stop(proc)


PROCESSES = Processes()


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through every finally: servers get stopped


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its living descendants (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process tree so far, reaped children included."""
    ticks = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_pss_mb(pid: int) -> float | None:
    """Memory of a process and all its descendants, in MiB: the proportional set size, so
    that pages forked children share with their parent (the isolated embedded store's
    query processes) count once, not once per process."""
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1) if total else None


def wait_ready(
    proc: subprocess.Popen[bytes], probe: Callable[[], bool], log: Path, what: str
) -> None:
    """Poll ``probe`` until it succeeds; fail early if the process dies, late after a limit."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EngineUnavailable(f"{what} exited with code {proc.returncode}:\n{log_tail(log)}")
        with contextlib.suppress(httpx.HTTPError, OSError):
            if probe():
                return
        time.sleep(0.25)
    raise EngineUnavailable(f"{what} not ready after {READY_SECONDS:.0f} s:\n{log_tail(log)}")


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------

Runner = Callable[[str], bytes]
"""Runs one SELECT and returns the whole SPARQL JSON body."""


@dataclass
class Context:
    work: Path
    data: Path
    quads: int
    request_timeout: float
    oxigraph_timeout: bool = True
    """Pass ``--timeout-s`` to ``oxigraph serve`` (0.5.13 fails part of a keep-alive load
    with it: ``--no-oxigraph-timeout`` for requests-per-second runs)."""


class Engine(ABC):
    """One way of answering SPARQL: set up on a data file, then asked queries, then closed."""

    name = ""
    transport = ""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @abstractmethod
    def setup(self) -> dict[str, Any]:
        """Load the data and start serving; returns facts for the report (load time…)."""

    @abstractmethod
    def runner(self) -> Runner:
        """A function that runs one query; each concurrent client gets its own."""

    def close(self) -> None:  # noqa: B027 - in-process engines have nothing to stop
        """Stop serving and release resources."""

    def memory(self) -> dict[str, float | None]:
        """Memory of the serving processes (PSS), in MiB; nothing for in-process engines."""
        return {}


class InProcess(Engine):
    """pyoxigraph in this process: the engine's own limit, no HTTP in between."""

    transport = "in-process"

    def __init__(self, ctx: Context, on_disk: bool) -> None:
        super().__init__(ctx)
        self.on_disk = on_disk
        self.name = "pyoxigraph-disk" if on_disk else "pyoxigraph-memory"
        self.store: ox.Store | None = None

    def setup(self) -> dict[str, Any]:
        started = time.perf_counter()
        if self.on_disk:
            folder = self.ctx.work / "pyoxigraph-disk"
            shutil.rmtree(folder, ignore_errors=True)
            self.store = ox.Store(str(folder))
        else:
            self.store = ox.Store()
        self.store.bulk_load(path=str(self.ctx.data), format=ox.RdfFormat.N_QUADS)
        return {
            "load_seconds": round(time.perf_counter() - started, 3),
            "load_method": "pyoxigraph Store.bulk_load",
        }

    def runner(self) -> Runner:
        store = self.store
        if store is None:
            raise RuntimeError("setup() first")

        def run(query: str) -> bytes:
            result = store.query(query, use_default_graph_as_union=True)
            if not isinstance(result, ox.QuerySolutions):
                raise QueryFailed("not a SELECT")
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
            return bytes(body) if body is not None else b""

        return run

    def close(self) -> None:
        self.store = None
        gc.collect()  # drops the RocksDB handle so the folder can be removed


class OverHttp(Engine):
    """A SPARQL 1.1 Protocol endpoint: form-encoded POST, one persistent client per caller."""

    transport = "http"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.endpoint = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = ctx.work / f"{self.name}.log"
        self._clients: list[httpx.Client] = []
        self._lock = threading.Lock()

    def client(self) -> httpx.Client:
        client = httpx.Client(
            timeout=httpx.Timeout(self.ctx.request_timeout, connect=10.0), headers=HEADERS
        )
        with self._lock:
            self._clients.append(client)
        return client

    def check(self, response: httpx.Response) -> None:
        """Engine-specific signs of an incomplete answer."""

    def runner(self) -> Runner:
        client = self.client()
        endpoint = self.endpoint

        def run(query: str) -> bytes:
            try:
                response = client.post(endpoint, data={"query": query})
            except httpx.TimeoutException as exc:
                raise QueryFailed(f"no answer within {self.ctx.request_timeout:.0f} s") from exc
            if response.status_code != 200:
                raise QueryFailed(f"HTTP {response.status_code}: {response.text[:300]}")
            self.check(response)
            return response.content

        return run

    def memory(self) -> dict[str, float | None]:
        return {"pss_mb": tree_pss_mb(self.proc.pid)} if self.proc is not None else {}

    def probe(self) -> bool:
        with httpx.Client(timeout=5.0, headers=HEADERS) as client:
            response = client.post(self.endpoint, data={"query": "ASK {}"})
            return response.status_code == 200

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.close()
            self._clients.clear()
        if self.proc is not None:
            PROCESSES.stop(self.proc)
            self.proc = None


def oxigraph_cli() -> str:
    local = Path(sys.executable).parent / "oxigraph"
    found = str(local) if local.exists() else shutil.which("oxigraph")
    if not found:
        raise EngineUnavailable("the oxigraph CLI is not installed (pip install oxigraph)")
    return found


class OxigraphServer(OverHttp):
    """``oxigraph serve``, loaded with ``oxigraph load``, union default graph like treatygraph."""

    name = "oxigraph-server"

    def setup(self) -> dict[str, Any]:
        cli = oxigraph_cli()
        folder = self.ctx.work / "oxigraph-server"
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        loaded = subprocess.run(
            [cli, "load", "--location", str(folder), "--file", str(self.ctx.data)],
            capture_output=True,
            text=True,
            timeout=LOAD_SECONDS,
            check=False,
        )
        if loaded.returncode != 0:
            raise EngineUnavailable(f"oxigraph load failed: {loaded.stderr[-1500:]}")
        load_seconds = time.perf_counter() - started
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/query"
        self.proc = PROCESSES.start(
            [
                cli,
                "serve",
                "--location",
                str(folder),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
                *(
                    ("--timeout-s", str(int(self.ctx.request_timeout)))
                    if self.ctx.oxigraph_timeout
                    else ()
                ),
            ],
            self.log,
        )
        wait_ready(self.proc, self.probe, self.log, "oxigraph serve")
        return {"load_seconds": round(load_seconds, 3), "load_method": "oxigraph load"}


VIRTUOSO_INI = """\
; Minimal Virtuoso configuration for the treatygraph benchmark: loopback only, its own
; database folder, limits raised so that no answer is silently truncated.
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 32
CheckpointInterval       = 0
O_DIRECT                 = 0
CaseMode                 = 2
DirsAllowed              = ., {data_dir}
NumberOfBuffers          = 340000
MaxDirtyBuffers          = 250000
MaxQueryMem              = 2G
ThreadsPerQuery          = {threads}
AsyncQueueMaxThreads     = 16
MaxSortedTopRows         = 100000
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {db}/www
MaxClientConnections        = 32
ServerThreads               = 32
MaxKeepAlives               = 32
KeepAliveTimeout            = 120
EnabledDavVSP               = 0
EnabledGzipContent          = 0
Charset                     = UTF-8

[SPARQL]
ResultSetMaxRows           = 10000000
MaxSortedTopRows           = 100000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = {timeout}
"""


class Virtuoso(OverHttp):
    """Virtuoso Open Source from Debian, a temporary database, bulk-loaded with ld_dir.

    Without FROM clauses Virtuoso's default graph is every graph it holds, its own system
    graphs included: the same union semantics as treatygraph for our vocabulary, since the
    system graphs do not use it. ``MaxQueryExecutionTime`` makes Virtuoso return a partial
    answer when it runs out (its "anytime" queries); that is reported as a failure.
    """

    name = "virtuoso"

    def setup(self) -> dict[str, Any]:
        server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
        if not server or not isql:
            raise EngineUnavailable(
                "virtuoso-t/isql-vt not found (apt-get install virtuoso-opensource)"
            )
        db = self.ctx.work / "virtuoso"
        shutil.rmtree(db, ignore_errors=True)
        (db / "www").mkdir(parents=True)
        sql_port, http_port = free_port(), free_port()
        ini = db / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(
                db=db,
                sql_port=sql_port,
                http_port=http_port,
                data_dir=self.ctx.data.parent,
                threads=os.cpu_count() or 2,
                timeout=int(self.ctx.request_timeout),
            )
        )
        self.endpoint = f"http://127.0.0.1:{http_port}/sparql"
        self.proc = PROCESSES.start([server, "+foreground", "+configfile", str(ini)], self.log)
        wait_ready(self.proc, self.probe, self.log, "virtuoso-t")
        script = db / "load.sql"
        script.write_text(
            f"ld_dir('{self.ctx.data.parent}', '{self.ctx.data.name}', "
            "'https://w3id.org/treatygraph/graph/unnamed');\n"
            "rdf_loader_run();\n"
            "checkpoint;\n"
            "SELECT ll_file, ll_state, ll_error FROM DB.DBA.LOAD_LIST;\n"
        )
        started = time.perf_counter()
        loaded = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", str(script)],
            capture_output=True,
            text=True,
            timeout=LOAD_SECONDS,
            check=False,
        )
        load_seconds = time.perf_counter() - started
        if loaded.returncode != 0 or "*** Error" in loaded.stdout + loaded.stderr:
            raise EngineUnavailable(
                f"Virtuoso load failed:\n{(loaded.stdout + loaded.stderr)[-2000:]}"
            )
        listing = [line for line in loaded.stdout.splitlines() if self.ctx.data.name in line]
        if not listing or "NULL" not in listing[-1]:
            raise EngineUnavailable(f"Virtuoso did not load the file cleanly: {listing}")
        return {"load_seconds": round(load_seconds, 3), "load_method": "ld_dir + rdf_loader_run"}

    def check(self, response: httpx.Response) -> None:
        state = response.headers.get("X-SQL-State")
        if state:
            message = response.headers.get("X-SQL-Message", "")
            raise QueryFailed(f"Virtuoso partial result ({state}): {message}")


def treatygraph_command() -> tuple[list[str], dict[str, str]]:
    """``treatygraph`` from the venv if installed, else the module from this checkout."""
    env = dict(os.environ)
    script = Path(sys.executable).parent / "treatygraph"
    if script.exists():
        return [str(script)], env
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return [sys.executable, "-m", "treatygraph"], env


class Treatygraph(OverHttp):
    """``treatygraph serve --store DIR --no-bundled`` on a store bulk-loaded by pyoxigraph.

    The store is filled with ``Store.bulk_load`` (what the service opens), not with
    ``treatygraph load``, whose SHACL validation is not what is measured here.
    """

    name = "treatygraph"

    def check(self, response: httpx.Response) -> None:
        if response.headers.get("TreatyGraph-Results-Truncated", "").lower() == "true":
            raise QueryFailed("treatygraph cut the result at its max_results limit")

    def setup(self) -> dict[str, Any]:
        folder = self.ctx.work / "treatygraph-store"
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        store = ox.Store(str(folder))
        store.bulk_load(path=str(self.ctx.data), format=ox.RdfFormat.N_QUADS)
        del store
        gc.collect()
        load_seconds = time.perf_counter() - started
        return {
            "load_seconds": round(load_seconds, 3),
            "load_method": "pyoxigraph Store.bulk_load into the folder the service opens",
            "command": self.serve(str(folder)),
        }

    def serve(self, store: str) -> str:
        """Start ``treatygraph serve --store STORE`` and wait for it; returns the command."""
        command, env = treatygraph_command()
        probe = subprocess.run(
            [*command, "serve", "--help"], capture_output=True, text=True, env=env, timeout=120
        )
        if probe.returncode != 0:
            raise EngineUnavailable(
                f"`{' '.join(command)} serve` is not runnable: {probe.stderr.strip()[-800:]}"
            )
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/sparql"
        args = [
            *command,
            "serve",
            "--store",
            store,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-bundled",
            "--timeout",
            str(self.ctx.request_timeout),
        ]
        self.proc = PROCESSES.start(args, self.log, env)
        wait_ready(self.proc, self.probe, self.log, "treatygraph serve")
        return " ".join(args)


class TreatygraphRemote(Treatygraph):
    """``treatygraph serve --store http://…/query`` over an Oxigraph server set up exactly as
    the ``oxigraph-server`` engine is: what treatygraph adds in front of a remote store.

    Both processes run on this machine, so they share its cores (as the client does), and
    every request makes one more loopback round trip than ``oxigraph-server`` alone.
    """

    name = "treatygraph-remote"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.backend = OxigraphServer(ctx)

    def setup(self) -> dict[str, Any]:
        info = self.backend.setup()
        return {
            "load_seconds": info["load_seconds"],
            "load_method": f"{info['load_method']}, into the Oxigraph server behind it",
            "command": self.serve(self.backend.endpoint),
        }

    def memory(self) -> dict[str, float | None]:
        backend = self.backend.memory().get("pss_mb")
        return {**super().memory(), "backend_pss_mb": backend}

    def close(self) -> None:
        super().close()
        self.backend.close()


class PlainFastapi(OverHttp):
    """``benchmarks/plain_fastapi.py``: a plain FastAPI app over pyoxigraph in memory (the
    engine treatygraph's query workers use), with none of treatygraph's guarantees. What a
    Python web layer costs when it does the least."""

    name = "plain-fastapi"
    server_options: tuple[str, ...] = ()

    def setup(self) -> dict[str, Any]:
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/sparql"
        args = [sys.executable, str(BENCH / "plain_fastapi.py"), "--load", str(self.ctx.data)]
        args += ["--host", "127.0.0.1", "--port", str(port), *self.server_options]
        started = time.perf_counter()
        self.proc = PROCESSES.start(args, self.log)
        wait_ready(self.proc, self.probe, self.log, "plain_fastapi.py")
        return {
            "load_seconds": round(time.perf_counter() - started, 3),
            "load_method": "pyoxigraph Store.bulk_load in memory, in the server",
            "command": " ".join(args),
        }


class PlainFastapiDefaults(PlainFastapi):
    """The same app served as ``pip install fastapi uvicorn`` serves it: uvicorn's pure
    Python HTTP parser (h11) on asyncio's own event loop."""

    name = "plain-fastapi-h11"
    server_options = ("--http", "h11", "--loop", "asyncio")


def make_engine(name: str, ctx: Context) -> Engine:
    if name == "pyoxigraph-memory":
        return InProcess(ctx, on_disk=False)
    if name == "pyoxigraph-disk":
        return InProcess(ctx, on_disk=True)
    if name == "oxigraph-server":
        return OxigraphServer(ctx)
    if name == "virtuoso":
        return Virtuoso(ctx)
    if name == "treatygraph":
        return Treatygraph(ctx)
    if name == "treatygraph-remote":
        return TreatygraphRemote(ctx)
    if name == "plain-fastapi":
        return PlainFastapi(ctx)
    if name == "plain-fastapi-h11":
        return PlainFastapiDefaults(ctx)
    raise SystemExit(f"unknown engine {name!r}; known: {', '.join(ALL_ENGINES)}")


# --------------------------------------------------------------------------------------------
# Queries and their parameters
# --------------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    text: str

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(sorted(set(PLACEHOLDER.findall(self.text))))

    def render(self, values: dict[str, str]) -> str:
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], self.text)


def load_queries(names: list[str] | None) -> list[Query]:
    queries = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text()
        title = text.splitlines()[0].lstrip("# ").strip()
        queries.append(Query(path.stem, title, text))
    if names:
        known = {q.name for q in queries}
        unknown = sorted(set(names) - known)
        if unknown:
            raise SystemExit(f"unknown queries {unknown}; known: {sorted(known)}")
        queries = [q for q in queries if q.name in names]
    return queries


class ParamPlan:
    """The parameter values of request *i* of a query: the same for every engine.

    Lists from the generator's sidecar are shuffled once with the run's seed, and request
    *i* takes element *i* (cycling), so successive requests ask about different IRIs and a
    cache keyed by query text never sees the same question twice in a row.
    """

    def __init__(self, params: dict[str, Any], seed: int) -> None:
        import random

        rng = random.Random(f"treatygraph-run-{seed}")
        self.agreements = list(params["agreements"])
        self.states = list(params["states"])
        self.articles = list(params["articles"])
        for items in (self.agreements, self.states, self.articles):
            rng.shuffle(items)
        first, last = int(params["first_year"]), int(params["last_year"])
        self.dates = [
            f"{rng.randint(first, last):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            for _ in range(997)
        ]
        self.decades = [rng.randint(first, max(first, last - 9)) for _ in range(101)]
        self.pages = max(1, math.ceil(len(self.agreements) / 100))

    def values(self, index: int) -> dict[str, str]:
        decade = self.decades[index % len(self.decades)]
        page = 10 + index % 10  # the 11th to 20th page: OFFSET 1000…1900
        return {
            "agreement": self.agreements[index % len(self.agreements)],
            "state": self.states[index % len(self.states)],
            "article": self.articles[index % len(self.articles)],
            "date": self.dates[index % len(self.dates)],
            "year_from": str(decade),
            "year_to": str(decade + 10),
            "offset": str(100 * (page % self.pages)),
        }


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def digest_rows(body: bytes) -> tuple[int, str]:
    """Row count and an order-independent digest of the values, to compare engines.

    Only kinds and values (and language tags) enter the digest: engines legitimately differ
    in how they spell a datatype (xsd:int vs xsd:integer for a count) and in blank node ids.
    """
    data = json.loads(body)
    rows = data.get("results", {}).get("bindings", [])
    canonical = []
    for row in rows:
        cells = []
        for var in sorted(row):
            term = row[var]
            kind = "literal" if term.get("type") == "typed-literal" else term.get("type")
            value = "_" if kind == "bnode" else term.get("value")
            cells.append(f"{var}={kind}:{value}@{term.get('xml:lang', '').lower()}")
        canonical.append("\t".join(cells))
    digest = hashlib.sha256("\n".join(sorted(canonical)).encode()).hexdigest()[:16]
    return len(rows), digest


@dataclass
class Sample:
    index: int
    seconds: float
    rows: int | None = None
    digest: str | None = None
    error: str | None = None


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th): no interpolation games."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def stats(samples: list[Sample]) -> dict[str, Any]:
    times = sorted(s.seconds for s in samples if s.error is None)
    if not times:
        return {"n": 0}
    return {
        "n": len(times),
        "median_ms": round(statistics.median(times) * 1000, 3),
        "p95_ms": round(percentile(times, 0.95) * 1000, 3),
        "mean_ms": round(statistics.fmean(times) * 1000, 3),
        "min_ms": round(times[0] * 1000, 3),
        "max_ms": round(times[-1] * 1000, 3),
    }


@dataclass
class Options:
    warmup: int
    repeat: int
    max_query_seconds: float
    max_request_seconds: float
    concurrency: int
    throughput_seconds: float
    throughput_queries: tuple[str, ...]
    throughput_client: str = "python"
    """``wrk`` (the server's own limit) or ``python`` (client threads in this process)."""
    throughput_warmup: float = 0.0
    """Seconds of the same load, not measured, before each ``wrk`` measurement."""


def run_once(run: Runner, query: Query, plan: ParamPlan, index: int) -> Sample:
    text = query.render(plan.values(index))
    started = time.perf_counter()
    try:
        body = run(text)
    except (QueryFailed, OSError, ValueError, RuntimeError, httpx.HTTPError) as exc:
        return Sample(index, time.perf_counter() - started, error=str(exc)[:500])
    seconds = time.perf_counter() - started  # parsing for the check is not timed
    try:
        rows, digest = digest_rows(body)
    except (ValueError, KeyError) as exc:
        return Sample(index, seconds, error=f"unreadable SPARQL JSON: {exc}")
    return Sample(index, seconds, rows, digest)


def measure(run: Runner, query: Query, plan: ParamPlan, opts: Options) -> dict[str, Any]:
    """Warm-up, then timed requests; bounded by count, by total time and by a slow request."""
    warm: list[Sample] = []
    timed: list[Sample] = []
    notes: list[str] = []
    began = time.perf_counter()
    index = 0
    while index < opts.warmup + opts.repeat:
        sample = run_once(run, query, plan, index)
        (warm if index < opts.warmup else timed).append(sample)
        index += 1
        if index < opts.warmup and sample.seconds > SLOW_WARMUP_SECONDS:
            index = opts.warmup  # caches are not what makes a one-second query slow
            notes.append(f"warm-up cut to {len(warm)}: {sample.seconds:.1f} s per request")
        if sample.error is not None and "no answer within" in sample.error:
            notes.append(f"request {sample.index} timed out; stopped")
            break
        if sample.seconds > opts.max_request_seconds:
            notes.append(f"request {sample.index} took {sample.seconds:.1f} s; stopped")
            break
        if time.perf_counter() - began > opts.max_query_seconds and timed:
            notes.append(f"time budget of {opts.max_query_seconds:.0f} s reached")
            break
    summary = stats(timed)
    if summary["n"] == 0 and stats(warm)["n"]:
        summary = stats(warm) | {"warmup_only": True}
    errors = [s for s in warm + timed if s.error is not None]
    return {
        **summary,
        "errors": len(errors),
        "first_error": errors[0].error if errors else None,
        "notes": notes,
        "samples": [
            {"i": s.index, "ms": round(s.seconds * 1000, 3), "rows": s.rows, "digest": s.digest}
            | ({"error": s.error} if s.error else {})
            for s in warm + timed
        ],
    }


WRK_SCRIPT = """\
-- POST the form bodies of BODIES (one a line) in turn; each thread starts elsewhere in it.
local bodies, counter, tid = {}, 0, 0
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Accept"] = "application/sparql-results+json",
}
setup = function(thread) thread:set("tid", tid); tid = tid + 1 end
init = function(args) counter = (tid or 0) * 997 end
request = function()
  counter = counter + 1
  return wrk.format("POST", os.getenv("WRK_PATH"), headers, bodies[(counter % #bodies) + 1])
end
"""
WRK_BODIES = 2000
WRK_SETTLE_SECONDS = 2.0
_WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def wrk_throughput(
    engine: OverHttp, query: Query, plan: ParamPlan, opts: Options
) -> dict[str, Any]:
    """Requests per second measured by ``wrk``: one C thread holding ``concurrency``
    keep-alive connections, each request posting the next of 2 000 parameter sets. It costs
    the machine a fraction of what a Python client does, so the number is the server's, and
    the server's CPU time per request (its process tree, from ``/proc``) is recorded too."""
    bodies = engine.ctx.work / f"wrk-{query.name}.txt"
    lines = (
        urlencode({"query": query.render(plan.values(100_000 + i))}) for i in range(WRK_BODIES)
    )
    bodies.write_text("".join(line + "\n" for line in lines))
    script = engine.ctx.work / "wrk-post.lua"
    script.write_text(WRK_SCRIPT)
    url = urlsplit(engine.endpoint)
    env = {**os.environ, "BODIES": str(bodies), "WRK_PATH": url.path}
    seconds = max(1, round(opts.throughput_seconds))
    pid = engine.proc.pid if engine.proc is not None else None

    def load(duration: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["wrk", "-t1", f"-c{opts.concurrency}", f"-d{duration}s", "--latency", "-s",
             str(script), f"--timeout={engine.ctx.request_timeout:g}s",
             f"{url.scheme}://{url.netloc}"],
            capture_output=True, text=True, env=env, check=False,
            timeout=duration + opts.max_request_seconds + 30,
        )  # fmt: skip

    if opts.throughput_warmup >= 1:  # caches, page faults, lazily started workers
        load(round(opts.throughput_warmup))
        time.sleep(WRK_SETTLE_SECONDS)  # requests the warm-up left unanswered end or stop
    cpu_before = tree_cpu_seconds(pid) if pid is not None else None
    done = load(seconds)
    cpu = tree_cpu_seconds(pid) - cpu_before if pid is not None and cpu_before is not None else None
    out = done.stdout
    found = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    if done.returncode != 0 or found is None:
        return {"clients": opts.concurrency, "client": "wrk", "rps": 0.0, "requests": 0,
                "errors": 1, "first_errors": [(done.stderr or out)[-500:]], "median_ms": None,
                "p95_ms": None}  # fmt: skip
    requests = int(found[1])
    elapsed = float(found[2]) * _WRK_UNITS[found[3]] / 1000
    latency = {
        q: float(v) * _WRK_UNITS[u]
        for q, v, u in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(bad[1]) if bad else 0  # answered, but not with a result: not counted
    errors = failed + (sum(map(int, socket.groups())) if socket else 0)
    requests -= failed
    return {
        "clients": opts.concurrency,
        "client": "wrk",
        "seconds": round(elapsed, 3),
        "requests": requests,
        "errors": errors,
        "first_errors": [f"{failed} non-2xx answers"] if failed else [],
        "rps": round(requests / elapsed, 1) if elapsed > 0 else 0.0,
        "median_ms": latency.get("50"),
        "p95_ms": None,
        "p90_ms": latency.get("90"),
        "p99_ms": latency.get("99"),
        "server_cpu_ms_per_request": round(cpu * 1000 / requests, 3) if cpu and requests else None,
    }


def throughput(engine: Engine, query: Query, plan: ParamPlan, opts: Options) -> dict[str, Any]:
    """Requests per second with ``concurrency`` clients looping for ``throughput_seconds``."""
    if opts.throughput_client == "wrk" and isinstance(engine, OverHttp):
        return wrk_throughput(engine, query, plan, opts)
    width = opts.concurrency
    runners = [engine.runner() for _ in range(width)]
    done = [0] * width
    failed = [0] * width
    latencies: list[list[float]] = [[] for _ in range(width)]
    errors: list[str] = []
    finished = [0.0] * width
    barrier = threading.Barrier(width + 1)
    clock = {"deadline": 0.0}

    def work(slot: int) -> None:
        barrier.wait()
        deadline = clock["deadline"]
        count = 0
        while time.perf_counter() < deadline and count < MAX_REQUESTS_PER_THREAD:
            sample = run_once(runners[slot], query, plan, 100_000 + slot + count * width)
            count += 1
            if sample.error is None:
                done[slot] += 1
                latencies[slot].append(sample.seconds)
            else:
                failed[slot] += 1
                if len(errors) < 3:
                    errors.append(sample.error)
        finished[slot] = time.perf_counter()

    threads = [threading.Thread(target=work, args=(slot,), daemon=True) for slot in range(width)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    clock["deadline"] = start + opts.throughput_seconds
    barrier.wait()
    for thread in threads:
        thread.join(opts.throughput_seconds + opts.max_request_seconds + 30)
    elapsed = max(finished) - start if all(finished) else opts.throughput_seconds
    all_latencies = sorted(x for xs in latencies for x in xs)
    return {
        "clients": width,
        "seconds": round(elapsed, 3),
        "requests": sum(done),
        "errors": sum(failed),
        "first_errors": errors,
        "rps": round(sum(done) / elapsed, 1) if elapsed > 0 else 0.0,
        "median_ms": round(statistics.median(all_latencies) * 1000, 3) if all_latencies else None,
        "p95_ms": round(percentile(all_latencies, 0.95) * 1000, 3) if all_latencies else None,
    }


def count_quads(run: Runner) -> int | None:
    with contextlib.suppress(QueryFailed, ValueError, KeyError, IndexError, httpx.HTTPError):
        data = json.loads(run(COUNT_QUERY))
        return int(data["results"]["bindings"][0]["n"]["value"])
    return None


# --------------------------------------------------------------------------------------------
# Cross-engine checks
# --------------------------------------------------------------------------------------------


def compare(size_result: dict[str, Any], plan: ParamPlan, queries: list[Query]) -> None:
    """Per query: do all engines return the same rows for the same request? Fills verdicts."""
    for query in queries:
        entry = size_result["queries"].get(query.name)
        if not entry:
            continue
        by_engine = {
            engine: {s["i"]: s for s in result.get("samples", []) if "error" not in s}
            for engine, result in entry["engines"].items()
            if result.get("samples")
        }
        if len(by_engine) < 2:
            entry["verdict"] = {"compared": 0, "row_mismatches": [], "content_mismatches": []}
            continue
        common = sorted(set.intersection(*(set(samples) for samples in by_engine.values())))
        rows_bad, content_bad = [], []
        for index in common:
            rows = {engine: samples[index]["rows"] for engine, samples in by_engine.items()}
            digests = {engine: samples[index]["digest"] for engine, samples in by_engine.items()}
            values = plan.values(index)
            shown = {k: values[k] for k in query.placeholders}
            if len(set(rows.values())) > 1:
                rows_bad.append({"i": index, "params": shown, "rows": rows})
            elif len(set(digests.values())) > 1:
                content_bad.append({"i": index, "params": shown, "digests": digests})
        entry["verdict"] = {
            "compared": len(common),
            "row_mismatches": rows_bad[:10],
            "row_mismatch_count": len(rows_bad),
            "content_mismatches": content_bad[:10],
            "content_mismatch_count": len(content_bad),
        }
        for engine, samples in by_engine.items():
            entry["engines"][engine]["rows_total"] = sum(samples[i]["rows"] for i in common)


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    def output(*args: str) -> str:
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return (done.stdout + done.stderr).strip()

    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    virtuoso = next(
        (line for line in output("virtuoso-t", "-?").splitlines() if line.startswith("Version")),
        "not installed",
    )
    tg_version = ""
    with contextlib.suppress(OSError):
        match = re.search(r'"(.+?)"', (REPO / "src/treatygraph/_version.py").read_text())
        tg_version = match.group(1) if match else ""
    try:
        cli = output(oxigraph_cli(), "--version")
    except EngineUnavailable:
        cli = "not installed"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "free_h": output("free", "-h"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            "pyoxigraph": ox.__version__,
            "oxigraph_cli": cli,
            "virtuoso": virtuoso,
            "httpx": httpx.__version__,
            "treatygraph": tg_version,
        },
    }


def generate_data(size: int, seed: int, work: Path) -> tuple[Path, dict[str, Any]]:
    """The generated file for a size, reused while the generator, seed and ontology stay."""
    data = work / f"treaties-{size}-seed{seed}.nq"
    sidecar = Path(f"{data}.params.json")
    inputs = [
        BENCH / "generate.py",
        REPO / "ontology/treatygraph.ttl",
        REPO / "ontology/shapes.ttl",
    ]
    stamp = hashlib.sha256(b"".join(p.read_bytes() for p in inputs)).hexdigest()[:16]
    stamp_file = Path(f"{data}.stamp")
    fresh = (
        data.exists()
        and sidecar.exists()
        and stamp_file.exists()
        and stamp_file.read_text() == stamp
    )
    if not fresh:
        subprocess.run(
            [sys.executable, str(BENCH / "generate.py"), "--triples", str(size),
             "--seed", str(seed), "--out", str(data)],
            check=True,
            timeout=LOAD_SECONDS,
        )  # fmt: skip
        stamp_file.write_text(stamp)
    return data, json.loads(sidecar.read_text())


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_size(
    size: int,
    engines: list[str],
    queries: list[Query],
    opts: Options,
    args: argparse.Namespace,
    history: dict[tuple[str, str], tuple[int, float]],
    write: Callable[[], None],
    result: dict[str, Any],
) -> None:
    work = args.work_dir / f"size-{size}"
    work.mkdir(parents=True, exist_ok=True)
    say(f"== {size} quads: generating")
    data, params = generate_data(size, args.seed, args.work_dir)
    quads = int(params["quads"])
    plan = ParamPlan(params, args.seed)
    result.update(
        {
            "size": size,
            "quads": quads,
            "bytes": params["bytes"],
            "data_counts": params["counts"],
            "engines": {},
            "queries": {
                q.name: {"title": q.title, "placeholders": list(q.placeholders), "engines": {}}
                for q in queries
            },
            "throughput": {},
        }
    )
    ctx = Context(work, data, quads, args.max_request_seconds * 3, args.oxigraph_timeout)
    for name in engines:
        if args.deadline and time.monotonic() > args.deadline:
            result["engines"][name] = {"status": "skipped", "reason": "run time budget spent"}
            continue
        engine = make_engine(name, ctx)
        say(f"-- {size}: {name}: setting up")
        try:
            info = engine.setup()
        except EngineUnavailable as exc:
            say(f"   {name} skipped: {exc}")
            result["engines"][name] = {"status": "skipped", "reason": str(exc)}
            engine.close()
            write()
            continue
        try:
            run = engine.runner()
            info |= {
                "status": "ok",
                "transport": engine.transport,
                "quads_visible": count_quads(run),
                # Other work on the machine skews timings; the load average shows when it did.
                "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            }
            result["engines"][name] = info
            say(f"   loaded in {info['load_seconds']} s, {info['quads_visible']} quads visible")
            for query in queries:
                previous = history.get((name, query.name))
                if previous and previous[1] * quads / previous[0] > opts.max_request_seconds:
                    expected = previous[1] * quads / previous[0]
                    result["queries"][query.name]["engines"][name] = {
                        "n": 0,
                        "skipped": f"{previous[1]:.1f} s per request at {previous[0]} quads: "
                        f"expected ≥ {expected:.0f} s here, over --max-request-seconds",
                    }
                    say(f"   {query.name}: skipped (expected ≥ {expected:.0f} s per request)")
                    continue
                measured = measure(run, query, plan, opts)
                result["queries"][query.name]["engines"][name] = measured
                if measured.get("n"):
                    history[(name, query.name)] = (quads, measured["median_ms"] / 1000)
                say(
                    f"   {query.name:28} median {measured.get('median_ms', '-')} ms, "
                    f"p95 {measured.get('p95_ms', '-')} ms, n={measured.get('n')}, "
                    f"errors={measured['errors']}"
                )
            by_name = {q.name: q for q in queries}
            # In the order given: a slow query's load test leaves requests running that the
            # next test would meet (its clients gave up, the server may still be computing).
            for wanted in opts.throughput_queries:
                query = by_name.get(wanted)
                if query is None:
                    continue
                got = throughput(engine, query, plan, opts)
                result["throughput"].setdefault(query.name, {})[name] = got
                rps, failed = got["rps"], got["errors"]
                say(f"   {query.name} x{opts.concurrency}: {rps} req/s ({failed} errors)")
            info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
            info |= engine.memory()
        finally:
            engine.close()
        write()
    compare(result, plan, queries)
    write()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="quad counts, comma-separated")
    parser.add_argument("--engines", default=",".join(ALL_ENGINES), help="comma-separated")
    parser.add_argument("--queries", default="", help="query names (file stems); default all")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")
    parser.add_argument("--concurrency", type=int, default=8, help="clients for req/s")
    parser.add_argument("--throughput-seconds", type=float, default=5.0)
    parser.add_argument(
        "--throughput-warmup",
        type=float,
        default=3.0,
        help="seconds of unmeasured load before each wrk measurement (0: none)",
    )
    parser.add_argument(
        "--throughput-queries", default=",".join(THROUGHPUT_QUERIES), help="comma-separated"
    )
    parser.add_argument(
        "--throughput-client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="wrk (a C load generator: the server's limit) or Python threads; auto: wrk if found",
    )
    parser.add_argument(
        "--max-query-seconds", type=float, default=60.0, help="time budget per query and engine"
    )
    parser.add_argument(
        "--max-request-seconds",
        type=float,
        default=20.0,
        help="a request slower than this ends that query's loop; servers time out at 3x",
    )
    parser.add_argument(
        "--budget-minutes", type=float, default=0.0, help="skip engines once spent (0: none)"
    )
    parser.add_argument(
        "--oxigraph-timeout",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pass --timeout-s to oxigraph serve (0.5.13 fails part of a keep-alive load with it)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "results.json")
    parser.add_argument("--keep-work", action="store_true", help="keep stores after the run")
    args = parser.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for name in engines:
        if name not in ALL_ENGINES:
            parser.error(f"unknown engine {name!r}; known: {', '.join(ALL_ENGINES)}")
    queries = load_queries([q for q in args.queries.split(",") if q.strip()] or None)
    opts = Options(
        warmup=max(0, args.warmup),
        repeat=max(1, args.repeat),
        max_query_seconds=args.max_query_seconds,
        max_request_seconds=args.max_request_seconds,
        concurrency=max(1, args.concurrency),
        throughput_seconds=args.throughput_seconds,
        throughput_warmup=max(0.0, args.throughput_warmup),
        throughput_queries=tuple(q for q in args.throughput_queries.split(",") if q),
        throughput_client=(
            ("wrk" if shutil.which("wrk") else "python")
            if args.throughput_client == "auto"
            else args.throughput_client
        ),
    )
    if opts.throughput_client == "wrk" and not shutil.which("wrk"):
        parser.error("--throughput-client wrk: wrk is not installed (apt-get install wrk)")
    args.deadline = time.monotonic() + args.budget_minutes * 60 if args.budget_minutes > 0 else None
    args.work_dir.mkdir(parents=True, exist_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)

    signal.signal(signal.SIGTERM, _on_sigterm)
    atexit.register(PROCESSES.stop_all)
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "options": {
            "sizes": sizes,
            "engines": engines,
            "queries": [q.name for q in queries],
            "warmup": opts.warmup,
            "repeat": opts.repeat,
            "concurrency": opts.concurrency,
            "throughput_seconds": opts.throughput_seconds,
            "throughput_warmup": opts.throughput_warmup,
            "throughput_queries": list(opts.throughput_queries),
            "throughput_client": opts.throughput_client,
            "max_query_seconds": opts.max_query_seconds,
            "max_request_seconds": opts.max_request_seconds,
            "seed": args.seed,
        },
        "sizes": [],
    }

    def write() -> None:
        tmp = args.out.with_suffix(".json.part")
        tmp.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        tmp.replace(args.out)

    history: dict[tuple[str, str], tuple[int, float]] = {}
    began = time.perf_counter()
    try:
        for size in sizes:
            size_result: dict[str, Any] = {}
            report["sizes"].append(size_result)
            run_size(size, engines, queries, opts, args, history, write, size_result)
    except KeyboardInterrupt:
        say("interrupted: stopping servers, keeping the results so far")
        report["interrupted"] = True
        return 130
    finally:
        PROCESSES.stop_all()
        report["seconds"] = round(time.perf_counter() - began, 1)
        write()
        if not args.keep_work:
            for size in sizes:
                shutil.rmtree(args.work_dir / f"size-{size}", ignore_errors=True)
    say(f"results: {args.out} ({report['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
