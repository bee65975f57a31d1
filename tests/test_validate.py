from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal
from rdflib.namespace import PROV

from kg.cli import main
from kg.errors import OntologyError
from kg.ontology import KG
from kg.rdf import assertion_iri, build_graph, document_iri, entity_iri
from kg.store import load_graph, serialize_turtle
from kg.types import DocumentInfo, Entity, Evidence, Fact
from kg.validate import ValidationReport, Violation, format_report, validate_graph, validate_ntriples

BUREAU = "org/鄂尔多斯市住建局"
VILLAGE = "place/木都柴达木村"
BANNER = "place/乌审旗"
PERSON = "person/董晶"
SENTENCE = "鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说"
EVIDENCE = Evidence("ordos.txt", SENTENCE, 10, 10 + len(SENTENCE))

RDFS_LABEL = str(RDFS.label)
FACT_MESSAGE = (
    "fact {s} {p} {o} has no kg:Assertion (rdf:subject, rdf:predicate, rdf:object) recording its evidence"
)


def small_facts(*, assists_object: str = VILLAGE) -> list[Fact]:
    return [
        Fact(BUREAU, "assists", assists_object, EVIDENCE),
        Fact(PERSON, "servesIn", VILLAGE, EVIDENCE, post="驻村第一书记"),
        Fact(PERSON, "worksFor", BUREAU, EVIDENCE, post="派驻"),
        Fact(VILLAGE, "locatedIn", BANNER, EVIDENCE),
    ]


def small_graph(*, assists_object: str = VILLAGE) -> Graph:
    """A graph of the project's shape, made by kg.rdf from hand-made entities and facts."""
    entities = [
        Entity(BUREAU, "鄂尔多斯市住建局", "GovernmentBody", frozenset({"市住建局"})),
        Entity(VILLAGE, "木都柴达木村", "Village"),
        Entity(BANNER, "乌审旗", "County"),
        Entity(PERSON, "董晶", "Person"),
    ]
    document = DocumentInfo("ordos.txt", "抓党建引领 激活乡村振兴源动力", (("newspaper", "内蒙古日报"),))
    return build_graph([document], entities, small_facts(assists_object=assists_object))


def drop(graph: Graph, subject, predicate) -> Graph:
    graph.remove((subject, predicate, None))
    return graph


def replace(graph: Graph, subject, predicate, value) -> Graph:
    graph.set((subject, predicate, value))
    return graph


def remove_node(graph: Graph, node) -> Graph:
    graph.remove((node, None, None))
    return graph


def located_assertion():
    return assertion_iri(small_facts()[3])


def test_the_small_graph_conforms():
    report = validate_graph(small_graph())
    assert report == ValidationReport(True, [])
    assert format_report(report) == "conforms"


