"""Canned-query parameters, the resource-kind prefixes and the query messages (kg.queries, `kg query`)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.cli import main
from kg.errors import QueryError
from kg.ontology import KG, KGR, QUERY_PREFIXES, RESOURCE_PREFIXES, prefix_declarations, prefixed_name
from kg.queries import (
    bind_params,
    canned_queries,
    check_prefixes,
    display_text,
    load_query,
    run_canned,
    run_query,
    zh_hint,
)
from kg.queries.params import parse_params, sparql_term
from kg.store import GraphStore


def node(key: str) -> URIRef:
    return URIRef(f"{KGR}{key}")


@pytest.fixture
def two_counties(tmp_path):
    """Two banners, a village in each, one helper each; as a store and as a Turtle file."""
    graph = Graph()
    for county, village, helper in [("乌审旗", "木都柴达木村", "住建局"), ("巴林右旗", "上石村", "中级法院")]:
        graph.add((node(f"place/{county}"), RDFS.label, Literal(county, lang="zh")))
        graph.add((node(f"place/{county}"), RDF.type, KG.County))
        graph.add((node(f"place/{village}"), RDFS.label, Literal(village, lang="zh")))
        graph.add((node(f"place/{village}"), RDF.type, KG.Village))
        graph.add((node(f"place/{village}"), KG.locatedIn, node(f"place/{county}")))
        graph.add((node(f"org/{helper}"), RDFS.label, Literal(helper, lang="zh")))
        graph.add((node(f"org/{helper}"), KG.assists, node(f"place/{village}")))
    graph.add((node("person/董晶"), RDFS.label, Literal("董晶", lang="zh")))
    path = tmp_path / "graph.ttl"
    graph.serialize(path, format="turtle")
    store = GraphStore.open(None)
    store.replace_default_graph(graph)
    return store, path


# --- parameters ----------------------------------------------------------------------------------------


def test_params_are_parsed_from_the_header_only():
    text = "# Title\n# param county: 县的名称 = 乌审旗\n# param n: 个数 = 2\nSELECT * {}\n"
    text += "# param x: not in the header = 1"
    params = parse_params(text)
    assert [(p.name, p.meaning, p.default, p.kind) for p in params] == [
        ("county", "县的名称", "乌审旗", "text"),
        ("n", "个数", "2", "integer"),
    ]


def test_every_declared_param_has_its_values_block_and_default():
    declared = {name: q.params for name, q in canned_queries().items() if q.params}
    assert {"helpers-in-county", "person-posts", "city-tree"} <= set(declared)
    for name, params in declared.items():
        for param in params:
            text = canned_queries()[name].text
            # binding the default gives back the file as it is: the default is what the body holds
            assert bind_params(name, text, {param.name: param.default}).replace(" ", "") == text.replace(
                " ", ""
            )


@pytest.mark.parametrize(
    "value,expected",
    [
        ("乌审旗", '"乌审旗"@zh'),
        ('x" } ?s ?p ?o { "', '"x\\" } ?s ?p ?o { \\""@zh'),
        ("a\\b\nc", '"a\\\\b\\nc"@zh'),
    ],
)
def test_text_values_become_escaped_literals(value, expected):
    assert sparql_term(value) == expected


def test_a_hostile_value_stays_one_literal_and_matches_nothing(two_counties):
    store, _ = two_counties
    result = run_canned(store, "helpers-in-county", countyName='乌审旗"@zh } ?helperNode ?p ?o . { "')
    assert result.rows == ()


def test_run_canned_binds_the_parameter(two_counties):
    store, _ = two_counties
    default = run_canned(store, "helpers-in-county").records()
    assert [(r["helper"], r["county"]) for r in default] == [("住建局", "乌审旗")]
    other = run_canned(store, "helpers-in-county", countyName="巴林右旗").records()
    assert [(r["helper"], r["place"], r["county"]) for r in other] == [("中级法院", "上石村", "巴林右旗")]


def test_a_parameter_called_name(two_counties):
    store, _ = two_counties
    assert run_canned(store, "person-posts", name="董晶").variables[0] == "person"


def test_unknown_parameter_lists_the_known_ones(two_counties):
    store, _ = two_counties
    with pytest.raises(QueryError) as info:
        run_canned(store, "helpers-in-county", county="乌审旗")
    assert str(info.value) == (
        "unknown parameter 'county' of query helpers-in-county (did you mean countyName?); "
        "its parameters: countyName"
    )


def test_integer_and_iri_params_refuse_other_values():
    with pytest.raises(QueryError, match="expected an integer"):
        sparql_term("2 } ?s ?p ?o {", "integer")
    with pytest.raises(QueryError, match="expected a prefixed name"):
        sparql_term("<http://x> } ?s", "iri")
    assert sparql_term("kgp:董晶", "iri") == "kgp:董晶"


def test_misspelt_canned_name_suggests_the_near_one():
    with pytest.raises(
        QueryError, match=r"^unknown query 'helpers-in-conty' \(did you mean helpers-in-county\?\)"
    ):
        load_query("helpers-in-conty")


# --- prefixes --------------------------------------------------------------------------------------------


def test_one_resource_prefix_per_kind_declared_in_queries():
    assert RESOURCE_PREFIXES["kgp"] == f"{KGR}person/"
    assert RESOURCE_PREFIXES["kgo"] == f"{KGR}org/"
    assert RESOURCE_PREFIXES["kgpl"] == f"{KGR}place/"
    assert set(RESOURCE_PREFIXES) <= set(QUERY_PREFIXES)
    assert prefix_declarations().count("\n") == len(QUERY_PREFIXES)


def test_describe_by_a_resource_prefixed_name(two_counties):
    store, _ = two_counties
    result = run_query(store, "DESCRIBE kgp:董晶")
    assert [(t.subject.value, t.object.value) for t in result.triples] == [(f"{KGR}person/董晶", "董晶")]
    assert 'kgp:董晶 rdfs:label "董晶"@zh .' in result.to_turtle()
    rows = run_query(store, "SELECT ?o WHERE { kgo:住建局 kg:assists ?o }").rows
    assert [display_text(r[0]) for r in rows] == ["kgpl:木都柴达木村"]


@pytest.mark.parametrize(
    "key",
    [
        "person/董晶",
        "place/双河镇/新华村",
        "place/150626",
        "doc/ordos-baolian-zhucun-2022.txt",
        "org/a%20b",
        "role/x.",
        "org/-x",
        "role/(党)",
    ],
)
def test_prefixed_names_are_valid_sparql_for_the_same_iri(key):
    name = prefixed_name(f"{KGR}{key}")
    assert name is not None and name.split(":")[0] in RESOURCE_PREFIXES
    assert ox.Store().query(f"ASK {{ FILTER(<{KGR}{key}> = {name}) }}", prefixes=dict(QUERY_PREFIXES))


@pytest.mark.parametrize(
    "query,prefix",
    [
        ("DESCRIBE foo:董晶", "foo"),
        ("SELECT * WHERE { ?s kgx:label ?o }", "kgx"),
        ("SELECT * WHERE { ?s :p ?o }", ""),
    ],
)
def test_undeclared_prefix_is_named_in_one_short_message(two_counties, query, prefix):
    store, _ = two_counties
    with pytest.raises(QueryError) as info:
        run_query(store, query)
    assert str(info.value) == f"unknown prefix {prefix}:"


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:p ?o }",
        'SELECT * WHERE { ?s rdfs:label "a:b" } # c:d in a comment',
        "SELECT * WHERE { ?s ?p <urn:x:y> }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1) }",
    ],
)
def test_declared_quoted_or_iri_colons_pass(query):
    check_prefixes(query)


# --- the @zh hint ----------------------------------------------------------------------------------------


def test_zh_hint_on_an_empty_result_the_tagged_literal_would_fill(two_counties):
    store, _ = two_counties
    query = 'SELECT ?s WHERE { ?s rdfs:label "乌审旗" }'
    result = run_query(store, query)
    assert result.rows == ()
    hint = zh_hint(store, query)
    assert hint is not None and hint.startswith("hint: no rows, but with @zh") and "gives 1" in hint
    tagged = 'SELECT ?s WHERE { ?s rdfs:label "乌审旗"@zh }'
    assert zh_hint(store, tagged) is None  # no plain string to tag
    missing = 'SELECT ?s WHERE { ?s rdfs:label "没有" }'
    assert zh_hint(store, missing) is None


# --- the CLI ---------------------------------------------------------------------------------------------


def test_cli_param_list_and_errors(two_counties):
    _, path = two_counties
    runner = CliRunner()
    listed = runner.invoke(main, ["query", "--list"])
    assert listed.exit_code == 0
    assert "--param countyName=VALUE  旗/县/区的名称" in listed.output and "(default 乌审旗)" in listed.output

    ran = runner.invoke(
        main, ["query", "helpers-in-county", "--graph", str(path), "-p", "countyName=巴林右旗", "-f", "csv"]
    )
    assert ran.exit_code == 0, ran.output
    assert ran.output.splitlines()[1:] == [f"中级法院,上石村,{KG._NS}Village,巴林右旗"]

    bad = runner.invoke(main, ["query", "helpers-in-county", "--graph", str(path), "-p", "county=x"])
    assert bad.exit_code == 1
    assert bad.output == (
        "Error: unknown parameter 'county' of query helpers-in-county (did you mean countyName?); "
        "its parameters: countyName\n"
    )
    prefix = runner.invoke(main, ["query", "DESCRIBE foo:x", "--graph", str(path)])
    assert (prefix.exit_code, prefix.output) == (1, "Error: unknown prefix foo:\n")


def test_cli_prints_the_zh_hint_on_stderr(two_counties):
    _, path = two_counties
    result = CliRunner().invoke(
        main, ["query", 'SELECT ?s WHERE { ?s rdfs:label "乌审旗" }', "--graph", str(path), "-f", "csv"]
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["s"]
    assert result.stderr.startswith("hint: no rows, but with @zh")


def test_pyoxigraph_is_given_the_resource_prefixes():
    assert ox.Store().query("ASK { FILTER(kgpl:x = kgpl:x) }", prefixes=dict(QUERY_PREFIXES))
