"""``/api/labels``: the labels of a few IRIs, for the query editor's results table (which
shows each IRI by its label and links it to its page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from treatygraph.labels import MAX_IRIS, labels_of
from treatygraph.store.base import Deadline
from treatygraph.web.deps import SettingsDep, StoreDep

router = APIRouter(prefix="/api", tags=["labels"])


@router.get("/labels", summary="Labels of IRIs")
async def labels(
    store: StoreDep,
    settings: SettingsDep,
    iri: Annotated[list[str], Query(description=f"An IRI (repeat, at most {MAX_IRIS}).")] = [],  # noqa: B006
) -> dict[str, dict[str, str]]:
    """``{"labels": {iri: label}}`` for the IRIs that have an ``rdfs:label`` (or
    ``skos:prefLabel``, ``schema:name``); IRIs without one are left out."""
    found = await run_in_threadpool(labels_of, store, iri, Deadline(settings.query_timeout))
    return {"labels": found}
