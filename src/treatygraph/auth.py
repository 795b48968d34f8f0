"""Who may write: the bearer of the write token, compared in constant time, never shown.

The token is a :class:`pydantic.SecretStr` in :class:`~treatygraph.config.Settings`, so it
prints as ``**********`` in reprs and tracebacks; nothing here puts it, or what a client sent
instead, into a message, a log line or a response (docs/security.md).
"""

from __future__ import annotations

import secrets

from treatygraph.config import Settings
from treatygraph.errors import Unauthorized

_SCHEME = "bearer "


def check_write_token(settings: Settings, authorization: str | None) -> None:
    """Pass when ``authorization`` is ``Bearer <settings.write_token>``; else raise
    Unauthorized: 401 (``forbidden`` False) when no bearer token was sent, 403 when it is
    wrong or the server has no write token (it is read-only).

    >>> from pydantic import SecretStr
    >>> check_write_token(Settings.model_construct(write_token=SecretStr("t")), "Bearer t")
    """
    if settings.write_token is None:
        raise Unauthorized("this server is read-only: no write token is configured", forbidden=True)
    if not authorization or not authorization[: len(_SCHEME)].lower() == _SCHEME:
        raise Unauthorized("writes need an 'Authorization: Bearer <token>' header")
    given = authorization[len(_SCHEME) :].strip().encode("utf-8", "surrogateescape")
    expected = settings.write_token.get_secret_value().encode("utf-8")
    if not secrets.compare_digest(given, expected):
        raise Unauthorized("the bearer token is not the write token", forbidden=True)
