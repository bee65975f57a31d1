"""kg.derive: kg:within (the closure of kg:locatedIn), kg:inCounty, kg:inTownship and kg:activeIn.

Each derived property is checked against its definition in plain SPARQL, in a build's store, graph.ttl
and queries.

Tests marked slow need the session build of corpus/; the others run on small hand-made graphs.
"""

from __future__ import annotations

import random

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, RDFS, Graph, Literal
from rdflib.namespace import OWL

from kg.derive import RDF_TYPE, derive, transitive_closure
from kg.ontology import KG, KGR, load_ontology
from kg.store import GraphStore, load_graph
from kg.validate import Violation, validate_graph

slow = pytest.mark.slow

LOCATED_IN_PLUS = "SELECT ?s ?o WHERE { ?s kg:locatedIn+ ?o }"
WITHIN = "SELECT ?s ?o WHERE { ?s kg:within ?o }"

#: Each derived property: the query reading it, and its definition in SPARQL from the facts alone.
DEFINITIONS = {
    "within": (WITHIN, LOCATED_IN_PLUS),
    "inCounty": (
        "SELECT ?s ?o WHERE { ?s kg:inCounty ?o }",
        "SELECT DISTINCT ?s ?o WHERE { ?s kg:locatedIn+ ?o . ?o a kg:County }",
    ),
    "inTownship": (
        "SELECT ?s ?o WHERE { ?s kg:inTownship ?o }",
        "SELECT DISTINCT ?s ?o WHERE { ?s kg:locatedIn+ ?o . ?o a kg:Township }",
    ),
    "activeIn": (
        "SELECT ?s ?o WHERE { ?s kg:activeIn ?o }",
        "SELECT DISTINCT ?s ?o WHERE { { ?s kg:assists ?o } UNION { ?p kg:servesIn ?o ; kg:worksFor ?s } }",
    ),
}


def pairs(store: GraphStore, query: str) -> set[tuple[str, str]]:
    return {(row["s"], row["o"]) for row in store.select(query)}


@pytest.mark.parametrize(
    "edges,expected",
    [
        ([], set()),
        (
            [("村", "镇"), ("镇", "旗"), ("旗", "市")],
            {("村", "镇"), ("村", "旗"), ("村", "市"), ("镇", "旗"), ("镇", "市"), ("旗", "市")},
        ),
        # two parents (a village tied to its township and straight to the county): each ancestor once
        ([("村", "镇"), ("村", "旗"), ("镇", "旗")], {("村", "镇"), ("村", "旗"), ("镇", "旗")}),
        # a cycle, which asymmetry forbids but extraction might produce: as kg:locatedIn+ answers it
        ([("甲", "乙"), ("乙", "甲")], {("甲", "乙"), ("乙", "甲"), ("甲", "甲"), ("乙", "乙")}),
    ],
    ids=["empty", "chain", "two parents", "cycle"],
)
def test_transitive_closure(edges, expected):
    assert transitive_closure(edges) == expected


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_transitive_closure_is_reachability(edges):
    graph = nx.DiGraph(edges)
    assert transitive_closure(edges) == set(nx.transitive_closure(graph, reflexive=False).edges)


def chain_graph() -> Graph:
    graph = Graph()
    for child, parent in [("村", "镇"), ("镇", "旗"), ("局", "旗")]:
        graph.add((KGR[child], KG.locatedIn, KGR[parent]))
    return graph


def test_derive_replaces_stale_triples():
    store = GraphStore.open(None)
    graph = chain_graph()
    graph.add((KGR["村"], KG.within, KGR["别处"]))  # left over from facts since retracted
    store.replace_default_graph(graph)
    counts = {"within": 4, "inCounty": 0, "inTownship": 0, "activeIn": 0}
    assert store.rederive() == counts
    assert pairs(store, WITHIN) == pairs(store, LOCATED_IN_PLUS)
    assert store.rederive() == counts  # idempotent


def test_derive_reads_facts_not_a_store():
    """derive takes (subject, predicate IRI, object) facts of any term type; other predicates are ignored."""
    located, heads = str(KG.locatedIn), str(KG.heads)
    facts = [(1, located, 2), (2, located, 3), (9, heads, 1), (4, located, 2)]
    derived = derive(facts)
    assert derived[str(KG.within)] == {(1, 2), (1, 3), (2, 3), (4, 2), (4, 3)}
    assert derive([(9, heads, 1)]) == {str(KG[name]): set() for name in DEFINITIONS}


