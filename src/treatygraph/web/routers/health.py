"""Liveness: the process answers HTTP. Says nothing about the store, on purpose, so an
orchestrator does not restart a healthy server because one query is slow."""

from __future__ import annotations

from fastapi import APIRouter

from treatygraph._version import __version__

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """200 with ``{"status": "ok"}`` while the server runs."""
    return {"status": "ok", "version": __version__}
