"""Dates in article text, absolute or relative, resolved against the publication date.

A date keeps the precision the source gives (docs/model.md, Dates): a day is ``xsd:date``,
a month ``xsd:gYearMonth``, a year ``xsd:gYear``. Relative dates are resolved so that they
never fall after publication, because an article reports what has happened:

* "today" is the publication date, "yesterday" the day before;
* a weekday ("on Monday", "Tuesday") is that weekday on or before publication;
* a month alone ("In July") is the most recent such month not after publication, so the
  publication's own month is that month of the publication year;
* "last November" is November of the year before publication;
* a day without a year ("July 12") is that day of the publication year, or of the year
  before when it would fall after publication.

>>> import datetime as dt
>>> [m.value.lexical for m in find_dates("In July, they signed.", dt.date(2025, 4, 29))]
['2024-07']
>>> [m.value.lexical for m in find_dates("on Monday", dt.date(2024, 7, 8))]
['2024-07-08']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from rdflib import Literal as RdfLiteral
from rdflib.namespace import XSD

Precision = Literal["day", "month", "year"]

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH = "(?P<month>" + "|".join(MONTHS) + r")"
_WEEKDAY = "(?P<weekday>" + "|".join(WEEKDAYS) + r")"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "day-month-year",
        re.compile(rf"(?:{_WEEKDAY},?\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
    ),
    ("month-day-year", re.compile(rf"(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")),
    ("month-year", re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b")),
    ("month-day", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?![\d,]*\s*\d{{4}})")),
    (
        "month",
        re.compile(
            rf"\b(?P<lead>[Ii]n|[Ll]ast|[Tt]his|[Ss]ince|[Ee]arly|[Ll]ate|[Mm]id-)\s*{_MONTH}\b"
        ),
    ),
    ("year", re.compile(rf"\b[Ii]n\s+{_YEAR}\b")),
    ("weekday", re.compile(rf"\b{_WEEKDAY}\b")),
    ("today", re.compile(r"\b(?P<word>[Tt]oday|[Yy]esterday)\b")),
)


@dataclass(frozen=True, order=True)
class DateValue:
    """A calendar date as precise as the source: year, and month and day when given."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def lexical(self) -> str:
        """``2024-07-08``, ``2024-07`` or ``2024``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def literal(self) -> RdfLiteral:
        datatype = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}[self.precision]
        return RdfLiteral(self.lexical, datatype=datatype)

    def human(self) -> str:
        """``8 July 2024``, ``July 2024`` or ``2024``, for labels."""
        if self.month is None:
            return str(self.year)
        name = MONTHS[self.month - 1]
        return f"{self.day} {name} {self.year}" if self.day else f"{name} {self.year}"

    def after(self, published: dt.date) -> bool:
        """Whether the date starts after ``published`` at its own precision."""
        size = {"day": 3, "month": 2, "year": 1}[self.precision]
        own = (self.year, self.month or 0, self.day or 0)[:size]
        return own > (published.year, published.month, published.day)[:size]

    @classmethod
    def of(cls, day: dt.date) -> DateValue:
        return cls(day.year, day.month, day.day)


@dataclass(frozen=True)
class DateMention:
    """A date found in the text at ``start:end`` (body offsets); ``relative`` when resolved."""

    start: int
    end: int
    value: DateValue
    relative: bool


def find_dates(
    text: str, published: dt.date, start: int = 0, end: int | None = None
) -> list[DateMention]:
    """Dates in ``text[start:end]``, longest first where they overlap, in text order."""
    end = len(text) if end is None else end
    candidates: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text, start, end):
            value = _resolve(kind, match, published)
            if value is not None:
                relative = kind not in ("day-month-year", "month-day-year", "month-year", "year")
                candidates.append(DateMention(match.start(), match.end(), value, relative))
    chosen: list[DateMention] = []
    for mention in sorted(candidates, key=lambda m: (m.start - m.end, m.start)):
        if all(mention.end <= other.start or mention.start >= other.end for other in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def month_before(month: int, published: dt.date) -> int:
    """The year of the most recent ``month`` not after publication."""
    return published.year if month <= published.month else published.year - 1


def weekday_on_or_before(weekday: int, published: dt.date) -> dt.date:
    """The date of ``weekday`` (0 = Monday) on or before ``published``."""
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7)


def _resolve(kind: str, match: re.Match[str], published: dt.date) -> DateValue | None:
    groups = match.groupdict()
    month = MONTHS.index(groups["month"]) + 1 if groups.get("month") else None
    if kind in ("day-month-year", "month-day-year"):
        return _checked(int(groups["year"]), month, int(groups["day"]))
    if kind == "month-year":
        return DateValue(int(groups["year"]), month)
    if kind == "year":
        return DateValue(int(groups["year"]))
    if kind == "month-day" and month is not None:
        day = int(groups["day"])
        year = published.year
        if (month, day) > (published.month, published.day):
            year -= 1
        return _checked(year, month, day)
    if kind == "month" and month is not None:
        lead = groups["lead"].lower()
        if lead == "last":
            return DateValue(published.year - 1, month)
        if lead == "this":
            return None if month > published.month else DateValue(published.year, month)
        return DateValue(month_before(month, published), month)
    if kind == "weekday":
        return DateValue.of(weekday_on_or_before(WEEKDAYS.index(groups["weekday"]), published))
    if kind == "today":
        shift = 0 if groups["word"].lower() == "today" else 1
        return DateValue.of(published - dt.timedelta(days=shift))
    return None


def _checked(year: int, month: int | None, day: int) -> DateValue | None:
    try:
        dt.date(year, month or 1, day)
    except ValueError:
        return None
    return DateValue(year, month, day)
