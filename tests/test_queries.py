"""kg.queries and `kg query`: the canned analyst queries on the real build, the result writers, the CLI.

Tests marked slow need the session build of corpus/; the writer and loader tests run on small stores.
"""

from __future__ import annotations

import json

import pandas as pd
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from kg.cli import main
from kg.errors import QueryError
from kg.ontology import KG, KGR
from kg.queries import (
    CannedQuery,
    canned_queries,
    cell_width,
    format_result,
    format_table,
    load_query,
    query_text,
    reads_named_graphs,
    run_query,
)
from kg.store import GraphStore

from .conftest import CORPUS

slow = pytest.mark.slow
KG_NS = str(KG._NS)
VILLAGE = KG_NS + "Village"


# --- canned queries: files and loading ---------------------------------------------------------------


def test_at_least_eight_commented_canned_queries():
    canned = canned_queries()
    assert len(canned) >= 8
    for name, query in canned.items():
        assert isinstance(query, CannedQuery) and query.name == name == query.path.stem
        assert query.summary and "\n" not in query.summary
        # parameters are either declared (# param lines) or described in prose
        assert "Parameters:" in query.description or query.params, name
        assert "Columns:" in query.description, name
        # the query page embeds them, and it must not hold a single absolute URL
        assert "http://" not in query.text and "https://" not in query.text, name


def test_load_query_by_name_path_or_text(tmp_path):
    assert load_query("leaders") == canned_queries()["leaders"].text
    path = tmp_path / "mine.rq"
    path.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    assert load_query(str(path)) == "ASK { ?s ?p ?o }"
    assert load_query(path) == "ASK { ?s ?p ?o }"
    assert load_query("SELECT * WHERE { ?s ?p ?o }") == "SELECT * WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(
    "given,message",
    [
        ("leader", "unknown query 'leader' \\(did you mean leaders\\?\\): not a canned query name"),
        ("missing/query.rq", "missing/query.rq: cannot read the query file"),
    ],
)
def test_load_query_errors_say_what_to_do(given, message):
    with pytest.raises(QueryError, match="^" + message):
        load_query(given)


# --- writers on a small store -------------------------------------------------------------------------


@pytest.fixture
def small_store():
    store = GraphStore.open(None)
    graph = Graph()
    place = URIRef(str(KGR) + "place/乌审旗")
    graph.add((place, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("乌审旗", lang="zh")))
    graph.add((place, KG.evidenceText, Literal('a "quoted", comma\nand\ttab')))
    graph.add((place, KG.startOffset, Literal(42)))
    store.replace_default_graph(graph)
    return store


SMALL_QUERY = """SELECT ?place ?label ?text ?n ?none WHERE {
  ?place rdfs:label ?label ; kg:evidenceText ?text ; kg:startOffset ?n .
  OPTIONAL { ?place kg:post ?none }
}"""


def test_csv_follows_sparql_csv(small_store):
    text = format_result(run_query(small_store, SMALL_QUERY), "csv")
    assert text == (
        "place,label,text,n,none\r\n"
        'https://w3id.org/kgzh/id/place/乌审旗,乌审旗,"a ""quoted"", comma\nand\ttab",42,\r\n'
    )


@pytest.mark.parametrize(
    "fmt,results_format",
    [
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ],
)
def test_json_xml_tsv_parse_back_to_the_same_terms(small_store, fmt, results_format):
    result = run_query(small_store, SMALL_QUERY)
    parsed = ox.parse_query_results(format_result(result, fmt), results_format)
    assert [v.value for v in parsed.variables] == list(result.variables)
    assert [tuple(row) for row in parsed] == list(result.rows)


