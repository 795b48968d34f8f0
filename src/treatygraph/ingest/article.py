"""Read an article file in the corpus format (SPEC.md, The corpus) without altering its text.

The body is kept exactly as stored, because every ``tg:quote`` is checked against it and
character offsets point into it: no newline translation, no whitespace or Unicode
normalisation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from treatygraph.errors import ArticleFormatError
from treatygraph.namespaces import is_slug, slugify

KNOWN_KEYS = ("Title", "Publisher", "Author", "Date", "URL", "Note")
REQUIRED_KEYS = ("Publisher", "Date")
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9 _-]*):(?: (?P<value>.*)|)$")


@dataclass(frozen=True)
class Article:
    """One source: its header fields and its body, verbatim."""

    slug: str
    publisher: str
    date: dt.date
    text: str
    title: str = ""
    author: str = ""
    url: str = ""
    note: str = ""
    body_offset: int = 0
    """Characters before the body in the file, so file positions can be reported."""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_excerpt(self) -> bool:
        return self.note.lower().startswith("excerpt")


def read_article(path: Path, slug: str | None = None) -> Article:
    """Parse an article file; raises :class:`ArticleFormatError` naming the line at fault."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleFormatError(f"cannot read {path}: {exc.strerror}", str(path)) from exc
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ArticleFormatError(
            f"{path}:{line}: the file is not UTF-8 (byte {exc.start})", str(path), line
        ) from exc
    return parse_article(content, slug or slug_for(path), source=str(path))


def slug_for(path: Path) -> str:
    """The article's slug: its file name without extension, as lowercase kebab-case."""
    name = path.name.rsplit(".", 1)[0] if "." in path.name else path.name
    return name if is_slug(name) else slugify(name)


def parse_article(content: str, slug: str, source: str = "<article>") -> Article:
    """Parse the text of an article file; ``source`` names it in error messages."""
    if not is_slug(slug):
        raise ArticleFormatError(f"{source}: {slug!r} is not a valid article slug", source)
    fields: dict[str, str] = {}
    position = 0
    line_no = 0
    for line_no, line in enumerate(content.splitlines(keepends=True), 1):
        position += len(line)
        stripped = line.rstrip("\r\n")
        if not stripped:
            break
        match = _HEADER_LINE.match(stripped)
        if match is None:
            raise ArticleFormatError(
                f"{source}:{line_no}: expected a header line 'Key: value' or a blank line "
                f"before the text, found {stripped[:60]!r}",
                source,
                line_no,
            )
        key = match["key"]
        if key in fields:
            raise ArticleFormatError(f"{source}:{line_no}: header {key!r} given twice", source)
        fields[key] = (match["value"] or "").strip()
    else:
        raise ArticleFormatError(
            f"{source}: no blank line after the header, so the file has no text", source, line_no
        )
    for key in REQUIRED_KEYS:
        if not fields.get(key):
            raise ArticleFormatError(f"{source}: the header has no {key!r} value", source)
    date_line = list(fields).index("Date") + 1
    published = _parse_date(fields["Date"], source, date_line)
    body = content[position:]
    if not body.strip():
        raise ArticleFormatError(f"{source}: the article text after the header is empty", source)
    return Article(
        slug=slug,
        publisher=fields["Publisher"],
        date=published,
        text=body,
        title=fields.get("Title", ""),
        author=fields.get("Author", ""),
        url=fields.get("URL", ""),
        note=fields.get("Note", ""),
        body_offset=position,
        extra={k: v for k, v in fields.items() if k not in KNOWN_KEYS},
    )


def _parse_date(value: str, source: str, line: int) -> dt.date:
    try:
        if "T" in value:
            return dt.datetime.fromisoformat(value).date()
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArticleFormatError(
            f"{source}:{line}: Date {value!r} is not an ISO 8601 date such as 2025-04-29",
            source,
            line,
        ) from None
