"""Liveness and readiness.

``/healthz`` (liveness): the process answers HTTP. Says nothing about the store, on purpose,
so an orchestrator does not restart a healthy server because one query is slow.

``/readyz`` (readiness): 200 once the store is open and the bundled graph loaded (the app's
start-up has finished) and the store answers a trivial query within a few seconds; 503
before, during shutdown, and while the store does not answer, so a load balancer sends
traffic elsewhere.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from treatygraph._version import __version__
from treatygraph.errors import StoreError, TreatygraphError
from treatygraph.store.base import Deadline, Store

router = APIRouter(tags=["health"])

READY_SECONDS = 5.0
"""How long the store may take to answer the readiness query."""


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """200 with ``{"status": "ok"}`` while the server runs."""
    return {"status": "ok", "version": __version__}


@router.get("/readyz")
async def readyz(request: Request) -> dict[str, str]:
    """200 with ``{"status": "ready"}`` when the service can answer; else a 503 problem."""
    if not getattr(request.app.state, "ready", False):
        raise StoreError("not ready: the store is still opening or loading the bundled graph")
    store = request.app.state.store
    try:
        await asyncio.wait_for(run_in_threadpool(_ping, store), timeout=READY_SECONDS)
    except TimeoutError:
        raise StoreError(
            f"not ready: the store did not answer within {READY_SECONDS:g} s"
        ) from None
    except TreatygraphError as exc:
        raise StoreError(f"not ready: {exc}") from None
    return {"status": "ready", "version": __version__}


def _ping(store: Store) -> None:
    store.query("ASK { ?s ?p ?o }", deadline=Deadline(READY_SECONDS))
