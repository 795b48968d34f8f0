from __future__ import annotations

import pytest

from treatygraph.namespaces import (
    agreement_slug,
    article_graph,
    article_slug_of_graph,
    evidence_iri,
    is_slug,
    resource_iri,
    slugify,
)


def test_agreement_slugs_order_parties() -> None:
    assert agreement_slug(["PH", "jp"], "ACSA") == "jp-ph-acsa"
    assert agreement_slug(["us", "ph", "us"], "edca") == "ph-us-edca"


@pytest.mark.parametrize("slug", ["jp", "jp-ph-acsa", "01-ph-japan-acsa-talks"])
def test_valid_slugs(slug: str) -> None:
    assert is_slug(slug)
    assert str(resource_iri("agreement", slug)).endswith("/id/agreement/" + slug)


@pytest.mark.parametrize("slug", ["", "JP", "jp_ph", "-jp", "jp-", "a--b", "../x", "é", "a" * 201])
def test_invalid_slugs(slug: str) -> None:
    assert not is_slug(slug)
    with pytest.raises(ValueError):
        resource_iri("state", slug)


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown resource kind"):
        resource_iri("weapon", "x")


def test_slugify_and_graphs() -> None:
    assert slugify("Malacañang Palace!") == "malaca-ang-palace"
    graph = article_graph("01-x")
    assert str(graph) == "https://w3id.org/treatygraph/graph/article-01-x"
    assert article_slug_of_graph(str(graph)) == "01-x"
    assert article_slug_of_graph("https://w3id.org/treatygraph/graph/reference") is None


def test_evidence_iri_depends_on_quote() -> None:
    assert evidence_iri("a", "x") == evidence_iri("a", "x")
    assert evidence_iri("a", "x") != evidence_iri("a", "y")
    assert is_slug(str(evidence_iri("a", "x")).rsplit("/", 1)[-1])