ODD_TERMS = """SELECT ?iri ?zh ?typed ?text ?blank ?quoted ?none WHERE {
  ?iri rdfs:label ?zh ; kg:evidenceText ?text .
  BIND("042"^^xsd:integer AS ?typed)
  BIND(BNODE("b") AS ?blank)
  BIND(<<( ?iri rdfs:label ?zh )>> AS ?quoted)
  OPTIONAL { ?iri kg:post ?none }
}"""


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_read_rows_are_written_as_pyoxigraph_writes_the_live_result(small_store, fmt):
    """A Result's rows, handed back to pyoxigraph's writer, give the bytes it writes from the query itself."""
    from kg.queries import RESULT_FORMATS

    direct = small_store.query(ODD_TERMS).serialize(format=RESULT_FORMATS[fmt]).decode()
    assert format_result(run_query(small_store, ODD_TERMS), fmt) == direct
    assert query_text(small_store, ODD_TERMS, fmt) == (direct, False)


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_query_text_writes_what_format_result_writes(small_store, fmt):
    written = format_result(run_query(small_store, SMALL_QUERY), fmt)
    assert query_text(small_store, SMALL_QUERY, fmt) == (written, False)
    empty = "SELECT ?s WHERE { ?s kg:post ?o }"
    text, no_rows = query_text(small_store, empty, fmt)
    assert no_rows and text == format_result(run_query(small_store, empty), fmt)
    assert query_text(small_store, "ASK { ?s ?p ?o }", fmt) == (
        format_result(run_query(small_store, "ASK { ?s ?p ?o }"), fmt),
        False,
    )


