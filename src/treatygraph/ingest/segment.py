"""Cut the readable body into sentences and quotable clauses, keeping body offsets.

Evidence quotes are cut from these clauses, so the cuts follow what a curator quotes: a
sentence up to its final stop; a speaker's words without the attribution around them
(``“…,” Marcos said`` gives the words inside the quotation marks, without the comma); a
lead-in to a speech without the colon that opens it. A clause keeps its comma-separated
parts so that a very long sentence can later be quoted by the parts that carry facts only.

>>> text = "“We agreed to start talks,” he said. The deal was signed."
>>> [c.text for c in clauses(text, [Span(0, len(text))])]
['We agreed to start talks', 'he said.', 'The deal was signed.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from treatygraph.ingest.furniture import Span

ClauseKind = Literal["narrative", "speech", "attribution"]

_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "jr", "sr", "sen", "rep", "gov", "gen", "lt", "col", "maj", "capt",
    "adm", "hon", "prof", "st", "no", "nos", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "h.e",
    "a.m", "p.m", "inc", "ltd", "co", "corp", "dept", "sec", "atty", "sgt", "cmdr", "amb", "pres",
    "fed", "rev",
))  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?][”’\"']?(?=\s+[“‘\"'(\[]?[A-Z0-9])")
_OPEN_QUOTES = "“‘"
_CLOSE_QUOTES = "”’"
_SPEECH_VERBS = (
    r"said|says|added|adds|stated|states|noted|notes|told|asked|explained|stressed|"
    r"emphasi[sz]ed|declared|continued|wrote|remarked|announced"
)
_ATTRIBUTION_AFTER = re.compile(
    r"^\s*(?:(?:[A-Z][\w.’'-]*\s+){0,4}|(?:he|she|they|we|it)\s+)(?:" + _SPEECH_VERBS + r")\b"
)
_SPEECH_OPENING = re.compile(r"(,?\s*(?:" + _SPEECH_VERBS + r")\s*[:,]?\s*)[“\"]")


@dataclass(frozen=True)
class Clause:
    """A quotable stretch of the body: ``text == body[start:end]``.

    ``parts`` are its comma-separated pieces outside brackets and quotation marks;
    ``sentence`` numbers the sentence it comes from, in body order.
    """

    index: int
    start: int
    end: int
    text: str
    kind: ClauseKind
    sentence: int
    paragraph: int
    parts: tuple[Span, ...]


def sentences(text: str, span: Span) -> list[Span]:
    """Sentences of one paragraph; lines of a paragraph are never joined into one."""
    found: list[Span] = []
    line_start = span.start
    for line in text[span.start : span.end].split("\n"):
        line_end = line_start + len(line)
        start = line_start
        for match in _SENTENCE_END.finditer(text, line_start, line_end):
            if _is_abbreviation(text, match.start(), line_start):
                continue
            found.append(Span(start, match.end()))
            start = match.end()
            while start < line_end and text[start].isspace():
                start += 1
        _add_trimmed(found, text, start, line_end)
        line_start = line_end + 1
    return found


def clauses(text: str, spans: list[Span]) -> list[Clause]:
    """Every clause of the readable paragraphs ``spans``, in order."""
    result: list[Clause] = []
    sentence_no = 0
    for paragraph_no, paragraph in enumerate(spans):
        inside_quote = False
        for sentence in sentences(text, paragraph):
            for start, end, kind in _split_speech(text, sentence, inside_quote):
                piece = _trim(text, start, end, kind)
                if piece is None:
                    continue
                result.append(
                    Clause(
                        index=len(result),
                        start=piece.start,
                        end=piece.end,
                        text=text[piece.start : piece.end],
                        kind=kind,
                        sentence=sentence_no,
                        paragraph=paragraph_no,
                        parts=tuple(comma_parts(text, piece)),
                    )
                )
            inside_quote = _quote_open_after(text, sentence, inside_quote)
            sentence_no += 1
    return result


def comma_parts(text: str, span: Span) -> list[Span]:
    """Pieces of ``span`` separated by commas outside brackets and quotation marks."""
    parts: list[Span] = []
    depth = 0
    quoted = False
    start = span.start
    for position in range(span.start, span.end):
        char = text[position]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char in '“"' and not quoted:
            quoted = True
        elif char in '”"' and quoted:
            quoted = False
        elif char == "," and depth == 0 and not quoted:
            _add_trimmed(parts, text, start, position)
            start = position + 1
    _add_trimmed(parts, text, start, span.end)
    return parts


def _is_abbreviation(text: str, stop: int, line_start: int) -> bool:
    if text[stop] != ".":
        return False
    word_start = stop
    while word_start > line_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:stop].lstrip("(“\"'‘").lower()
    if word in _ABBREVIATIONS:
        return True
    # initials ("Ferdinand R. Marcos"), and dotted acronyms ("U.S.")
    return (len(word) == 1 and word.isalpha()) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def _split_speech(
    text: str, sentence: Span, inside_quote: bool
) -> list[tuple[int, int, ClauseKind]]:
    """A sentence as narrative, or as a speaker's words and the attribution around them."""
    start, end = sentence.start, sentence.end
    body = text[start:end]
    opens_with_quote = body[:1] in _OPEN_QUOTES or body[:1] == '"'
    if inside_quote or opens_with_quote:
        offset = 1 if opens_with_quote else 0
        close = _closing_quote(body, offset)
        if close is not None and _ATTRIBUTION_AFTER.match(body[close + 1 :]):
            return [
                (start + offset, start + close, "speech"),
                (start + close + 1, end, "attribution"),
            ]
        if close is None:
            return [(start + offset, end, "speech")]
    opening = _SPEECH_OPENING.search(body)
    if opening is not None and opening.start() > 0:
        lead_end = opening.start() if body[opening.start()] == "," else opening.end(1)
        return [
            (start, start + lead_end, "narrative"),
            (start + opening.end(), end, "speech"),
        ]
    return [(start, end, "narrative")]


def _closing_quote(body: str, offset: int) -> int | None:
    for position in range(offset, len(body)):
        if body[position] in _CLOSE_QUOTES[:1] or body[position] == '"':
            return position
    return None


def _quote_open_after(text: str, sentence: Span, inside: bool) -> bool:
    """Whether a quotation is still open at the end of the sentence (it spans sentences)."""
    for char in text[sentence.start : sentence.end]:
        if char == "“":
            inside = True
        elif char == "”":
            inside = False
    return inside


def _trim(text: str, start: int, end: int, kind: ClauseKind) -> Span | None:
    """Strip spaces, closing quotation marks and a trailing comma or colon."""
    while start < end and (text[start].isspace() or text[start] in '“"'):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ',:;”"—–-'):
        end -= 1
    if end <= start or not any(ch.isalpha() for ch in text[start:end]):
        return None
    return Span(start, end)


def _add_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))
