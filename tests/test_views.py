"""Tests for kg.views: network content and styles, evidence tooltips, a self-contained page, layout."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.ontology import KG, KGR, ORGANISATION_CLASSES, PLACE_CLASSES, RELATIONS, TERMS, bind_prefixes
from kg.views import (
    CLASS_STYLES,
    MAX_EVIDENCE,
    RELATION_STYLES,
    external_references,
    network_html,
    render_network,
)

WANG, LI, ZHAO = KGR["person/王明"], KGR["person/李华"], KGR["person/赵六"]
BUREAU, COOP = KGR["org/市委组织部"], KGR["org/兴农合作社"]
VILLAGE, TOWN, COUNTY = KGR["place/新华村"], KGR["place/双河镇"], KGR["place/准格尔旗"]

HEADS_SENTENCE = "王明任市委组织部部长。"
SERVES_SENTENCES = ("李华驻新华村任第一书记。", "第一书记李华在新华村走访农户。")


def add_entity(graph: Graph, node: URIRef, cls: str, label: str, *aliases: str) -> None:
    graph.add((node, RDF.type, KG[cls]))
    graph.add((node, RDFS.label, Literal(label, lang="zh")))
    for alias in aliases:
        graph.add((node, SKOS.altLabel, Literal(alias, lang="zh")))


def add_document(graph: Graph, file: str, title: str) -> URIRef:
    doc = KGR[f"doc/{file}"]
    graph.add((doc, RDF.type, KG.Document))
    graph.add((doc, KG.sourceFile, Literal(file)))
    graph.add((doc, DCTERMS.title, Literal(title, lang="zh")))
    return doc


def add_assertion(
    graph: Graph, fact: tuple[URIRef, str, URIRef], sentence: str, doc: URIRef, start: int, post: str = ""
) -> None:
    s, p, o = fact
    node = KGR[f"assertion/{len(list(graph.subjects(RDF.type, KG.Assertion)))}"]
    graph.add((node, RDF.type, KG.Assertion))
    graph.add((node, RDF.subject, s))
    graph.add((node, RDF.predicate, KG[p]))
    graph.add((node, RDF.object, o))
    graph.add((node, KG.evidenceText, Literal(sentence, lang="zh")))
    graph.add((node, KG.startOffset, Literal(start, datatype=XSD.integer)))
    graph.add((node, KG.endOffset, Literal(start + len(sentence), datatype=XSD.integer)))
    graph.add((node, PROV.wasDerivedFrom, doc))
    if post:
        graph.add((node, KG.post, Literal(post, lang="zh")))


def small_graph() -> Graph:
    """2 persons, 2 organisations, 3 places, every relation, evidence; 赵六 takes part in nothing."""
    graph = Graph()
    bind_prefixes(graph)
    add_entity(graph, WANG, "Person", "王明", "王书记", "王部长")
    add_entity(graph, LI, "Person", "李华")
    add_entity(graph, ZHAO, "Person", "赵六")
    add_entity(graph, BUREAU, "PartyBody", "市委组织部")
    graph.add((BUREAU, RDF.type, KG.Organisation))  # the generic class must not win
    add_entity(graph, COOP, "Cooperative", "兴农合作社")
    add_entity(graph, VILLAGE, "Village", "新华村")
    add_entity(graph, TOWN, "Township", "双河镇")
    add_entity(graph, COUNTY, "County", "准格尔旗")
    facts = [
        (WANG, "heads", BUREAU),
        (WANG, "worksFor", BUREAU),
        (LI, "worksFor", BUREAU),
        (LI, "servesIn", VILLAGE),
        (BUREAU, "assists", VILLAGE),
        (COOP, "locatedIn", TOWN),
        (VILLAGE, "locatedIn", TOWN),
        (TOWN, "locatedIn", COUNTY),
    ]
    for s, p, o in facts:
        graph.add((s, KG[p], o))
    first = add_document(graph, "a.txt", "组织部长调研")
    second = add_document(graph, "b.txt", "驻村第一书记")
    add_assertion(graph, (WANG, "heads", BUREAU), HEADS_SENTENCE, first, 10, post="部长")
    add_assertion(graph, (LI, "servesIn", VILLAGE), SERVES_SENTENCES[0], first, 40, post="第一书记")
    add_assertion(graph, (LI, "servesIn", VILLAGE), SERVES_SENTENCES[1], second, 5)
    add_assertion(graph, (BUREAU, "assists", VILLAGE), "市委组织部帮扶新华村。", second, 80)
    return graph


def chain_graph(size: int) -> Graph:
    """``size`` villages, each located in the next one: a graph too big for browser physics."""
    graph = Graph()
    bind_prefixes(graph)
    places = [KGR[f"place/村{i:04d}"] for i in range(size)]
    for i, place in enumerate(places):
        add_entity(graph, place, "Village", f"村{i:04d}")
        if i:
            graph.add((places[i - 1], KG.locatedIn, place))
    return graph


def cid(iri: URIRef) -> str:
    """The node id render_network gives an entity: its prefixed name."""
    return "kgr:" + str(iri).removeprefix(str(KGR))


@pytest.fixture(scope="module")
def net():
    return render_network(small_graph())


@pytest.fixture(scope="module")
def page(net):
    return network_html(net)


def node(net, iri: URIRef) -> dict:
    return net.node_map[cid(iri)]


def edge(net, s: URIRef, p: str, o: URIRef) -> dict:
    (found,) = (
        e for e in net.edges if (e["from"], e["label"], e["to"]) == (cid(s), RELATION_STYLES[p].name, cid(o))
    )
    return found


def test_counts_and_labels(net):
    assert len(net.nodes) == 7
    assert len(net.edges) == 8
    assert net.num_nodes() == 7 and net.num_edges() == 8  # pyvis's own bookkeeping agrees
    assert sorted(n["label"] for n in net.nodes) == sorted(
        ["王明", "李华", "市委组织部", "兴农合作社", "新华村", "双河镇", "准格尔旗"]
    )


def test_entity_outside_relations_is_not_drawn(net, page):
    assert cid(ZHAO) not in net.node_ids
    assert "赵六" not in page


def test_order_is_deterministic(net):
    assert [n["id"] for n in net.nodes] == sorted(n["id"] for n in net.nodes)
    keys = [(e["from"], e["to"], e["label"]) for e in net.edges]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    "iri,cls",
    [
        (WANG, "Person"),
        (BUREAU, "PartyBody"),
        (COOP, "Cooperative"),
        (VILLAGE, "Village"),
        (COUNTY, "County"),
    ],
)
def test_node_style_follows_class(net, iri, cls):
    drawn = node(net, iri)
    style = CLASS_STYLES[cls]
    assert (drawn["color"], drawn["shape"], drawn["group"]) == (style.colour, style.shape, cls)


def test_node_tooltip_names_class_label_and_aliases(net):
    assert node(net, WANG)["title"] == "人物：王明\n别名：王书记、王部长"
    assert node(net, BUREAU)["title"] == "党组织：市委组织部"


@pytest.mark.parametrize("relation", RELATIONS)
def test_edge_label_and_colour_follow_relation(net, relation):
    drawn = [e for e in net.edges if e["label"] == RELATION_STYLES[relation].name]
    assert drawn
    assert {e["color"] for e in drawn} == {RELATION_STYLES[relation].colour}
    assert {e["arrows"] for e in drawn} == {"to"}


def test_edge_tooltip_lists_evidence_source_and_post(net):
    title = edge(net, WANG, "heads", BUREAU)["title"]
    assert title.splitlines() == [
        "王明 —领导→ 市委组织部",
        f"「{HEADS_SENTENCE}」",
        f"  ——a.txt [10–{10 + len(HEADS_SENTENCE)}]《组织部长调研》；职务：部长",
    ]


def test_edge_tooltip_lists_every_assertion(net):
    title = edge(net, LI, "servesIn", VILLAGE)["title"]
    assert all(sentence in title for sentence in SERVES_SENTENCES)
    assert "a.txt" in title and "b.txt" in title


def test_edge_without_assertion_still_drawn(net):
    assert edge(net, LI, "worksFor", BUREAU)["title"] == "李华 —任职于→ 市委组织部"


def test_parallel_edges_are_curved_apart(net):
    pair = [e for e in net.edges if (e["from"], e["to"]) == (cid(WANG), cid(BUREAU))]
    assert len(pair) == 2
    assert sum("smooth" in e for e in pair) == 1


def test_evidence_beyond_limit_is_counted():
    graph = small_graph()
    doc = add_document(graph, "c.txt", "长文")
    for i in range(MAX_EVIDENCE + 2):
        add_assertion(
            graph, (COOP, "locatedIn", TOWN), f"兴农合作社位于双河镇（第{i:02d}句）。", doc, 100 * i
        )
    title = edge(render_network(graph), COOP, "locatedIn", TOWN)["title"]
    assert title.count("「") == MAX_EVIDENCE
    assert title.endswith("……另有 2 条证据")


def test_page_is_self_contained(page):
    assert external_references(page) == []
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page
    # Outside the inlined libraries (plain <script> elements) no URL at all, entity ids included.
    outside_libraries = re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL)
    assert "http://" not in outside_libraries and "https://" not in outside_libraries


def test_page_inlines_vis_network(page):
    assert page.count("</script>") == 3  # every inlined script is still closed
    assert "new vis.Network(" in page
    assert "vis-network" in page  # the inlined library's own banner and CSS class names


def test_page_head(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>知识图谱：7 个实体，8 条关系</title>" in page
    assert "<title>样例</title>" in network_html(render_network(small_graph()), title="样例")


def test_page_shows_evidence_and_legend(page):
    assert HEADS_SENTENCE in page  # Chinese is written as is, not as \\u escapes
    assert 'class="kg-legend"' in page and "图例" in page
    for name in (
        "人物",
        "党组织",
        "合作社",
        "村/嘎查/社区",
        "乡镇/苏木/街道",
        "县/旗/区",
        *(s.name for s in RELATION_STYLES.values()),
    ):
        assert f"{name}</li>" in page
    assert "企业</li>" not in page  # classes absent from the graph stay out of the legend


def test_page_is_deterministic(page):
    assert network_html(render_network(small_graph())) == page


def test_markup_in_text_stays_text():
    graph = small_graph()
    hostile = '<img src=x onerror="alert(1)"> href'
    graph.add((LI, SKOS.altLabel, Literal(hostile, lang="zh")))
    page = network_html(render_network(graph))
    assert "<img src=x" not in page  # tojson escapes "<" inside the data script
    assert "popup.innerHTML" not in page  # pyvis's innerHTML tooltip template was not chosen


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to parse JavaScript")
def test_page_scripts_parse(page, tmp_path: Path):
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 3  # pyvis's utils, vis-network, the network itself
    for i, script in enumerate(scripts):
        path = tmp_path / f"script{i}.js"
        path.write_text(script, encoding="utf-8")
        subprocess.run(["node", "--check", str(path)], check=True, capture_output=True)


def test_small_graph_uses_browser_physics(net):
    assert net.options["physics"]["enabled"] is True
    assert net.options["physics"]["solver"] == "barnesHut"
    assert net.options["physics"]["stabilization"]["enabled"] is True
    assert not any("x" in n or "y" in n for n in net.nodes)


def test_big_graph_gets_fixed_positions():
    big = render_network(chain_graph(400))
    assert len(big.nodes) == 400
    assert big.options["physics"] == {"enabled": False}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in big.nodes)
    assert len({(n["x"], n["y"]) for n in big.nodes}) == 400
    assert render_network(chain_graph(400)).nodes == big.nodes


def test_physics_threshold_is_a_parameter():
    assert render_network(small_graph(), max_physics_nodes=3).options["physics"]["enabled"] is False


@pytest.mark.skipif(importlib.util.find_spec("scipy") is not None, reason="scipy present: layout runs")
def test_huge_graph_without_scipy_falls_back_to_physics():
    with pytest.warns(UserWarning, match="pip install scipy"):
        huge = render_network(chain_graph(500))
    assert huge.options["physics"]["enabled"] is True


def test_styles_cover_the_ontology():
    assert {"Person", *ORGANISATION_CLASSES, *PLACE_CLASSES} <= set(CLASS_STYLES)
    assert set(CLASS_STYLES) <= set(TERMS)
    assert list(RELATION_STYLES) == list(RELATIONS)


@pytest.mark.parametrize(
    "html,expected",
    [
        ('<script src="https://cdn.example/a.js"></script>', ["https://cdn.example/a.js"]),
        ("<link rel=stylesheet href=http://x.example/a.css>", ["http://x.example/a.css"]),
        ('<img SRC = "//x.example/i.png">', ["//x.example/i.png"]),
        ("<style>a { background: url( 'https://x.example/b.png' ) }</style>", ["https://x.example/b.png"]),
        ('<style>@import "http://x.example/c.css";</style>', ["http://x.example/c.css"]),
        ('<a href="https://x.example/">1</a><a href="https://x.example/">2</a>', ["https://x.example/"]),
        ('<script src="lib/a.js"></script><a href="#top">top</a>', []),
        ("<style>a { background: url(data:image/png;base64,iVBO//8A) }</style>", []),
        ("<p>see https://x.example/ in the text</p>", []),
    ],
)
def test_external_references(html, expected):
    assert external_references(html) == expected


@pytest.mark.slow
def test_corpus_graph_renders(corpus_graph):
    page = network_html(render_network(corpus_graph))
    assert external_references(page) == []
    assert "new vis.Network(" in page
