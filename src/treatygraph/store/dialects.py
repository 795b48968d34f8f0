"""What differs between SPARQL 1.1 engines, in one table, so the remote store behaves alike.

Each :class:`Dialect` says how an engine is made to answer as the embedded store does:

* **Union default graph.** treatygraph's default graph is the union of the named graphs.
  ``param``: Oxigraph server takes ``union-default-graph`` as a request parameter (whatever
  its ``--union-default-graph`` flag). ``arq``: Jena Fuseki answers the special default
  graph ``urn:x-arq:UnionGraph``. ``native``: the engine already queries all named graphs
  without a dataset (GraphDB, Amazon Neptune, Fuseki with ``unionDefaultGraph``); checked
  when the store is opened. ``exclude``: Virtuoso queries every graph, its own system graphs
  too, so those are excluded with ``define input:*-graph-exclude`` (except in a query that
  names a graph by a constant, where Virtuoso would then find nothing: see
  :func:`virtuoso_exclusions`). ``listed``: any other
  engine gets every named graph as a ``default-graph-uri`` (correct everywhere, one more
  request per query and long requests for many graphs).
* **Blank nodes in INSERT DATA**: Virtuoso 7 refuses them; changes with blank nodes are sent
  as ``INSERT { … } WHERE {}`` there, which also inserts fresh blank nodes.
* **Atomic updates**: Virtuoso commits the operations of a request that ran before one that
  failed (``transactions`` False): a request that fails half-way may leave its first part.
* **The engine's own time limit** (``timeout_param``), sent with each query besides the
  client's deadline. Virtuoso then answers a partial result with an ``X-SQL-State`` header,
  which the store turns into QueryTimeout.
* **Where syntax errors put the position**, and how a cancelled result stream ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from treatygraph.errors import QuerySyntaxError
from treatygraph.store.base import syntax_error

UnionMode = Literal["param", "arq", "native", "exclude", "listed"]
DIALECT_NAMES = ("auto", "oxigraph", "fuseki", "graphdb", "virtuoso", "neptune", "generic")

ARQ_UNION_GRAPH = "urn:x-arq:UnionGraph"
VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
    "http://localhost:8890/DAV/",
    "http://localhost:8890/sparql",
)
"""Graphs a fresh Virtuoso 7 holds for itself (and some of its add-ons); never ours."""


@dataclass(frozen=True)
class Dialect:
    name: str
    union: UnionMode
    insert_data_bnodes: bool = True
    transactions: bool = True
    timeout_param: tuple[str, float] | None = None
    """Request parameter for the engine's own time limit, and its unit per second."""
    dataset_dump: bool = False
    """A Graph Store GET without ``graph`` returns every quad (one consistent dump)."""
    batch_triples: int | None = None
    """Triples per write request when smaller than the configured batch size."""
    cancelled: bytes | None = None
    """What the engine writes into a result it stopped at its own time limit."""
    position: re.Pattern[str] | None = None
    """Where its syntax error messages give ``line`` (and ``column``)."""


_LINE_COLUMN = re.compile(r"at (?P<line>\d+):(?P<column>\d+)")
DIALECTS: dict[str, Dialect] = {
    "oxigraph": Dialect(
        "oxigraph",
        union="param",
        dataset_dump=True,
        cancelled=b"The SPARQL operation has been cancelled",
        position=_LINE_COLUMN,
    ),
    "fuseki": Dialect(
        "fuseki",
        union="arq",
        timeout_param=("timeout", 1.0),
        dataset_dump=True,
        position=re.compile(r"line (?P<line>\d+), column (?P<column>\d+)"),
    ),
    "graphdb": Dialect(
        "graphdb",
        union="native",
        timeout_param=("timeout", 1.0),
        position=re.compile(r"line (?P<line>\d+), column (?P<column>\d+)"),
    ),
    "virtuoso": Dialect(
        "virtuoso",
        union="exclude",
        insert_data_bnodes=False,
        transactions=False,
        timeout_param=("timeout", 1000.0),
        batch_triples=2_000,
        position=re.compile(r"SP\d+: SPARQL compiler, line (?P<line>\d+)"),
    ),
    "neptune": Dialect("neptune", union="native"),
    "generic": Dialect("generic", union="listed"),
}


