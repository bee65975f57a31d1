"""Tests for kg.views and `kg view`: content, styles, evidence, narrowing, layout, a self-contained page."""

from __future__ import annotations

import builtins
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.cli import main
from kg.errors import QueryError
from kg.ontology import KG, KGR, ORGANISATION_CLASSES, PLACE_CLASSES, RELATIONS, TERMS, bind_prefixes
from kg.store import GraphStore, serialize_turtle
from kg.views import (
    CLASS_STYLES,
    LEVELS,
    MAX_EVIDENCE,
    RELATION_STYLES,
    external_references,
    find_entities,
    network_html,
    network_iframe,
    read_view_graph,
    render_network,
)
from kg.views.layout import layout_positions
from kg.views.network import LARGE_GRAPH_NODES

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


def add_document(graph: Graph, file: str, title: str, date: str | None = None) -> URIRef:
    doc = KGR[f"doc/{file}"]
    graph.add((doc, RDF.type, KG.Document))
    graph.add((doc, KG.sourceFile, Literal(file)))
    graph.add((doc, DCTERMS.title, Literal(title, lang="zh")))
    if date:
        graph.add((doc, DCTERMS.date, Literal(date)))
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
    first = add_document(graph, "a.txt", "组织部长调研", "2021-05")
    second = add_document(graph, "b.txt", "驻村第一书记", "2023")
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
    (found,) = (e for e in net.edges if (e["from"], e["relation"], e["to"]) == (cid(s), p, cid(o)))
    return found


def page_data(page: str) -> dict:
    """The JSON the page's script reads."""
    (text,) = re.findall(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.DOTALL)
    return json.loads(text)


# --- network content -----------------------------------------------------------------------------


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


def test_order_and_ids_are_deterministic(net):
    assert [n["id"] for n in net.nodes] == sorted(n["id"] for n in net.nodes)
    keys = [(e["from"], e["to"], e["relation"]) for e in net.edges]
    assert keys == sorted(keys)
    assert [e["id"] for e in net.edges] == [f"e{i}" for i in range(8)]


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


def test_node_size_grows_with_degree(net):
    # 市委组织部: 4 edges; 准格尔旗: 1
    assert node(net, BUREAU)["size"] > node(net, VILLAGE)["size"] > node(net, COUNTY)["size"]


def test_node_tooltip_names_class_label_pinyin_and_aliases(net):
    assert node(net, WANG)["title"].splitlines() == [
        "人物：王明",
        "拼音：wáng míng",
        "别名：王书记、王部长",
        "2 条关系 · 点击查看证据",
    ]
    assert node(net, BUREAU)["title"].startswith("党组织：市委组织部\n拼音：shì wěi zǔ zhī bù\n")


@pytest.mark.parametrize("relation", RELATIONS)
def test_edge_label_and_colour_follow_relation(net, relation):
    drawn = [e for e in net.edges if e["relation"] == relation]
    assert drawn
    assert {e["label"] for e in drawn} == {RELATION_STYLES[relation].name}
    assert {e["color"] for e in drawn} == {RELATION_STYLES[relation].colour}
    assert {e["arrows"] for e in drawn} == {"to"}


def test_edge_tooltip_shows_first_evidence_and_count(net):
    assert edge(net, WANG, "heads", BUREAU)["title"].splitlines() == [
        "王明 —领导→ 市委组织部",
        f"「{HEADS_SENTENCE}」",
        "1 条证据 · 点击查看",
    ]
    assert edge(net, LI, "servesIn", VILLAGE)["title"].endswith("2 条证据 · 点击查看")


def test_edge_without_assertion_still_drawn(net):
    assert edge(net, LI, "worksFor", BUREAU)["title"] == "李华 —任职于→ 市委组织部"
    assert net.details["facts"][edge(net, LI, "worksFor", BUREAU)["id"]] == [
        [cid(LI), cid(BUREAU), [], 0, []]
    ]


