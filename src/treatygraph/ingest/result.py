"""What an ingest reports: the facts it drafted, with their quotes, and what it did to the store.

Kept free of heavy imports so that ``treatygraph.ingest`` can expose it without loading the
extractor, the loader or pySHACL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[str, int, int], None]
"""``progress(label, done, total)``, as the loader's."""


@dataclass(frozen=True)
class Fact:
    """One drafted fact: its IRI, English label and the quotes that support it."""

    iri: str
    label: str
    quotes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "quotes": list(self.quotes)}


@dataclass(frozen=True)
class IngestResult:
    """The outcome of ingesting one article.

    ``changed`` is False when the store already held exactly this draft (nothing was
    written); ``loaded`` is False for a dry run. ``triples`` counts the article graph.
    ``warnings`` are SHACL warnings (they never block a load); ``notes`` say what the
    extractor left out and why.
    """

    article: str
    slug: str
    graph: str
    agreements: tuple[Fact, ...] = ()
    events: tuple[Fact, ...] = ()
    observations: tuple[Fact, ...] = ()
    offices: tuple[Fact, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    triples: int = 0
    changed: bool = True
    loaded: bool = True
    trig: str = field(default="", repr=False)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready report (the HTTP answer to a posted article)."""
        return {
            "article": self.article,
            "slug": self.slug,
            "graph": self.graph,
            "agreements": [f.as_dict() for f in self.agreements],
            "events": [f.as_dict() for f in self.events],
            "observations": [f.as_dict() for f in self.observations],
            "offices": [f.as_dict() for f in self.offices],
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "triples": self.triples,
            "changed": self.changed,
            "loaded": self.loaded,
        }


@dataclass(frozen=True)
class FolderOutcome:
    """One file of a folder ingest: its result, or the error that stopped it."""

    path: str
    result: IngestResult | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