def detect(server_header: str, url: str) -> Dialect:
    """The dialect for a ``Server`` response header and endpoint URL; ``generic`` if unknown."""
    server = server_header.lower()
    for marker, name in (
        ("oxigraph", "oxigraph"),
        ("virtuoso", "virtuoso"),
        ("fuseki", "fuseki"),
        ("graphdb", "graphdb"),
    ):
        if marker in server:
            return DIALECTS[name]
    parts = urlsplit(url)
    if "/repositories/" in parts.path:
        return DIALECTS["graphdb"]
    if parts.hostname and parts.hostname.endswith(".neptune.amazonaws.com"):
        return DIALECTS["neptune"]
    return DIALECTS["generic"]


def derived_endpoints(dialect: Dialect, query: str) -> tuple[str, str | None]:
    """The update and Graph Store endpoints an engine serves beside its query endpoint.

    >>> derived_endpoints(DIALECTS["oxigraph"], "http://localhost:7878/query")
    ('http://localhost:7878/update', 'http://localhost:7878/store')
    >>> derived_endpoints(DIALECTS["fuseki"], "http://localhost:3030/ds/sparql")
    ('http://localhost:3030/ds/update', 'http://localhost:3030/ds/data')
    """
    parts = urlsplit(query)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")

    def at(new_path: str) -> str:
        return urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    if dialect.name == "oxigraph" and last == "query":
        return at(head + "/update"), at(head + "/store")
    if dialect.name == "fuseki":
        if last in ("sparql", "query"):
            return at(head + "/update"), at(head + "/data")
        return query, query
    if dialect.name == "graphdb" and "/repositories/" in path:
        return at(path + "/statements"), at(path + "/rdf-graphs/service")
    if dialect.name == "virtuoso":
        crud = "/sparql-graph-crud-auth" if last == "sparql-auth" else "/sparql-graph-crud"
        return query, at(head + crud)
    return query, None


_OWN_DATASET = re.compile(r"(?i:\bGRAPH\s+[^?$\s]|\bFROM\s)")


def virtuoso_exclusions(endpoint: str, sparql: str = "") -> str:
    """The pragmas that hide Virtuoso's system graphs, for the start of a query's first line
    (so that line numbers in error messages stay those of the query).

    None when the query names a graph itself (``GRAPH <g>``, ``FROM``): with the pragmas,
    Virtuoso 7.2 finds nothing in a graph named by a constant; it is left to see every graph,
    as the query will mostly look in the graphs it names.

    >>> virtuoso_exclusions("http://h/sparql", "SELECT * { GRAPH <http://e/g> { ?s ?p ?o } }")
    ''
    """
    if _OWN_DATASET.search(sparql):
        return ""
    graphs = (*VIRTUOSO_SYSTEM_GRAPHS, endpoint)
    return "".join(
        f"define input:{which}-graph-exclude <{graph}> "
        for graph in graphs
        for which in ("default", "named")
    )


def engine_syntax_error(dialect: Dialect, message: str, text: str, what: str) -> QuerySyntaxError:
    """A QuerySyntaxError from an engine's message, with the line and column it names."""
    message = message.strip()
    if _LINE_COLUMN.search(message):  # already "at line:column", as syntax_error reads it
        return syntax_error(message, text, what)
    pattern = dialect.position
    found = pattern.search(message) if pattern is not None else None
    if found is not None and "column" in found.groupdict():
        normalised = f"at {found['line']}:{found['column']}: {message}"
        return syntax_error(normalised, text, what)
    if found is not None:
        line = int(found["line"])
        return QuerySyntaxError(f"malformed SPARQL {what} at line {line}: {message}", line)
    return syntax_error(message, text, what)


_COMMENT_OR_PROLOGUE = re.compile(
    r"""\s+|\#[^\n]*|(?i:define)\s+\S+\s+(?:<[^>]*>|"[^"]*"|\S+)
    |(?i:base)\s*<[^>]*>|(?i:prefix)\s*[^\s:]*:\s*<[^>]*>""",
    re.VERBOSE,
)
_FORM = re.compile(r"(?i:select|ask|construct|describe)\b")


def query_form(sparql: str) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe``, from the first keyword after the
    prologue; None when it cannot tell (the engine will say what is wrong).

    >>> query_form("PREFIX ex: <http://e/#> # a comment\\nconstruct { ?s ?p ?o } WHERE {}")
    'construct'
    """
    position = 0
    while (skipped := _COMMENT_OR_PROLOGUE.match(sparql, position)) and skipped.end() > position:
        position = skipped.end()
    found = _FORM.match(sparql, position)
    return found[0].lower() if found else None
