"""The network picture: states as nodes, agreements as edges between their parties.

Edges are coloured by category (:data:`~treatygraph.pictures.data.CATEGORIES`) and drawn by
status: dashed while proposed or under negotiation, solid once signed, thick in force, grey
when terminated. Several agreements between the same two states bend apart, each labelled
with its acronym. Every edge links to its agreement's page and every node to its state's, so
the SVG works as a navigation aid without any script.

Node positions come from a force-directed layout (Fruchterman–Reingold) over *all*
agreements, from a circle and a fixed seed: the same graph always gives the same picture,
and filtering by type or date hides edges without moving the states.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from treatygraph.errors import BadInput
from treatygraph.listings import parse_date
from treatygraph.namespaces import is_slug, resource_iri
from treatygraph.pictures import svg
from treatygraph.pictures.data import CATEGORIES, STATUSES, Agreement, PictureData, StateNode

WIDTH, HEIGHT = 960, 600
LEGEND_WIDTH = 220
MARGIN = 60
SEED = 20240708
INK, MUTED, GREY, PAPER = "#1d2433", "#5b6475", "#9aa0a6", "#ffffff"

_STATUS_LABEL = dict(STATUSES)
_FOCUS_KINDS = ("state", "agreement")


@dataclass(frozen=True)
class NetworkFilter:
    """What the picture shows: categories (empty: all), the day of the statuses (None: the
    current ones) and an optional state or agreement IRI to bring forward."""

    categories: frozenset[str] = frozenset()
    as_of: dt.date | None = None
    focus: str | None = None

    @classmethod
    def parse(
        cls,
        types: Sequence[str] = (),
        as_of: str | None = None,
        focus: str | None = None,
        base_iri: str | None = None,
    ) -> NetworkFilter:
        """From query parameters: ``type`` (repeated or comma-separated category keys),
        ``as_of`` (YYYY-MM-DD) and ``focus`` (``state/jp`` or ``agreement/jp-ph-raa``).
        Raises BadInput with the values that would work."""
        keys = {c.key for c in CATEGORIES}
        wanted = {part.strip() for value in types for part in value.split(",") if part.strip()}
        unknown = sorted(wanted - keys)
        if unknown:
            names = ", ".join(c.key for c in CATEGORIES)
            raise BadInput(f"type must be one of {names} (got {unknown[0][:40]!r})")
        return cls(frozenset(wanted), parse_date(as_of, "as_of"), _focus(focus, base_iri))

    def shows(self, agreement: Agreement) -> bool:
        return not self.categories or agreement.category.key in self.categories


def _focus(text: str | None, base_iri: str | None) -> str | None:
    if not text:
        return None
    kind, _, slug = text.partition("/")
    if kind not in _FOCUS_KINDS or not is_slug(slug):
        raise BadInput(
            f"focus must be state/<code> or agreement/<slug>, like state/jp or "
            f"agreement/jp-ph-raa (got {text[:60]!r})"
        )
    return str(resource_iri(kind, slug, base_iri)) if base_iri else str(resource_iri(kind, slug))


def layout(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str]],
    width: float = 1.0,
    height: float = 1.0,
    seed: int = SEED,
    iterations: int = 300,
) -> dict[str, tuple[float, float]]:
    """Positions in ``[0, width] x [0, height]`` for ``nodes``, pulled together by ``edges``
    (repeated edges pull harder). Deterministic for the same input.

    >>> pos = layout(["a", "b"], [("a", "b")])
    >>> pos["a"][0] < pos["b"][0]
    True
    """
    count = len(nodes)
    if count == 0:
        return {}
    if count == 1:
        return {nodes[0]: (width / 2, height / 2)}
    rng = random.Random(seed)  # noqa: S311 (a layout, not a secret)
    pos = {
        node: [
            math.cos(2 * math.pi * i / count + math.pi) + rng.uniform(-0.01, 0.01),
            math.sin(2 * math.pi * i / count + math.pi) + rng.uniform(-0.01, 0.01),
        ]
        for i, node in enumerate(nodes)
    }
    weights: dict[tuple[str, str], int] = {}
    for a, b in edges:
        if a != b and a in pos and b in pos:
            key = (a, b) if a < b else (b, a)
            weights[key] = weights.get(key, 0) + 1
    k = math.sqrt(4.0 / count)
    temperature = 0.2
    for step in range(iterations):
        moves = {node: [0.0, 0.0] for node in nodes}
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                dist = max(math.hypot(dx, dy), 1e-3)
                force = k * k / dist
                moves[a][0] += dx / dist * force
                moves[a][1] += dy / dist * force
                moves[b][0] -= dx / dist * force
                moves[b][1] -= dy / dist * force
        for (a, b), weight in weights.items():
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            dist = max(math.hypot(dx, dy), 1e-3)
            force = dist * dist / k * (1 + math.log(weight))
            moves[a][0] -= dx / dist * force
            moves[a][1] -= dy / dist * force
            moves[b][0] += dx / dist * force
            moves[b][1] += dy / dist * force
        for node in nodes:  # gravity keeps unconnected states in view
            moves[node][0] -= pos[node][0] * 0.1 * k
            moves[node][1] -= pos[node][1] * 0.1 * k
            length = max(math.hypot(*moves[node]), 1e-9)
            step_size = min(length, temperature)
            pos[node][0] += moves[node][0] / length * step_size
            pos[node][1] += moves[node][1] / length * step_size
        temperature = 0.2 * (1 - (step + 1) / iterations) + 0.002
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    spread_x = max(max(xs) - min(xs), 1e-9)
    spread_y = max(max(ys) - min(ys), 1e-9)
    return {
        node: (
            (p[0] - min(xs)) / spread_x * width,
            (p[1] - min(ys)) / spread_y * height,
        )
        for node, p in pos.items()
    }


def edge_style(status: str | None, colour: str) -> dict[str, str | float | None]:
    """Stroke attributes for an agreement in ``status`` (a status concept's local name)."""
    if status == "Terminated":
        return {"stroke": GREY, "stroke-width": 2, "stroke-dasharray": None}
    if status == "InForce":
        return {"stroke": colour, "stroke-width": 5.5, "stroke-dasharray": None}
    if status == "Signed":
        return {"stroke": colour, "stroke-width": 2.5, "stroke-dasharray": None}
    if status in ("Proposed", "UnderNegotiation"):
        dash = "2 5" if status == "Proposed" else "8 5"
        return {"stroke": colour, "stroke-width": 2.5, "stroke-dasharray": dash}
    return {"stroke": colour, "stroke-width": 1.5, "stroke-dasharray": "1 4"}


def network_svg(
    data: PictureData, view: NetworkFilter = NetworkFilter(), link_base: str = ""
) -> str:
    """The network as an ``<svg>`` element; links are ``link_base`` + ``/id/...``."""
    nodes = list(data.states)
    pairs = [(a, b) for agreement in data.agreements for a, b in _pairs(agreement.parties)]
    area_w = WIDTH - LEGEND_WIDTH - 2 * MARGIN
    area_h = HEIGHT - 2 * MARGIN - 30
    positions = {
        node: (x + MARGIN, y + MARGIN)
        for node, (x, y) in layout(nodes, pairs, area_w, area_h).items()
    }
    shown = [
        (agreement, status)
        for agreement in data.agreements
        if view.shows(agreement)
        and (status := agreement.status_on(view.as_of)) is not None
        and len(agreement.parties) > 1
    ]
    focus_nodes, focus_edges = _focus_sets(view.focus, shown)
    by_pair: dict[tuple[str, str], list[tuple[Agreement, str]]] = {}
    for agreement, status in shown:
        for pair in _pairs(agreement.parties):
            by_pair.setdefault(pair, []).append((agreement, status))
    edges = []
    for (a, b), group in sorted(by_pair.items()):
        for index, (agreement, status) in enumerate(group):
            offset = (index - (len(group) - 1) / 2) * 34
            faded = focus_edges is not None and agreement.iri not in focus_edges
            edges.append(
                _edge(agreement, status, positions[a], positions[b], offset, faded, link_base)
            )
    active = {party for agreement, _ in shown for party in agreement.parties}
    degree = {node: sum(node in pair for pair in by_pair) for node in nodes}
    circles = [
        _node(
            data.states[node],
            positions[node],
            degree[node],
            node not in active or (focus_nodes is not None and node not in focus_nodes),
            link_base,
        )
        for node in nodes
    ]
    when = f"as of {view.as_of.isoformat()}" if view.as_of else "current status"
    kinds = (
        ", ".join(c.label for c in CATEGORIES if c.key in view.categories)
        if view.categories
        else "all types"
    )
    caption = f"{len(shown)} agreements between {len(active)} states · {when} · {kinds}"
    content = [
        svg.element("rect", {"width": WIDTH, "height": HEIGHT, "fill": PAPER}),
        svg.element("g", {"data-layer": "edges"}, edges),
        svg.element("g", {"data-layer": "nodes"}, circles),
        _legend(),
        svg.element(
            "text",
            {"x": MARGIN / 2, "y": HEIGHT - 18, "fill": MUTED, "font-size": 12},
            svg.text(caption),
        ),
    ]
    if not shown:
        content.append(
            svg.element(
                "text",
                {"x": (WIDTH - LEGEND_WIDTH) / 2, "y": 30, "text-anchor": "middle", "fill": MUTED},
                svg.text("No agreement matches these filters."),
            )
        )
    return svg.document(
        WIDTH,
        HEIGHT,
        content,
        f"Defense agreements between states ({when})",
        f"{caption}. Edges are agreements, coloured by type and drawn by status.",
    )


def _pairs(parties: Sequence[str]) -> list[tuple[str, str]]:
    ordered = sorted(parties)
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]]


