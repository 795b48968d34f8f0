"""The workbench's pages and images over plain HTTP (no browser), against a live server over
the bundled graph: the SVG endpoints, search, the home page and the labels helper."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest

SVG = "{http://www.w3.org/2000/svg}"
ID = "https://w3id.org/treatygraph/id/"


@pytest.fixture(scope="module")
def client(bundled_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=bundled_server, timeout=10) as http:
        yield http


def svg_of(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's output)
    assert root.tag == SVG + "svg"
    return root


def texts(root: ET.Element) -> set[str]:
    return {"".join(e.itertext()) for e in root.iter(SVG + "text")}


def agreements(root: ET.Element) -> dict[str, dict[str, str]]:
    return {
        e.get("data-agreement", ""): e.attrib
        for e in root.iter(SVG + "a")
        if "data-agreement" in e.attrib
    }


# -- network --------------------------------------------------------------------------------


def test_network_svg_has_states_agreements_and_a_legend(client: httpx.Client) -> None:
    root = svg_of(client.get("/explore/network.svg"))
    words = texts(root)
    assert {"Philippines", "Japan", "United States", "Germany"} <= words
    assert {"ACSA / logistics", "RAA / visiting forces", "in force", "under negotiation"} <= words
    edges = agreements(root)
    assert len(edges) == 12
    raa = edges["jp-ph-raa"]
    assert raa["href"] == str(client.base_url) + "/id/agreement/jp-ph-raa"  # absolute: reports
    assert (raa["data-category"], raa["data-status"]) == ("raa", "Signed")
    assert edges["jp-ph-acsa"]["data-status"] == "UnderNegotiation"
    assert root.find(f"{SVG}title") is not None


def test_network_svg_filters_by_type_and_date(client: httpx.Client) -> None:
    both = svg_of(client.get("/explore/network.svg", params={"type": ["acsa", "raa"]}))
    assert {a["data-category"] for a in agreements(both).values()} == {"acsa", "raa"}
    same = svg_of(client.get("/explore/network.svg", params={"type": "acsa,raa"}))
    assert agreements(same).keys() == agreements(both).keys()
    old = svg_of(client.get("/explore/network.svg", params={"as_of": "1997-01-01"}))
    assert {k: v["data-status"] for k, v in agreements(old).items()} == {"jp-us-acsa": "Signed"}
    later = svg_of(client.get("/explore/network.svg", params={"as_of": "1998-04-28"}))
    assert agreements(later)["jp-us-acsa"]["data-status"] == "InForce"
    none = svg_of(client.get("/explore/network.svg", params={"as_of": "1900-01-01"}))
    assert agreements(none) == {}
    assert "No agreement matches these filters." in texts(none)


def test_network_focus_fades_the_rest(client: httpx.Client) -> None:
    root = svg_of(client.get("/explore/network.svg", params={"focus": "state/de"}))
    edges = agreements(root)
    assert "opacity" not in edges["de-jp-acsa"]
    assert edges["jp-ph-raa"]["opacity"]


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"type": "nuclear"}, "acsa"),
        ({"as_of": "2024-13-01"}, "YYYY-MM-DD"),
        ({"as_of": "yesterday"}, "YYYY-MM-DD"),
        ({"focus": "jp"}, "state/"),
        ({"focus": "state/../../etc"}, "state/"),
    ],
)
def test_bad_network_parameters_are_400_problems(
    client: httpx.Client, params: dict[str, str], word: str
) -> None:
    for path in ("/explore/network.svg", "/explore/network"):
        response = client.get(path, params=params)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert word in response.json()["detail"]


def test_network_page_inlines_the_svg_with_a_filter_form(client: httpx.Client) -> None:
    page = client.get("/explore/network", params={"type": "raa"}).text
    assert '<form class="filters" method="get" action="/explore/network"' in page
    assert 'value="raa" checked' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert 'href="/id/agreement/jp-ph-raa"' in page  # relative links on the page
    assert "/explore/network.svg?type=raa" in page


# -- timeline -------------------------------------------------------------------------------


def rows(root: ET.Element) -> list[str]:
    return [g.get("data-agreement", "") for g in root.iter(SVG + "g") if g.get("data-agreement")]


def test_timeline_svg_for_a_state(client: httpx.Client) -> None:
    root = svg_of(client.get("/explore/timeline.svg", params={"state": "jp"}))
    shown = rows(root)
    assert "jp-ph-raa" in shown and "jp-us-acsa" in shown
    assert "ph-us-edca" not in shown
    assert "Lifecycle of the agreements of Japan" in texts(root)
    marks = {a.get("data-kind") for a in root.iter(SVG + "a") if a.get("data-kind")}
    assert {"Signing", "LegislativeConsent", "EntryIntoForce", "NegotiationLaunch"} <= marks
    assert "StatusObservation" in marks
    assert {"2024", "2025", "1996"} <= texts(root)


def test_timeline_svg_for_one_agreement(client: httpx.Client) -> None:
    root = svg_of(client.get("/explore/timeline.svg", params={"agreement": "jp-ph-raa"}))
    assert rows(root) == ["jp-ph-raa"]
    kinds = [a.get("data-kind") for a in root.iter(SVG + "a") if a.get("data-kind")]
    assert kinds == ["Signing", "Signing", "LegislativeConsent"]
    labels = [t.text for a in root.iter(SVG + "a") for t in a.iter(SVG + "title")]
    assert any("(July 2024) — July 2024" in (label or "") for label in labels)


def test_timeline_of_nothing_says_so(client: httpx.Client) -> None:
    root = svg_of(client.get("/explore/timeline.svg", params={"state": "zz"}))
    assert rows(root) == []
    assert "No dated events for this selection." in texts(root)


def test_bad_timeline_parameters_are_400_problems(client: httpx.Client) -> None:
    response = client.get("/explore/timeline.svg", params={"state": "J P"})
    assert response.status_code == 400
    assert "ISO code" in response.json()["detail"]
    response = client.get("/explore/timeline", params={"agreement": "<script>"})
    assert response.status_code == 400


# -- search, home, labels -------------------------------------------------------------------


def test_search_finds_labels_and_acronyms(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "phil"}).text
    assert '<a href="/id/state/ph">Philippines</a>' in page
    assert 'href="/id/agreement/jp-ph-raa"' in page
    acronym = client.get("/search", params={"q": "EDCA"}).text
    assert 'href="/id/agreement/ph-us-edca"' in acronym
    assert "also called “EDCA”" in acronym
    person = client.get("/search", params={"q": "kishida"}).text
    assert '<a href="/id/person/fumio-kishida">Fumio Kishida</a>' in person


@pytest.mark.parametrize("q", ['"} ; DROP ALL', "\\", "x' }", "<&>"])
def test_search_text_never_becomes_query_syntax(client: httpx.Client, q: str) -> None:
    response = client.get("/search", params={"q": q})
    assert response.status_code == 200
    assert "Nothing found" in response.text


def test_search_limits(client: httpx.Client) -> None:
    assert '<section class="hits">' not in client.get("/search").text
    response = client.get("/search", params={"q": "x" * 201})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_home_page_without_script(client: httpx.Client) -> None:
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.text
    assert "<script" not in page
    assert '<form class="search-box" method="get" action="/search"' in page
    assert 'data-count="agreement"><strong>12</strong>' in page
    for path in ("/sparql", "/explore/network", "/explore/timeline", "/docs"):
        assert f'href="{path}"' in page


def test_labels_helper(client: httpx.Client) -> None:
    params = [
        ("iri", ID + "state/jp"),
        ("iri", "https://w3id.org/treatygraph/ontology#InForce"),
        ("iri", "urn:nothing"),
        ("iri", "x> } DROP ALL { <y"),
    ]
    response = client.get("/api/labels", params=params)
    assert response.status_code == 200
    assert response.json() == {
        "labels": {
            ID + "state/jp": "Japan",
            "https://w3id.org/treatygraph/ontology#InForce": "in force",
        }
    }
    too_many = [("iri", f"urn:x:{n}") for n in range(501)]
    assert client.get("/api/labels", params=too_many).status_code == 400


def test_scripts_and_styles_are_served_locally(client: httpx.Client) -> None:
    for path in ("/static/editor.js", "/static/explore.js", "/static/treatygraph.css"):
        response = client.get(path)
        assert response.status_code == 200
        assert "http://" not in response.text and "https://" not in response.text