def test_json_results_shape(small_store):
    data = json.loads(format_result(run_query(small_store, SMALL_QUERY), "json"))
    assert data["head"]["vars"] == ["place", "label", "text", "n", "none"]
    (row,) = data["results"]["bindings"]
    assert row["label"] == {"type": "literal", "value": "乌审旗", "xml:lang": "zh"}
    assert row["n"] == {
        "type": "literal",
        "value": "42",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    assert row["place"]["type"] == "uri" and "none" not in row


def test_table_aligns_wide_characters_by_terminal_columns():
    rows = [(ox.Literal("鄂尔多斯市住建局"), ox.Literal("x")), (ox.Literal("ab"), ox.Literal("木都柴达木村"))]
    lines = format_table(["org", "place"], rows).splitlines()
    assert lines == [
        "org               place",
        "----------------  ------------",
        "鄂尔多斯市住建局  x",
        "ab                木都柴达木村",
        "(2 rows)",
    ]
    # 16 columns for the eight wide characters, so the second column starts at column 18 on every line
    assert cell_width("鄂尔多斯市住建局") == 16
    assert cell_width(lines[2][: lines[2].index("x")]) == cell_width(lines[3][: lines[3].index("木")]) == 18


def test_table_clips_long_cells_and_shortens_iris(small_store):
    text = format_result(run_query(small_store, SMALL_QUERY), "table", max_width=8)
    assert "kgpl:乌审旗" not in text  # clipped at 8 columns
    assert "kgpl:乌…" in text and 'a "quot…' in text
    assert text.endswith("(1 row)\n")


def test_ask_and_construct_results(small_store):
    ask = run_query(small_store, "ASK { ?s kg:startOffset 42 }")
    assert ask.kind == "ask" and ask.boolean is True
    assert format_result(ask, "table") == "true\n"
    assert json.loads(format_result(ask, "json")) == {"head": {}, "boolean": True}
    graph = run_query(small_store, "CONSTRUCT WHERE { ?s rdfs:label ?o }")
    assert graph.kind == "graph" and len(graph.triples) == 1
    turtle = format_result(graph, "json")  # graphs are Turtle whatever the format
    assert len(Graph().parse(data=turtle, format="turtle")) == 1
    assert list(graph.to_dataframe().columns) == ["subject", "predicate", "object"]


def test_run_query_on_an_rdflib_graph_and_dataframe():
    graph = Graph()
    graph.add((URIRef(str(KGR) + "place/甲村"), KG.locatedIn, URIRef(str(KGR) + "place/乙镇")))
    result = run_query(graph, "SELECT ?v ?t WHERE { ?v kg:locatedIn ?t }")
    assert result.records() == [{"v": str(KGR) + "place/甲村", "t": str(KGR) + "place/乙镇"}]
    frame = result.to_dataframe()
    assert isinstance(frame, pd.DataFrame) and frame.shape == (1, 2)


def test_malformed_query_raises_query_error(small_store):
    with pytest.raises(QueryError, match="malformed SPARQL query: error at 1:"):
        run_query(small_store, "SELEC ?x WHERE { ?x ?y ?z }")
    with pytest.raises(QueryError, match="unknown result format 'yaml'"):
        format_result(run_query(small_store, SMALL_QUERY), "yaml")


# --- the canned queries on the real build --------------------------------------------------------------


@pytest.fixture(scope="module")
def store(corpus_build):
    out, _ = corpus_build
    return GraphStore.open(out / "store", read_only=True)


def rows(store, name):
    return run_query(store, load_query(name)).records()


def split(names):
    return set(names.split("、"))


def check_helpers_in_county(found):
    assert {
        "helper": "鄂尔多斯市住建局",
        "place": "木都柴达木村",
        "level": VILLAGE,
        "county": "乌审旗",
    } in found
    assert {r["county"] for r in found} == {"乌审旗"}


def check_villages_by_helpers(found):
    by_village = {r["village"]: r for r in found}
    assert by_village["木都柴达木村"]["county"] == "乌审旗"
    assert "鄂尔多斯市住建局" in split(by_village["木都柴达木村"]["names"])
    for village in ("上石村", "下石村"):
        assert by_village[village]["county"] == "巴林右旗"
        assert "呼和浩特铁路运输中级法院" in split(by_village[village]["names"])
    counts = [r["helpers"] for r in found]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 1


def check_organisations_by_villages(found):
    top = found[0]
    assert (top["organisation"], top["villages"], top["places"]) == ("呼和浩特铁路运输中级法院", 2, 3)
    assert split(top["helped"]) == {"上石村", "下石村", "查干诺尔镇"}
    assert any(
        r["organisation"] == "鄂尔多斯市住建局" and (r["villages"], r["places"]) == (1, 1) for r in found
    )


def check_leaders(found):
    triples = {(r["person"], r["body"], r["post"]) for r in found}
    assert {
        ("王国义", "沙也村党支部", "党支部书记"),
        ("王旭军", "呼和浩特铁路运输中级法院", "院长"),
        ("梁高峰", "鄂尔多斯市包联驻村办", "主任"),
        ("俊雁", "鄂尔多斯市委", "书记"),
    } <= triples


def check_person_posts(found):
    posts = {(r["person"], r["post"], r["unit"], r["relation"]) for r in found}
    assert posts == {
        ("梁高峰", "副部长", "鄂尔多斯市委组织部", KG_NS + "worksFor"),
        ("梁高峰", "主任", "鄂尔多斯市包联驻村办", KG_NS + "heads"),
    }
    assert all("梁高峰" in r["evidence"] and r["file"] == "ordos-baolian-zhucun-2022.txt" for r in found)


def check_fact_evidence(found):
    (row,) = found
    assert row["evidence"].startswith("鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶")
    assert (row["file"], row["title"]) == ("ordos-baolian-zhucun-2022.txt", "抓党建引领 激活乡村振兴源动力")
    # the offsets point at the sentence in the original file (which breaks lines inside it)
    original = (CORPUS / row["file"]).read_text(encoding="utf-8")[row["start"] : row["end"]]
    assert "".join(original.split()) == "".join(row["evidence"].split())


def check_city_tree(found):
    tree = {(r["depth"], r["level"], r["place"], r["parent"]) for r in found}
    assert {
        (1, KG_NS + "County", "固阳县", "包头市"),
        (2, KG_NS + "Township", "银号镇", "固阳县"),
        (3, VILLAGE, "麻池村", "银号镇"),
        (2, VILLAGE, "阿善沟门村", "东河区"),
    } <= tree
    assert [r["depth"] for r in found] == sorted(r["depth"] for r in found)


def check_stationed_persons(found):
    assert {
        "person": "董晶",
        "post": "驻村第一书记",
        "village": "木都柴达木村",
        "township": "嘎鲁图镇",
        "county": "乌审旗",
        "unit": "鄂尔多斯市住建局",
    } in found
    assert ("杜伟华", "胜泉村", "突泉县") in {(r["person"], r["village"], r["county"]) for r in found}


def check_bodies_by_county(found):
    by_body = {r["body"]: r for r in found}
    assert (by_body["鄂尔多斯市住建局"]["counties"], by_body["鄂尔多斯市住建局"]["countyNames"]) == (
        1,
        "乌审旗",
    )
    assert by_body["呼和浩特铁路运输中级法院"]["countyNames"] == "巴林右旗"
    assert split(by_body["呼和浩特铁路运输中级法院"]["places"]) == {"上石村", "下石村", "查干诺尔镇"}


def check_places_in_several_documents(found):
    by_place = {r["place"]: r for r in found}
    assert by_place["乌审旗"]["documents"] == 2
    assert set(by_place["乌审旗"]["files"].split(", ")) == {
        "ordos-baolian-zhucun-2022.txt",
        "ordos-qidi-heli-xiaofei-bangfu-2020.txt",
    }
    assert all(r["documents"] >= 2 for r in found)


def check_facts_per_document(found):
    by_file = {r["file"]: r for r in found}
    assert set(by_file) == {p.name for p in CORPUS.glob("*.txt")}  # every document, one row each
    assert by_file["ordos-baolian-zhucun-2022.txt"]["assists"] >= 1
    assert by_file["ordos-baolian-zhucun-2022.txt"]["heads"] >= 1
    assert by_file["chifeng-nongda-hohhot-reports-2020.txt"]["assists"] >= 3
    assert by_file["ordos-baolian-zhucun-2022.txt"]["title"] == "抓党建引领 激活乡村振兴源动力"
    relations = ("assists", "heads", "worksFor", "servesIn", "locatedIn")
    # a relation a document never states has no count rather than a zero
    assert all(r[name] is None or r[name] >= 1 for r in found for name in relations)
    assert by_file["baotou-dangjian-wuli-qudong-2023.txt"]["servesIn"] is None
    assert [r["file"] for r in found] == sorted(by_file)


EXPECTED = {
    "helpers-in-county": check_helpers_in_county,
    "villages-by-helpers": check_villages_by_helpers,
    "organisations-by-villages": check_organisations_by_villages,
    "leaders": check_leaders,
    "person-posts": check_person_posts,
    "fact-evidence": check_fact_evidence,
    "city-tree": check_city_tree,
    "stationed-persons": check_stationed_persons,
    "bodies-by-county": check_bodies_by_county,
    "places-in-several-documents": check_places_in_several_documents,
    "facts-per-document": check_facts_per_document,
}


def test_every_canned_query_has_expected_rows():
    assert set(EXPECTED) == set(canned_queries())


@slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_canned_query_on_the_corpus(store, name):
    found = rows(store, name)
    assert found, f"{name} returned no rows"
    EXPECTED[name](found)


def unordered(records):
    """Records comparable whatever the order of rows and of GROUP_CONCAT items (SPARQL fixes neither)."""
    return sorted(
        repr({k: sorted(split(v)) if isinstance(v, str) and "、" in v else v for k, v in r.items()})
        for r in records
    )


@slow
def test_canned_queries_derive_what_a_turtle_file_lacks(store, corpus_build):
    # a graph.ttl written before kg:within existed: queried through kg.queries, it is derived on loading
    out, _ = corpus_build
    graph = Graph().parse(out / "graph.ttl")
    graph.remove((None, KG.within, None))
    # the queries with a GRAPH pattern need the named graphs, which a Turtle file does not hold
    named = {name for name in EXPECTED if reads_named_graphs(load_query(name))}
    assert named == {"places-in-several-documents", "facts-per-document"}
    for name in sorted(set(EXPECTED) - named):
        assert unordered(run_query(graph, load_query(name)).records()) == unordered(rows(store, name)), name


# --- kg query ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def out_dir(corpus_build):
    return corpus_build[0]


def invoke(*args):
    return CliRunner().invoke(main, ["query", *map(str, args)])


@slow
def test_kg_query_table(out_dir):
    result = invoke("helpers-in-county", "--graph", out_dir)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "helper            place         level       county\n"
        "----------------  ------------  ----------  ------\n"
        "鄂尔多斯市住建局  木都柴达木村  kg:Village  乌审旗\n"
        "(1 row)\n"
    )


