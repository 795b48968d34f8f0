"""The HTTP response for a streamed query result, which may have to break off.

A result that fails after its first bytes were sent cannot become an error response any more.
:class:`QueryResponse` then ends the body with the stream's incomplete marker and returns
without the final empty chunk, so the server closes the connection and every HTTP client
reports an incomplete body instead of a short but seemingly complete result.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from treatygraph.errors import TreatygraphError
from treatygraph.query_runner import QueryStream

TRUNCATED_HEADER = "TreatyGraph-Results-Truncated"
MAX_RESULTS_HEADER = "TreatyGraph-Max-Results"

logger = logging.getLogger("treatygraph.web")


class QueryResponse(StreamingResponse):
    """Streams a started :class:`QueryStream`; announces truncation in its headers."""

    def __init__(self, stream: QueryStream, headers: Mapping[str, str] | None = None) -> None:
        extra = dict(headers or {})
        truncated_at = stream.info.truncated_at
        extra[TRUNCATED_HEADER] = "false" if truncated_at is None else "true"
        if truncated_at is not None:
            extra[MAX_RESULTS_HEADER] = str(truncated_at)
        super().__init__(stream, media_type=stream.info.format.content_type, headers=extra)
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A document that came whole (most point lookups) is sent as one body with its
        length, without the task that watches a stream for a disconnect."""
        whole = self.stream.whole
        if whole is None:
            await super().__call__(scope, receive, send)
            return
        self.raw_headers.append((b"content-length", str(len(whole)).encode()))
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": whole, "more_body": False})

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        async for chunk in self.body_iterator:
            data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
            await send({"type": "http.response.body", "body": data, "more_body": True})
        failure = self.stream.failure
        if failure is None:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        elif isinstance(failure, TreatygraphError):
            logger.warning("query results broken off after the response started: %s", failure)
        else:
            logger.error("query failed after the response started", exc_info=failure)
