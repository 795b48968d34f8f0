"""The pictures without HTTP: data read from the bundled store, the layout, the filters, and
SVG that stays well-formed whatever the labels say."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from rdflib.namespace import XSD

from treatygraph.errors import BadInput
from treatygraph.pictures import (
    CATEGORIES,
    NetworkFilter,
    PictureData,
    TimelineFilter,
    load_picture_data,
    network_svg,
    timeline_svg,
)
from treatygraph.pictures.data import Agreement, Mark, StateNode, StatusSpan, date_period
from treatygraph.pictures.network import layout
from treatygraph.store.base import Store

SVG = "{http://www.w3.org/2000/svg}"
ID = "https://w3id.org/treatygraph/id/"


@pytest.fixture(scope="module")
def data(bundled_store: Store) -> PictureData:
    return load_picture_data(bundled_store)


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text)  # noqa: S314 (our own output)
    assert root.tag == SVG + "svg"
    return root


def test_data_from_the_bundled_graph(data: PictureData) -> None:
    assert {s.code for s in data.states.values()} == {"au", "de", "gb", "jp", "ph", "us"}
    by_slug = {a.slug: a for a in data.agreements}
    assert by_slug["jp-ph-raa"].category.key == "raa"
    assert by_slug["jp-ph-raa"].short == "RAA"
    assert by_slug["gb-jp-lsa"].category.key == "acsa"  # a logistics support agreement
    assert by_slug["gb-jp-lsa"].short == "LSA"
    assert by_slug["jp-us-mdt"].category.key == "treaty"
    assert by_slug["jp-ph-isa"].category.key == "infosec"
    assert by_slug["ph-us-edca"].category.key == "other"
    acsa = by_slug["jp-us-acsa"]
    assert acsa.status_on(dt.date(1996, 4, 29)) is None
    assert acsa.status_on(dt.date(1997, 1, 1)) == "Signed"
    assert acsa.status_on(dt.date(1998, 4, 28)) == "InForce"
    assert acsa.status_on(None) == "InForce"
    raa_marks = [m for m in data.marks if m.agreement == ID + "agreement/jp-ph-raa"]
    assert [(m.kind, m.lexical) for m in raa_marks] == [
        ("Signing", "2024-07"),
        ("Signing", "2024-07-08"),
        ("LegislativeConsent", "2024-12-16"),
    ]


def test_date_periods() -> None:
    assert date_period("2024", str(XSD.gYear)) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert date_period("2024-02", str(XSD.gYearMonth)) == (
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    )
    assert date_period("2024-07-08", str(XSD.date)) == (dt.date(2024, 7, 8),) * 2
    assert date_period("July", str(XSD.date)) is None


def test_layout_is_deterministic_and_inside_the_box() -> None:
    nodes = [f"n{i}" for i in range(9)]
    edges = [("n0", f"n{i}") for i in range(1, 9)] + [("n1", "n2"), ("n1", "n2")]
    first = layout(nodes, edges, 700, 500)
    assert first == layout(nodes, edges, 700, 500)
    assert all(0 <= x <= 700 and 0 <= y <= 500 for x, y in first.values())
    distinct = {(round(x), round(y)) for x, y in first.values()}
    assert len(distinct) == len(nodes)
    assert layout([], []) == {}
    assert layout(["only"], [], 10, 10) == {"only": (5, 5)}


def test_network_is_the_same_picture_twice(data: PictureData) -> None:
    assert network_svg(data) == network_svg(data)
    assert timeline_svg(data) == timeline_svg(data)


def test_filters_parse_and_refuse() -> None:
    view = NetworkFilter.parse(["acsa,raa", "treaty"], "2024-08-01", "state/jp")
    assert view.categories == {"acsa", "raa", "treaty"}
    assert view.as_of == dt.date(2024, 8, 1)
    assert view.focus == ID + "state/jp"
    custom = NetworkFilter.parse([], None, "agreement/x-y", "https://example.org/tg/")
    assert custom.focus == "https://example.org/tg/id/agreement/x-y"
    for bad in (dict(types=["bogus"]), dict(as_of="2024-1-1"), dict(focus="person/x")):
        with pytest.raises(BadInput):
            NetworkFilter.parse(**bad)  # type: ignore[arg-type]
    assert TimelineFilter.parse("JP").state == ID + "state/jp"
    with pytest.raises(BadInput):
        TimelineFilter.parse(agreement="a b")
    assert [c.key for c in CATEGORIES][-1] == "other"


HOSTILE = 'Evil <script>alert("x")</script> & \x00\x1b Treaty ]]>'


def hostile_data() -> PictureData:
    a = StateNode(ID + "state/aa", "aa", "Aland <&>")
    b = StateNode(ID + "state/bb", "bb", 'B"b\x07')
    agreement = Agreement(
        iri=ID + "agreement/aa-bb-x",
        label=HOSTILE,
        short="<X>",
        category=CATEGORIES[0],
        parties=(a.iri, b.iri),
        status="Terminated",
        periods=(
            StatusSpan("Signed", dt.date(2020, 1, 1), dt.date(2021, 1, 1)),
            StatusSpan("Terminated", dt.date(2021, 1, 1), None),
        ),
    )
    mark = Mark(
        iri=ID + "event/aa-bb-x-signing",
        agreement=agreement.iri,
        kind="Termination",
        label=HOSTILE,
        lexical="2021",
        start=dt.date(2021, 1, 1),
        end=dt.date(2021, 12, 31),
    )
    return PictureData({a.iri: a, b.iri: b}, [agreement], [mark])


def test_hostile_labels_stay_text(bundled_store: Store) -> None:
    data = hostile_data()
    for picture in (network_svg(data), timeline_svg(data)):
        root = parse(picture)
        assert not list(root.iter(SVG + "script"))
        text = "".join(root.itertext())
        assert 'Evil <script>alert("x")</script> &  Treaty ]]>' in text
        assert "\x00" not in picture and "\x1b" not in picture
    assert "Aland <&>" in "".join(parse(network_svg(data)).itertext())
    edge = next(e for e in parse(network_svg(data)).iter(SVG + "a") if e.get("data-agreement"))
    assert edge.get("data-status") == "Terminated"
    assert edge.find(f"{SVG}path[@stroke='#9aa0a6']") is not None  # grey when terminated


def test_empty_graph_pictures() -> None:
    empty = PictureData({}, [], [])
    assert "No agreement matches" in "".join(parse(network_svg(empty)).itertext())
    assert "No dated events" in "".join(parse(timeline_svg(empty)).itertext())