def test_details_hold_every_sentence_with_document_and_post(net):
    details = net.details
    docs = details["documents"]
    ((s, o, evidence, more, dates),) = details["facts"][edge(net, LI, "servesIn", VILLAGE)["id"]]
    assert (s, o, more, dates) == (cid(LI), cid(VILLAGE), 0, ["2021-05", "2023"])
    rows = [(text, docs[doc], start, end, post) for text, doc, start, end, post in evidence]
    assert rows == [
        (
            SERVES_SENTENCES[0],
            ["a.txt", "组织部长调研", "2021-05"],
            40,
            40 + len(SERVES_SENTENCES[0]),
            "第一书记",
        ),
        (SERVES_SENTENCES[1], ["b.txt", "驻村第一书记", "2023"], 5, 5 + len(SERVES_SENTENCES[1]), ""),
    ]


def test_details_name_pinyin_and_aliases_for_search(net):
    assert net.details["entities"][cid(WANG)] == {
        "py": "wáng míng",
        "key": "wangming",
        "aliases": ["王书记", "王部长"],
    }


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
    net = render_network(graph)
    ((_, _, evidence, more, _),) = net.details["facts"][edge(net, COOP, "locatedIn", TOWN)["id"]]
    assert (len(evidence), more) == (MAX_EVIDENCE, 2)
    assert edge(net, COOP, "locatedIn", TOWN)["title"].endswith(f"{MAX_EVIDENCE + 2} 条证据 · 点击查看")


def test_oxigraph_store_gives_the_same_network(net):
    store = GraphStore.open(None)
    store.replace_default_graph(small_graph())
    other = render_network(store)
    assert (other.nodes, other.edges, other.details) == (net.nodes, net.edges, net.details)


# --- narrowing: relations, ego network, administrative level ------------------------------------


def labels(net) -> set[str]:
    return {n["label"] for n in net.nodes}


def test_relations_filter_keeps_their_edges_and_ends():
    net = render_network(small_graph(), relations=["assists", "servesIn"])
    assert {e["relation"] for e in net.edges} == {"assists", "servesIn"}
    assert labels(net) == {"市委组织部", "新华村", "李华"}
    assert net.notes == ["只显示关系：帮扶、驻村。"]


def test_unknown_relation_is_refused():
    with pytest.raises(ValueError, match="unknown relation.*helps"):
        render_network(small_graph(), relations=["helps"])


@pytest.mark.parametrize(
    "name,depth,expected",
    [
        ("新华村", 0, {"新华村"}),
        ("新华村", 1, {"新华村", "李华", "市委组织部", "双河镇"}),
        ("新华村", 2, {"新华村", "李华", "市委组织部", "双河镇", "王明", "兴农合作社", "准格尔旗"}),
        ("王书记", 1, {"王明", "市委组织部"}),  # an alias names the same entity
        ("kgr:place/准格尔旗", 1, {"准格尔旗", "双河镇"}),
    ],
)
def test_ego_network(name, depth, expected):
    net = render_network(small_graph(), focus=name, depth=depth)
    assert labels(net) == expected
    assert all(e["from"] in net.node_map and e["to"] in net.node_map for e in net.edges)


def test_ego_network_marks_its_centre():
    net = render_network(small_graph(), focus="新华村")
    assert net.details["focus"] == [cid(VILLAGE)]
    assert node(net, VILLAGE)["borderWidth"] == 4
    assert net.notes == ["以新华村为中心、1 步以内的实体。"]


def test_ego_network_of_a_shared_name_has_every_entity_of_that_name():
    graph = small_graph()
    other = KGR["place/新华村_2"]
    add_entity(graph, other, "Village", "新华村")
    graph.add((other, KG.locatedIn, COUNTY))
    net = render_network(graph, focus="新华村", depth=0)
    assert set(net.details["focus"]) == {cid(VILLAGE), cid(other)}


def test_unknown_focus_names_similar_entities():
    with pytest.raises(QueryError, match="no entity named '新华' in the graph; similar names: 新华村"):
        render_network(small_graph(), focus="新华")


