"""The article reader keeps the text byte for byte and names the line of a bad header."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from treatygraph.bundle import data_dir
from treatygraph.errors import ArticleFormatError
from treatygraph.ingest.article import parse_article, read_article

CORPUS = sorted((data_dir() / "articles").glob("*.txt"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_articles_read_verbatim(path: Path) -> None:
    article = read_article(path)
    raw = path.read_bytes().decode("utf-8")
    assert raw[article.body_offset :] == article.text
    assert raw.endswith(article.text)
    assert article.slug == path.stem
    assert article.publisher


def test_header_fields() -> None:
    article = read_article(data_dir() / "articles" / "02-mofa-japan-philippines-raa-signing.txt")
    assert article.title == ""
    assert article.date == dt.date(2024, 7, 8)
    assert article.url.startswith("https://www.mofa.go.jp/")
    assert article.is_excerpt
    assert article.text.startswith("On July 8, at 10:45 a.m.")


def test_crlf_and_trailing_spaces_are_kept() -> None:
    content = "Publisher: X\r\nDate: 2024-01-02\r\n\r\nLine one.  \r\nLine two.\r\n"
    article = parse_article(content, "crlf")
    assert article.text == "Line one.  \r\nLine two.\r\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Publisher: X\nDate: 29 April 2025\n\nText", "bad.txt:2:"),
        ("Publisher: X\nDate: 2025-04-29\nthis is not a header\n\nText", "bad.txt:3:"),
        ("Publisher: X\nDate: 2025-04-29\n\n   \n", "empty"),
        ("Date: 2025-04-29\n\nText", "Publisher"),
        ("Publisher: X\nDate: 2025-04-29\n", "no blank line"),
        ("Publisher: X\nPublisher: Y\nDate: 2025-04-29\n\nText", "twice"),
    ],
)
def test_malformed_articles_are_rejected_with_the_line(content: str, message: str) -> None:
    with pytest.raises(ArticleFormatError) as info:
        parse_article(content, "bad", source="bad.txt")
    assert message in str(info.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Publisher: X\nDate: 2025-04-29\n\nMalaca\xf1ang".encode("latin-1"))
    with pytest.raises(ArticleFormatError, match="not UTF-8"):
        read_article(path)