@slow
@pytest.mark.parametrize(
    "fmt,expected",
    [
        ("csv", "helper,place,level,county\r\n鄂尔多斯市住建局,木都柴达木村,{v},乌审旗\r\n"),
        (
            "tsv",
            '?helper\t?place\t?level\t?county\n"鄂尔多斯市住建局"@zh\t"木都柴达木村"@zh\t<{v}>\t"乌审旗"\n',
        ),
    ],
)
def test_kg_query_csv_tsv(out_dir, fmt, expected):
    result = invoke("helpers-in-county", "--graph", out_dir, "--format", fmt)
    assert result.exit_code == 0, result.output
    # stdout_bytes: Result.output turns CSV's CRLF line ends into LF
    assert result.stdout_bytes.decode() == expected.format(v=VILLAGE)


@slow
def test_kg_query_json_and_xml(out_dir):
    result = invoke("stationed-persons", "--graph", out_dir, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["head"]["vars"] == ["person", "post", "village", "township", "county", "unit"]
    assert {"type": "literal", "value": "董晶", "xml:lang": "zh"} in [
        b["person"] for b in data["results"]["bindings"]
    ]
    result = invoke("stationed-persons", "--graph", out_dir, "-f", "xml")
    parsed = ox.parse_query_results(result.output, ox.QueryResultsFormat.XML)
    assert ox.Literal("董晶", language="zh") in [row["person"] for row in parsed]


@slow
def test_kg_query_file_ask_construct_and_turtle_graph(out_dir, tmp_path):
    path = tmp_path / "stationed.rq"
    path.write_text(
        "SELECT ?p WHERE { ?p kg:servesIn ?v . ?v rdfs:label '木都柴达木村'@zh }", encoding="utf-8"
    )
    csv = invoke(path, "--graph", out_dir, "-f", "csv").stdout_bytes.decode()
    assert csv == "p\r\n" + str(KGR) + "person/董晶\r\n"
    assert invoke("ASK { ?o kg:assists ?v }", "--graph", out_dir).output == "true\n"
    turtle = invoke("CONSTRUCT WHERE { ?p kg:servesIn ?v }", "--graph", out_dir).output
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(str(KGR) + "person/董晶"), KG.servesIn, URIRef(str(KGR) + "place/木都柴达木村")) in graph
    # a Turtle file works as --graph too
    assert invoke(path, "--graph", out_dir / "graph.ttl", "-f", "csv").output.endswith("person/董晶\n")