def test_focus_takes_pinyin_as_the_search_box_does():
    net = render_network(small_graph(), focus="xinhuacun", depth=0)
    assert net.details["focus"] == [cid(VILLAGE)]
    assert render_network(small_graph(), focus="Xinhua Cun", depth=0).details["focus"] == [cid(VILLAGE)]


@pytest.mark.parametrize(
    "name,hint",
    [
        ("新化村", "did you mean 新华村?"),  # a character mistyped
        ("xinhuacum", "did you mean 新华村?"),  # pinyin mistyped
        ("xinhua", "did you mean 新华村?"),  # the start of a name's pinyin
    ],
)
def test_a_misspelt_focus_gets_a_did_you_mean(name, hint):
    with pytest.raises(QueryError, match=f"no entity named '{name}' in the graph; {re.escape(hint)}"):
        render_network(small_graph(), focus=name)


def test_negative_depth_is_refused():
    with pytest.raises(ValueError, match="depth"):
        render_network(small_graph(), focus="新华村", depth=-1)


def test_level_township_merges_villages_and_aggregates_edges():
    graph = small_graph()
    second = KGR["place/东风村"]
    add_entity(graph, second, "Village", "东风村")
    graph.add((second, KG.locatedIn, TOWN))
    graph.add((BUREAU, KG.assists, second))
    net = render_network(graph, level="township")
    assert "新华村" not in labels(net) and "东风村" not in labels(net)
    assists = edge(net, BUREAU, "assists", TOWN)
    assert assists["label"] == "帮扶 ×2" and assists["width"] > 1
    facts = net.details["facts"][assists["id"]]
    assert [(s, o) for s, o, *_ in facts] == [(cid(BUREAU), cid(second)), (cid(BUREAU), cid(VILLAGE))]
    assert edge(net, LI, "servesIn", TOWN)["label"] == "驻村"
    # the villages' own locatedIn facts are inside the township now
    assert not [e for e in net.edges if e["relation"] == "locatedIn" and e["to"] == cid(TOWN)][1:]
    assert net.details["entities"][cid(TOWN)]["merged"] == [cid(second), cid(VILLAGE)]
    assert net.details["entities"][cid(VILLAGE)]["in"] == cid(TOWN)
    assert "2 个下级地区并入" in net.notes[0]


def test_level_county_merges_everything_below_it():
    net = render_network(small_graph(), level="county")
    places = {n["label"] for n in net.nodes if n["group"] in ("Village", "Township", "County")}
    assert places == {"准格尔旗"}
    assert edge(net, COOP, "locatedIn", COUNTY)  # organisations follow their place up
    assert edge(net, BUREAU, "assists", COUNTY)


def test_level_then_focus_finds_merged_places():
    net = render_network(small_graph(), level="county", focus="新华村", depth=1)
    assert net.details["focus"] == [cid(COUNTY)]
    assert find_entities(read_view_graph(small_graph()), "王部长") == [cid(WANG)]


def test_dates_keep_facts_stated_in_the_range_and_the_places_above():
    net = render_network(small_graph(), since="2022")
    drawn = {(e["from"], e["relation"], e["to"]) for e in net.edges}
    assert drawn == {
        (cid(LI), "servesIn", cid(VILLAGE)),
        (cid(BUREAU), "assists", cid(VILLAGE)),
        # no sentence states these: kept above what remains
        (cid(LI), "worksFor", cid(BUREAU)),
        (cid(VILLAGE), "locatedIn", cid(TOWN)),
        (cid(TOWN), "locatedIn", cid(COUNTY)),
    }
    ((_, _, evidence, _, dates),) = net.details["facts"][edge(net, LI, "servesIn", VILLAGE)["id"]]
    assert [row[0] for row in evidence] == [SERVES_SENTENCES[1]] and dates == ["2023"]
    assert "只显示日期在 2022 至 最新 之间的文档所陈述的关系" in net.notes[0]


