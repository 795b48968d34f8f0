"""Page furniture is recognised and left out of what extraction reads; offsets stay the body's."""

from __future__ import annotations

import pytest

from treatygraph.bundle import data_dir
from treatygraph.ingest.article import read_article
from treatygraph.ingest.furniture import furniture, paragraphs, readable_spans
from treatygraph.ingest.segment import clauses

SEED = read_article(data_dir() / "articles" / "01-ph-japan-acsa-talks.txt")


def readable_text(text: str, title: str = "") -> str:
    return "\n".join(text[s.start : s.end] for s in readable_spans(text, title))


def test_seed_article_furniture_kinds() -> None:
    kinds = [f.kind for f in furniture(SEED.text, SEED.title)]
    assert kinds == ["headline", "caption", "byline", "sidebar"]


def test_seed_caption_byline_and_sidebar_are_not_read() -> None:
    readable = readable_text(SEED.text, SEED.title)
    assert "DEEPER DEFENSE TIES" not in readable
    assert "(Photo courtesy: PCO)" not in readable
    assert "By Darryl John Esguerra" not in readable
    assert "Popular" not in readable
    for sidebar_story in ("Globe-Starlink", "Binaliw", "One Pilipinas", "on Thursday vowed"):
        assert sidebar_story not in readable
    assert readable.startswith("The Philippines and Japan agreed to begin negotiations")
    assert readable.endswith("rules-based international order,” he said.")


def test_spans_are_offsets_into_the_untouched_body() -> None:
    for span in readable_spans(SEED.text, SEED.title):
        block = SEED.text[span.start : span.end]
        assert block == block.strip()
        assert "\n\n" not in block
    first = readable_spans(SEED.text, SEED.title)[0]
    assert first.start == 589  # the curated graph's first quote starts here


def test_everything_after_a_sidebar_heading_is_furniture() -> None:
    text = "The deal was signed.\n\nRead more:\n\nJapan and Australia signed a pact.\n\nMore text."
    assert readable_text(text) == "The deal was signed."
    assert furniture(text)[-1].end == len(text)


@pytest.mark.parametrize(
    "heading", ["Popular", "Related", "Read more", "RELATED STORIES", "Most read"]
)
def test_sidebar_headings(heading: str) -> None:
    text = f"Story.\n\n{heading}\n\nOther story."
    assert readable_text(text) == "Story."


@pytest.mark.parametrize(
    "caption",
    [
        "STRONGER TIES. Officials shake hands in Manila. (PNA photo by Joey Razon)",
        "Leaders at the summit on Monday. (Photo courtesy: PCO)",
        "SIGNING CEREMONY. The two ministers sign the agreement.",
    ],
)
def test_captions(caption: str) -> None:
    text = f"{caption}\n\nThe story itself."
    assert [f.kind for f in furniture(text)] == ["caption"]
    assert readable_text(text) == "The story itself."


@pytest.mark.parametrize(
    "kept",
    [
        "PHILIPPINES, December 16 - Press Release",
        "MANILA – The Philippines and Japan signed the agreement.",
        "By the end of the year, both sides will meet again.",
        "The UK and Japan have today signed the Defence Logistics Treaty.",
    ],
)
def test_story_paragraphs_are_kept(kept: str) -> None:
    assert readable_text(kept) == kept


def test_bylines_with_and_without_publisher() -> None:
    for byline in ("By Darryl John Esguerra | Philippine News Agency", "By Pacific Desk"):
        assert [f.kind for f in furniture(f"{byline}\n\nStory.")] == ["byline"]


def test_headline_repeated_in_the_body() -> None:
    text = "Title of the piece\n\nStory."
    assert readable_text(text, title="Title of the piece") == "Story."
    assert readable_text(text) == "Title of the piece\nStory."


def test_crlf_paragraphs() -> None:
    text = "First story line.\r\n\r\nPopular\r\n\r\nOther."
    assert [text[s.start : s.end] for s in paragraphs(text)] == [
        "First story line.",
        "Popular",
        "Other.",
    ]
    assert readable_text(text) == "First story line."


def test_clauses_cut_quotes_the_way_curators_do() -> None:
    spans = readable_spans(SEED.text, SEED.title)
    texts = [c.text for c in clauses(SEED.text, spans)]
    assert (
        "Further, we have agreed to start negotiations on an Acquisition and "
        "Cross-Servicing Agreement" in texts
    )
    assert "Marcos said in his press statement." in texts
    for clause in clauses(SEED.text, spans):
        assert SEED.text[clause.start : clause.end] == clause.text