def test_derive_levels_and_presence():
    """inCounty/inTownship: the ancestors of that class; activeIn: stationed persons' bodies too."""
    located, kind = str(KG.locatedIn), RDF_TYPE
    facts = [
        ("村", located, "镇"), ("镇", located, "旗"), ("旗", located, "市"), ("局", located, "旗"),
        ("镇", kind, str(KG.Township)), ("旗", kind, str(KG.County)), ("市", kind, str(KG.City)),
        ("局", str(KG.assists), "村"),
        ("张三", str(KG.servesIn), "村"),
        ("张三", str(KG.worksFor), "银行"), ("张三", str(KG.worksFor), "局"),
        ("李四", str(KG.worksFor), "厂"),  # works for a body, serves nowhere: no presence
    ]  # fmt: skip
    derived = derive(facts)
    assert derived[str(KG.inCounty)] == {("村", "旗"), ("镇", "旗"), ("局", "旗")}
    assert derived[str(KG.inTownship)] == {("村", "镇")}
    assert derived[str(KG.activeIn)] == {("局", "村"), ("银行", "村")}


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_rederive_matches_the_sparql_definitions(name):
    graph = chain_graph()
    graph.add((KGR["旗"], KG.locatedIn, KGR["市"]))
    for node, kind in [("镇", KG.Township), ("旗", KG.County), ("市", KG.City), ("局", KG.GovernmentBody)]:
        graph.add((KGR[node], RDF.type, kind))
    graph.add((KGR["局"], KG.assists, KGR["村"]))
    graph.add((KGR["人"], KG.servesIn, KGR["镇"]))
    graph.add((KGR["人"], KG.worksFor, KGR["行"]))
    store = GraphStore.open(None)
    store.replace_default_graph(graph)
    store.rederive()
    stored, definition = DEFINITIONS[name]
    assert pairs(store, stored) == pairs(store, definition) != set()


#: Terms of the random graphs below: few, so that changes meet cycles, shared parents and both kinds
#: of support for one activeIn pair.
_NODES = [ox.NamedNode(str(KGR[f"n{i}"])) for i in range(7)]
_PERSONS = [ox.NamedNode(str(KGR[f"p{i}"])) for i in range(3)]
_CLASSES = [ox.NamedNode(str(KG.County)), ox.NamedNode(str(KG.Township)), ox.NamedNode(str(KG.City))]
_FACT_PREDICATES = {
    "locatedIn": (_NODES, _NODES),
    "type": (_NODES, _CLASSES),
    "assists": (_NODES, _NODES),
    "servesIn": (_PERSONS, _NODES),
    "worksFor": (_PERSONS, _NODES),
}


def _random_fact(rng: random.Random) -> ox.Triple:
    name = rng.choice(sorted(_FACT_PREDICATES))
    subjects, objects = _FACT_PREDICATES[name]
    predicate = ox.NamedNode(RDF_TYPE if name == "type" else str(KG[name]))
    return ox.Triple(rng.choice(subjects), predicate, rng.choice(objects))


def _derived_quads(store: GraphStore) -> set[ox.Quad]:
    derived = [ox.NamedNode(str(KG[name])) for name in DEFINITIONS]
    return {q for p in derived for q in store.inner.quads_for_pattern(None, p, None, ox.DefaultGraph())}


def _store_of(facts: set[ox.Triple]) -> GraphStore:
    store = GraphStore.open(None)
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in facts)
    return store


@pytest.mark.parametrize("block", range(6))
def test_update_derived_equals_rederive(block):
    """Derived triples changed by difference after random changes equal a full rederive of the result."""
    for seed in range(block * 50, block * 50 + 50):
        rng = random.Random(seed)
        facts = {_random_fact(rng) for _ in range(rng.randint(0, 25))}
        store = _store_of(facts)
        before = sum(store.rederive().values())
        dropped = set(rng.sample(sorted(facts, key=str), rng.randint(0, min(len(facts), 6))))
        added = {_random_fact(rng) for _ in range(rng.randint(0, 6))} - facts
        final = (facts - dropped) | added
        for t in dropped:
            store.inner.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
        store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in added)
        delta = store.update_derived(sorted(dropped | added, key=str))
        clean = _store_of(final)
        total = sum(clean.rederive().values())
        assert _derived_quads(store) == _derived_quads(clean), f"seed {seed}"
        assert before + delta == total, f"seed {seed}"


