"""SPARQL text as tokens, in one regular-expression pass, with positions for error messages.

Strings, IRIs, prefixed names, variables, numbers, keywords and punctuation, as the SPARQL
1.1 grammar's terminals delimit them; spaces and comments dropped. Used by
:mod:`treatygraph.update_analysis`, which needs the structure of an update, not its meaning:
no escapes outside strings are accepted (a backslash there is refused), so that what the
scan sees is what the engine parses.

>>> [t.text for t in tokenize('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "}" } }')]
['INSERT', 'DATA', '{', 'GRAPH', '<urn:g>', '{', '<urn:a>', '<urn:p>', '"}"', '}', '}']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from treatygraph.errors import QuerySyntaxError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<bnode>_:[A-Za-z0-9_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF](?:[A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*
                                      [A-Za-z0-9_\-\u00B7\u00C0-\uFFFF])?)?:
               (?:[A-Za-z0-9_:\-%\u00B7\u00C0-\uFFFF]
                  (?:[A-Za-z0-9_:\-.%\u00B7\u00C0-\uFFFF]*[A-Za-z0-9_:\-%\u00B7\u00C0-\uFFFF])?)?)
  | (?P<number>(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/|^?])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    def word(self, *names: str) -> bool:
        return self.kind == "word" and self.text.upper() in names


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` without spaces and comments; raises QuerySyntaxError."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise syntax_error_at(text, position, f"unexpected character {text[position]!r}")
        kind = match.lastgroup or ""
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    return tokens


def syntax_error_at(text: str, position: int, message: str) -> QuerySyntaxError:
    """A QuerySyntaxError pointing at ``position`` of ``text`` (1-based line and column)."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return QuerySyntaxError(
        f"malformed SPARQL update at line {line}, column {column}: {message}", line, column
    )
