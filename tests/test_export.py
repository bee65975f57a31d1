from __future__ import annotations

import io

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef

from kg.cli import main
from kg.errors import StoreError
from kg.export import EXTENSIONS, FORMATS, export_build
from kg.ontology import KG, KGR, RELATIONS
from kg.rdf import DIVISIONS_GRAPH, document_iri
from kg.store import load_graph

pytestmark = pytest.mark.slow

# rdflib 7.6's own parsers (N-Quads and TriG into a Dataset, JSON-LD) call its deprecated
# ConjunctiveGraph API; the tests below that parse with them silence exactly those warnings.

BUREAU = KGR["org/鄂尔多斯市住建局"]
VILLAGE = KGR["place/木都柴达木村"]
COURT = KGR["org/呼和浩特铁路运输中级法院"]


@pytest.fixture(scope="module")
def built(corpus_build):
    out, report = corpus_build
    return out, report, load_graph(out / "graph.ttl")


def documents(report) -> set[URIRef]:
    return {document_iri(row["doc_id"]) for row in report["documents"] if row["status"] == "ok"}


def relation_triples(graph: Graph) -> set[tuple]:
    return {(s, KG[r], o) for r in RELATIONS for s, o in graph.subject_objects(KG[r])}


@pytest.mark.parametrize(
    "fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")]
)
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_triple_formats_parse_back_to_the_graph(built, fmt, rdflib_format):
    out, _, graph = built
    parsed = Graph().parse(data=export_build(out, fmt), format=rdflib_format)
    assert set(parsed) == set(graph)


@pytest.mark.parametrize("fmt,rdflib_format", [("nquads", "nquads"), ("trig", "trig")])
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_quad_formats_carry_one_named_graph_per_document(built, fmt, rdflib_format):
    out, report, graph = built
    dataset = Dataset()
    dataset.parse(data=export_build(out, fmt), format=rdflib_format)
    named = {g.identifier: g for g in dataset.graphs() if g.identifier != dataset.default_graph.identifier}
    assert set(named) == documents(report) | {DIVISIONS_GRAPH}  # and the division table's reference facts
    assert len(named) == report["counts"]["documents"]["ok"] + 1
    assert len(dataset.default_graph) == 0  # the union is left out: it repeats the named graphs
    union = {t for g in named.values() for t in g}
    # what the documents state: the derived triples (kg.derive) are in no document's graph
    derived = {KG.within, KG.inCounty, KG.inTownship, KG.activeIn}
    assert union == {t for t in graph if t[1] not in derived}
    ordos = named[document_iri("ordos-baolian-zhucun-2022.txt")]
    assert (BUREAU, KG.assists, VILLAGE) in ordos


def test_jsonld_uses_the_project_prefixes(built):
    import json

    out, _, _ = built
    data = json.loads(export_build(out, "jsonld"))
    assert data["@context"]["kg"] == str(KG._NS)
    assert data["@context"]["kgr"] == str(KGR)
    ids = [node["@id"] for node in data["@graph"]]
    assert ids == sorted(ids)


@pytest.mark.parametrize("fmt,read", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_property_graph_formats_read_back(built, fmt, read):
    out, _, graph = built
    network = read(io.BytesIO(export_build(out, fmt)))
    triples = relation_triples(graph)
    entities = {s for s, _, _ in triples} | {o for _, _, o in triples}
    assert network.number_of_nodes() == len(entities)
    assert network.number_of_edges() == len(triples)
    assert set(network.nodes) == {str(e) for e in entities}
    node = network.nodes[str(BUREAU)]
    assert node["label"] == "鄂尔多斯市住建局"
    assert node["class"] == "GovernmentBody"
    assert "呼铁中院" in network.nodes[str(COURT)]["aliases"].split("|")
    edges = [d for _, target, d in network.out_edges(str(BUREAU), data=True) if target == str(VILLAGE)]
    assert len(edges) == 1
    edge = edges[0]
    assert edge["relation"] == "assists"
    assert int(edge["evidence"]) >= 1
    assert "木都柴达木村" in edge["evidence_text"]
    assert "ordos-baolian-zhucun-2022.txt" in edge["sources"].split("|")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(built, fmt):
    out, _, _ = built
    assert export_build(out, fmt) == export_build(out, fmt)


def test_gexf_has_no_date_stamp(built):
    out, _, _ = built
    assert b"lastmodifieddate" not in export_build(out, "gexf")


def test_unknown_format(built):
    out, _, _ = built
    with pytest.raises(StoreError, match="unknown export format 'rdfxml'"):
        export_build(out, "rdfxml")


def test_missing_build(tmp_path):
    with pytest.raises(StoreError, match="no store here; run `kg build` first"):
        export_build(tmp_path, "nquads")
    with pytest.raises(StoreError, match="no such graph file; run `kg build` first"):
        export_build(tmp_path, "graphml")


# --- command line --------------------------------------------------------------------------------


def test_cli_writes_a_file(built, tmp_path):
    out, _, _ = built
    target = tmp_path / f"graph.{EXTENSIONS['nquads']}"
    result = CliRunner().invoke(
        main, ["export", "--graph", str(out), "--format", "nquads", "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert result.output == f"nquads: {len(data)} bytes -> {target}\n"
    assert data == export_build(out, "nquads")


def test_cli_writes_to_standard_output(built):
    out, _, _ = built
    result = CliRunner().invoke(main, ["export", "--graph", str(out), "--format", "gexf"])
    assert result.exit_code == 0
    assert result.stdout_bytes == export_build(out, "gexf")


def test_cli_default_format_is_turtle(built):
    out, _, _ = built
    result = CliRunner().invoke(main, ["export", "--graph", str(out)])
    assert result.exit_code == 0
    assert result.stdout_bytes == export_build(out, "turtle")


def test_cli_rejects_an_unknown_format(built):
    out, _, _ = built
    result = CliRunner().invoke(main, ["export", "--graph", str(out), "--format", "rdfxml"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_cli_missing_build(tmp_path):
    result = CliRunner().invoke(main, ["export", "--graph", str(tmp_path), "--format", "trig"])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'store'}: no store here; run `kg build` first\n"
