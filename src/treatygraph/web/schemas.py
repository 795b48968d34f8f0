"""Response models of the list endpoints, for the OpenAPI document only.

The routes return the JSON-LD they build (:mod:`treatygraph.listings`) directly, so these
models document the shape of a page without re-validating it on every request.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

ItemT = TypeVar("ItemT", bound=BaseModel)


class Ref(BaseModel):
    """A linked resource: its IRI and, where known, its label."""

    id: str
    label: str | None = None


class DateValue(BaseModel):
    """A date as precise as the source: ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``."""

    type: str = Field(examples=["xsd:gYearMonth"])
    value: str = Field(examples=["2024-07"])


class StatusPeriodItem(BaseModel):
    id: str
    type: str = "StatusPeriod"
    status: Ref
    validFrom: str
    validUntil: str | None = None


class AgreementItem(BaseModel):
    """An agreement: its parties and its current status (``statusPeriods`` with ``as_of``)."""

    id: str
    type: str | list[str] = Field(examples=["AcquisitionCrossServicingAgreement"])
    label: str
    altLabel: list[str] = []
    parties: list[Ref]
    status: Ref
    statusPeriods: list[StatusPeriodItem] | None = Field(
        None, description="Only with as_of: the period that covers the date, and its status."
    )


class StateItem(BaseModel):
    id: str
    type: str
    label: str
    altLabel: list[str] = []
    isoCode: str
    sameAs: list[str] = Field(description="Wikidata entity, as wd:Q…")


class EventItem(BaseModel):
    id: str
    type: str | list[str] = Field(examples=["Signing"])
    label: str
    date: DateValue
    concerns: Ref | None = None
    observedStatus: Ref | None = None
    place: Ref | None = None


class ArticleItem(BaseModel):
    id: str
    type: list[str]
    label: str
    headline: str | None = None
    publisher: str
    author: str | None = None
    datePublished: str
    url: str | None = None


class Collection(BaseModel, Generic[ItemT]):
    """One page of a list, as a JSON-LD ``Collection`` (ActivityStreams 2.0 terms)."""

    model_config = ConfigDict(populate_by_name=True)

    context: str = Field(alias="@context", description="The public IRI of the context.")
    id: str = Field(description="This request's URL.")
    type: str = "Collection"
    totalItems: int = Field(description="How many items match, on all pages.")
    first: str = Field(description="The first page.")
    prev: str | None = Field(None, description="The previous page, if there is one.")
    next: str | None = Field(None, description="The next page, if there is one.")
    items: list[ItemT] = Field(description="This page's items, in order.")


AgreementCollection = Collection[AgreementItem]
StateCollection = Collection[StateItem]
EventCollection = Collection[EventItem]
ArticleCollection = Collection[ArticleItem]