BROKEN = [
    pytest.param(
        lambda: drop(small_graph(), entity_iri(VILLAGE), RDFS.label),
        Violation(
            str(entity_iri(VILLAGE)),
            RDFS_LABEL,
            "an entity needs exactly one rdfs:label (its fullest name); put other names in skos:altLabel",
            "Violation",
        ),
        id="missing label (a Village, reached through rdfs:subClassOf kg:Place)",
    ),
    pytest.param(
        lambda: replace(small_graph(), entity_iri(PERSON), RDFS.label, Literal("董晶")),
        Violation(
            str(entity_iri(PERSON)),
            RDFS_LABEL,
            'an entity\'s rdfs:label must be a language-tagged literal @zh (value: "董晶")',
            "Violation",
        ),
        id="label without @zh",
    ),
    pytest.param(
        lambda: small_graph().add((entity_iri(PERSON), RDFS.label, Literal("董书记", lang="zh"))),
        Violation(
            str(entity_iri(PERSON)),
            RDFS_LABEL,
            "an entity needs exactly one rdfs:label (its fullest name); put other names in skos:altLabel",
            "Violation",
        ),
        id="two labels",
    ),
    pytest.param(
        lambda: small_graph().add((entity_iri(BUREAU), SKOS.altLabel, Literal("住建局", lang="en"))),
        Violation(
            str(entity_iri(BUREAU)),
            str(SKOS.altLabel),
            'every skos:altLabel must be a language-tagged literal @zh (value: "住建局"@en)',
            "Violation",
        ),
        id="altLabel in another language",
    ),
    pytest.param(
        lambda: small_graph(assists_object=PERSON),
        Violation(
            str(entity_iri(BUREAU)),
            str(KG.assists),
            "the object of kg:assists must be a place (kg:Place or a subclass) (value: kgr:person/董晶)",
            "Violation",
        ),
        id="assists pointing to a Person",
    ),
    pytest.param(
        lambda: remove_node(small_graph(), located_assertion()),
        Violation(
            str(entity_iri(VILLAGE)),
            str(KG.locatedIn),
            FACT_MESSAGE.format(
                s="kgr:place/木都柴达木村", p="kg:locatedIn", o="kgr:place/乌审旗", e="evidence"
            ),
            "Violation",
        ),
        id="fact without Assertion",
    ),
    pytest.param(
        lambda: replace(
            small_graph(), located_assertion(), KG.startOffset, Literal(99, datatype=XSD.integer)
        ),
        Violation(
            str(located_assertion()),
            str(KG.startOffset),
            'an assertion\'s kg:startOffset must not exceed its kg:endOffset (value: "99"^^xsd:integer)',
            "Violation",
        ),
        id="Assertion with start > end",
    ),
    pytest.param(
        lambda: drop(small_graph(), located_assertion(), PROV.wasDerivedFrom),
        Violation(
            str(located_assertion()),
            str(PROV.wasDerivedFrom),
            "an assertion needs prov:wasDerivedFrom a kg:Document",
            "Violation",
        ),
        id="Assertion without source document",
    ),
    pytest.param(
        lambda: replace(small_graph(), located_assertion(), KG.endOffset, Literal("40")),
        Violation(
            str(located_assertion()),
            str(KG.endOffset),
            'an assertion needs exactly one kg:endOffset, an xsd:integer >= 0 (value: "40")',
            "Violation",
        ),
        id="offset that is not an xsd:integer",
    ),
    pytest.param(
        lambda: small_graph().add((entity_iri(PERSON), RDF.type, KG.Village)),
        Violation(
            str(entity_iri(PERSON)),
            None,
            "kgr:person/董晶 is both a kg:Person and a kg:Place, which ontology/kg.ttl declares disjoint",
            "Violation",
        ),
        id="entity of two disjoint kinds",
    ),
    pytest.param(
        lambda: remove_node(small_graph(), document_iri("ordos.txt")),
        Violation(
            str(located_assertion()),
            str(PROV.wasDerivedFrom),
            "an assertion needs prov:wasDerivedFrom a kg:Document (value: kgr:doc/ordos.txt)",
            "Violation",
        ),
        id="source that is not a Document",
    ),
]


@pytest.mark.parametrize("make_graph,expected", BROKEN)
def test_a_broken_graph_gives_the_expected_violation(make_graph, expected):
    report = validate_graph(make_graph())
    assert not report.conforms
    assert expected in report.violations


def test_the_fact_and_range_violations_come_alone():
    # the range error is not masked or multiplied by provenance or domain errors
    report = validate_graph(small_graph(assists_object=PERSON))
    assert [(v.focus, v.path) for v in report.violations] == [(str(entity_iri(BUREAU)), str(KG.assists))]


def test_domain_violation_has_no_path():
    graph = small_graph()
    graph.remove((entity_iri(PERSON), RDF.type, KG.Person))
    graph.add((entity_iri(PERSON), RDF.type, KG.Enterprise))
    report = validate_graph(graph)
    messages = {v.message for v in report.violations if v.path is None}
    assert "the subject of kg:servesIn must be a kg:Person" in messages
    assert "the subject of kg:worksFor must be a kg:Person" in messages


def test_report_as_dict_is_json_ready():
    report = validate_graph(drop(small_graph(), entity_iri(VILLAGE), RDFS.label))
    data = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert data["conforms"] is False
    assert data["violations"][0]["focus"] == str(entity_iri(VILLAGE))
    assert set(data["violations"][0]) == {"focus", "path", "message", "severity"}


def test_violations_unpack_as_four_tuples():
    report = validate_graph(drop(small_graph(), entity_iri(VILLAGE), RDFS.label))
    focus, path, message, severity = report.violations[0]
    assert (focus, path, severity) == (str(entity_iri(VILLAGE)), RDFS_LABEL, "Violation")


def test_the_input_graph_is_not_changed():
    graph = small_graph()
    before = set(graph)
    validate_graph(graph)
    assert set(graph) == before


def test_format_report_lists_violations_and_a_count():
    report = validate_graph(drop(small_graph(), entity_iri(VILLAGE), RDFS.label))
    assert format_report(report) == (
        "Violation: kgr:place/木都柴达木村 rdfs:label: an entity needs exactly one rdfs:label "
        "(its fullest name); put other names in skos:altLabel\n"
        "does not conform: 1 violation"
    )


