"""The SERVICE policy: federated queries only when enabled, and only to allowed endpoints.

The embedded engine executes ``SERVICE <iri>`` by calling that endpoint over HTTP, so an open
endpoint would let anyone make the server fetch any URL. :func:`check_federation` refuses
such queries with :class:`~treatygraph.errors.BadInput` unless ``settings.federation`` is on,
and then allows only IRIs that start with an entry of ``settings.federation_allow``.

The check parses the query with rdflib's SPARQL grammar, but only when the text contains
"service" in any case, so ordinary queries pay for one substring search. When rdflib cannot
parse a query that may use SERVICE, a lexical scan decides: a ``SERVICE`` keyword followed by
an IRI, a prefixed name or a variable outside strings and comments is refused.

>>> from treatygraph.config import Settings
>>> check_federation("SELECT * { ?s ?p ?o }", Settings())
>>> check_federation("SELECT * { SERVICE <http://x.example/> {}}", Settings())  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
treatygraph.errors.BadInput: SERVICE <http://x.example/> is refused: federated queries are ...
"""

from __future__ import annotations

import re
from typing import Any

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from treatygraph.config import Settings
from treatygraph.errors import BadInput

_STRINGS_AND_COMMENTS = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|<[^<>\s]*>|#[^\n]*",
    re.DOTALL,
)
_SERVICE_KEYWORD = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?[<?$\w:]", re.IGNORECASE)


def check_federation(sparql: str, settings: Settings) -> None:
    """Raise BadInput when ``sparql`` calls a SERVICE the settings do not allow."""
    if "service" not in sparql.lower():
        return
    try:
        targets = service_targets(sparql)
    except (ParseBaseException, RecursionError):  # too deep for rdflib: scan it instead
        if _SERVICE_KEYWORD.search(_STRINGS_AND_COMMENTS.sub(_keep_iris, sparql)):
            raise BadInput(
                "the query seems to use SERVICE, which could not be checked against the "
                "federation policy; check its syntax"
            ) from None
        return
    for target in targets:
        _check_target(target, settings)


def service_targets(sparql: str) -> list[str]:
    """The endpoint of every SERVICE clause, as an IRI or ``?variable``.

    Raises pyparsing's ParseBaseException when rdflib cannot parse the query.
    """
    tree = parseQuery(sparql)
    prefixes: dict[str, str] = {}
    base = ""
    for decl in tree[0]:
        if isinstance(decl, CompValue) and decl.name == "PrefixDecl":
            prefixes[str(decl.get("prefix") or "")] = str(decl["iri"])
        elif isinstance(decl, CompValue) and decl.name == "Base":
            base = str(decl["iri"])
    found: list[Any] = []
    _walk(tree[1], found)
    targets = []
    for term in found:
        if isinstance(term, Variable):
            targets.append("?" + str(term))
        elif isinstance(term, URIRef):
            targets.append(str(term) if ":" in str(term) else base + str(term))
        elif isinstance(term, CompValue) and term.name == "pname":
            prefix = str(term.get("prefix") or "")
            targets.append(prefixes.get(prefix, prefix + ":") + str(term.get("localname") or ""))
        else:
            targets.append(str(term))
    return targets


def _walk(node: Any, found: list[Any]) -> None:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            found.append(node.get("term"))
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list | tuple) or hasattr(node, "as_list"):
        for value in node:
            _walk(value, found)


def _check_target(target: str, settings: Settings) -> None:
    if not settings.federation:
        raise BadInput(
            f"SERVICE <{target}> is refused: federated queries are disabled on this server"
        )
    if target.startswith("?"):
        raise BadInput(f"SERVICE {target} is refused: the endpoint must be a fixed IRI")
    if not any(target.startswith(allowed) for allowed in settings.federation_allow):
        allowed = ", ".join(settings.federation_allow) or "none"
        raise BadInput(f"SERVICE <{target}> is refused: allowed endpoints start with: {allowed}")


def _keep_iris(match: re.Match[str]) -> str:
    return "<>" if match.group(0).startswith("<") else " "
