"""Dereferenceable IRIs against a real server over the bundled graph: content negotiation,
headers, JSON-LD that expands to exactly the Turtle's triples, HTML for people, and hostile
paths that must leave the server healthy."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDFS

from conftest import Serve, SettingsFactory, fill
from treatygraph.resources import description_query
from treatygraph.store.oxigraph import OxigraphStore
from web.ld_helpers import PUBLIC_CONTEXT, expand, jsonld_graph, parse

ID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
RAA = "/id/agreement/jp-ph-raa"
ACSA = "/id/agreement/jp-ph-acsa"
KIHARA_QUOTE = "The signing ceremony was attended by Mr. KIHARA Minoru"
SAMPLE = [
    ACSA,
    RAA,
    "/id/agreement/jp-us-acsa",
    "/id/state/jp",
    "/id/person/fumio-kishida",
    "/id/organization/senate-of-the-philippines",
    "/id/event/jp-ph-raa-signing-2024-07-08",
    "/id/observation/jp-us-acsa-status-1998-04-28",
    "/id/article/01-ph-japan-acsa-talks",
    "/id/evidence/02-mofa-japan-philippines-raa-signing-0cb2383a23",
    "/id/place/tokyo",
    "/id/office/prime-minister-of-japan",
    "/id/program/official-security-assistance",
]
FORMATS = {
    "application/ld+json": ".jsonld",
    "text/turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/rdf+xml": ".rdf",
    "text/html": ".html",
}
RDFLIB_FORMATS = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}


@pytest.fixture(scope="module")
def client(bundled_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=bundled_server, timeout=10) as http:
        yield http


def turtle_of(client: httpx.Client, path: str) -> Graph:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return parse(response.text, "turtle")


# -- content negotiation --------------------------------------------------------------------


@pytest.mark.parametrize(("media_type", "suffix"), FORMATS.items())
def test_accept_picks_the_representation(
    client: httpx.Client, media_type: str, suffix: str
) -> None:
    response = client.get(ACSA, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["vary"].startswith("Accept")
    assert response.headers["content-location"] == ACSA + suffix


def test_default_is_jsonld_and_browsers_get_html(client: httpx.Client) -> None:
    assert client.get(ACSA).headers["content-type"] == "application/ld+json"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        client.get(ACSA, headers={"Accept": browser})
        .headers["content-type"]
        .startswith("text/html")
    )


def test_q_values_decide(client: httpx.Client) -> None:
    accept = "application/ld+json;q=0.5, text/turtle;q=0.9, application/n-triples;q=0.1"
    assert (
        client.get(ACSA, headers={"Accept": accept})
        .headers["content-type"]
        .startswith("text/turtle")
    )
    accept = "text/turtle;q=0, application/rdf+xml"
    response = client.get(ACSA, headers={"Accept": accept})
    assert response.headers["content-type"] == "application/rdf+xml"


def test_nothing_acceptable_is_406(client: httpx.Client) -> None:
    response = client.get(ACSA, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.json()["offered"]


@pytest.mark.parametrize(("suffix", "media_type"), [(s, m) for m, s in FORMATS.items()])
def test_suffix_and_format_parameter(client: httpx.Client, suffix: str, media_type: str) -> None:
    by_suffix = client.get(ACSA + suffix, headers={"Accept": "image/png"})
    assert by_suffix.status_code == 200
    assert by_suffix.headers["content-type"].split(";")[0] == media_type
    name = {".jsonld": "jsonld", ".ttl": "turtle", ".nt": "nt", ".rdf": "rdfxml", ".html": "html"}
    by_param = client.get(ACSA, params={"format": name[suffix]}, headers={"Accept": "text/turtle"})
    assert by_param.headers["content-type"].split(";")[0] == media_type
    assert by_param.content == by_suffix.content


def test_unknown_format_parameter_is_400(client: httpx.Client) -> None:
    response = client.get(ACSA, params={"format": "docx"})
    assert response.status_code == 400
    assert "jsonld" in response.json()["detail"]


def test_link_headers_name_alternates_and_context(client: httpx.Client) -> None:
    response = client.get(ACSA, headers={"Accept": "text/turtle"})
    links = response.headers["link"]
    for media_type, suffix in FORMATS.items():
        assert f'<{ACSA}{suffix}>; rel="alternate"; type="{media_type}"' in links
    assert '</context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"' in links
    assert client.get(ACSA + ".html").headers["link"] == links


def test_head_answers_like_get(client: httpx.Client) -> None:
    response = client.head(ACSA, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


# -- the description, in every syntax -------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLE)
def test_every_rdf_syntax_says_the_same(client: httpx.Client, path: str) -> None:
    turtle = turtle_of(client, path)
    assert len(turtle) > 0
    for suffix, fmt in RDFLIB_FORMATS.items():
        response = client.get(path + suffix)
        assert response.status_code == 200
        assert isomorphic(parse(response.content, fmt), turtle), suffix


@pytest.mark.parametrize("path", SAMPLE)
def test_jsonld_expands_to_the_turtle_and_the_construct(
    client: httpx.Client, bundled_server: str, path: str
) -> None:
    document = client.get(path, headers={"Accept": "application/ld+json"}).json()
    assert document["@context"] == PUBLIC_CONTEXT
    from_jsonld = jsonld_graph(document, bundled_server)
    turtle = turtle_of(client, path)
    assert to_isomorphic(from_jsonld) == to_isomorphic(turtle)
    construct = client.get(
        "/sparql",
        params={"query": description_query(ID + path.removeprefix("/id/"))},
        headers={"Accept": "application/n-triples"},
    )
    assert construct.status_code == 200
    assert isomorphic(parse(construct.text, "nt"), turtle)


def test_description_is_bounded_and_complete(client: httpx.Client) -> None:
    graph = turtle_of(client, RAA)
    raa = URIRef(ID + "agreement/jp-ph-raa")
    tg = lambda name: URIRef(TG + name)  # noqa: E731
    assert (raa, tg("status"), tg("Signed")) in graph
    assert (
        raa,
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        tg("Agreement"),
    ) not in graph
    events = set(graph.subjects(tg("concerns"), raa))
    assert {str(e).removeprefix(ID) for e in events} == {
        "event/jp-ph-raa-signing-2024-07-08",
        "event/jp-ph-raa-signing-2024-07",
        "event/jp-ph-raa-legislative-consent-2024-12-16",
    }
    japan = URIRef(ID + "state/jp")
    assert (japan, RDFS.label, Literal("Japan", lang="en")) in graph
    assert not list(graph.triples((japan, URIRef("http://www.w3.org/2002/07/owl#sameAs"), None)))
    article = URIRef(ID + "article/02-mofa-japan-philippines-raa-signing")
    assert graph.value(article, URIRef("https://schema.org/url")) is not None
    assert not list(graph.triples((article, tg("text"), None)))
    quotes = {str(q) for q in graph.objects(None, tg("quote"))}
    assert any(q.startswith(KIHARA_QUOTE) for q in quotes)


# -- JSON-LD that reads like JSON -----------------------------------------------------------


def test_agreement_document_has_the_app_shape(client: httpx.Client) -> None:
    doc = client.get(RAA, headers={"Accept": "application/ld+json"}).json()
    assert doc["id"] == ID + "agreement/jp-ph-raa"
    assert doc["type"] == "ReciprocalAccessAgreement"
    assert doc["label"] == "Japan–Philippines Reciprocal Access Agreement"
    assert doc["parties"] == [
        {"id": ID + "state/jp", "label": "Japan"},
        {"id": ID + "state/ph", "label": "Philippines"},
    ]
    assert doc["status"] == {"id": "tg:Signed", "label": "signed"}
    assert [p["validFrom"] for p in doc["statusPeriods"]] == ["2024-07-08"]
    dates = [event["date"]["value"] for event in doc["events"]]
    assert dates == sorted(dates) == ["2024-07", "2024-07-08", "2024-12-16"]
    signing = doc["events"][1]
    assert signing["type"] == "Signing"
    assert signing["date"] == {"type": "xsd:date", "value": "2024-07-08"}
    assert {p["label"] for p in signing["participants"]} >= {"Yoko Kamikawa", "Minoru Kihara"}
    evidence = signing["evidence"]
    assert all(isinstance(e, dict) and e["quote"] and e["source"]["id"] for e in evidence)
    assert any(e["quote"].startswith(KIHARA_QUOTE) for e in evidence)
    assert evidence[0]["source"]["label"]
    month = doc["events"][0]
    assert month["date"] == {"type": "xsd:gYearMonth", "value": "2024-07"}


def test_state_lists_its_agreements(client: httpx.Client) -> None:
    doc = client.get("/id/state/ph.jsonld").json()
    assert doc["sameAs"] == ["wd:Q928"]
    assert {a["id"].removeprefix(ID) for a in doc["agreements"]} == {
        "agreement/jp-ph-acsa",
        "agreement/jp-ph-isa",
        "agreement/jp-ph-raa",
        "agreement/ph-us-edca",
    }


def test_article_lists_its_quotes_and_what_they_support(client: httpx.Client) -> None:
    doc = client.get("/id/article/11-usembassy-edca-four-new-sites.jsonld").json()
    assert doc["datePublished"] == "2023-02-02"
    quotes = doc["quotedIn"]
    assert len(quotes) == 4
    starts = [int(q["startOffset"]["value"]) for q in quotes]
    assert starts == sorted(starts)
    supported = {s["id"] for q in quotes for s in q.get("supports", [])}
    assert ID + "agreement/ph-us-edca" in supported


def test_documents_are_stable(client: httpx.Client) -> None:
    assert client.get(RAA + ".jsonld").content == client.get(RAA + ".jsonld").content


def test_context_is_served_and_valid(client: httpx.Client, bundled_server: str) -> None:
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    context = response.json()
    shipped = Path(__file__).resolve().parents[2] / "ontology" / "context.jsonld"
    assert context == __import__("json").loads(shipped.read_text("utf-8"))
    terms = context["@context"]
    for key in (
        "id",
        "type",
        "label",
        "altLabel",
        "parties",
        "events",
        "date",
        "status",
        "evidence",
        "quote",
        "source",
        "concerns",
        "participants",
        "place",
        "covers",
        "appliesTo",
        "amends",
        "sameAs",
        "statusPeriods",
        "validFrom",
        "validUntil",
        "publisher",
        "datePublished",
        "headline",
    ):
        assert key in terms, key
    assert terms["events"] == {"@reverse": "tg:concerns", "@container": "@set"}
    # pyld processes it: a small document using every kind of term expands as intended.
    sample = {
        "@context": PUBLIC_CONTEXT,
        "id": ID + "agreement/x",
        "type": "Agreement",
        "parties": [{"id": ID + "state/jp", "label": "Japan"}],
        "events": [{"id": ID + "event/e", "date": {"value": "2024-07", "type": "xsd:gYearMonth"}}],
        "statusPeriods": [{"id": ID + "agreement/x#p", "validFrom": "2024-07-31"}],
    }
    expanded = expand(sample, bundled_server)
    node = next(n for n in expanded if n["@id"] == ID + "agreement/x")
    assert node["@type"] == [TG + "Agreement"]
    assert node[TG + "party"][0]["@id"] == ID + "state/jp"
    event = node["@reverse"][TG + "concerns"][0]
    assert event[TG + "date"] == [
        {"@value": "2024-07", "@type": "http://www.w3.org/2001/XMLSchema#gYearMonth"}
    ]
    period = node[TG + "statusPeriod"][0]
    assert period[TG + "validFrom"][0]["@type"] == "http://www.w3.org/2001/XMLSchema#date"


def test_server_loader_refuses_other_contexts() -> None:
    from treatygraph.config import Settings
    from treatygraph.jsonld_docs import document_loader

    load = document_loader(Settings.model_construct())
    assert load(PUBLIC_CONTEXT)["document"]["@context"]["@vocab"] == TG
    with pytest.raises(jsonld.JsonLdError):
        load("https://example.org/evil.jsonld")


# -- HTML for people ------------------------------------------------------------------------


def test_html_page_shows_facts_timeline_status_and_quotes(client: httpx.Client) -> None:
    response = client.get(RAA, headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.text
    assert "<h1>Japan–Philippines Reciprocal Access Agreement</h1>" in page
    assert '<a href="/id/state/jp">Japan</a>' in page
    assert '<span class="status">signed</span>' in page
    assert "<blockquote" in page and KIHARA_QUOTE in page
    assert '<a href="/id/article/02-mofa-japan-philippines-raa-signing">' in page
    assert 'href="https://www.mofa.go.jp/' in page
    timeline = page[page.index("<h2>Timeline</h2>") :]
    whens = re.findall(r'<span class="when">([^<]+)</span>', timeline)
    assert whens == ["July 2024", "8 July 2024", "16 December 2024"]
    assert "https://w3id.org/treatygraph/id/state/jp<" not in page  # labels, not IRIs
    assert "<script" not in page
    assert "/static/treatygraph.css" in page


def test_article_page_shows_metadata_and_facts(client: httpx.Client) -> None:
    page = client.get("/id/article/02-mofa-japan-philippines-raa-signing.html").text
    assert "Ministry of Foreign Affairs of Japan" in page
    assert "Facts drawn from this article" in page
    assert '<a href="/id/agreement/jp-ph-raa">' in page
    assert "https://www.mofa.go.jp/s_sa/sea2/ph/pageite_000001_00432.html" in page


def test_index_lists_agreements_by_state(client: httpx.Client) -> None:
    page = client.get("/id/").text
    sections = re.split(r'<h2 id="', page)[1:]
    by_state = {
        s.split('"', 1)[0]: re.findall(r'href="/id/agreement/([a-z0-9-]+)"', s) for s in sections
    }
    assert set(by_state) == {"au", "de", "gb", "jp", "ph", "us"}
    assert sorted(by_state["ph"]) == ["jp-ph-acsa", "jp-ph-isa", "jp-ph-raa", "ph-us-edca"]
    assert len(by_state["jp"]) == 11


def test_stylesheet_is_served_from_the_package(client: httpx.Client) -> None:
    response = client.get("/static/treatygraph.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


# -- errors and hostile paths ---------------------------------------------------------------


def test_unknown_resource_is_404_problem(client: httpx.Client) -> None:
    response = client.get("/id/agreement/xx-yy-acsa")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "xx-yy-acsa" in response.json()["detail"]


HOSTILE = [
    "/id/agreement/..%2F..%2Fetc%2Fpasswd",
    "/id/agreement/%2e%2e",
    "/id/agreement/jp%22ph",
    "/id/agreement/jp'ph",
    "/id/agreement/jp%3Eph",
    "/id/agreement/%7Bjp%7D",
    "/id/agreement/jp%00ph",
    "/id/agreement/JP-PH-ACSA",
    "/id/agreement/jp--ph",
    "/id/agreement/" + "a" * 5000,
    "/id/agreement/jp-ph-acsa%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo",
    "/id/agreement/jp-ph-acsa.ttl.ttl",
    "/id/agreement/jp-ph-acsa.exe",
    "/id/nonsense/jp",
    "/id/%3E/jp",
    "/id/agreement/jp-ph-acsa%0a",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_paths_are_refused_and_the_server_stays_healthy(
    client: httpx.Client, path: str
) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/healthz").status_code == 200
    assert client.get(ACSA).status_code == 200


# -- a deployment with its own base IRI -----------------------------------------------------


def test_base_iri_maps_local_paths_to_public_iris(
    tmp_path: Path, make_settings: SettingsFactory, serve: Serve
) -> None:
    base = "https://example.org/tg/"
    trig = tmp_path / "custom.trig"
    trig.write_text(
        f"""@prefix tg: <{TG}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <{base}graph/one> {{
          <{base}id/agreement/aa-bb-acsa> a tg:AcquisitionCrossServicingAgreement ;
              rdfs:label "A–B ACSA"@en ; tg:party <{base}id/state/aa> .
          <{base}id/state/aa> rdfs:label "Aland"@en .
        }}""",
        "utf-8",
    )
    store = fill(OxigraphStore(None), trig)
    try:
        with serve(make_settings(base_iri=base), store) as url:
            doc = httpx.get(url + "/id/agreement/aa-bb-acsa.jsonld").json()
            assert doc["@context"] == base + "context.jsonld"
            assert doc["id"] == base + "id/agreement/aa-bb-acsa"
            graph = jsonld_graph(doc, url, public=base + "context.jsonld")
            assert (
                URIRef(base + "id/agreement/aa-bb-acsa"),
                URIRef(TG + "party"),
                URIRef(base + "id/state/aa"),
            ) in graph
            page = httpx.get(url + "/id/agreement/aa-bb-acsa.html").text
            assert '<a href="/id/state/aa">Aland</a>' in page
            assert httpx.get(url + "/id/agreement/jp-ph-acsa").status_code == 404
    finally:
        store.close()


# -- a real browser -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.browser
@pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)
def test_browser_renders_the_resource_page(bundled_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(bundled_server + RAA, wait_until="load")
            assert (
                page.locator("h1").inner_text() == "Japan–Philippines Reciprocal Access Agreement"
            )
            quote = page.locator("blockquote", has_text=KIHARA_QUOTE)
            assert quote.count() >= 1 and quote.first.is_visible()
            page.get_by_role("link", name="Japan", exact=True).first.click()
            page.wait_for_url(bundled_server + "/id/state/jp")
            assert page.locator("h1").inner_text() == "Japan"
            assert all(url.startswith(bundled_server) for url in requests), requests
            target = os.environ.get("TREATYGRAPH_SCREENSHOTS")
            if target:
                page.set_viewport_size({"width": 1200, "height": 1500})
                page.goto(bundled_server + RAA, wait_until="load")
                Path(target).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(target) / "resource-page.png"))
        finally:
            browser.close()


def test_readme_python_example_runs(
    bundled_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    section = readme[readme.index("## Linked data") :]
    match = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert match is not None
    code = match.group(1)
    assert len(code.strip().splitlines()) <= 10
    exec(code.replace("http://127.0.0.1:8000", bundled_server), {})  # noqa: S102
    out = capsys.readouterr().out
    assert out.startswith("2025-04-29 NegotiationLaunch Launch of negotiations")
    assert "The Philippines and Japan agreed to begin negotiations" in out
    assert "— PH, Japan begin talks on new logistics deal" in out


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        (ACSA, "text/turtle"),
        (ACSA, "application/ld+json"),
        (ACSA, "text/html"),
        ("/api/agreements?party=jp", "application/ld+json"),
        ("/ontology", "text/turtle"),
        ("/void", "text/turtle"),
        ("/context.jsonld", "application/ld+json"),
    ],
)
def test_documents_answer_conditional_requests(
    client: httpx.Client, path: str, accept: str
) -> None:
    """An app that keeps a copy asks with its ETag and gets 304, no body, while the
    document is unchanged; another representation has another tag."""
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('"') and first.headers["cache-control"]
    again = client.get(path, headers={"Accept": accept, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers.get("vary") == first.headers.get("vary")
    weak = client.get(path, headers={"Accept": accept, "If-None-Match": f'"x", W/{tag}'})
    assert weak.status_code == 304
    stale = client.get(path, headers={"Accept": accept, "If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.content == first.content
    other = "text/turtle" if accept != "text/turtle" else "application/ld+json"
    if not path.startswith(("/api/", "/context")):  # several representations
        assert client.get(path, headers={"Accept": other}).headers["etag"] != tag
