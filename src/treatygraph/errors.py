"""Every failure treatygraph reports on purpose, as one exception tree.

::

    TreatygraphError
    ├── BadInput                 the caller sent something unusable (HTTP 400, exit code 2)
    │   ├── QuerySyntaxError     SPARQL that does not parse; carries line and column
    │   ├── InvalidRDF           RDF that does not parse; carries the file and line
    │   └── ArticleFormatError   an article file that is not in the corpus format
    ├── ShapeViolation           data that fails SHACL or the quote check (422, exit 1)
    ├── NotFound                 no such resource or graph (404)
    ├── Unauthorized             a write without a valid token (401/403)
    │   └── Forbidden            refused by policy whatever the token: LOAD, SERVICE in an
    │                            update, a graph the service maintains (403)
    ├── QueryTimeout             a query ran past the time limit (503)
    │   └── UpdateTimeout        a write ran past its time limit and changed nothing (503)
    ├── Overloaded               too many queries at once (503 + Retry-After)
    │   └── WritesBusy           the queue of waiting writes is full (503 + Retry-After)
    └── StoreError               the store failed or cannot be reached (502/503, exit 3)

The web layer maps the tree to problem+json in one place and the CLI to exit codes, so the
core raises these and never formats HTTP or terminal output itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from treatygraph.validation import ValidationReport


class TreatygraphError(Exception):
    """Base of every error treatygraph raises on purpose; ``str()`` is a message for people."""


class BadInput(TreatygraphError):
    """The request or file cannot be used as given."""


class QuerySyntaxError(BadInput):
    """SPARQL that does not parse; ``line`` and ``column`` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class InvalidRDF(BadInput):
    """RDF that does not parse; ``source`` names the file or body and ``line`` where known."""

    def __init__(self, message: str, source: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.line = line


class ArticleFormatError(BadInput):
    """An article file that does not follow the corpus format (SPEC.md, The corpus)."""

    def __init__(self, message: str, source: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.line = line


class ShapeViolation(TreatygraphError):
    """Data that does not conform; ``report`` holds every result."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


class NotFound(TreatygraphError):
    """No such resource, graph or file."""


class Unauthorized(TreatygraphError):
    """A write without a token (``forbidden`` False) or with a wrong one (True)."""

    def __init__(self, message: str, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


class Forbidden(Unauthorized):
    """A request the service refuses whatever token it carries (HTTP 403): an update that
    would LOAD a URL, call a SERVICE, or write a graph the service itself maintains."""

    def __init__(self, message: str) -> None:
        super().__init__(message, forbidden=True)


class QueryTimeout(TreatygraphError):
    """A query ran past the configured limit and was stopped."""


class UpdateTimeout(QueryTimeout):
    """A write ran past ``settings.update_timeout`` before it committed: nothing changed."""


class Overloaded(TreatygraphError):
    """More queries at once than the service allows; try again after ``retry_after`` s."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class WritesBusy(Overloaded):
    """More writes are waiting than ``settings.max_queued_writes`` allows."""


class StoreError(TreatygraphError):
    """The store failed, or a remote store could not be reached or answered wrongly."""
