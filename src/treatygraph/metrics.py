"""The service's counters and histograms, rendered in the Prometheus text exposition format.

Hand-written rather than with ``prometheus_client``: the service needs four kinds of series
and one text format (0.0.4), and the client library's process-wide default registry would be
shared by every app built in one process (the test suite builds dozens); a registry per app
is what this module is, in about a hundred lines, with no dependency.

Series (all prefixed ``treatygraph_``):

``http_requests_total{method,route,status}``
    requests answered, by route *template* (``/id/{kind}/{slug}``, never the raw path, so a
    scan of random paths cannot grow the series without bound; unmatched paths are
    ``route="unmatched"``);
``query_duration_seconds{le}``
    histogram of SPARQL query requests, from the request to the last byte;
``timeouts_total{kind}``
    queries and writes stopped at their time limit (``kind`` query or update);
``writes_total{result}``, ``rejected_writes_total{reason}``
    writes committed, and writes refused by reason (``unauthorized``, ``forbidden``,
    ``invalid``, ``bad_request``, ``too_large``, ``busy``, ``timeout``, ``not_found``);
``graph_triples{graph}``
    triples per named graph (article graphs summed as ``graph="articles"``), computed by one
    query and cached until a write or :data:`GRAPH_STATS_SECONDS` pass (at most one count every
    :data:`GRAPH_STATS_MIN_SECONDS`).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable

QUERY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Upper bounds (seconds) of the query latency histogram."""
GRAPH_STATS_SECONDS = 60.0
"""Longest time the triples-per-graph figures are reused while no write happens."""
GRAPH_STATS_MIN_SECONDS = 10.0
"""Shortest time between two recounts, writes or not (a count costs ~0.5 s at 1 M)."""

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Histogram:
    """Cumulative buckets, a sum and a count; thread-safe through its owner's lock."""

    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(self.buckets, value)
        if index < len(self.counts):
            self.counts[index] += 1
        self.total += value
        self.count += 1


class Metrics:
    """One app's metrics; every method is thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.timeouts: Counter[str] = Counter()
        self.writes: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.query_latency = Histogram(QUERY_BUCKETS)
        self._graphs: dict[str, int] = {}
        self._graphs_at = -1.0
        self._graphs_generation = -1

    def request(self, method: str, route: str, status: int) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1

    def query(self, seconds: float) -> None:
        with self._lock:
            self.query_latency.observe(seconds)

    def timeout(self, kind: str) -> None:
        with self._lock:
            self.timeouts[kind] += 1

    def write(self, result: str) -> None:
        with self._lock:
            self.writes[result] += 1

    def rejected_write(self, reason: str) -> None:
        with self._lock:
            self.rejected[reason] += 1

    def graph_triples(
        self, generation: int, compute: Callable[[], dict[str, int]]
    ) -> dict[str, int]:
        """The cached triples per graph, recomputed with ``compute`` after a write (a new
        ``generation``) or when older than :data:`GRAPH_STATS_SECONDS`, but not more often
        than every :data:`GRAPH_STATS_MIN_SECONDS`."""
        now = time.monotonic()
        with self._lock:
            age = now - self._graphs_at
            unchanged = generation == self._graphs_generation
            if self._graphs_at >= 0 and (
                age < GRAPH_STATS_MIN_SECONDS or (unchanged and age < GRAPH_STATS_SECONDS)
            ):
                return dict(self._graphs)
        graphs = compute()
        with self._lock:
            self._graphs, self._graphs_at, self._graphs_generation = graphs, now, generation
        return dict(graphs)

    def render(self, graphs: dict[str, int] | None = None) -> str:
        """Every series in the text exposition format."""
        with self._lock:
            lines: list[str] = []
            _family(lines, "http_requests_total", "counter", "HTTP requests answered.")
            for (method, route, status), value in sorted(self.requests.items()):
                labels = {"method": method, "route": route, "status": str(status)}
                lines.append(_sample("http_requests_total", labels, value))
            _family(lines, "query_duration_seconds", "histogram", "SPARQL query requests.")
            cumulative = 0
            histogram = self.query_latency
            for bound, count in zip(histogram.buckets, histogram.counts, strict=True):
                cumulative += count
                lines.append(
                    _sample("query_duration_seconds_bucket", {"le": f"{bound:g}"}, cumulative)
                )
            lines.append(_sample("query_duration_seconds_bucket", {"le": "+Inf"}, histogram.count))
            lines.append(_sample("query_duration_seconds_sum", {}, histogram.total))
            lines.append(_sample("query_duration_seconds_count", {}, histogram.count))
            _counter(
                lines,
                "timeouts_total",
                "Requests stopped at a time limit.",
                "kind",
                self.timeouts,
                ("query", "update"),
            )
            _counter(
                lines, "writes_total", "Writes committed.", "result", self.writes, ("committed",)
            )
            _counter(
                lines,
                "rejected_writes_total",
                "Writes refused, by reason; nothing changed.",
                "reason",
                self.rejected,
                (),
            )
        if graphs is not None:
            _family(lines, "graph_triples", "gauge", "Triples per named graph.")
            for name, value in sorted(graphs.items()):
                lines.append(_sample("graph_triples", {"graph": name}, value))
        return "\n".join(lines) + "\n"


def _family(lines: list[str], name: str, kind: str, help_text: str) -> None:
    lines.append(f"# HELP treatygraph_{name} {help_text}")
    lines.append(f"# TYPE treatygraph_{name} {kind}")


def _counter(
    lines: list[str],
    name: str,
    help_text: str,
    label: str,
    values: Counter[str],
    always: Iterable[str],
) -> None:
    _family(lines, name, "counter", help_text)
    for key in sorted(set(values) | set(always)):
        lines.append(_sample(name, {label: key}, values.get(key, 0)))


def _sample(name: str, labels: dict[str, str], value: float) -> str:
    if labels:
        inner = ",".join(f'{key}="{_escape(v)}"' for key, v in labels.items())
        return (
            f"treatygraph_{name}{{{inner}}} {value:g}"
            if isinstance(value, float)
            else (f"treatygraph_{name}{{{inner}}} {value}")
        )
    return (
        f"treatygraph_{name} {value:g}"
        if isinstance(value, float)
        else f"treatygraph_{name} {value}"
    )


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