def test_kg_query_warns_when_a_turtle_file_lacks_the_named_graphs(out_dir):
    ttl = out_dir / "graph.ttl"
    result = invoke("facts-per-document", "--graph", ttl, "-f", "csv")
    assert result.exit_code == 0
    assert "named graphs" in result.stderr and "--graph" in result.stderr
    assert "named graphs" not in result.stdout
    # from the store, the same query counts facts, without a warning
    stored = invoke("facts-per-document", "--graph", out_dir, "-f", "csv")
    assert stored.stderr == "" and "ordos-baolian-zhucun-2022.txt" in stored.stdout
    assert invoke("leaders", "--graph", ttl).stderr == ""  # no GRAPH pattern, no warning


def test_kg_query_list():
    result = invoke("--list")
    assert result.exit_code == 0
    # one line per query, then one indented line per parameter it declares
    lines = [line for line in result.output.splitlines() if not line.startswith(" ")]
    assert len(lines) == len(canned_queries())
    for line, (name, query) in zip(lines, canned_queries().items(), strict=True):
        assert line.startswith(name + " ") and line.endswith(query.summary)


@slow
@pytest.mark.parametrize(
    "query,message",
    [
        ("SELEC ?x WHERE { ?x ?y ?z }", "Error: malformed SPARQL query: error at 1:"),
        ("SELECT ?x WHERE {\n  ?x ?y\n}", "Error: malformed SPARQL query: error at 3:"),
        ("helpers", "Error: unknown query 'helpers': not a canned query name, a .rq file or SPARQL text;"),
    ],
)
def test_kg_query_errors_are_one_line(out_dir, query, message):
    result = invoke(query, "--graph", out_dir)
    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert result.output.count("\n") == 1


def test_kg_query_without_a_store(tmp_path):
    result = invoke("leaders", "--graph", tmp_path)
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'store'}: no store here; run `kg build` first\n"


def test_kg_query_needs_a_query():
    result = invoke()
    assert result.exit_code == 2
    assert "give a QUERY (SPARQL text, a .rq file or a canned name), or --list" in result.output
