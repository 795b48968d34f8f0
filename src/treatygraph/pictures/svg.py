"""A small SVG writer: elements as strings, every text and attribute escaped for XML.

Labels come from articles, so anything may be in them; :func:`text` and :func:`attr` escape
markup characters and drop the characters XML 1.0 forbids, so the document always parses.
Styling is done with presentation attributes, never a ``<style>`` element: the same SVG is
inlined in HTML pages, where a style element would restyle the whole page.

>>> element("text", {"x": 1, "class": None}, text("Japan & <Philippines>"))
'<text x="1">Japan &amp; &lt;Philippines&gt;</text>'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}

Attrs = Mapping[str, str | int | float | None]


def text(value: str) -> str:
    """``value`` as XML character data."""
    return re.sub(r'[&<>"]', lambda m: _ESCAPES[m.group()], _NOT_XML.sub("", value))


def attr(value: str | int | float) -> str:
    """``value`` as the inside of a double-quoted attribute (numbers rounded to 0.1)."""
    if isinstance(value, float):
        value = f"{value:.1f}".rstrip("0").rstrip(".")
    return text(str(value)).replace("\n", "&#10;")


def element(name: str, attrs: Attrs, content: str | Iterable[str] | None = None) -> str:
    """``<name attrs>content</name>``; ``content`` is already-written XML (use :func:`text`
    for character data) and may be a list of pieces; None attributes are left out."""
    written = "".join(
        f' {key}="{attr(value)}"' for key, value in attrs.items() if value is not None
    )
    if content is None:
        return f"<{name}{written}/>"
    body = content if isinstance(content, str) else "".join(content)
    return f"<{name}{written}>{body}</{name}>"


def title(value: str) -> str:
    """A ``<title>``: the tooltip of its parent element, and its accessible name."""
    return f"<title>{text(value)}</title>"


def link(href: str, content: Iterable[str], label: str | None = None) -> str:
    """An ``<a>`` around ``content``, with the SVG 2 ``href`` (and ``aria-label``)."""
    return element("a", {"href": href, "aria-label": label}, list(content))


def document(
    width: int, height: int, content: Iterable[str], label: str, description: str = ""
) -> str:
    """The ``<svg>`` element (no XML declaration: add :data:`XML_DECLARATION` for a file)."""
    head = [title(label)]
    if description:
        head.append(f"<desc>{text(description)}</desc>")
    attrs: Attrs = {
        "xmlns": SVG_NS,
        "viewBox": f"0 0 {width} {height}",
        "width": width,
        "height": height,
        "role": "img",
        "font-family": FONT,
        "font-size": 13,
    }
    return element("svg", attrs, [*head, *content])
