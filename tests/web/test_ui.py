"""The analyst's workbench in a real headless Chromium (Debian's, never a downloaded build),
against a live server over the bundled graph: the home page, the query editor, the pictures,
and every page but the editor and the interactive network with JavaScript turned off.

A failed test leaves a screenshot in ``tests/output/``. With ``TREATYGRAPH_SCREENSHOTS=DIR``
the tests also save the pictures of the README (``docs/img``) into ``DIR``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists("/usr/bin/chromium"),
        reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api")

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
OUTPUT = Path(__file__).resolve().parents[1] / "output"
RAA_LABEL = "Japan–Philippines Reciprocal Access Agreement"
EXAMPLE = "Defense agreements by type"
WIDTH = 1200


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: Any, request: pytest.FixtureRequest, base: str, script: bool) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 900}, java_script_enabled=script, base_url=base
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.requests = []
    page.errors = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
    outside = [url for url in page.requests if not url.startswith((base, "data:"))]
    context.close()
    assert not outside, f"requests left the server: {outside}"
    assert not page.errors, f"script errors: {page.errors}"


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest, bundled_server: str) -> Iterator[Any]:
    """A page with JavaScript, in a fresh context; fails the test on any request that
    leaves the server (no CDN) and on any script error."""
    yield from _page(browser, request, bundled_server, script=True)


@pytest.fixture
def plain_page(browser: Any, request: pytest.FixtureRequest, bundled_server: str) -> Iterator[Any]:
    """A page with JavaScript turned off."""
    yield from _page(browser, request, bundled_server, script=False)


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    """Save a picture for the README when ``TREATYGRAPH_SCREENSHOTS`` names a folder."""
    target = os.environ.get("TREATYGRAPH_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=full_page)


def count_of(bundled_server: str, cls: str) -> int:
    query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}"
    response = httpx.get(bundled_server + "/sparql", params={"query": query})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# -- with JavaScript --------------------------------------------------------------------------


def test_home_page_shows_what_the_graph_holds(page: Any, bundled_server: str) -> None:
    tg = "https://w3id.org/treatygraph/ontology#"
    page.goto("/")
    assert page.locator("h1").inner_text() == "Defense agreements between states"
    for kind, cls in [("agreement", "Agreement"), ("state", "State"), ("article", "Article")]:
        shown = page.locator(f"[data-count={kind}] strong").inner_text()
        assert int(shown) == count_of(bundled_server, tg + cls), kind
    assert int(page.locator("[data-count=event] strong").inner_text()) >= 10
    assert page.locator("table.by-type tr", has_text="reciprocal access agreement").count() == 1
    newest = page.locator("ol.newest li").first
    assert "29 April 2025" in newest.inner_text()
    assert newest.get_by_role("link", name="PH, Japan begin talks on new logistics deal").count()
    for name, path in [("Query editor", "/sparql"), ("Network", "/explore/network")]:
        assert page.locator(f"ul.cards a[href='{path}']", has_text=name).count() == 1
    assert page.locator("a[href='/docs']").count() >= 1
    screenshot(page, "home")


def test_editor_runs_an_example_and_links_to_resources(page: Any, bundled_server: str) -> None:
    page.goto("/sparql")
    assert page.locator("#time-limit").get_attribute("data-seconds") == "10.0"
    page.get_by_role("link", name=EXAMPLE).click()
    editor = page.locator("#query")
    assert editor.input_value().startswith("# Defense agreements by type")
    assert page.locator("pre.highlight .tok-keyword", has_text="SELECT").count() == 1
    assert page.locator("pre.highlight .tok-var", has_text="?agreement").count() >= 1
    editor.press("Control+Enter")
    row = page.locator("table.results tbody tr", has_text=RAA_LABEL)
    row.first.wait_for()
    assert re.fullmatch(r"11 rows in \d+ ms", page.locator("#query-status").inner_text())
    link = row.locator("a[href='/id/agreement/jp-ph-raa']")
    link.filter(has_text=RAA_LABEL).wait_for()  # the IRI shows its label
    assert (
        page.locator("#downloads a", has_text="CSV")
        .get_attribute("href")
        .startswith("/sparql?query=")
    )
    assert "qtext=" in page.locator("#permalink").get_attribute("href")
    assert "qtext=" in page.url
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "editor", full_page=False)
    link.click()
    page.wait_for_url("**/id/agreement/jp-ph-raa")
    assert page.locator("h1").inner_text() == RAA_LABEL


def test_editor_shows_syntax_errors_with_line_and_column(page: Any) -> None:
    page.goto("/sparql")
    editor = page.locator("#query")
    editor.fill(
        "PREFIX tg: <https://w3id.org/treatygraph/ontology#>\nSELECT * WHERE {\n  ?s ?p \n}"
    )
    editor.press("Control+Enter")
    error = page.locator("#query-error")
    error.wait_for(state="visible")
    assert re.search(r"Malformed query at line 4, column \d+", error.inner_text())
    assert page.locator("pre.highlight .line-error").inner_text().strip() == "}"


def test_editor_declares_the_project_prefixes(page: Any) -> None:
    page.goto("/sparql")
    editor = page.locator("#query")
    # No PREFIX lines: tg: and rdfs: are declared by the editor; the error line is the
    # user's own line 3, not shifted by the added declarations.
    editor.fill("SELECT ?label WHERE {\n  ?a a tg:ReciprocalAccessAgreement ; rdfs:label ?label\n}")
    editor.press("Control+Enter")
    page.locator("table.results td", has_text=RAA_LABEL).first.wait_for()
    editor.fill("SELECT ?label WHERE {\n  ?a a tg:Agreement\n  ?a rdfs:label ?label }")
    editor.press("Control+Enter")
    page.locator("#query-error").wait_for(state="visible")
    assert "at line 3" in page.locator("#query-error").inner_text()


def test_permalink_restores_the_query(page: Any) -> None:
    text = 'SELECT ?s WHERE { ?s rdfs:label "a & <b>" }'
    page.goto("/sparql?" + httpx.QueryParams({"qtext": text}).__str__())
    assert page.locator("#query").input_value() == text
    assert page.locator("table.results").count() == 0


def test_construct_results_show_as_turtle(page: Any) -> None:
    page.goto("/sparql")
    page.locator("#query").fill(
        "CONSTRUCT { ?a tg:party ?p } WHERE { ?a tg:party ?p } ORDER BY ?a LIMIT 3"
    )
    page.locator("#run").click()
    turtle = page.locator("pre.turtle")
    turtle.wait_for()
    assert "tg:party" in turtle.inner_text() or "ontology#party" in turtle.inner_text()
    assert page.locator("#downloads a", has_text="Turtle").count() == 1


def test_network_shows_states_and_filters(page: Any) -> None:
    page.goto("/explore/network")
    for code, label in [("ph", "Philippines"), ("jp", "Japan")]:
        node = page.locator(f"figure svg a[data-state={code}]")
        assert node.is_visible()
        assert node.get_attribute("aria-label") == label
    all_edges = page.locator("figure svg a[data-agreement]").count()
    assert all_edges >= 10
    screenshot(page, "network")
    page.get_by_role("checkbox", name="information security").check()
    page.wait_for_url("**/explore/network?type=infosec")
    page.wait_for_function("document.querySelectorAll('figure svg a[data-agreement]').length == 1")
    edge = page.locator("figure svg a[data-agreement=jp-ph-isa]")
    assert edge.get_attribute("data-status") == "Proposed"
    assert page.locator("figure svg a[data-state=ph]").is_visible()
    edge.locator("path").last.click(force=True)
    page.wait_for_url("**/id/agreement/jp-ph-isa")


def test_network_as_of_a_date(page: Any) -> None:
    page.goto("/explore/network?as_of=2000-01-01")
    edges = page.locator("figure svg a[data-agreement]")
    slugs = sorted(edges.nth(i).get_attribute("data-agreement") for i in range(edges.count()))
    assert slugs == ["jp-us-acsa", "jp-us-acsa-amendment-1998", "jp-us-mdt"]
    acsa = page.locator("figure svg a[data-agreement=jp-us-acsa]")
    assert acsa.get_attribute("data-status") == "InForce"


def test_timeline_shows_lifecycle_events(page: Any) -> None:
    page.goto("/explore/timeline")
    rows = page.locator("figure svg g[data-agreement]")
    assert rows.count() >= 10
    screenshot(page, "timeline")
    page.locator("select[name=state]").select_option("ph")
    page.wait_for_url("**/explore/timeline?state=ph")
    page.wait_for_function("document.querySelectorAll('figure svg g[data-agreement]').length == 4")
    raa = page.locator("figure svg g[data-agreement=jp-ph-raa]")
    kinds = {raa.locator("a[data-kind]").nth(i).get_attribute("data-kind") for i in range(3)}
    assert kinds == {"Signing", "LegislativeConsent"}


def test_resource_page_links_into_the_pictures(page: Any) -> None:
    page.goto("/id/agreement/jp-ph-raa")
    page.get_by_role("link", name="on the network").click()
    page.wait_for_url("**/explore/network?focus=agreement/jp-ph-raa")
    focused = page.locator("figure svg a[data-agreement=jp-ph-raa]")
    assert focused.get_attribute("opacity") is None
    faded = page.locator("figure svg a[data-agreement=de-jp-acsa]")
    assert faded.get_attribute("opacity") is not None
    page.goto("/id/state/jp")
    page.get_by_role("link", name="on the timeline").click()
    page.wait_for_url("**/explore/timeline?state=jp")
    assert "Lifecycle of the agreements of Japan" in page.locator("figure svg").text_content()


# -- without JavaScript ---------------------------------------------------------------------


def test_home_search_and_resource_pages_work_without_javascript(plain_page: Any) -> None:
    page = plain_page
    page.goto("/")
    assert int(page.locator("[data-count=agreement] strong").inner_text()) >= 12
    page.locator("#home-search").fill("philippines")
    page.locator("form.search-box button").click()
    page.wait_for_url("**/search?q=philippines")
    assert page.locator("section.hits h2", has_text="States").count() == 1
    page.get_by_role("link", name="Philippines", exact=True).click()
    page.wait_for_url("**/id/state/ph")
    assert page.locator("h1").inner_text() == "Philippines"
    page.goto("/search?q=RAA")
    assert page.get_by_role("link", name=RAA_LABEL).count() == 1
    page.goto("/id/agreement/jp-ph-raa")
    assert page.locator("h1").inner_text() == RAA_LABEL


def test_pictures_work_without_javascript(plain_page: Any) -> None:
    page = plain_page
    page.goto("/explore/timeline?state=jp")
    assert page.locator("figure svg g[data-agreement]").count() >= 10
    page.locator("select[name=state]").select_option("ph")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/explore/timeline?state=ph&agreement=")
    assert page.locator("figure svg g[data-agreement]").count() == 4
    page.goto("/explore/network")
    assert page.locator("figure svg a[data-state=ph]").count() == 1
    page.get_by_role("checkbox", name="ACSA / logistics").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*/explore/network\?type=acsa&as_of=$"))
    categories = page.locator("figure svg a[data-agreement]")
    assert {
        categories.nth(i).get_attribute("data-category") for i in range(categories.count())
    } == {"acsa"}
    page.locator("figure svg a[data-state=de]").click()
    page.wait_for_url("**/id/state/de")


def test_editor_falls_back_to_a_form_without_javascript(plain_page: Any) -> None:
    page = plain_page
    page.goto("/sparql")
    page.get_by_role("link", name=EXAMPLE).click()
    assert page.locator("#query").input_value().startswith("# Defense agreements by type")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_url("**/sparql?query=*")
    row = page.locator("table.results tbody tr", has_text=RAA_LABEL)
    assert row.count() == 1  # its ?agreement link shows the label, and so does ?label
    assert row.locator("a[href='/id/agreement/jp-ph-raa']").inner_text() == RAA_LABEL
    assert "11 rows in" in page.locator("#query-status").inner_text()
    page.locator("#query").fill("SELECT * WHERE {\n  ?s ?p \n}")
    page.get_by_role("button", name="Run query").click()
    assert "at line 3" in page.locator("#query-error").inner_text()
