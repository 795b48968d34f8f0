"""What the text of a SPARQL query says before it runs: the top-level LIMIT of a SELECT.

The query runner streams a SELECT's rows as the engine produces them only when the query
itself promises no more than ``max_results`` of them; any other result is counted first, so
that a cut is announced before the first byte. The check is lexical and errs on the side of
"unknown": strings, IRIs and comments are blanked out, so every brace left is structure, and a
``LIMIT`` after the last closing brace can only be the query's own (a subquery's LIMIT sits
inside braces). A query with a trailing ``VALUES`` block reports no limit (it is counted).

>>> select_limit("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 10 OFFSET 20")
10
>>> select_limit("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 } ?s ?q ?v }")
>>> select_limit('SELECT * WHERE { ?s ?p "}" } # LIMIT 5')
>>> select_limit("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3")
"""

from __future__ import annotations

import re

_BLANKED = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|<[^<>\s]*>|#[^\n]*",
    re.DOTALL,
)
_SELECT = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*SELECT\b", re.IGNORECASE)
_LIMIT = re.compile(r"(?<![?$:\w])LIMIT\s+(\d+)\b", re.IGNORECASE)


def select_limit(sparql: str) -> int | None:
    """The LIMIT of a SELECT query's solutions, or None when it has none (or this cannot
    tell: the caller must then count)."""
    text = _BLANKED.sub(" ", sparql)
    if not _SELECT.match(text):
        return None
    last = text.rfind("}")
    if last < 0:
        return None
    found = _LIMIT.search(text, last + 1)
    return int(found[1]) if found else None
