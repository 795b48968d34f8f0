"""A guard the engine needs: SPARQL nested too deeply is refused before it is parsed.

pyoxigraph's SPARQL parser recurses once per level of brackets and overflows its native stack
a few thousand levels down (about 3000 nested ``{``, 6000 nested ``(``): the process dies with
SIGSEGV, which no exception handler can catch. A query that deep is never written by a
person, so every text the embedded engine parses for a client is first measured here, in
linear time, and refused as a syntax error past :data:`MAX_NESTING` levels.

>>> nesting_depth("SELECT * { ?s ?p ?o FILTER((1)) }")
3
>>> nesting_depth('ASK { ?s ?p "(((((" }')
1
"""

from __future__ import annotations

import re

from treatygraph.errors import QuerySyntaxError

MAX_NESTING = 200
"""Deepest nesting of ``( { [`` accepted in a query or update (real ones stay below 20)."""

_TOKENS = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
    r"|<[^<>\"{}|^`\\\s]*>|\#[^\n]*|[(){}\[\]]",
    re.DOTALL,
)


def nesting_depth(text: str, stop_at: int | None = None) -> int:
    """The deepest bracket nesting of ``text``, brackets in strings, IRIs and comments aside
    (counting stops once ``stop_at`` is passed)."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        found = match.group()
        if len(found) != 1:
            continue
        if found in "({[":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_at is not None and deepest > stop_at:
                    break
        else:
            depth = max(0, depth - 1)
    return deepest


def check_nesting(text: str, what: str = "query") -> None:
    """Raise QuerySyntaxError when ``text`` nests deeper than :data:`MAX_NESTING`."""
    opening = text.count("(") + text.count("{") + text.count("[")
    if opening <= MAX_NESTING:  # cannot be deeper: skip the scan (the common case)
        return
    if nesting_depth(text, stop_at=MAX_NESTING) > MAX_NESTING:
        raise QuerySyntaxError(
            f"malformed SPARQL {what}: brackets nested more than {MAX_NESTING} levels deep"
        )