@pytest.mark.parametrize(
    "since,until,expected",
    [
        (None, "2021-05", {("heads", WANG, BUREAU), ("servesIn", LI, VILLAGE)}),
        ("2021-05-31", "2021-06", {("heads", WANG, BUREAU), ("servesIn", LI, VILLAGE)}),  # May overlaps
        ("2021-06", "2022-12-31", set()),
        ("2023-12-31", None, {("servesIn", LI, VILLAGE), ("assists", BUREAU, VILLAGE)}),
    ],
)
def test_a_date_stands_for_its_whole_period(since, until, expected):
    net = render_network(small_graph(), since=since, until=until)
    stated = {(e["relation"], e["from"], e["to"]) for e in net.edges if net.details["facts"][e["id"]][0][2]}
    assert stated == {(p, cid(s), cid(o)) for p, s, o in expected}


@pytest.mark.parametrize(
    "since,until,message",
    [("2023", "2022", "the range is empty: 2023 is after 2022"), ("2022-13", None, "is not an ISO date")],
)
def test_bad_date_range_is_refused(since, until, message):
    with pytest.raises(ValueError, match=message):
        render_network(small_graph(), since=since, until=until)


def test_resources_let_the_served_page_link_entity_pages(net):
    assert net.details["resources"] == {"kgr": ""}


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="unknown level 'district'"):
        render_network(small_graph(), level="district")


def test_levels_name_place_classes():
    assert set(LEVELS.values()) <= set(CLASS_STYLES)


# --- layout --------------------------------------------------------------------------------------


def test_positions_are_fixed_and_reproducible(net):
    assert net.options["physics"] == {"enabled": False}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in net.nodes)
    assert render_network(small_graph()).nodes == net.nodes


def test_physics_threshold_is_a_parameter():
    small = render_network(small_graph(), max_physics_nodes=100)
    assert small.options["physics"]["enabled"] is True
    assert small.options["physics"]["solver"] == "barnesHut"
    assert not any("x" in n for n in small.nodes)


def test_big_graph_is_tuned_for_speed():
    big = render_network(chain_graph(LARGE_GRAPH_NODES + 1))
    assert len({(n["x"], n["y"]) for n in big.nodes}) == LARGE_GRAPH_NODES + 1
    assert big.options["edges"]["smooth"] is False
    assert big.options["interaction"]["hideEdgesOnZoom"] is True
    assert big.options["interaction"]["hover"] is False
    assert big.options["layout"]["improvedLayout"] is False
    assert big.details["fastDraw"] == LARGE_GRAPH_NODES


def test_huge_graph_opens_on_an_overview_of_hubs():
    net = render_network(small_graph(), overview_threshold=5, overview_size=2)
    # 市委组织部 has 4 edges; 双河镇 and 新华村 3 each, the tie broken by id
    assert net.details["overview"] == [cid(BUREAU), cid(TOWN)]
    assert "显示全部" in network_html(net)
    assert render_network(small_graph()).details["overview"] is None


