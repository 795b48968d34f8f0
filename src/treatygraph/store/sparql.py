"""The remote backend: an existing SPARQL 1.1 store, over Query, Update and Graph Store HTTP.

The only module that talks HTTP to a store. It answers as the embedded store does (the
contract suite in ``tests/store`` runs on both), and hides what differs between engines
(:mod:`treatygraph.store.dialects`):

* **Union default graph.** A query's default graph is the union of the named graphs, and
  ``default_graphs`` restricts it, on every engine: a request parameter, a pragma, or the
  list of graphs is added to each query as the dialect requires.
* **Atomic writes.** A :class:`Change` is one update request (``DROP SILENT`` + ``INSERT
  DATA``), or a Graph Store ``PUT`` when it replaces a single graph. A change larger than
  ``batch_triples`` is sent in batches into staging graphs and moved into place by one last
  update (:mod:`treatygraph.store.staging`); a failed batch is retried with backoff.
* **Time limits.** Each query carries the engine's own limit where it has one, and the
  client stops waiting at the deadline (the HTTP timeout is the time the deadline leaves):
  both end in QueryTimeout.
* **Errors.** A syntax error from the engine is a QuerySyntaxError with the engine's message
  and the line and column where it gives them; an unreachable store, a refusal of the
  credentials or an engine failure is a StoreError naming the endpoint (never the
  credentials).

Why httpx, not SPARQLWrapper, carries the requests: results are streamed, so the first row
reaches the client before the engine has sent the last one, and memory stays flat however
large the result (SPARQLWrapper reads and decodes the whole body first); connections are
kept alive and pooled across threads (SPARQLWrapper opens one per query, a TLS handshake
each over https); and one client holds the authentication, the timeouts and the error
mapping for Query, Update and the Graph Store Protocol alike. Results are read as SPARQL
JSON (:mod:`treatygraph.store.json_results`, which every engine writes, quirks included)
and graphs as N-Triples (parsed by Oxigraph's parser as they arrive).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Generator, Sequence
from typing import Any, BinaryIO, Literal, NoReturn, TypeVar
from urllib.parse import urlencode

import httpx
from rdflib import Graph

from treatygraph._version import __version__
from treatygraph.config import Settings
from treatygraph.errors import QueryTimeout, StoreError, TreatygraphError
from treatygraph.store.base import (
    AskResult,
    Capabilities,
    Change,
    Deadline,
    GraphResult,
    QueryResult,
    SelectResult,
)
from treatygraph.store.changes import change_update, has_bnodes, insert_update
from treatygraph.store.dialects import (
    ARQ_UNION_GRAPH,
    DIALECTS,
    Dialect,
    derived_endpoints,
    detect,
    engine_syntax_error,
    query_form,
    virtuoso_exclusions,
)
from treatygraph.store.json_results import JsonResults, ResultsError
from treatygraph.store.oxigraph import copy_rdf, parse_ntriples
from treatygraph.store.staging import batches, staging_graph
from treatygraph.store.streams import Body, Stream, redacted

logger = logging.getLogger("treatygraph.store")

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
WRITE_SECONDS = 300.0
"""How long a write request (or a query without a deadline) may take."""
RETRIES = 4
BACKOFF_SECONDS = 0.5
_NO_GRAPH = "urn:x-treatygraph:no-graph"
"""A default graph for 'the union of no graphs': a graph nobody has."""
_GRAPH_PUT = frozenset({"oxigraph", "fuseki", "graphdb"})
_CHECK_EVERY = 256
_TRANSIENT = frozenset({429, 502, 503, 504})

T = TypeVar("T")


class _Transient(StoreError):
    """A write failed in a way that may pass (network, overload); it may have been applied."""


class SparqlStore:
    """A remote SPARQL 1.1 store; ``endpoint`` is its query endpoint.

    ``dialect`` names the engine (``auto``: from the ``Server`` header of a first request,
    which also checks that the endpoint answers). ``auth`` is any httpx authentication;
    ``transport`` replaces the network (tests). Raises StoreError when the store does not
    answer.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store_endpoint: str | None = None,
        dialect: str = "auto",
        auth: httpx.Auth | None = None,
        batch_triples: int = 50_000,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._closed = False
        self._client = httpx.Client(
            auth=auth,
            transport=transport or httpx.HTTPTransport(retries=2),
            headers={"User-Agent": f"treatygraph/{__version__}"},
            timeout=httpx.Timeout(WRITE_SECONDS, connect=10.0),
        )
        try:
            server = self._probe()
            self.dialect: Dialect = (
                DIALECTS[dialect] if dialect != "auto" else detect(server, endpoint)
            )
            derived_update, derived_store = derived_endpoints(self.dialect, endpoint)
            self.update_endpoint = update_endpoint or derived_update
            self.graph_store_endpoint = graph_store_endpoint or derived_store
            self.batch_triples = min(batch_triples, self.dialect.batch_triples or batch_triples)
            # Graph Store POSTs of N-Triples take the configured size on every engine.
            self.stage_triples = batch_triples if self.graph_store_endpoint else self.batch_triples
            self.capabilities = Capabilities(
                persistent=True,
                transactions=self.dialect.transactions,
                write_batch=self.batch_triples,
            )
            if self.dialect.union == "native":
                self._check_union()
        except BaseException:
            self._client.close()
            raise
        logger.info("remote store %s (%s)", redacted(endpoint), self.dialect.name)

    @classmethod
    def from_settings(
        cls, settings: Settings, transport: httpx.BaseTransport | None = None
    ) -> SparqlStore:
        """The store ``settings`` name, with the credentials they carry."""
        endpoint = settings.remote_endpoint
        if endpoint is None:
            raise StoreError("no remote store is configured")
        auth: httpx.Auth | None = None
        if settings.store_token is not None:
            auth = _Bearer(settings.store_token.get_secret_value())
        elif settings.store_user is not None:
            password = settings.store_password.get_secret_value() if settings.store_password else ""
            scheme = httpx.DigestAuth if settings.store_auth_scheme == "digest" else httpx.BasicAuth
            auth = scheme(settings.store_user, password)
        return cls(
            endpoint,
            update_endpoint=settings.update_endpoint,
            graph_store_endpoint=settings.graph_store_endpoint,
            dialect=settings.store_dialect,
            auth=auth,
            batch_triples=settings.store_batch_triples,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"SparqlStore({redacted(self.endpoint)}, {self.dialect.name})"

    # -- queries -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        deadline: Deadline | None = None,
    ) -> QueryResult:
        text, dataset = self._dataset(sparql, default_graphs, named_graphs)
        return self._query(text, dataset, deadline, original=sparql)

    def _query(
        self,
        text: str,
        dataset: list[tuple[str, str]],
        deadline: Deadline | None,
        original: str | None = None,
    ) -> QueryResult:
        form = query_form(text)
        if form in ("construct", "describe"):
            accept = N_TRIPLES
        else:
            accept = JSON_RESULTS if form else f"{JSON_RESULTS}, {N_TRIPLES};q=0.9"
        timeout = WRITE_SECONDS
        fields = [("query", text), *dataset]
        if deadline is not None and deadline.at is not None:
            timeout = deadline.remaining() or 0.0
            if timeout <= 0:
                deadline.check()
            if self.dialect.timeout_param is not None:
                name, unit = self.dialect.timeout_param
                fields.append((name, str(max(1, int(timeout * unit)))))
        response = self._send(
            "POST",
            self.endpoint,
            "query",
            content=urlencode(fields).encode(),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
            timeout=timeout,
            text=original if original is not None else text,
        )
        return self._result(response, deadline)

    def _result(self, response: httpx.Response, deadline: Deadline | None) -> QueryResult:
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = Body(response, deadline, self.dialect.cancelled, self.endpoint)
        try:
            if media_type in (N_TRIPLES, "text/plain"):
                return GraphResult(Stream(parse_ntriples(body.reader()), body))
            if media_type in (JSON_RESULTS, "application/json"):
                results = JsonResults(body.chunks())
                if results.boolean is not None:
                    body.close()
                    return AskResult(results.boolean)
                return SelectResult(results.variables, Stream(results.rows(), body))
        except (ResultsError, SyntaxError, OSError, ValueError, httpx.HTTPError) as exc:
            body.close()
            raise body.failure(exc) from None
        body.close()
        raise StoreError(
            f"the SPARQL store at {redacted(self.endpoint)} answered "
            f"{media_type or 'without a content type'}, not SPARQL results"
        )

    def _dataset(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> tuple[str, list[tuple[str, str]]]:
        """The query text and protocol parameters that give it the embedded store's dataset:
        the union of the named graphs as the default graph unless ``default_graphs``."""
        params = [("named-graph-uri", g) for g in named_graphs or ()]
        if default_graphs:
            return sparql, [*(("default-graph-uri", g) for g in default_graphs), *params]
        union = self.dialect.union
        if union == "param" and not named_graphs:
            return sparql, [("union-default-graph", "")]
        if union == "arq":
            return sparql, [("default-graph-uri", ARQ_UNION_GRAPH), *params]
        if union == "exclude" and not named_graphs:
            return virtuoso_exclusions(self.endpoint, sparql) + sparql, []
        if union == "native" and not named_graphs:
            return sparql, []
        # Named graphs given (which empties the protocol's default graph), or no other way:
        # every graph by name, as the default graph and (unless given) as the named graphs.
        every = self.graphs() or [_NO_GRAPH]
        if not named_graphs:
            params = [("named-graph-uri", g) for g in every]
        return sparql, [*(("default-graph-uri", g) for g in every), *params]

    # -- writes ------------------------------------------------------------------------------

    def update(self, sparql: str, *, deadline: Deadline | None = None) -> None:
        timeout = WRITE_SECONDS
        if deadline is not None and deadline.at is not None:
            deadline.check()
            timeout = deadline.remaining() or 0.0
        self._update(sparql, "update", timeout=timeout)

    def apply(self, change: Change, *, progress: Callable[[int], None] | None = None) -> None:
        """One request when the change is at most ``batch_triples``; else staged batches and
        one last request that moves them into place (readers see the old or the new graphs).
        Blank nodes on an engine that refuses them in ``INSERT DATA`` are staged too."""
        contents = [*change.graphs.values(), *change.descriptions.values()]
        total = sum(len(g) for g in contents)
        refused = not self.dialect.insert_data_bnodes and any(has_bnodes(g) for g in contents)
        if total <= self.batch_triples and not refused:
            if not self._put_graph(change):
                text = change_update(change, insert_data_bnodes=self.dialect.insert_data_bnodes)
                if text is not None:
                    self._update(text, "change")
        else:
            filled = {
                name: content
                for name, content in (*change.graphs.items(), *change.descriptions.items())
                if len(content)
            }
            staged = {name: staging_graph(name) for name in filled}
            try:
                self._stage(filled, staged, progress)
                final = change_update(
                    change, insert_data_bnodes=self.dialect.insert_data_bnodes, staged=staged
                )
                if final is not None:
                    self._update(final, "change")
            except BaseException:
                drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in staged.values())
                with contextlib.suppress(TreatygraphError):
                    self._update(drops, "change")
                raise
        if progress is not None:
            progress(total)

    def _put_graph(self, change: Change) -> bool:
        """Replace a single graph by a Graph Store PUT, where the engine's PUT is atomic."""
        if change.descriptions or len(change.graphs) != 1 or self.graph_store_endpoint is None:
            return False
        if self.dialect.name not in _GRAPH_PUT:
            return False
        ((graph, content),) = change.graphs.items()
        if not len(content):
            return False
        self._close(
            self._send(
                "PUT",
                self.graph_store_endpoint,
                "change",
                params={"graph": graph},
                content=content.serialize(format="nt", encoding="utf-8"),
                headers={"Content-Type": N_TRIPLES},
            )
        )
        return True

    def _stage(
        self,
        contents: dict[str, Graph],
        staged: dict[str, str],
        progress: Callable[[int], None] | None,
    ) -> None:
        """Fill the staging graphs batch by batch: Graph Store POSTs of N-Triples where the
        store has a Graph Store endpoint (no SPARQL parser in the way: Virtuoso's stops at a
        few thousand triples), else ``INSERT DATA`` updates. A batch that failed in a way
        that may pass is sent again after a pause; one with blank nodes cannot be (a second
        copy would add new nodes), so the staging starts over. At most RETRIES attempts."""
        by_staging = {staged[name]: content for name, content in contents.items()}
        clear = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in by_staging)
        for attempt in range(RETRIES):
            try:
                self._update(clear, "change", retry=True)
                done = 0
                for batch in batches(by_staging, self.stage_triples):
                    if self.graph_store_endpoint is not None:
                        for name, content in batch.graphs.items():
                            self._post_graph(name, content, retry=not batch.bnodes)
                    else:
                        text = insert_update(batch.graphs, self.dialect.insert_data_bnodes)
                        self._update(text, "change", retry=not batch.bnodes)
                    done += batch.size
                    if progress is not None:
                        progress(done)
                return
            except _Transient as exc:
                if attempt == RETRIES - 1:
                    raise StoreError(str(exc)) from None
                logger.warning("staging failed (%s); starting it over", exc)
                time.sleep(BACKOFF_SECONDS * 2**attempt)

    def _update(self, text: str, what: str, *, retry: bool = False, timeout: float = 0.0) -> None:
        """POST an update (see :meth:`_write` for ``retry``)."""
        self._write(
            self.update_endpoint,
            what,
            retry=retry,
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
            timeout=timeout or WRITE_SECONDS,
            text=text,
        )

    def _post_graph(self, graph: str, content: Graph, *, retry: bool) -> None:
        """Add ``content`` to ``graph`` with a Graph Store POST."""
        if self.graph_store_endpoint is None:  # pragma: no cover - callers check
            raise StoreError("the store has no Graph Store endpoint")
        self._write(
            self.graph_store_endpoint,
            "change",
            retry=retry,
            params={"graph": graph},
            content=content.serialize(format="nt", encoding="utf-8"),
            headers={"Content-Type": N_TRIPLES},
        )

    def _write(self, url: str, what: str, *, retry: bool, **request: Any) -> None:
        """POST a write. ``retry``: it may be applied twice, so a failure that may pass is
        retried with backoff; otherwise such a failure raises _Transient."""
        for attempt in range(RETRIES if retry else 1):
            try:
                self._close(self._send("POST", url, what, **request))
                return
            except _Transient as exc:
                if attempt == RETRIES - 1 or not retry:
                    raise
                logger.warning("a write to the store failed (%s); retrying", exc)
                time.sleep(BACKOFF_SECONDS * 2**attempt)

    # -- inspection --------------------------------------------------------------------------

    def graphs(self) -> list[str]:
        text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        if self.dialect.union == "exclude":
            text = virtuoso_exclusions(self.endpoint) + text
        result = self._query(text, [], None)
        if not isinstance(result, SelectResult):  # pragma: no cover - a SELECT
            raise StoreError("the store answered a SELECT without solutions")
        return sorted({row[0].value for row in result.rows if row[0] is not None})

    def count(self, graph: str | None = None) -> int:
        pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
        if graph is None and self.dialect.union == "exclude":
            text = virtuoso_exclusions(self.endpoint) + text
        result = self._query(text, [], None)
        if not isinstance(result, SelectResult):  # pragma: no cover - a SELECT
            raise StoreError("the store answered a SELECT without solutions")
        for (value,) in result.rows:
            return int(value.value) if value is not None else 0
        return 0

    def dump(self, out: BinaryIO, fmt: Literal["nquads", "trig"] = "nquads") -> None:
        """Every quad: one Graph Store GET where the engine dumps its dataset (a consistent
        snapshot), else one CONSTRUCT per named graph (each graph consistent by itself)."""
        if self.dialect.dataset_dump and self.graph_store_endpoint is not None:
            response = self._send(
                "GET", self.graph_store_endpoint, "dump", headers={"Accept": N_QUADS}
            )
            self._copy(response, out, "nquads", fmt)
            return
        for graph in self.graphs():
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            response = self._send(
                "POST",
                self.endpoint,
                "dump",
                content=urlencode({"query": query}).encode(),
                headers={"Accept": N_TRIPLES, "Content-Type": "application/x-www-form-urlencoded"},
            )
            self._copy(response, out, "ntriples", fmt, graph)

    def _copy(
        self,
        response: httpx.Response,
        out: BinaryIO,
        source: Literal["nquads", "ntriples"],
        fmt: Literal["nquads", "trig"],
        graph: str | None = None,
    ) -> None:
        body = Body(response, None, None, self.endpoint)
        try:
            if source == fmt:
                for chunk in body.chunks():
                    out.write(chunk)
            else:
                copy_rdf(body.reader(), out, source_format=source, fmt=fmt, graph=graph)
        except (SyntaxError, OSError, ValueError, httpx.HTTPError) as exc:
            raise body.failure(exc) from None
        finally:
            body.close()

    def close(self) -> None:
        self._closed = True
        self._client.close()

    # -- HTTP --------------------------------------------------------------------------------

    def _probe(self) -> str:
        """Ask ``ASK {}``: fails early when the endpoint is wrong; returns the Server header."""
        response = self._send(
            "GET",
            self.endpoint,
            "query",
            params={"query": "ASK {}"},
            headers={"Accept": JSON_RESULTS},
            timeout=30.0,
            text="ASK {}",
        )
        self._close(response)
        return str(response.headers.get("server", ""))

    def _check_union(self) -> None:
        named = self._query("ASK { GRAPH ?g { ?s ?p ?o } }", [], None)
        union = self._query("ASK { ?s ?p ?o }", [], None)
        if named == AskResult(True) and union == AskResult(False):
            raise StoreError(
                f"the default graph of the store at {redacted(self.endpoint)} is not the union "
                "of its named graphs: turn its union default graph on (docs/deploy.md), or "
                "set TREATYGRAPH_STORE_DIALECT=generic"
            )

    def _send(
        self,
        method: str,
        url: str,
        what: str,
        *,
        timeout: float = WRITE_SECONDS,
        text: str = "",
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request and return the open (streaming) response, or raise the error the
        engine's answer means. The caller closes the response."""
        if self._closed:
            raise StoreError("the store is closed")
        shown = redacted(url)
        try:
            request = self._client.build_request(
                method, url, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), **kwargs
            )
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException:
            if what == "query":
                raise QueryTimeout(
                    f"the SPARQL store at {shown} did not answer within {timeout:.3g} s"
                ) from None
            raise _Transient(
                f"the SPARQL store at {shown} did not answer the {what} within {timeout:.3g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise _Transient(f"cannot reach the SPARQL store at {shown}: {exc}") from None
        if response.status_code >= 300 or response.headers.get("x-sql-state"):
            try:
                self._refuse(response, shown, what, text)
            finally:
                response.close()
        return response

    def _refuse(self, response: httpx.Response, shown: str, what: str, text: str) -> NoReturn:
        status = response.status_code
        try:
            message = response.read()[:4000].decode("utf-8", "replace").strip()
        except httpx.HTTPError:
            message = ""
        if status < 300:  # Virtuoso's "anytime" answer: a partial result at its time limit
            state = response.headers.get("x-sql-state", "")
            detail = response.headers.get("x-sql-message", "")
            raise QueryTimeout(f"the store stopped the query at its time limit ({state} {detail})")
        if status == 400 and what in ("query", "update"):
            raise engine_syntax_error(self.dialect, message, text, what)
        if status in (401, 403):
            raise StoreError(
                f"the SPARQL store at {shown} refused the request (HTTP {status}): set "
                "TREATYGRAPH_STORE_USER and TREATYGRAPH_STORE_PASSWORD, or "
                "TREATYGRAPH_STORE_TOKEN, to credentials that may "
                + ("write" if what in ("update", "change") else "read")
            )
        if status == 404:
            raise StoreError(f"no SPARQL {what} service at {shown} (HTTP 404)")
        if what == "query" and status in (408, 504):
            raise QueryTimeout(f"the SPARQL store at {shown} gave up on the query (HTTP {status})")
        summary = message.splitlines()[0][:300] if message else response.reason_phrase
        if what in ("update", "change") and status not in _TRANSIENT:
            unchanged = " and changed nothing" if self.dialect.transactions else ""
            raise StoreError(
                f"the {what} failed{unchanged} (HTTP {status} from {shown}): {summary}"
            )
        error = _Transient if status in _TRANSIENT else StoreError
        raise error(f"the SPARQL store at {shown} failed (HTTP {status}): {summary}")

    @staticmethod
    def _close(response: httpx.Response) -> None:
        with contextlib.suppress(httpx.HTTPError):
            response.read()
        response.close()


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "_Bearer(***)"
