"""``GET /metrics``: Prometheus text exposition (see :mod:`treatygraph.metrics`).

The triples per graph come from one ``GROUP BY`` query, cached until the next write (at most
one count every 10 s) or a minute; article graphs are summed (``graph="articles"``) so that
the number of series does not grow with the corpus.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from treatygraph.errors import TreatygraphError
from treatygraph.metrics import CONTENT_TYPE
from treatygraph.namespaces import ARTICLE_GRAPH_PREFIX
from treatygraph.store.base import SelectResult, Store
from treatygraph.web.deps import MetricsDep, StoreDep, WriterDep

router = APIRouter(tags=["operations"])

_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@router.get("/metrics", response_class=Response)
async def metrics(metrics: MetricsDep, store: StoreDep, writer: WriterDep) -> Response:
    """Counters, the query latency histogram and the triples per graph."""
    try:
        graphs: dict[str, int] | None = await run_in_threadpool(
            metrics.graph_triples, writer.generation, lambda: _graph_triples(store)
        )
    except TreatygraphError:  # the store is busy or down: the other series still help
        graphs = None
    return Response(metrics.render(graphs), media_type=CONTENT_TYPE)


def _graph_triples(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    result = store.query(_COUNTS)
    if isinstance(result, SelectResult):
        for name, n in result.rows:
            if name is None or n is None:
                continue
            key = "articles" if name.value.startswith(ARTICLE_GRAPH_PREFIX) else name.value
            counts[key] = counts.get(key, 0) + int(n.value)
    return counts
