"""Pictures of the graph for people and reports: the network of agreements between states
and the timeline of their lifecycle events, as SVG strings.

:mod:`.data` reads what both need from the store (three small queries, no HTTP types);
:mod:`.network` and :mod:`.timeline` lay it out and draw it with :mod:`.svg`. The pictures
are drawn from the store on every request, so an ingested article shows at once.
"""

from treatygraph.pictures.data import CATEGORIES, PictureData, load_picture_data
from treatygraph.pictures.network import NetworkFilter, network_svg
from treatygraph.pictures.timeline import TimelineFilter, timeline_svg

__all__ = [
    "CATEGORIES",
    "NetworkFilter",
    "PictureData",
    "TimelineFilter",
    "load_picture_data",
    "network_svg",
    "timeline_svg",
]