def test_layout_falls_back_to_networkx_without_igraph(monkeypatch):
    real_import = builtins.__import__

    def no_igraph(name, *args, **kwargs):
        if name == "igraph":
            raise ImportError("No module named 'igraph'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_igraph)
    positions = layout_positions(["a", "b", "c"], [("a", "b"), ("b", "c")])
    assert sorted(positions) == ["a", "b", "c"]


def test_layout_warns_when_nothing_can_compute_it(monkeypatch):
    real_import = builtins.__import__

    def nothing(name, *args, **kwargs):
        if name in ("igraph", "networkx"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", nothing)
    with pytest.warns(UserWarning, match="pip install igraph"):
        assert layout_positions(["a", "b"], [("a", "b")]) is None


def test_layout_keeps_the_callers_random_state():
    import random

    random.seed(7)
    expected = random.random()
    random.seed(7)
    layout_positions([str(i) for i in range(50)], [(str(i), str(i + 1)) for i in range(49)])
    assert random.random() == expected


# --- the page ------------------------------------------------------------------------------------


def test_page_is_self_contained(page):
    assert external_references(page) == []
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page
    assert "sourceMappingURL" not in page
    # Outside the inlined libraries (plain <script> elements) no URL at all, entity ids included.
    outside_libraries = re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL)
    assert "http://" not in outside_libraries and "https://" not in outside_libraries


def test_page_inlines_vis_network_and_its_script(page):
    assert page.count("</script>") == 3  # the data, vis-network, the page's own script
    assert "new vis.Network(" in page
    assert "vis-network" in page  # the inlined library's own banner and CSS class names
    assert 'id="kg-search"' in page and 'id="kg-panel"' in page


def test_page_data_round_trips(net, page):
    data = page_data(page)
    assert data["nodes"] == net.nodes and data["edges"] == net.edges
    assert data["details"] == json.loads(json.dumps(net.details))
    assert data["options"] == net.options


def test_page_head(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>知识图谱：7 个实体，8 条关系</title>" in page
    assert "<title>样例</title>" in network_html(render_network(small_graph()), title="样例")


def test_page_shows_evidence_and_legend_with_filters(page):
    assert HEADS_SENTENCE in page  # Chinese is written as is, not as \\u escapes
    assert 'class="kg-legend"' in page and "图例" in page
    for name in ("人物", "党组织", "合作社", "村/嘎查/社区", "乡镇/苏木/街道", "县/旗/区"):
        assert f"{name}<span" in page
    for relation, style in RELATION_STYLES.items():
        assert f'data-relation="{relation}"' in page and f"{style.name}<span" in page
    assert 'data-group="Person"' in page
    assert "企业<span" not in page  # classes absent from the graph stay out of the legend


def test_page_lists_notes():
    page = network_html(render_network(small_graph(), focus="新华村"))
    assert "<li>以新华村为中心、1 步以内的实体。</li>" in page


def test_page_is_deterministic(page):
    assert network_html(render_network(small_graph())) == page


def test_markup_in_text_stays_text():
    graph = small_graph()
    hostile = '<img src=x onerror="alert(1)"></script><!-- href'
    graph.add((LI, SKOS.altLabel, Literal(hostile, lang="zh")))
    page = network_html(render_network(graph))
    assert "<img src=x" not in page and "</script><!--" not in page  # "<" is \\u003c in the data
    assert hostile in page_data(page)["details"]["entities"][cid(LI)]["aliases"]
    script = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)[-1]
    assert "innerHTML" not in script  # the panel is built with textContent


def test_plain_pyvis_network_gets_a_page_too():
    from pyvis.network import Network

    plain = Network()
    plain.add_node(1, label="甲")
    plain.add_node(2, label="乙")
    plain.add_edge(1, 2, label="帮扶")
    page = network_html(plain)
    assert external_references(page) == [] and 'data-relation="assists"' in page


def test_iframe_embeds_the_page_escaped(net):
    frame = network_iframe(net)
    assert frame.startswith('<iframe style="width:100%;height:800px;') and frame.endswith("</iframe>")
    assert "<script" not in frame and "&lt;script" in frame


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to parse JavaScript")
def test_page_scripts_parse(page, tmp_path: Path):
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 2  # vis-network, the page's own script
    for i, script in enumerate(scripts):
        path = tmp_path / f"script{i}.js"
        path.write_text(script, encoding="utf-8")
        subprocess.run(["node", "--check", str(path)], check=True, capture_output=True)


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


# --- kg view -------------------------------------------------------------------------------------


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    """A build directory holding only graph.ttl (no store): `kg view` must fall back to it."""
    out = tmp_path / "build"
    out.mkdir()
    (out / "graph.ttl").write_text(serialize_turtle(small_graph()), encoding="utf-8")
    return out


def test_cli_view_writes_the_page(build_dir):
    result = CliRunner().invoke(main, ["view", "--graph", str(build_dir)])
    assert result.exit_code == 0, result.output
    assert result.output == f"7 entities, 8 relations -> {build_dir / 'view.html'}\n"
    assert external_references((build_dir / "view.html").read_text(encoding="utf-8")) == []


def test_cli_view_narrows(build_dir, tmp_path):
    out = tmp_path / "ego.html"
    args = ["view", "--graph", str(build_dir), "--out", str(out), "--focus", "新华村", "--depth", "1"]
    result = CliRunner().invoke(main, [*args, "--relations", "assists,servesIn", "--level", "village"])
    assert result.exit_code == 0, result.output
    assert result.output == f"3 entities, 2 relations -> {out}\n"
    assert "以新华村为中心" in out.read_text(encoding="utf-8")


def test_cli_view_level(build_dir, tmp_path):
    out = tmp_path / "county.html"
    result = CliRunner().invoke(
        main, ["view", "--graph", str(build_dir), "--out", str(out), "--level", "county"]
    )
    assert result.exit_code == 0, result.output
    assert "按县/旗/区汇总" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["--focus", "新华"], 1, "Error: no entity named '新华' in the graph; similar names: 新华村\n"),
        (["--depth", "2"], 2, "Error: --depth needs --focus\n"),
        (
            ["--relations", "helps"],
            2,
            "Error: Invalid value for '--relations': unknown relation helps; "
            "choose from assists, heads, worksFor, servesIn, locatedIn\n",
        ),
        (["--level", "district"], 2, "Error: Invalid value for '--level': 'district' is not one of"),
    ],
)
def test_cli_view_errors(build_dir, args, code, message):
    result = CliRunner().invoke(main, ["view", "--graph", str(build_dir), *args])
    assert result.exit_code == code
    assert message in result.output