# --- command line --------------------------------------------------------------------------------


def write_build(tmp_path, graph: Graph):
    (tmp_path / "graph.ttl").write_text(serialize_turtle(graph), encoding="utf-8")
    return tmp_path


def test_cli_conforms(tmp_path):
    out = write_build(tmp_path, small_graph())
    result = CliRunner().invoke(main, ["validate", "--graph", str(out)])
    assert result.exit_code == 0
    assert result.output == "conforms\n"


def test_cli_does_not_conform(tmp_path):
    out = write_build(tmp_path, drop(small_graph(), entity_iri(VILLAGE), RDFS.label))
    result = CliRunner().invoke(main, ["validate", "--graph", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        "Violation: kgr:place/木都柴达木村 rdfs:label: an entity needs exactly one rdfs:label "
        "(its fullest name); put other names in skos:altLabel\n"
        "does not conform: 1 violation\n"
    )


def test_cli_json(tmp_path):
    out = write_build(tmp_path, small_graph(assists_object=PERSON))
    result = CliRunner().invoke(main, ["validate", "--graph", str(out), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["conforms"] is False
    assert [v["path"] for v in data["violations"]] == [str(KG.assists)]


def test_cli_missing_graph(tmp_path):
    result = CliRunner().invoke(main, ["validate", "--graph", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    missing = tmp_path / "nowhere" / "graph.ttl"
    assert result.output == f"Error: {missing}: no such graph file; run `kg build` first\n"


# --- the real build ------------------------------------------------------------------------------


@pytest.mark.slow
def test_corpus_build_conforms(corpus_build):
    out, _ = corpus_build
    graph = load_graph(out / "graph.ttl")
    validate_graph(graph)  # warm the caches (shapes, ontology, prepared queries), as a build process would
    started = time.perf_counter()
    report = validate_graph(graph)
    seconds = time.perf_counter() - started
    assert report.conforms, format_report(report)
    assert report.violations == []
    assert seconds < 5, f"validation took {seconds:.1f} s"


@pytest.mark.slow
def test_cli_on_the_corpus_build(corpus_build):
    out, _ = corpus_build
    result = CliRunner().invoke(main, ["validate", "--graph", str(out)])
    assert (result.exit_code, result.output) == (0, "conforms\n")


# --- the fast engine (pyrudof) against the reference (pyshacl) -----------------------------------


@pytest.mark.parametrize(
    "make_graph", [small_graph, *(p.values[0] for p in BROKEN)], ids=["conforming", *(p.id for p in BROKEN)]
)
def test_rudof_finds_what_pyshacl_finds(make_graph):
    reference = validate_graph(make_graph(), engine="pyshacl")
    fast = validate_graph(make_graph(), engine="rudof")
    assert fast == reference


@pytest.mark.parametrize(
    "make_graph", [small_graph, *(p.values[0] for p in BROKEN)], ids=["conforming", *(p.id for p in BROKEN)]
)
def test_ntriples_text_finds_what_pyshacl_finds(make_graph):
    """The build validates the store's N-Triples dump: unsorted lines, some repeated, as Oxigraph writes."""
    reference = validate_graph(make_graph(), engine="pyshacl")
    lines = make_graph().serialize(format="nt").splitlines()
    text = "\n".join([*reversed(lines), *lines[:3]])
    assert validate_ntriples(text) == reference


def test_unknown_engine():
    with pytest.raises(OntologyError, match="unknown SHACL engine 'jena'; use one of rudof, pyshacl"):
        validate_graph(small_graph(), engine="jena")


@pytest.mark.parametrize("flags", [[], ["--full"]], ids=["rudof", "pyshacl"])
def test_cli_engines_agree(tmp_path, flags):
    out = write_build(tmp_path, small_graph(assists_object=PERSON))
    result = CliRunner().invoke(main, ["validate", "--graph", str(out), *flags])
    assert result.exit_code == 1
    assert result.output == (
        "Violation: kgr:org/鄂尔多斯市住建局 kg:assists: the object of kg:assists must be a place "
        "(kg:Place or a subclass) (value: kgr:person/董晶)\ndoes not conform: 1 violation\n"
    )


@pytest.mark.slow
def test_corpus_build_engines_agree(corpus_build):
    out, _ = corpus_build
    graph = load_graph(out / "graph.ttl")
    assert (
        validate_graph(graph, engine="rudof")
        == validate_graph(graph, engine="pyshacl")
        == ValidationReport(True)
    )
