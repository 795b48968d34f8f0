"""The analysts' competency questions (``queries/*.rq``) as named examples for the editor.

Each file opens with ``# `` comment lines: the first is the question's title, the rest its
description. The editor lists them by title; the query text is the whole file, comments
included, so that an example run from the editor is exactly the file the tests check.

>>> from treatygraph.bundle import queries_dir
>>> first = competency_questions(queries_dir())[0]
>>> first.name, first.title
('defense-agreements-by-type', 'Defense agreements by type')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from treatygraph.bundle import queries_dir


@dataclass(frozen=True)
class Example:
    """One competency question: its file stem, title, description and query text."""

    name: str
    title: str
    description: str
    sparql: str


def parse_example(name: str, text: str) -> Example:
    """The example in ``text``: title and description from its leading ``# `` lines."""
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line[1:].strip())
    title = header[0] if header and header[0] else name.replace("-", " ")
    return Example(name, title, " ".join(part for part in header[1:] if part), text)


def competency_questions(folder: Path | None = None) -> list[Example]:
    """Every ``*.rq`` file of ``folder`` (default: the bundled ``queries/``), by file name.

    A missing folder gives no examples rather than an error: the editor works without them.
    """
    folder = queries_dir() if folder is None else folder
    if not folder.is_dir():
        return []
    return [
        parse_example(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.rq"))
    ]
