"""SPARQL 1.1 Query Results JSON, parsed as it arrives: rows come out before the body ends.

Why a parser of our own: SPARQLWrapper (and ``json.loads``) need the whole body in memory
before the first row, which for a large result means holding it all twice (text and
objects) and answering nothing until the last byte. Here the head is read first, then each
binding object is decoded on its own (``json.JSONDecoder.raw_decode``, C speed) as soon as
its bytes are in, and turned into a :class:`~treatygraph.store.base.Term` row.

The parser accepts what engines really send: SPARQL 2008's ``typed-literal``, Virtuoso's
``nodeID://`` blank node labels, an explicit ``xsd:string`` datatype (dropped, as the
embedded store does), and RDF-star ``triple`` terms. Errors raise :class:`ResultsError`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any

from treatygraph.store.base import Row, Term

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_BINDINGS = re.compile(r'"bindings"\s*:\s*\[')
_VARS = re.compile(r'"vars"\s*:\s*(\[[^\]]*\])')
_SKIP = re.compile(r"[\s,]*")
_KEEP = 1 << 20
"""Characters of already-decoded text kept before the buffer is trimmed."""


class ResultsError(ValueError):
    """The body is not SPARQL JSON results, or it ends before the results do."""


class JsonResults:
    """One response body, given as an iterator of byte chunks.

    Either :attr:`boolean` is set (an ASK answer), or :attr:`variables` is and :meth:`rows`
    yields the solutions lazily.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._text = ""
        self._pos = 0
        self._ended = False
        self.boolean: bool | None = None
        self.variables: list[str] = []
        self._buffered: list[dict[str, Any]] | None = None
        self._read_head()

    def _more(self) -> bool:
        """Append the next chunk to the text; False at the end of the body."""
        if self._ended:
            return False
        for chunk in self._chunks:
            if chunk:
                self._text += self._decoder.decode(chunk)
                return True
        self._text += self._decoder.decode(b"", final=True)
        self._ended = True
        return False

    def _read_head(self) -> None:
        while (match := _BINDINGS.search(self._text)) is None:
            if not self._more():
                self._read_whole()
                return
        head = self._text[: match.start()]
        found = _VARS.search(head)
        if found is None:  # the head after the results: unusual, but legal JSON
            while self._more():
                pass
            self._read_whole()
            return
        self.variables = [str(v) for v in json.loads(found[1])]
        self._pos = match.end()

    def _read_whole(self) -> None:
        try:
            document = json.loads(self._text)
        except ValueError as exc:
            raise ResultsError(f"not SPARQL JSON results: {_snippet(self._text)}") from exc
        if not isinstance(document, dict):
            raise ResultsError(f"not SPARQL JSON results: {_snippet(self._text)}")
        if "boolean" in document:
            self.boolean = bool(document["boolean"])
            return
        try:
            self.variables = [str(v) for v in document["head"]["vars"]]
            self._buffered = list(document["results"]["bindings"])
        except (KeyError, TypeError) as exc:
            raise ResultsError(f"not SPARQL JSON results: {_snippet(self._text)}") from exc

    def rows(self) -> Iterator[Row]:
        """The solutions, each a tuple in the order of :attr:`variables`."""
        names = self.variables
        if self._buffered is not None:
            for binding in self._buffered:
                yield _row(binding, names)
            return
        while True:
            skipped = _SKIP.match(self._text, self._pos)
            self._pos = skipped.end() if skipped else self._pos
            if self._pos >= len(self._text):
                if not self._more():
                    raise ResultsError("the results end before their closing bracket")
                continue
            if self._text[self._pos] == "]":
                return
            try:
                binding, end = self._json.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise ResultsError(
                    f"the results end inside a solution: {_snippet(self._text[self._pos :])}"
                ) from exc
            self._pos = end
            if self._pos > _KEEP:
                self._text = self._text[self._pos :]
                self._pos = 0
            if not isinstance(binding, dict):
                raise ResultsError(f"a solution is not an object: {_snippet(str(binding))}")
            yield _row(binding, names)


def _row(binding: dict[str, Any], names: list[str]) -> Row:
    return tuple([_term(binding[name]) if name in binding else None for name in names])


def _term(value: dict[str, Any]) -> Term:
    """A Term from one JSON RDF term; raises ResultsError for anything else."""
    try:
        kind = value["type"]
        if kind == "uri":
            return Term("uri", value["value"])
        if kind in ("literal", "typed-literal"):
            lang = value.get("xml:lang")
            if lang:
                return Term("literal", value["value"], _RDF_LANG_STRING, lang.lower())
            datatype = value.get("datatype")
            return Term("literal", value["value"], None if datatype == _XSD_STRING else datatype)
        if kind == "bnode":
            return Term("bnode", str(value["value"]).removeprefix("nodeID://"))
        if kind == "triple":
            inner = value["value"]
            parts = (_term(inner[key]) for key in ("subject", "predicate", "object"))
            return Term("triple", "<< " + " ".join(str(p) for p in parts) + " >>")
    except (KeyError, TypeError, AttributeError) as exc:
        raise ResultsError(f"not an RDF term in JSON: {_snippet(str(value))}") from exc
    raise ResultsError(f"unknown RDF term type {kind!r}")


def _snippet(text: str, size: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= size else text[:size] + "…"
