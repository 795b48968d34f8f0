"""Which graphs an update reads and writes, or why it is refused: the analysis on its own."""

from __future__ import annotations

import pytest

from treatygraph.errors import BadInput, Forbidden, QuerySyntaxError, TreatygraphError
from treatygraph.update_analysis import analyse_update

G = "https://w3id.org/treatygraph/graph/"


@pytest.mark.parametrize(
    ("update", "writes", "reads"),
    [
        ('PREFIX e: <http://e/> INSERT DATA { GRAPH e:g { e:a e:p "}{" } }', {"http://e/g"}, set()),
        (
            "WITH <http://e/w> DELETE { ?s ?p ?o } INSERT { GRAPH <http://e/g> { ?s ?p 1 } } "
            "WHERE { ?s ?p ?o GRAPH <http://e/r> { ?s ?p ?o } "
            "FILTER NOT EXISTS { GRAPH <http://e/x> { ?s ?p ?o } } }",
            {"http://e/w", "http://e/g"},
            {"http://e/w", "http://e/r", "http://e/x"},
        ),
        ("DELETE WHERE { GRAPH <http://e/d> { ?s ?p ?o } }", {"http://e/d"}, {"http://e/d"}),
        (
            "COPY <http://e/a> TO <http://e/b> ; MOVE GRAPH <http://e/c> TO <http://e/d> ; "
            "CREATE SILENT GRAPH <http://e/n> ; CLEAR GRAPH <http://e/k>",
            {"http://e/b", "http://e/c", "http://e/d", "http://e/n", "http://e/k"},
            {"http://e/a", "http://e/c"},
        ),
        (
            "INSERT { GRAPH <http://e/g> { ?s <http://e/n> ?n } } WHERE { { SELECT ?s "
            "(COUNT(*) AS ?n) WHERE { GRAPH <http://e/h> { ?s ?p ?o } } GROUP BY ?s } }",
            {"http://e/g"},
            {"http://e/h"},
        ),
        (
            "INSERT { GRAPH <http://e/g> { ?s ?p 1 } } USING NAMED <http://e/n> "
            "WHERE { GRAPH ?x { ?s ?p ?o } }",
            {"http://e/g"},
            {"http://e/n"},
        ),
        (
            "INSERT { GRAPH <http://e/g> { ?s <http://e/v> 1 } } "
            "WHERE { VALUES ?s { <http://e/a> } }",
            {"http://e/g"},
            set(),
        ),
        ("BASE <http://e/> INSERT DATA { GRAPH <rel> { <a> <p> 1 } }", {"http://e/rel"}, set()),
    ],
)
def test_graphs_found(update: str, writes: set[str], reads: set[str]) -> None:
    plan = analyse_update(update)
    assert plan.writes == writes
    assert plan.reads == reads


@pytest.mark.parametrize(
    ("update", "error"),
    [
        ("LOAD <file:///etc/passwd>", Forbidden),
        (
            "INSERT { GRAPH <http://e/g> { ?s ?p ?o } } WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
            Forbidden,
        ),
        (
            "INSERT { GRAPH <http://e/g> { ?s ?p ?o } } "
            "WHERE { FILTER(EXISTS { SERVICE <http://x/> {} }) }",
            Forbidden,
        ),
        (f"INSERT DATA {{ GRAPH <{G}inferred> {{ <http://e/a> <http://e/p> 1 }} }}", Forbidden),
        (f"COPY <http://e/a> TO <{G}ontology>", Forbidden),
        ("INSERT DATA { <http://e/a> <http://e/p> 1 }", BadInput),
        ("DROP NAMED", BadInput),
        ("ADD DEFAULT TO <http://e/g>", BadInput),
        ("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", BadInput),
        ("DELETE { GRAPH <http://e/g> { ?s ?p ?o } } WHERE { ?s ?p ?o }", BadInput),
        ("INSERT { GRAPH <http://e/g> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", BadInput),
        ("INSERT DATA { GRAPH <relative> { <http://e/a> <http://e/p> 1 } }", BadInput),
        (
            "INSERT DATA { GRAPH <http://e/g\\u003E> { <http://e/a> <http://e/p> 1 } }",
            QuerySyntaxError,
        ),
        ("INSERT DATA { GRAPH ex:g { <http://e/a> <http://e/p> 1 } }", QuerySyntaxError),
        ("SELECT * { ?s ?p ?o }", QuerySyntaxError),
        ("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 1 }", QuerySyntaxError),
        (
            "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> "
            + "(" * 500
            + ")" * 500
            + " } }",
            QuerySyntaxError,
        ),
    ],
)
def test_refused(update: str, error: type[TreatygraphError]) -> None:
    with pytest.raises(error):
        analyse_update(update)


def test_protocol_using_graphs_become_using_clauses() -> None:
    plan = analyse_update(
        "DELETE { GRAPH <http://e/g> { ?s ?p ?o } } WHERE { ?s ?p ?o } ;\n"
        "INSERT { GRAPH <http://e/h> { ?s ?p ?o } } WHERE { GRAPH ?x { ?s ?p ?o } }",
        using=["http://e/u"],
        using_named=["http://e/n"],
    )
    assert plan.text.count("USING <http://e/u> USING NAMED <http://e/n>\nWHERE") == 2
    assert plan.reads == {"http://e/u", "http://e/n"}
    with pytest.raises(BadInput, match=r"2\.2\.3"):
        analyse_update(
            "WITH <http://e/w> INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", using=["http://e/u"]
        )


def test_syntax_errors_say_where() -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        analyse_update("INSERT DATA {\n  GRAPH <http://e/g> { <a> ¤ }\n}")
    assert (raised.value.line, raised.value.column) == (2, 28)
