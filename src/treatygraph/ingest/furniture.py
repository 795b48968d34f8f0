"""Page furniture: the parts of an article body that are not the story.

Corpus files keep the text as published, so a body may hold a photo caption, a byline, the
headline repeated, and "Popular"/"Related" sidebars with other stories. A fact drawn from
those would be wrong (a sidebar's "President Marcos on Thursday vowed…" is another story) or
doubtful (a caption restates the story in shorthand). The extractor reads only the spans
:func:`readable_spans` returns; offsets stay relative to the untouched body, so quotes are
still cut from ``Article.text`` itself.

>>> body = "Title\\n\\nBy A. Writer | Agency\\n\\nThe story.\\n\\nPopular\\n\\nOther story."
>>> [body[s.start:s.end] for s in readable_spans(body, title="Title")]
['The story.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

FurnitureKind = Literal["caption", "byline", "headline", "sidebar"]

_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n")
_SIDEBAR_HEADINGS = re.compile(
    r"^(?:popular|most popular|most read|related|related (?:stories|articles|news)|"
    r"read more|read also|also read|more stories|more from \w+|trending|latest news|"
    r"recommended|you may also like)\s*:?$",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(r"\((?:[^()]*\b(?:photo|photos|image|file photo)\b[^()]*)\)\s*$", re.I)
_CAPS_LEAD_IN = re.compile(r"^[A-Z][A-Z0-9’'&-]+(?: [A-Z][A-Z0-9’'&-]+)+[.!:] ")
_BYLINE = re.compile(r"^By [A-Z][^\n|]{1,80}(?:\|[^\n]{1,80})?$")


@dataclass(frozen=True)
class Span:
    """Characters ``start`` to ``end`` (exclusive) of the body."""

    start: int
    end: int


@dataclass(frozen=True)
class Furniture:
    """A paragraph (or, for a sidebar, everything from its heading on) left out."""

    kind: FurnitureKind
    start: int
    end: int


def paragraphs(text: str) -> list[Span]:
    """Blank-line separated blocks of ``text``, trimmed of surrounding whitespace."""
    spans: list[Span] = []
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        block = text[position:end]
        stripped = block.strip()
        if stripped:
            start = position + block.index(stripped)
            spans.append(Span(start, start + len(stripped)))
        if match:
            position = match.end()
    return spans


def furniture(text: str, title: str = "") -> list[Furniture]:
    """The furniture found in ``text``, in order; a sidebar heading ends the story."""
    found: list[Furniture] = []
    for span in paragraphs(text):
        block = text[span.start : span.end]
        if _SIDEBAR_HEADINGS.match(block):
            found.append(Furniture("sidebar", span.start, len(text)))
            break
        kind = _kind(block, title)
        if kind is not None:
            found.append(Furniture(kind, span.start, span.end))
    return found


def readable_spans(text: str, title: str = "") -> list[Span]:
    """The paragraphs of ``text`` that extraction may read: every paragraph not furniture."""
    left_out = furniture(text, title)
    return [
        span
        for span in paragraphs(text)
        if not any(f.start <= span.start < f.end for f in left_out)
    ]


def _kind(block: str, title: str) -> FurnitureKind | None:
    if "\n" not in block and _BYLINE.match(block):
        return "byline"
    if _PHOTO_CREDIT.search(block) or _CAPS_LEAD_IN.match(block):
        return "caption"
    if title and block.strip() == title.strip():
        return "headline"
    return None
