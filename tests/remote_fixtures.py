"""Real SPARQL servers for the remote-store tests: Oxigraph server, and Virtuoso when installed.

Each runs as a subprocess on 127.0.0.1 with a temporary folder, started once per session
(lazily, by the first test that asks), waited for, and stopped by its PID at the end.
Tests get a clean dataset: :func:`clean` drops every graph the previous test left.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

VIRTUOSO = Path("/usr/bin/virtuoso-t")
READY_SECONDS = 60.0
ENGINE_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Server:
    """A running SPARQL server: its query endpoint and what to tell treatygraph about it."""

    name: str
    query: str
    update: str
    settings: dict[str, object]
    """Settings fields for a store over it (endpoints, dialect, credentials)."""
    pid: int

    def env(self) -> dict[str, str]:
        """``TREATYGRAPH_*`` variables that point a subprocess at this server."""
        return {f"TREATYGRAPH_{k.upper()}": str(v) for k, v in self.settings.items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(process: subprocess.Popen[bytes], ready: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"the server did not answer within {READY_SECONDS:.0f} s:\n{log.read_text()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def oxigraph_cli() -> str:
    local = Path(sys.executable).parent / "oxigraph"
    found = str(local) if local.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph CLI is missing: pip install -e '.[test]' installs it")
    return found


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[Server]:
    """``oxigraph serve --location DIR`` on a free loopback port, for the whole session."""
    folder = Path(tempfile.mkdtemp(prefix="treatygraph-oxigraph-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    process = _start(
        [
            oxigraph_cli(),
            "serve",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            str(ENGINE_TIMEOUT_SECONDS),
        ],
        log,
    )
    try:
        _wait(
            process, lambda: httpx.get(base + "/query", params={"query": "ASK {}"}).is_success, log
        )
        yield Server(
            "oxigraph-server",
            base + "/query",
            base + "/update",
            {"store": base + "/query"},
            process.pid,
        )
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


VIRTUOSO_INI = """\
[Database]
DatabaseFile    = {db}/virtuoso.db
ErrorLogFile    = {db}/virtuoso.log
LockFile        = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
FileExtend      = 200
Striping        = 0
TempStorage     = TempDatabase

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
CheckpointInterval   = 0
NumberOfBuffers      = 20000
MaxDirtyBuffers      = 15000
CaseMode             = 2
DirsAllowed          = .
VADInstallDir        = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}/www
ServerThreads        = 10
EnabledDavVSP        = 0
EnabledGzipContent   = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = {timeout}
"""


@pytest.fixture(scope="session")
def virtuoso_server() -> Iterator[Server]:
    """Debian's Virtuoso Open Source on loopback with a temporary database; the store talks
    to its authenticated endpoint (``/sparql-auth``, HTTP Digest, the default ``dba``)."""
    if not VIRTUOSO.exists():
        pytest.skip(
            f"{VIRTUOSO} is missing: apt-get install virtuoso-opensource to run the contract "
            "suite against Virtuoso"
        )
    folder = Path(tempfile.mkdtemp(prefix="treatygraph-virtuoso-"))
    (folder / "www").mkdir()
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            db=folder, sql_port=sql_port, http_port=http_port, timeout=ENGINE_TIMEOUT_SECONDS
        )
    )
    log = folder / "server.log"
    process = _start([str(VIRTUOSO), "+foreground", "+configfile", str(ini)], log)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(
            process, lambda: httpx.get(base + "/sparql", params={"query": "ASK {}"}).is_success, log
        )
        yield Server(
            "virtuoso",
            base + "/sparql-auth",
            base + "/sparql-auth",
            {
                "store": base + "/sparql-auth",
                "store_user": "dba",
                "store_password": "dba",
                "store_auth_scheme": "digest",
            },
            process.pid,
        )
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)
