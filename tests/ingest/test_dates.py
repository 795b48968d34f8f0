"""Dates are found with their precision, and relative ones resolved against publication."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib.namespace import XSD

from treatygraph.ingest.dates import DateValue, find_dates

D = dt.date


def resolved(text: str, published: dt.date) -> list[str]:
    return [m.value.lexical for m in find_dates(text, published)]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # "In July" in an April 2025 article: the most recent July before publication
        ("In July, the Philippines and Japan signed", D(2025, 4, 29), "2024-07"),
        # the publication's own month is that month of the publication year
        ("In April, the two sides met", D(2025, 4, 29), "2025-04"),
        ("in July", D(2024, 7, 8), "2024-07"),
        # a weekday is that weekday on or before publication
        ("made the announcement on Monday", D(2024, 7, 8), "2024-07-08"),
        ("made the announcement Tuesday", D(2025, 4, 29), "2025-04-29"),
        ("signed on Monday", D(2025, 4, 29), "2025-04-28"),
        ("met on Friday", D(2025, 4, 29), "2025-04-25"),
        ("Today, as we give our concurrence", D(2024, 12, 16), "2024-12-16"),
        ("signed yesterday", D(2024, 12, 16), "2024-12-15"),
        # "last November" is November of the year before publication
        ("last November", D(2024, 12, 16), "2023-11"),
        ("last March", D(2025, 4, 29), "2024-03"),
        ("signed in April 1996", D(1998, 4, 28), "1996-04"),
        ("in November 2023", D(2024, 12, 16), "2023-11"),
        # a day without a year: the publication year, or the year before if later
        ("On July 12, commencing at 5:30 p.m.", D(2024, 7, 12), "2024-07-12"),
        ("On July 8, at 10:45 a.m.", D(2024, 7, 8), "2024-07-08"),
        ("on December 20", D(2024, 12, 16), "2023-12-20"),
        ("PHILIPPINES, December 16 - Press Release", D(2024, 12, 16), "2024-12-16"),
        ("today (26 January 2017) signed", D(2017, 1, 26), "2017-01-26"),
        ("Monday, 16 December 2024 Mr. President", D(2024, 12, 16), "2024-12-16"),
        ("(April 29, 2025)", D(2025, 4, 29), "2025-04-29"),
        ("December 16, 2024 Explanation", D(2024, 12, 16), "2024-12-16"),
        ("on 6 January 2022", D(2023, 8, 13), "2022-01-06"),
        ("the 3rd of March, 2021", D(2023, 8, 13), "2021-03-03"),
        ("which entered into force in 2012", D(2025, 4, 14), "2012"),
    ],
)
def test_dates_resolve(text: str, published: dt.date, expected: str) -> None:
    found = resolved(text, published)
    assert found[-1:] == [expected], found


def test_today_and_absolute_date_side_by_side() -> None:
    assert resolved("have today (26 January 2017) signed", D(2017, 1, 26)) == [
        "2017-01-26",
        "2017-01-26",
    ]


def test_weekday_with_its_date_is_one_mention() -> None:
    mentions = find_dates("Monday, 16 December 2024 Mr. President", D(2024, 12, 16))
    assert len(mentions) == 1
    assert (mentions[0].start, mentions[0].end) == (0, len("Monday, 16 December 2024"))
    assert not mentions[0].relative


@pytest.mark.parametrize(
    "text",
    [
        "and may God bless us all",
        "at 10:45 a.m. local time",
        "over $82 million toward infrastructure",
        "for approximately 45 minutes",
        "3rd Reading Vote",
        "next July",
        "this summer",
    ],
)
def test_not_dates(text: str) -> None:
    assert resolved(text, D(2024, 12, 16)) == []


def test_no_impossible_day() -> None:
    assert resolved("February 30", D(2024, 12, 16)) == []


def test_precision_and_literals() -> None:
    day, month, year = DateValue(2024, 7, 8), DateValue(2024, 7), DateValue(1996)
    assert (day.precision, month.precision, year.precision) == ("day", "month", "year")
    assert day.literal().datatype == XSD.date
    assert month.literal().datatype == XSD.gYearMonth and str(month.literal()) == "2024-07"
    assert year.literal().datatype == XSD.gYear
    assert (day.human(), month.human(), year.human()) == ("8 July 2024", "July 2024", "1996")


def test_after_publication_compares_at_the_dates_precision() -> None:
    published = D(2024, 7, 8)
    assert not DateValue(2024, 7).after(published)
    assert DateValue(2024, 7, 9).after(published)
    assert DateValue(2024, 8).after(published)
    assert not DateValue(2024).after(published)
