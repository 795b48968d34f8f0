"""Which graphs a SPARQL 1.1 Update reads and writes, found before it runs; or why it is refused.

A write runs on a staged copy of the graphs it touches (:mod:`treatygraph.writes`), so those
graphs must be known first, and they must be named: the union default graph is a view for
queries, and an update that reads or writes "the default graph" or "every graph" cannot be
staged in proportion to its size. The rules (docs/writes.md):

* **refused, 403:** ``LOAD`` (the server would fetch a URL or read a file) and ``SERVICE``
  anywhere (the server would call an endpoint); writes to a graph the service maintains
  (``graph/inferred``, ``graph/ontology``, ``graph/shapes``);
* **refused, 400:** writing the default graph (triples outside ``GRAPH`` without ``WITH``,
  ``… DEFAULT``), ``ALL`` or ``NAMED`` targets, a template ``GRAPH ?var``, a ``WHERE`` that
  reads the default graph without ``WITH`` or ``USING``, and ``GRAPH ?var`` in a ``WHERE``
  without ``USING NAMED`` (or ``using-named-graph-uri``): name the graphs instead;
* everything else is staged with exactly the graphs it names.

Why a tokenizer and not rdflib's update grammar: rdflib's parser is pure Python (about 3000
triples a second) and its algebra translation is quadratic in the size of an ``INSERT DATA``
block (4000 triples: 30 s). Here one regular-expression pass finds the tokens and a small
recursive scan follows the braces; the engine parses the update for real when it runs on the
staged copy, and the writer checks afterwards that it changed only the graphs found here. The
scan is conservative: what it does not recognise counts as a triple pattern (a read of the
graph in scope), or is refused.

The protocol's ``using-graph-uri`` and ``using-named-graph-uri`` become ``USING`` clauses
inserted before each ``WHERE`` of a ``DELETE``/``INSERT`` operation (SPARQL 1.1 Protocol
§2.2.3); an update that has ``USING``, ``USING NAMED`` or ``WITH`` of its own is then refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from treatygraph.errors import BadInput, Forbidden, QuerySyntaxError
from treatygraph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from treatygraph.sparql_tokens import Token, syntax_error_at, tokenize
from treatygraph.store.nesting import check_nesting

PROTECTED_GRAPHS = frozenset({str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH), str(SHAPES_GRAPH)})
"""Graphs the service derives or ships; no write may touch them."""


@dataclass(frozen=True)
class UpdatePlan:
    """What an update touches: run ``text`` on a copy holding ``reads | writes``."""

    text: str
    writes: frozenset[str]
    reads: frozenset[str]

    @property
    def graphs(self) -> frozenset[str]:
        return self.writes | self.reads


def analyse_update(
    text: str, using: Sequence[str] = (), using_named: Sequence[str] = ()
) -> UpdatePlan:
    """The graphs ``text`` reads and writes, and the text to run (with the protocol's
    ``using``/``using_named`` graphs as USING clauses). Raises QuerySyntaxError, BadInput or
    Forbidden as the module docstring describes."""
    check_nesting(text, "update")  # also bounds the recursion of the scan below
    return _Scanner(text, tuple(using), tuple(using_named)).plan()


@dataclass
class _Operation:
    writes: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)


class _Scanner:
    def __init__(self, text: str, using: tuple[str, ...], using_named: tuple[str, ...]) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0
        self.base = ""
        self.prefixes: dict[str, str] = {}
        self.using = using
        self.using_named = using_named
        self.insertions: list[int] = []
        for iri in (*using, *using_named):
            check_iri(iri, "a using graph")

    # -- the token stream --------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.need()
        self.at += 1
        return token

    def need(self) -> Token:
        """The next token, not consumed; raises QuerySyntaxError at the end of the text."""
        token = self.peek()
        if token is None:
            raise syntax_error_at(self.text, len(self.text), "the update ends too early")
        return token

    def expect_word(self, *names: str) -> Token:
        token = self.take()
        if not token.word(*names):
            raise self.error(token, f"expected {' or '.join(names)}")
        return token

    def expect(self, punct: str) -> Token:
        token = self.take()
        if token.text != punct or token.kind != "punct":
            raise self.error(token, f"expected '{punct}'")
        return token

    def error(self, token: Token, message: str) -> QuerySyntaxError:
        return syntax_error_at(self.text, token.start, f"{message}, found {token.text[:40]!r}")

    # -- the update --------------------------------------------------------------------------

    def plan(self) -> UpdatePlan:
        writes: set[str] = set()
        reads: set[str] = set()
        while self.peek() is not None:
            self.prologue()
            if self.peek() is None:
                break
            operation = self.operation()
            writes |= operation.writes
            reads |= operation.reads
            token = self.peek()
            if token is not None:
                self.expect(";")
        protected = sorted(writes & PROTECTED_GRAPHS)
        if protected:
            raise Forbidden(
                f"<{protected[0]}> is maintained by the service and cannot be written; "
                "graph/inferred follows from the other graphs, ontology and shapes ship with it"
            )
        return UpdatePlan(self._with_using(), frozenset(writes), frozenset(reads))

    def prologue(self) -> None:
        while True:
            token = self.peek()
            if token is not None and token.word("BASE"):
                self.take()
                self.base = self.iri_token(self.take())
            elif token is not None and token.word("PREFIX"):
                self.take()
                name = self.take()
                if name.kind != "pname" or not name.text.endswith(":"):
                    raise self.error(name, "expected a prefix name such as 'ex:'")
                self.prefixes[name.text[:-1]] = self.iri_token(self.take())
            else:
                return

    def operation(self) -> _Operation:
        token = self.take()
        name = token.text.upper() if token.kind == "word" else ""
        if name == "LOAD":
            raise Forbidden(
                "LOAD is refused: the server does not fetch URLs or read files for an update; "
                "send the data in the request (INSERT DATA, or PUT/POST to /store)"
            )
        if name in ("CLEAR", "DROP"):
            return _Operation(writes={self.graph_ref(token, allow_default=False)})
        if name == "CREATE":
            self.silent()
            self.expect_word("GRAPH")
            return _Operation(writes={self.iri_token(self.take())})
        if name in ("ADD", "MOVE", "COPY"):
            self.silent()
            source = self.graph_or_default()
            self.expect_word("TO")
            target = self.graph_or_default()
            writes = {target, source} if name == "MOVE" else {target}
            return _Operation(writes=writes, reads={source})
        if name in ("INSERT", "DELETE") and self.peek_word("DATA"):
            self.take()
            return _Operation(writes=self.quads(None))
        if name == "DELETE" and self.peek_word("WHERE"):
            self.take()
            written = self.quads(None)
            return _Operation(writes=written, reads=set(written))
        if name in ("WITH", "INSERT", "DELETE"):
            self.at -= 1
            return self.modify()
        raise self.error(token, "expected an update operation")

    def peek_word(self, *names: str) -> bool:
        token = self.peek()
        return token is not None and token.word(*names)

    def silent(self) -> None:
        if self.peek_word("SILENT"):
            self.take()

    def graph_ref(self, operation: Token, allow_default: bool) -> str:
        self.silent()
        token = self.take()
        if token.word("GRAPH"):
            return self.iri_token(self.take())
        what = "the default graph" if token.word("DEFAULT") else "every graph"
        if token.word("DEFAULT", "NAMED", "ALL"):
            raise BadInput(
                f"{operation.text.upper()} {token.text.upper()} would touch {what}; name the "
                f"graph: {operation.text.upper()} GRAPH <…>"
            )
        raise self.error(token, "expected GRAPH <iri>")

    def graph_or_default(self) -> str:
        token = self.take()
        if token.word("DEFAULT"):
            raise BadInput(
                "the default graph is the union of all named graphs and cannot be copied, "
                "moved or added to: name the graphs"
            )
        if token.word("GRAPH"):
            token = self.take()
        return self.iri_token(token)

    def modify(self) -> _Operation:
        operation = _Operation()
        with_graph: str | None = None
        if self.peek_word("WITH"):
            self.take()
            with_graph = self.iri_token(self.take())
        own_dataset = with_graph is not None
        templates: list[set[str]] = []
        if self.peek_word("DELETE"):
            self.take()
            templates.append(self.quads(with_graph))
        if self.peek_word("INSERT"):
            self.take()
            templates.append(self.quads(with_graph))
        if not templates:
            raise self.error(self.take(), "expected DELETE or INSERT")
        for written in templates:
            operation.writes |= written
        using: list[str] = []
        using_named: list[str] = []
        while self.peek_word("USING"):
            self.take()
            own_dataset = True
            if self.peek_word("NAMED"):
                self.take()
                using_named.append(self.iri_token(self.take()))
            else:
                using.append(self.iri_token(self.take()))
        where = self.expect_word("WHERE")
        if self.using or self.using_named:
            if own_dataset:
                raise BadInput(
                    "using-graph-uri and using-named-graph-uri cannot be combined with an "
                    "update that has USING, USING NAMED or WITH (SPARQL 1.1 Protocol §2.2.3)"
                )
            using, using_named = list(self.using), list(self.using_named)
            self.insertions.append(where.start)
        operation.reads |= set(using) | set(using_named)
        if using or using_named:
            default: str | None = "using"
        else:
            default = with_graph
        pattern = _Pattern(default_read=False, named_read=False, graphs=set())
        self.group(pattern, in_graph=None)
        operation.reads |= pattern.graphs
        if pattern.default_read and default is None:
            raise BadInput(
                "the WHERE clause reads the default graph, which for updates here is the union "
                "of all graphs and cannot be staged: use WITH <graph>, USING <graph>, or "
                "GRAPH <graph> { … }"
            )
        if default not in (None, "using") and pattern.default_read:
            operation.reads.add(default)
        if pattern.named_read and not using_named:
            raise BadInput(
                "GRAPH ?variable in the WHERE clause reads every graph; list the graphs it may "
                "match with USING NAMED <graph> (or using-named-graph-uri)"
            )
        return operation

    # -- quad blocks (data and templates) ---------------------------------------------------

    def quads(self, default: str | None) -> set[str]:
        """Graphs a ``{ … }`` block of quads writes; triples outside GRAPH go to ``default``."""
        self.expect("{")
        written: set[str] = set()
        while True:
            token = self.take()
            if token.text == "}" and token.kind == "punct":
                return written
            if token.word("GRAPH"):
                name = self.take()
                if name.kind == "var":
                    raise BadInput(
                        f"GRAPH {name.text} in a template writes a graph known only when the "
                        "update runs; name the graph: GRAPH <…>"
                    )
                written.add(self.iri_token(name))
                self.skip_braces()
            elif token.text == "." and token.kind == "punct":
                continue
            elif token.text == "{" and token.kind == "punct":
                raise self.error(token, "unexpected '{' in a block of triples")
            else:
                if default is None:
                    raise BadInput(
                        "the update writes triples outside GRAPH { … }, into the default "
                        "graph, which here is the union of all named graphs: put them in "
                        "GRAPH <graph> { … } or use WITH <graph>"
                    )
                written.add(default)

    def skip_braces(self) -> None:
        self.expect("{")
        depth = 1
        while depth:
            token = self.take()
            if token.kind == "punct" and token.text in "{}":
                depth += 1 if token.text == "{" else -1

    # -- group graph patterns (WHERE) ------------------------------------------------------

    def group(self, pattern: _Pattern, in_graph: str | None) -> None:
        """Scan a ``{ … }`` group: GRAPH names, SERVICE, and whether triples are read outside
        any GRAPH (``in_graph`` None) — conservatively: any token not understood is a read."""
        self.expect("{")
        first = self.peek()
        if first is not None and first.word("SELECT"):
            self.subselect(pattern, in_graph)
            return
        while True:
            token = self.take()
            if token.kind == "punct" and token.text == "}":
                return
            if token.kind == "punct" and token.text == "{":
                self.at -= 1
                self.group(pattern, in_graph)
            elif token.word("OPTIONAL", "MINUS", "UNION"):
                continue
            elif token.word("SERVICE"):
                raise Forbidden("SERVICE is refused in updates: the server calls no endpoint")
            elif token.word("GRAPH"):
                name = self.take()
                if name.kind == "var":
                    pattern.named_read = True
                    self.group(pattern, in_graph=name.text)
                else:
                    graph = self.iri_token(name)
                    pattern.graphs.add(graph)
                    self.group(pattern, in_graph=graph)
            elif token.word("FILTER"):
                self.constraint(pattern, in_graph)
            elif token.word("BIND"):
                self.parenthesised(pattern, in_graph)
            elif token.word("VALUES"):
                self.values()
            elif token.kind == "punct" and token.text == ".":
                continue
            else:
                if in_graph is None:
                    pattern.default_read = True
                self.triples_rest(pattern, in_graph)

    def triples_rest(self, pattern: _Pattern, in_graph: str | None) -> None:
        """Skip the rest of a triples block, scanning any parenthesised part (a path or a
        collection) for groups; stop before the next group-level keyword or brace."""
        while True:
            token = self.peek()
            if token is None:
                return
            if token.kind == "punct" and token.text in "{}":
                return
            if token.word("OPTIONAL", "MINUS", "UNION", "SERVICE", "GRAPH", "FILTER", "BIND"):
                return
            if token.word("VALUES"):
                return
            if token.kind == "punct" and token.text == "(":
                self.parenthesised(pattern, in_graph)
                continue
            self.take()

    def constraint(self, pattern: _Pattern, in_graph: str | None) -> None:
        token = self.peek()
        if token is not None and token.word("NOT"):
            self.take()
            token = self.peek()
        if token is not None and token.word("EXISTS"):
            self.take()
            self.group(pattern, in_graph)
            return
        if token is not None and token.kind != "punct":
            self.take()  # a function name: regex(...), <iri>(...), ex:f(...)
        self.parenthesised(pattern, in_graph)

    def parenthesised(self, pattern: _Pattern, in_graph: str | None) -> None:
        """Skip ``( … )``, scanning groups inside it (EXISTS { … }) as groups."""
        self.expect("(")
        depth = 1
        while depth:
            token = self.need()
            if token.kind == "punct" and token.text == "{":
                self.group(pattern, in_graph)
                continue
            if token.word("SERVICE"):
                raise Forbidden("SERVICE is refused in updates: the server calls no endpoint")
            self.take()
            if token.kind == "punct" and token.text in "()":
                depth += 1 if token.text == "(" else -1

    def values(self) -> None:
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == "(":
            while self.take().text != ")":
                pass
        else:
            self.take()
        self.skip_braces()

    def subselect(self, pattern: _Pattern, in_graph: str | None) -> None:
        """``{ SELECT … WHERE? { … } modifiers }``: projection expressions and the WHERE
        group are scanned; the group is the first brace outside parentheses."""
        self.take()
        while True:
            token = self.need()
            if token.kind == "punct" and token.text == "(":
                self.parenthesised(pattern, in_graph)
            elif token.kind == "punct" and token.text == "{":
                self.group(pattern, in_graph)
                break
            else:
                self.take()
        while True:
            token = self.take()
            if token.kind == "punct" and token.text == "}":
                return
            if token.word("VALUES"):
                self.values()
            elif token.kind == "punct" and token.text == "(":
                self.at -= 1
                self.parenthesised(pattern, in_graph)
            elif token.kind == "punct" and token.text == "{":
                raise self.error(token, "unexpected '{' after a subquery")

    # -- IRIs --------------------------------------------------------------------------------

    def iri_token(self, token: Token) -> str:
        if token.kind == "iri":
            iri = token.text[1:-1]
            if self.base and not _ABSOLUTE.match(iri):
                iri = urljoin(self.base, iri)
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                raise self.error(token, f"undeclared prefix '{prefix}:'")
            if "%" in local or "\\" in local:
                raise BadInput(f"use a full IRI instead of {token.text[:60]!r} to name a graph")
            iri = self.prefixes[prefix] + local
        else:
            raise self.error(token, "expected an IRI")
        if not _ABSOLUTE.match(iri):
            raise BadInput(f"<{iri[:200]}> is not an absolute IRI: graphs need absolute IRIs")
        check_iri(iri, "a graph name")
        return iri

    def _with_using(self) -> str:
        if not self.insertions:
            return self.text
        clauses = " ".join(
            [
                *(f"USING <{g}>" for g in self.using),
                *(f"USING NAMED <{g}>" for g in self.using_named),
            ]
        )
        text = self.text
        for position in sorted(self.insertions, reverse=True):
            text = f"{text[:position]}{clauses}\n{text[position:]}"
        return text


@dataclass
class _Pattern:
    default_read: bool
    named_read: bool
    graphs: set[str]


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')


def check_iri(iri: str, what: str) -> None:
    """Raise BadInput unless ``iri`` is absolute and can be written as ``<iri>`` as it is."""
    if not _ABSOLUTE.match(iri) or _IRI_FORBIDDEN.search(iri):
        raise BadInput(
            f'{what} must be an absolute IRI without spaces or <>"{{}}|\\^`: {iri[:200]!r}'
        )