def test_cli_view_dates(build_dir, tmp_path):
    out = tmp_path / "2023.html"
    result = CliRunner().invoke(
        main, ["view", "--graph", str(build_dir), "--out", str(out), "--since", "2023"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"5 entities, 5 relations -> {out}\n"


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--since", "2022-13"],
            "Error: Invalid value for '--since': '2022-13' is not an ISO date: use YYYY",
        ),
        (["--until", "May 2022"], "Error: Invalid value for '--until': 'May 2022' is not an ISO date"),
        (["--since", "2023", "--until", "2022-06"], "Error: --since 2023 is after --until 2022-06\n"),
    ],
)
def test_cli_view_date_errors(build_dir, args, message):
    result = CliRunner().invoke(main, ["view", "--graph", str(build_dir), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_view_without_build(tmp_path):
    result = CliRunner().invoke(main, ["view", "--graph", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {tmp_path / 'none' / 'graph.ttl'}: no such graph file; run `kg build` first\n"
    )


@pytest.mark.slow
def test_corpus_graph_renders(corpus_graph):
    page = network_html(render_network(corpus_graph))
    assert external_references(page) == []
    assert "new vis.Network(" in page


@pytest.mark.slow
def test_cli_view_on_corpus_build(corpus_build, tmp_path):
    out_dir, report = corpus_build
    out = tmp_path / "wushen.html"
    result = CliRunner().invoke(
        main, ["view", "--graph", str(out_dir), "--focus", "乌审旗", "--depth", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["details"]["focus"] == ["kgr:place/150626"]  # 乌审旗, by its division code
    assert 1 < len(data["nodes"]) < report["counts"]["entities_total"]


@pytest.mark.slow
def test_view_of_the_assembled_facts_equals_the_view_read_from_the_store(corpus_build):
    from kg.pipeline import assemble, cached_results
    from kg.views.read import read_view_graph, view_graph_of_facts

    out, _ = corpus_build
    assembly = assemble(cached_results(out))
    from_store = read_view_graph(GraphStore.open(out / "store", read_only=True))
    from_facts = view_graph_of_facts(assembly.infos, assembly.entities, assembly.facts, assembly.reference)
    assert len(from_store.links) >= 100
    assert any(len(link.facts[0].evidence) > 1 for link in from_store.links)
    assert from_facts.entities == from_store.entities
    assert from_facts.nodes == from_store.nodes
    assert from_facts.links == from_store.links