def _focus_sets(
    focus: str | None, shown: list[tuple[Agreement, str]]
) -> tuple[set[str] | None, set[str] | None]:
    """The nodes and edges to keep at full strength (None: no focus, all of them)."""
    if focus is None:
        return None, None
    edges = {a.iri for a, _ in shown if a.iri == focus or focus in a.parties}
    nodes = {party for a, _ in shown if a.iri in edges for party in a.parties}
    return nodes | {focus}, edges


def _edge(
    agreement: Agreement,
    status: str,
    start: tuple[float, float],
    end: tuple[float, float],
    offset: float,
    faded: bool,
    link_base: str,
) -> str:
    (x1, y1), (x2, y2) = start, end
    length = max(math.hypot(x2 - x1, y2 - y1), 1e-6)
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    cx, cy = mx + nx * offset * 2, my + ny * offset * 2
    apex = (mx + nx * offset, my + ny * offset)
    path = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"
    style = edge_style(status, agreement.category.colour)
    status_text = _STATUS_LABEL.get(status, status)
    hint = f"{agreement.label} — {agreement.category.label}, {status_text}"
    pieces = [
        svg.title(hint),
        svg.element(
            "path", {"d": path, "fill": "none", "stroke": "transparent", "stroke-width": 14}
        ),
        svg.element("path", {"d": path, "fill": "none", "stroke-linecap": "round", **style}),
        svg.element(
            "text",
            {
                "x": apex[0],
                "y": apex[1] + 4,
                "text-anchor": "middle",
                "font-size": 11,
                "font-weight": 600,
                "fill": style["stroke"],
                "stroke": PAPER,
                "stroke-width": 3,
                "paint-order": "stroke",
            },
            svg.text(agreement.short),
        ),
    ]
    attrs = {
        "href": f"{link_base}/id/agreement/{agreement.slug}",
        "aria-label": hint,
        "data-agreement": agreement.slug,
        "data-category": agreement.category.key,
        "data-status": status,
        "opacity": 0.18 if faded else None,
    }
    return svg.element("a", attrs, pieces)


