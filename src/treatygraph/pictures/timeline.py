"""The timeline picture: one row per agreement, its lifecycle events on a time axis.

Marks differ by shape and colour (negotiation launch, signing, legislative consent,
ratification, entry into force, termination); a status observed in a source is a hollow
circle. A date known only to the month or year is drawn as a bar over that period with the
mark at its middle. Behind the marks, a pale band shows the derived status periods, so a row
reads as the agreement's history. Rows and marks link to their pages.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

from treatygraph.errors import BadInput
from treatygraph.ingest.dates import MONTHS
from treatygraph.namespaces import is_slug, resource_iri
from treatygraph.pictures import svg
from treatygraph.pictures.data import MARK_KINDS, STATUSES, Agreement, Mark, PictureData

WIDTH = 1000
LABEL_WIDTH = 330
GAP_WEIGHT = 0.1
RIGHT = 30
TOP = 56
ROW = 30
INK, MUTED, RULE, PAPER = "#1d2433", "#5b6475", "#d9dde5", "#ffffff"

MARK_STYLE: dict[str, tuple[str, str]] = {
    "NegotiationLaunch": ("diamond", "#e69f00"),
    "Signing": ("circle", "#0072b2"),
    "LegislativeConsent": ("square", "#009e73"),
    "Ratification": ("triangle", "#cc79a7"),
    "EntryIntoForce": ("star", "#d55e00"),
    "Termination": ("cross", "#444444"),
    "LifecycleEvent": ("circle", "#888888"),
    "StatusObservation": ("hollow", INK),
}
"""Shape and colour of each kind of mark (shapes tell them apart in greyscale too)."""

BAND_COLOURS: dict[str, str] = {
    "Proposed": "#efe4f6",
    "UnderNegotiation": "#fdf0cf",
    "Signed": "#dbe8f6",
    "InForce": "#d3eedf",
    "Terminated": "#e4e4e4",
}


@dataclass(frozen=True)
class TimelineFilter:
    """Which rows: the agreements of one state, or one agreement (IRIs), or all."""

    state: str | None = None
    agreement: str | None = None

    @classmethod
    def parse(
        cls, state: str | None = None, agreement: str | None = None, base_iri: str | None = None
    ) -> TimelineFilter:
        """From query parameters: ``state`` (ISO code) and ``agreement`` (slug)."""
        return cls(
            _iri("state", state, "an ISO code like jp", base_iri),
            _iri("agreement", agreement, "a slug like jp-ph-raa", base_iri),
        )

    def rows(self, data: PictureData) -> list[Agreement]:
        return [
            a
            for a in data.agreements
            if (self.state is None or self.state in a.parties)
            and (self.agreement is None or a.iri == self.agreement)
        ]


def _iri(kind: str, text: str | None, example: str, base_iri: str | None) -> str | None:
    if not text:
        return None
    code = text.strip().lower()
    if not is_slug(code):
        raise BadInput(f"{kind} must be {example} (got {text[:60]!r})")
    return str(resource_iri(kind, code, base_iri) if base_iri else resource_iri(kind, code))


def human_period(start: dt.date, end: dt.date) -> str:
    """A date or period as people write it.

    >>> human_period(dt.date(2024, 7, 1), dt.date(2024, 7, 31))
    'July 2024'
    """
    if start == end:
        return f"{start.day} {MONTHS[start.month - 1]} {start.year}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year)
    return f"{MONTHS[start.month - 1]} {start.year}"


def timeline_svg(
    data: PictureData, view: TimelineFilter = TimelineFilter(), link_base: str = ""
) -> str:
    """The timeline as an ``<svg>`` element; links are ``link_base`` + ``/id/...``."""
    marks_of: dict[str, list[Mark]] = {}
    for mark in data.marks:
        marks_of.setdefault(mark.agreement, []).append(mark)
    rows = [a for a in view.rows(data) if marks_of.get(a.iri) or a.periods]
    rows.sort(key=lambda a: (_first_day(a, marks_of), a.label))
    who = _subject(data, view)
    legend_top = TOP + max(len(rows), 1) * ROW + 44
    height = legend_top + 92
    content = [
        svg.element("rect", {"width": WIDTH, "height": height, "fill": PAPER}),
        svg.element(
            "text",
            {"x": 16, "y": 26, "font-size": 15, "font-weight": 700, "fill": INK},
            svg.text(f"Lifecycle of {who}"),
        ),
    ]
    if not rows:
        content.append(
            svg.element(
                "text",
                {"x": 16, "y": TOP + 20, "fill": MUTED},
                svg.text("No dated events for this selection."),
            )
        )
    else:
        scale = _Scale(_years(rows, marks_of), LABEL_WIDTH + 14, WIDTH - RIGHT)
        content.extend(
            svg.element(
                "rect",
                {"x": 0, "y": TOP + index * ROW, "width": WIDTH, "height": ROW, "fill": "#f7f8fb"},
            )
            for index in range(1, len(rows), 2)
        )
        content.append(_axis(scale, TOP - 8, TOP + len(rows) * ROW))
        for index, agreement in enumerate(rows):
            y = TOP + index * ROW + ROW / 2
            content.append(_row(agreement, marks_of.get(agreement.iri, []), scale, y, link_base))
    content.append(_legend(legend_top))
    return svg.document(
        WIDTH,
        height,
        content,
        f"Timeline of {who}",
        f"{len(rows)} agreements; each row shows lifecycle events and status periods.",
    )


def _subject(data: PictureData, view: TimelineFilter) -> str:
    if view.agreement is not None:
        found = next((a for a in data.agreements if a.iri == view.agreement), None)
        return found.label if found else "an unknown agreement"
    if view.state is not None:
        state = data.states.get(view.state)
        return f"the agreements of {state.label if state else 'an unknown state'}"
    return "defense agreements"


def _first_day(agreement: Agreement, marks_of: dict[str, list[Mark]]) -> dt.date:
    days = [m.start for m in marks_of.get(agreement.iri, [])]
    days += [p.start for p in agreement.periods]
    return min(days) if days else dt.date.max


def _years(rows: list[Agreement], marks_of: dict[str, list[Mark]]) -> set[int]:
    """The years in which something happens to one of ``rows``."""
    years = {y for a in rows for m in marks_of.get(a.iri, []) for y in (m.start.year, m.end.year)}
    return years | {p.start.year for a in rows for p in a.periods}


class _Scale:
    """Days to x positions, on an axis where a year in which nothing happens takes only
    :data:`GAP_WEIGHT` of the width of a year with events: agreements signed decades apart
    then share one picture without squeezing the recent, busy years into a corner."""

    def __init__(self, active: set[int], left: float, right: float) -> None:
        self.first, self.last = min(active), max(active)
        self.active = active
        self.left, self.right = left, right
        self.offsets: dict[int, float] = {}
        total = 0.0
        for year in range(self.first, self.last + 1):
            self.offsets[year] = total
            total += self.weight(year)
        self.total = total

    def weight(self, year: int) -> float:
        return 1.0 if year in self.active else GAP_WEIGHT

    def x(self, day: dt.date) -> float:
        if day.year < self.first:
            return self.left
        if day.year > self.last:
            return self.right
        length = 366 if calendar.isleap(day.year) else 365
        share = (day.timetuple().tm_yday - 1) / length * self.weight(day.year)
        return self.left + (self.offsets[day.year] + share) / self.total * (self.right - self.left)


def _axis(scale: _Scale, top: float, bottom: float) -> str:
    pieces = []
    last_label = -1e9
    year = scale.first
    while year <= scale.last:
        x = scale.x(dt.date(year, 1, 1))
        if year not in scale.active:
            run_end = year
            while run_end + 1 <= scale.last and run_end + 1 not in scale.active:
                run_end += 1
            x2 = scale.x(dt.date(run_end, 12, 31))
            pieces.append(
                svg.element(
                    "rect",
                    {
                        "x": x,
                        "y": top,
                        "width": max(x2 - x, 1),
                        "height": bottom - top,
                        "fill": "#eef0f4",
                        "opacity": 0.6,
                    },
                    svg.title(
                        f"{year}–{run_end}: nothing reported (compressed)"
                        if run_end > year
                        else f"{year}: nothing reported (compressed)"
                    ),
                )
            )
            year = run_end + 1
            continue
        pieces.append(
            svg.element("line", {"x1": x, "y1": top, "x2": x, "y2": bottom, "stroke": RULE})
        )
        if x - last_label >= 34:
            pieces.append(
                svg.element(
                    "text",
                    {
                        "x": x + 3,
                        "y": bottom + 16,
                        "fill": MUTED,
                        "font-size": 11,
                    },
                    str(year),
                )
            )
            last_label = x
        year += 1
    return svg.element("g", {"data-layer": "axis"}, pieces)


def _row(agreement: Agreement, marks: list[Mark], scale: _Scale, y: float, link_base: str) -> str:
    pieces = []
    label = agreement.label if len(agreement.label) <= 47 else agreement.label[:45] + "…"
    pieces.append(
        svg.link(
            f"{link_base}/id/agreement/{agreement.slug}",
            [
                svg.title(agreement.label),
                svg.element("text", {"x": 16, "y": y + 4.5, "fill": "#1f5aa6"}, svg.text(label)),
            ],
            agreement.label,
        )
    )
    for period in agreement.periods:
        x1 = scale.x(period.start)
        x2 = scale.x(period.end) if period.end else scale.right
        status = dict(STATUSES).get(period.status, period.status)
        until = f" until {human_period(period.end, period.end)}" if period.end else ""
        pieces.append(
            svg.element(
                "rect",
                {
                    "x": x1,
                    "y": y - 6,
                    "width": max(x2 - x1, 1.5),
                    "height": 12,
                    "rx": 3,
                    "fill": BAND_COLOURS.get(period.status, "#eeeeee"),
                },
                svg.title(f"{status} from {human_period(period.start, period.start)}{until}"),
            )
        )
    for mark in marks:
        pieces.append(_mark(mark, scale, y, link_base))
    attrs = {"data-agreement": agreement.slug}
    return svg.element("g", attrs, pieces)


def _mark(mark: Mark, scale: _Scale, y: float, link_base: str) -> str:
    shape, colour = MARK_STYLE.get(mark.kind, MARK_STYLE["LifecycleEvent"])
    x1, x2 = scale.x(mark.start), scale.x(mark.end)
    x = (x1 + x2) / 2
    pieces = [svg.title(f"{mark.label} — {human_period(mark.start, mark.end)}")]
    if mark.end > mark.start:
        pieces.append(
            svg.element(
                "rect",
                {
                    "x": x1,
                    "y": y - 2,
                    "width": max(x2 - x1, 2),
                    "height": 4,
                    "fill": colour,
                    "opacity": 0.45,
                },
            )
        )
    pieces.append(_shape(shape, colour, x, y))
    kind = mark.iri.split("/id/", 1)[-1] if "/id/" in mark.iri else ""
    href = f"{link_base}/id/{kind}" if kind else None
    attrs = {"href": href, "data-kind": mark.kind, "aria-label": mark.label}
    return svg.element("a" if href else "g", attrs, pieces)


def _shape(shape: str, colour: str, x: float, y: float, size: float = 6.5) -> str:
    outline: svg.Attrs = {"stroke": PAPER, "stroke-width": 1.2}
    if shape == "hollow":
        return svg.element(
            "circle",
            {"cx": x, "cy": y, "r": size - 1, "fill": PAPER, "stroke": colour, "stroke-width": 2},
        )
    if shape == "circle":
        return svg.element("circle", {"cx": x, "cy": y, "r": size, "fill": colour, **outline})
    if shape == "square":
        s = size * 0.9
        return svg.element(
            "rect",
            {"x": x - s, "y": y - s, "width": 2 * s, "height": 2 * s, "fill": colour, **outline},
        )
    if shape == "cross":
        d = size * 0.8
        path = (
            f"M{x - d:.1f},{y - d:.1f}L{x + d:.1f},{y + d:.1f}"
            f"M{x - d:.1f},{y + d:.1f}L{x + d:.1f},{y - d:.1f}"
        )
        return svg.element("path", {"d": path, "stroke": colour, "stroke-width": 3})
    points = _polygon(shape, x, y, size + 1)
    return svg.element("polygon", {"points": points, "fill": colour, **outline})


def _polygon(shape: str, x: float, y: float, size: float) -> str:
    if shape == "diamond":
        corners = [(x, y - size), (x + size, y), (x, y + size), (x - size, y)]
    elif shape == "triangle":
        corners = [(x, y - size), (x + size, y + size * 0.8), (x - size, y + size * 0.8)]
    else:  # star
        corners = [
            (
                x + (size if i % 2 == 0 else size * 0.45) * math.sin(i * math.pi / 5),
                y - (size if i % 2 == 0 else size * 0.45) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ]
    return " ".join(f"{px:.1f},{py:.1f}" for px, py in corners)


def _legend(top: float) -> str:
    pieces = [
        svg.element("text", {"x": 16, "y": top, "font-weight": 700, "fill": INK}, "Events"),
    ]
    x = 90.0
    for kind, label in MARK_KINDS:
        if kind == "LifecycleEvent":
            continue
        shape, colour = MARK_STYLE[kind]
        pieces.append(_shape(shape, colour, x, top - 4.5))
        pieces.append(svg.element("text", {"x": x + 12, "y": top, "fill": INK}, svg.text(label)))
        x += 34 + 7.2 * len(label)
        if x > WIDTH - 220 and kind != MARK_KINDS[-1][0]:
            top += 22
            x = 90.0
    top += 30
    pieces.append(
        svg.element("text", {"x": 16, "y": top, "font-weight": 700, "fill": INK}, "Status")
    )
    x = 90.0
    for status, label in STATUSES:
        pieces.append(
            svg.element(
                "rect",
                {
                    "x": x - 6,
                    "y": top - 10,
                    "width": 30,
                    "height": 12,
                    "rx": 3,
                    "fill": BAND_COLOURS[status],
                },
            )
        )
        pieces.append(svg.element("text", {"x": x + 30, "y": top, "fill": INK}, svg.text(label)))
        x += 60 + 7.2 * len(label)
    pieces.append(
        svg.element(
            "text",
            {"x": 16, "y": top + 24, "fill": MUTED, "font-size": 11},
            svg.text(
                "A bar under a mark: the source gives only the month or the year. Shaded "
                "years had no events and are compressed. Click a row or a mark to open its page."
            ),
        )
    )
    return svg.element("g", {"data-layer": "legend"}, pieces)
