"""The list endpoints against a real server over the bundled graph. Every expected answer
was worked out by hand from data/graphs/*.trig (the comments say how)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rdflib import URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from web.ld_helpers import PUBLIC_CONTEXT, jsonld_graph

ID = "https://w3id.org/treatygraph/id/"
AS = "https://www.w3.org/ns/activitystreams#"
TG = "https://w3id.org/treatygraph/ontology#"

# All twelve agreements, in label order (label strings compare by code point).
ALL_AGREEMENTS = [
    "jp-us-acsa-amendment-1998",  # "1998 Amendment to the Japan–United States …"
    "au-jp-acsa",
    "au-jp-raa",
    "de-jp-acsa",
    "jp-ph-acsa",
    "jp-ph-isa",
    "jp-ph-raa",
    "gb-jp-lsa",  # "Japan–United Kingdom Defence Logistics Treaty"
    "gb-jp-raa",
    "jp-us-acsa",
    "jp-us-mdt",
    "ph-us-edca",
]


@pytest.fixture(scope="module")
def client(bundled_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=bundled_server, timeout=10) as http:
        yield http


def get(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    body: dict[str, Any] = response.json()
    return body


def slugs(body: dict[str, Any], kind: str = "agreement") -> list[str]:
    return [item["id"].removeprefix(f"{ID}{kind}/") for item in body["items"]]


# -- agreements -----------------------------------------------------------------------------


def test_japans_acsas_with_their_status_on_a_date(client: httpx.Client) -> None:
    # Japan's ACSAs: jp-ph (talks launched 2025-04-29), jp-us (signed April 1996, observed in
    # force 1998-04-28), au-jp (observed in force 2025-04-29), de-jp (entered into force
    # 2024-07-12). On 2025-06-01 every one of them has a status period covering the day.
    body = get(
        client,
        "/api/agreements",
        party="jp",
        type="AcquisitionCrossServicingAgreement",
        as_of="2025-06-01",
    )
    assert body["@context"] == PUBLIC_CONTEXT
    assert body["type"] == "Collection"
    assert body["totalItems"] == 4
    on_the_day = {
        item["id"].removeprefix(ID + "agreement/"): item["statusPeriods"][0]["status"]["id"]
        for item in body["items"]
    }
    assert on_the_day == {
        "au-jp-acsa": "tg:InForce",
        "de-jp-acsa": "tg:InForce",
        "jp-ph-acsa": "tg:UnderNegotiation",
        "jp-us-acsa": "tg:InForce",
    }
    jp_us = next(i for i in body["items"] if i["id"].endswith("/jp-us-acsa"))
    assert jp_us["statusPeriods"] == [
        {
            "id": ID + "agreement/jp-us-acsa#status-1998-04-28",
            "type": "StatusPeriod",
            "status": {"id": "tg:InForce", "label": "in force"},
            "validFrom": "1998-04-28",
        }
    ]
    assert {p["label"] for p in jp_us["parties"]} == {"Japan", "United States"}
    assert jp_us["status"] == {"id": "tg:InForce", "label": "in force"}


def test_as_of_is_a_range_lookup(client: httpx.Client) -> None:
    # Before 2025-04-29 nothing was reported about au-jp-acsa or jp-ph-acsa.
    early = get(
        client,
        "/api/agreements",
        party="jp",
        type="AcquisitionCrossServicingAgreement",
        as_of="2025-01-01",
    )
    assert slugs(early) == ["de-jp-acsa", "jp-us-acsa"]
    # On 1998-01-01 the only agreement with a status is jp-us-acsa: signed (the signing
    # "April 1996" counts from 1996-04-30), not yet observed in force.
    body = get(client, "/api/agreements", party="Q17", as_of="1998-01-01")
    assert slugs(body) == ["jp-us-acsa"]
    assert body["items"][0]["statusPeriods"][0]["status"]["id"] == "tg:Signed"
    assert body["items"][0]["statusPeriods"][0]["validUntil"] == "1998-04-28"
    # On 1998-04-28 the signed period has ended (validUntil is exclusive).
    day = get(client, "/api/agreements", as_of="1998-04-28")
    periods = {
        slug: item["statusPeriods"][0]["status"]["id"]
        for slug, item in zip(slugs(day), day["items"], strict=True)
    }
    assert periods == {
        "jp-us-acsa-amendment-1998": "tg:Signed",
        "jp-us-acsa": "tg:InForce",
        "jp-us-mdt": "tg:InForce",
    }
    signed_then = get(client, "/api/agreements", as_of="1997-06-30", status="Signed")
    assert slugs(signed_then) == ["jp-us-acsa"]
    assert get(client, "/api/agreements", as_of="1997-06-30", status="InForce")["items"] == []


def test_all_agreements_in_label_order(client: httpx.Client) -> None:
    body = get(client, "/api/agreements")
    assert body["totalItems"] == 12
    assert slugs(body) == ALL_AGREEMENTS
    assert "next" not in body and "prev" not in body
    assert all("statusPeriods" not in item for item in body["items"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Subclasses come with their superclass: the four ACSAs and the UK logistics treaty.
        (
            {"type": "LogisticsSupportAgreement"},
            ["au-jp-acsa", "de-jp-acsa", "jp-ph-acsa", "gb-jp-lsa", "jp-us-acsa"],
        ),
        ({"type": "visitingforcesagreement"}, ["au-jp-raa", "jp-ph-raa", "gb-jp-raa"]),
        ({"type": "Amendment"}, ["jp-us-acsa-amendment-1998"]),
        ({"party": "ph"}, ["jp-ph-acsa", "jp-ph-isa", "jp-ph-raa", "ph-us-edca"]),
        ({"party": "Q928"}, ["jp-ph-acsa", "jp-ph-isa", "jp-ph-raa", "ph-us-edca"]),
        ({"party": "DE"}, ["de-jp-acsa"]),
        ({"party": "fr"}, []),
        (
            {"status": "Signed"},
            ["jp-us-acsa-amendment-1998", "au-jp-raa", "jp-ph-raa", "gb-jp-lsa", "gb-jp-raa"],
        ),
        ({"status": "underNegotiation"}, ["jp-ph-acsa"]),
        ({"status": "Proposed"}, ["jp-ph-isa"]),
        ({"status": "InForce", "party": "us"}, ["jp-us-acsa", "jp-us-mdt", "ph-us-edca"]),
        # "RAA" is an altLabel of the three RAAs; "acsa" is in four altLabels.
        ({"q": "raa"}, ["au-jp-raa", "jp-ph-raa", "gb-jp-raa"]),
        ({"q": "ACSA"}, ["jp-us-acsa-amendment-1998", "de-jp-acsa", "jp-ph-acsa", "jp-us-acsa"]),
        ({"q": "treaty"}, ["gb-jp-lsa", "jp-us-mdt"]),
        ({"q": 'x" } UNION { ?s ?p ?o'}, []),
    ],
)
def test_agreement_filters(
    client: httpx.Client, params: dict[str, str], expected: list[str]
) -> None:
    body = get(client, "/api/agreements", **params)
    assert slugs(body) == expected
    assert body["totalItems"] == len(expected)


def test_pagination_walks_every_agreement_once(client: httpx.Client) -> None:
    seen: list[str] = []
    url: str | None = "/api/agreements?limit=5"
    pages = 0
    while url:
        response = client.get(url)
        body = response.json()
        assert body["totalItems"] == 12
        assert body["first"].endswith("limit=5&offset=0")
        seen += slugs(body)
        if "next" in body:
            assert f'<{body["next"]}>; rel="next"' in response.headers["link"]
        if pages:
            assert "prev" in body and 'rel="prev"' in response.headers["link"]
        url = body.get("next")
        pages += 1
    assert pages == 3
    assert seen == ALL_AGREEMENTS


def test_offset_past_the_end_is_an_empty_page(client: httpx.Client) -> None:
    body = get(client, "/api/agreements", offset=50)
    assert body["items"] == [] and body["totalItems"] == 12
    assert body["prev"].endswith("offset=0")


def test_collection_is_valid_jsonld(client: httpx.Client, bundled_server: str) -> None:
    body = get(client, "/api/agreements", party="jp", limit=3)
    graph = jsonld_graph(body, bundled_server)
    page = URIRef(body["id"])
    assert (page, RDF.type, URIRef(AS + "Collection")) in graph
    assert (page, URIRef(AS + "next"), URIRef(body["next"])) in graph
    items = graph.value(page, URIRef(AS + "items"))
    assert items is not None
    assert [str(i) for i in Collection(graph, items)] == [i["id"] for i in body["items"]]
    first = URIRef(body["items"][0]["id"])
    parties = set(graph.objects(first, URIRef(TG + "party")))
    assert URIRef(ID + "state/jp") in parties


def test_items_match_the_resource_documents(client: httpx.Client) -> None:
    item = get(client, "/api/agreements", q="Reciprocal Access", party="ph")["items"][0]
    document = client.get("/id/agreement/jp-ph-raa.jsonld").json()
    for key in ("id", "type", "label", "parties", "status"):
        assert item[key] == document[key], key
    assert sorted(item["altLabel"]) == sorted(document["altLabel"])


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"as_of": "2025-13-01"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2025-6-1"}, "as_of"),
        ({"type": "Treaty"}, "type"),
        ({"type": "Signing"}, "type"),
        ({"status": "Valid"}, "status"),
        ({"party": "../jp"}, "party"),
        ({"party": "j p"}, "party"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_are_400_problems(
    client: httpx.Client, params: dict[str, str], word: str
) -> None:
    response = client.get("/api/agreements", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert word in response.json()["detail"]


# -- states, events, articles ---------------------------------------------------------------


def test_states(client: httpx.Client) -> None:
    body = get(client, "/api/states")
    assert slugs(body, "state") == ["au", "de", "jp", "ph", "gb", "us"]
    japan = body["items"][2]
    assert japan["isoCode"] == "JP" and japan["sameAs"] == ["wd:Q17"]
    assert slugs(get(client, "/api/states", q="united"), "state") == ["gb", "us"]


def test_events_of_an_agreement_in_date_order(client: httpx.Client) -> None:
    body = get(client, "/api/events", agreement="jp-ph-raa")
    assert slugs(body, "event") == [
        "jp-ph-raa-signing-2024-07",
        "jp-ph-raa-signing-2024-07-08",
        "jp-ph-raa-legislative-consent-2024-12-16",
    ]
    assert body["items"][0]["date"] == {"type": "xsd:gYearMonth", "value": "2024-07"}
    assert body["items"][0]["concerns"]["label"] == "Japan–Philippines Reciprocal Access Agreement"


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({}, 20),  # 6 + 3 + 2 + 1 + 4 + 1 + 3 from articles 01, 02, 04, 07, 09, 11, 12
        ({"type": "Meeting"}, 4),
        ({"type": "StatusObservation"}, 8),
        ({"type": "LifecycleEvent"}, 8),
        ({"type": "Signing"}, 5),  # jp-ph-raa twice, gb-jp-lsa, jp-us-acsa, the amendment
        ({"from": "2024-07-15", "to": "2024-12-31"}, 2),  # "2024-07" overlaps; 2024-12-16
        ({"from": "2025-04-29"}, 5),  # the five reports of article 01 dated that day
        ({"to": "1997-12-31"}, 1),  # the signing of April 1996
        ({"q": "dinner"}, 1),
    ],
)
def test_event_filters(client: httpx.Client, params: dict[str, str], total: int) -> None:
    body = get(client, "/api/events", **params)
    assert body["totalItems"] == total
    assert len(body["items"]) == min(total, 50)


def test_event_parameters_are_checked(client: httpx.Client) -> None:
    assert client.get("/api/events", params={"from": "2024-02-30"}).status_code == 400
    assert client.get("/api/events", params={"agreement": "JP PH"}).status_code == 400
    assert client.get("/api/events", params={"type": "Agreement"}).status_code == 400


def test_articles(client: httpx.Client) -> None:
    body = get(client, "/api/articles")
    assert body["totalItems"] == 7
    assert slugs(body, "article")[0] == "09-dod-us-japan-acsa-amendment-1998"
    recent = get(client, "/api/articles", **{"from": "2024-01-01"})
    assert slugs(recent, "article") == [
        "02-mofa-japan-philippines-raa-signing",
        "12-kantei-japan-germany-summit-acsa",
        "04-senate-ph-raa-concurrence-vote",
        "01-ph-japan-acsa-talks",
    ]
    item = recent["items"][0]
    assert item["publisher"] == "Ministry of Foreign Affairs of Japan"
    assert item["datePublished"] == "2024-07-08"


# -- documentation --------------------------------------------------------------------------


def test_openapi_documents_the_lists(client: httpx.Client) -> None:
    openapi = client.get("/openapi.json").json()
    operation = openapi["paths"]["/api/agreements"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"party", "type", "status", "as_of", "q", "limit", "offset"}
    assert "application/ld+json" in operation["responses"]["200"]["content"]
    assert "400" in operation["responses"]
    schemas = openapi["components"]["schemas"]
    assert any(name.startswith("Collection") for name in schemas)
    assert {"AgreementItem", "EventItem", "StateItem", "ArticleItem"} <= set(schemas)
    events = {p["name"] for p in openapi["paths"]["/api/events"]["get"]["parameters"]}
    assert {"from", "to", "agreement", "type"} <= events


def test_docs_page_works_offline(client: httpx.Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    page = response.text
    assert "<script" not in page and "cdn" not in page.lower()
    for path in ("/api/agreements", "/api/events", "/id/{kind}/{slug}", "/ontology", "/void"):
        assert f"<code>{path}</code>" in page
    assert "<code>as_of</code>" in page