def test_update_derived_keeps_a_pair_that_is_still_supported():
    """An activeIn pair stated by kg:assists and by a stationed person stays until both are gone."""
    body, place, person = _NODES[0], _NODES[1], _PERSONS[0]
    assists = ox.Triple(body, ox.NamedNode(str(KG.assists)), place)
    serves = ox.Triple(person, ox.NamedNode(str(KG.servesIn)), place)
    works = ox.Triple(person, ox.NamedNode(str(KG.worksFor)), body)
    store = _store_of({assists, serves, works})
    assert store.rederive()["activeIn"] == 1
    active = ox.Quad(body, ox.NamedNode(str(KG.activeIn)), place, ox.DefaultGraph())
    store.inner.remove(ox.Quad(assists.subject, assists.predicate, assists.object, ox.DefaultGraph()))
    assert store.update_derived([assists]) == 0
    assert active in store.inner
    store.inner.remove(ox.Quad(works.subject, works.predicate, works.object, ox.DefaultGraph()))
    assert store.update_derived([works]) == -1
    assert active not in store.inner


def test_derive_imports_no_store():
    """The derivation sits below the store: importing it loads neither kg.store nor pyoxigraph."""
    import subprocess
    import sys

    code = "import sys, kg.derive; print(sorted(m for m in ('kg.store', 'pyoxigraph') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "[]\n"


def test_ontology_declares_within_as_the_transitive_super_property_of_located_in():
    onto = load_ontology()
    assert (KG.within, RDF.type, OWL.TransitiveProperty) in onto
    assert (KG.locatedIn, RDFS.subPropertyOf, KG.within) in onto
    assert (KG.locatedIn, RDF.type, OWL.TransitiveProperty) not in onto


def test_shapes_flag_within_without_located_in():
    graph = Graph()
    for node, kind in [("村", KG.Village), ("旗", KG.County)]:
        graph.add((KGR[node], RDF.type, kind))
        graph.add((KGR[node], RDFS.label, Literal(node, lang="zh")))
    graph.add((KGR["村"], KG.within, KGR["旗"]))
    assert validate_graph(graph).violations == [
        Violation(
            str(KGR["村"]),
            None,
            "kgr:村 kg:within kgr:旗 follows from no chain of kg:locatedIn; "
            "rebuild to derive kg:within again",
            "Violation",
        )
    ]


# --- the build of corpus/ ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(corpus_build):
    out, _ = corpus_build
    return GraphStore.open(out / "store", read_only=True)


@slow
def test_build_stores_the_closure_in_the_default_graph(store, corpus_build):
    _, report = corpus_build
    within = pairs(store, WITHIN)
    assert within == pairs(store, LOCATED_IN_PLUS)
    derived = sum(len(pairs(store, stored)) for stored, _ in DEFINITIONS.values())
    assert derived == report["store"]["derived"] > len(within) > 0
    assert (str(KGR["place/木都柴达木村"]), str(KGR["place/150626"])) in within


@slow
@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_build_derives_what_the_sparql_definitions_say(store, name):
    stored, definition = DEFINITIONS[name]
    assert pairs(store, stored) == pairs(store, definition) != set()


@slow
@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_no_document_graph_states_derived_triples(store, name):
    quads = store.inner.quads_for_pattern(None, ox.NamedNode(str(KG[name])), None, None)
    assert {type(q.graph_name) for q in quads} == {ox.DefaultGraph}


@slow
def test_graph_ttl_holds_the_derived_triples(store, corpus_build):
    out, _ = corpus_build
    graph = load_graph(out / "graph.ttl")
    assert {(str(s), str(o)) for s, o in graph.subject_objects(KG.within)} == pairs(store, WITHIN)


@slow
def test_the_build_with_derived_triples_conforms(corpus_build):
    _, report = corpus_build
    assert report["validation"]["conforms"] is True


def test_a_graph_without_derived_triples_gets_them_when_queried():
    from kg.queries import run_query

    result = run_query(chain_graph(), "SELECT ?o WHERE { kgr:村 kg:within ?o } ORDER BY ?o")
    assert [row["o"] for row in result.records()] == [str(KGR["旗"]), str(KGR["镇"])]