def _node(
    state: StateNode, position: tuple[float, float], degree: int, faded: bool, link_base: str
) -> str:
    x, y = position
    radius = 17 + 3 * math.sqrt(degree)
    pieces = [
        svg.title(state.label),
        svg.element(
            "circle",
            {"cx": x, "cy": y, "r": radius, "fill": "#f4f6fa", "stroke": INK, "stroke-width": 1.5},
        ),
        svg.element(
            "text",
            {"x": x, "y": y + 4.5, "text-anchor": "middle", "font-weight": 700, "fill": INK},
            svg.text(state.code.upper()),
        ),
        svg.element(
            "text",
            {
                "x": x,
                "y": y + radius + 16,
                "text-anchor": "middle",
                "fill": INK,
                "stroke": PAPER,
                "stroke-width": 4,
                "paint-order": "stroke",
            },
            svg.text(state.label),
        ),
    ]
    attrs = {
        "href": f"{link_base}/id/state/{state.code}",
        "aria-label": state.label,
        "data-state": state.code,
        "opacity": 0.3 if faded else None,
    }
    return svg.element("a", attrs, pieces)


def _legend() -> str:
    x = WIDTH - LEGEND_WIDTH + 10
    rows = [
        svg.element("text", {"x": x, "y": 40, "font-weight": 700, "fill": INK}, "Type"),
    ]
    y = 62
    for category in CATEGORIES:
        rows.append(_sample(x, y, edge_style("Signed", category.colour)))
        rows.append(
            svg.element("text", {"x": x + 46, "y": y + 4, "fill": INK}, svg.text(category.label))
        )
        y += 22
    y += 14
    rows.append(svg.element("text", {"x": x, "y": y, "font-weight": 700, "fill": INK}, "Status"))
    y += 22
    for status, label in STATUSES:
        rows.append(_sample(x, y, edge_style(status, INK)))
        rows.append(svg.element("text", {"x": x + 46, "y": y + 4, "fill": INK}, svg.text(label)))
        y += 22
    for line in ("Click an edge or a state", "to open its page."):
        rows.append(
            svg.element(
                "text", {"x": x, "y": y + 10, "fill": MUTED, "font-size": 11}, svg.text(line)
            )
        )
        y += 15
    return svg.element("g", {"data-layer": "legend"}, rows)


def _sample(x: float, y: float, style: dict[str, str | float | None]) -> str:
    return svg.element(
        "line", {"x1": x, "y1": y, "x2": x + 36, "y2": y, "stroke-linecap": "round", **style}
    )
