"""Entity and document pages: the real server on the session build, HTML and Linked-Data negotiation.

The highlighting and the reading of a document's file are also checked without a server.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import urllib.parse

import httpx
import pytest
from rdflib import RDF, Graph, Literal

from kg.ontology import KG
from kg.rdf import document_iri, entity_iri
from kg.server.highlight import Mark, find_mentions, normalised_span, pieces
from kg.server.pages import entity_path
from kg.server.render import document_page
from kg.server.sources import SourceText, read_source
from kg.server.templates import EntityRef, Evidence, FactRow
from tests.test_server import server  # noqa: F401  (the module-scoped `kg serve` fixture)

slow = pytest.mark.slow
DOC = "ordos-baolian-zhucun-2022.txt"
VILLAGE = "place/木都柴达木村"
PERSON = "person/董晶"


def get(server, path, **headers):  # noqa: F811
    base, _ = server
    return httpx.get(base + path, headers=headers, timeout=30)


def text_of(fragment: str) -> str:
    """What a reader sees of some HTML: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# --- without a server ---------------------------------------------------------------------------------


def test_mentions_are_longest_first_and_never_overlap():
    names = [
        ("鄂尔多斯市", "city", "City"),
        ("鄂尔多斯市住建局", "bureau", "GovernmentBody"),
        ("董晶", "p", "Person"),
    ]
    marks = find_mentions("鄂尔多斯市住建局派驻董晶到鄂尔多斯市", names)
    assert [(m.start, m.end, m.key) for m in marks] == [(0, 8, "bureau"), (10, 12, "p"), (13, 18, "city")]
    assert find_mentions("旗里", [("旗", "x", "County")]) == []  # one character: not looked for


def test_pieces_keep_every_character_once():
    text = "驻村第一书记董晶说"
    cut = pieces(text, [Mark(6, 8, "p", "Person"), Mark(7, 9, "q", "Person")])
    assert "".join(p.text for p in cut) == text
    assert [p.mark.key for p in cut if p.mark] == ["p"]  # the overlapping second mark is dropped


def test_normalised_span_maps_original_offsets_back():
    # "甲\n乙。" normalised to "甲乙。": original offsets 0, 2, 3
    assert normalised_span((0, 2, 3), "甲乙。", 2, 4, "乙。") == (1, 3)


def test_document_page_escapes_names_and_says_when_the_file_is_gone():
    evil = "<script>alert(1)</script>村"
    fact = FactRow(
        EntityRef("person/x", "<b>张三</b>", "Person"),
        "servesIn",
        EntityRef("place/y", evil, "Village"),
        [Evidence(f"张三驻{evil}。", DOC, "标题", "2022", 10, 40, "第一书记")],
    )
    page = document_page(
        "../",
        doc_id=DOC,
        info={"title": "<i>标题</i>", "date": "2022"},
        facts=[fact],
        names=[(evil, "y", "Village")],
        paths={"y": "place/y"},
        source=SourceText(None, None, "report.json 中没有记录语料目录"),
    )
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "原文不可用：report.json 中没有记录语料目录" in page
    # the sentence is still there to link to, with the village marked
    assert 'id="s-10"' in page and '<mark class="ent c-Village">' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;村" in page


@slow
def test_read_source_finds_the_file_and_notices_changes(corpus_build, tmp_path):
    out, report = corpus_build
    build = tmp_path / "build"
    shutil.copytree(out / "cache", build / "cache")
    corpus = tmp_path / "corpus"
    shutil.copytree(report["corpus"], corpus)
    (build / "report.json").write_text(json.dumps({"corpus": str(corpus)}), encoding="utf-8")
    found = read_source(build, DOC)
    assert found.document is not None and not found.changed and found.problem == ""
    assert "木都柴达木村" in found.document.text
    with (corpus / DOC).open("a", encoding="utf-8") as handle:
        handle.write("\n补记。")
    assert read_source(build, DOC).changed
    (corpus / DOC).unlink()
    gone = read_source(build, DOC)
    assert gone.document is None and gone.problem == "原文文件已不在构建时的位置"
    assert read_source(build, "../corpus/" + DOC).document is None


# --- the real server ----------------------------------------------------------------------------------


@slow
def test_entity_page_shows_names_class_chain_facts_and_posts(server):  # noqa: F811
    response = get(server, "/entity/" + VILLAGE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    policy = response.headers["content-security-policy"]
    assert "script-src 'none'" in policy and "style-src 'sha256-" in policy
    page = response.text
    seen = text_of(page)
    assert "<title>木都柴达木村</title>" in page
    assert "mù dōu chái dá mù cūn" in seen and "村/嘎查/社区" in seen
    assert (
        "内蒙古自治区›鄂尔多斯市›乌审旗›嘎鲁图镇›木都柴达木村" in seen
    )  # the chain, reference facts included
    assert "鄂尔多斯市住建局 —帮扶→ 木都柴达木村" in seen and "董晶 —驻村→ 木都柴达木村" in seen
    # the evidence sentence, both ends marked as displacy marks entities, linked to its place in the document
    assert (
        '<mark class="ent c-GovernmentBody"><a href="../../entity/org/鄂尔多斯市住建局">鄂尔多斯市住建局'
        in page
    )
    assert f'href="../../doc/{DOC}#s-4551"' in page
    assert "日期：2022" in seen and "职务：驻村第一书记" in seen
    assert "驻村第一书记" in text_of(page.split("职务（")[1])  # the posts table


@slow
def test_entity_page_of_a_coded_place(server):  # noqa: F811
    page = get(server, "/entity/place/150626").text
    seen = text_of(page)
    assert "<title>乌审旗</title>" in page and "行政区划代码150626" in seen
    assert "内蒙古自治区›鄂尔多斯市›乌审旗" in seen


@slow
def test_entity_page_lists_every_fact_in_and_out(server, corpus_graph):  # noqa: F811
    person = entity_iri(PERSON)
    facts = {(p, o) for p, o in corpus_graph.predicate_objects(person) if p in (KG.servesIn, KG.worksFor)}
    page = get(server, "/entity/" + PERSON).text
    assert f"关系与证据（{len(facts)}）" in page
    for _, other in facts:
        assert f'href="../../entity/{entity_path(str(other))}"' in page


@slow
@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples"])
def test_entity_as_rdf_by_accept(server, accept):  # noqa: F811
    response = get(server, "/entity/" + PERSON, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=response.text, format="turtle" if accept == "text/turtle" else "nt")
    person = entity_iri(PERSON)
    assert (person, RDF.type, KG.Person) in graph
    assert (person, KG.servesIn, entity_iri(VILLAGE)) in graph
    sentences = [str(o) for o in graph.objects(None, KG.evidenceText)]
    assert sentences and all("董晶" in s for s in sentences)


@slow
def test_unacceptable_media_type(server):  # noqa: F811
    response = get(server, "/entity/" + PERSON, accept="image/png")
    assert response.status_code == 406 and "text/html" in response.text


@slow
def test_the_iri_path_redirects_to_the_page(server):  # noqa: F811
    base, _ = server
    path = urllib.parse.urlsplit(str(entity_iri(PERSON))).path
    response = httpx.get(base + path, timeout=30)
    assert response.status_code == 303
    assert urllib.parse.unquote(str(response.next_request.url)) == base + "/entity/" + PERSON
    turtle = httpx.get(base + path, headers={"accept": "text/turtle"}, follow_redirects=True, timeout=30)
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert (entity_iri(PERSON), RDF.type, KG.Person) in Graph().parse(data=turtle.text, format="turtle")


@slow
def test_unknown_entity_suggests_the_entity_of_that_name(server):  # noqa: F811
    response = get(server, "/entity/place/乌审旗")  # coded places have IRIs by their code
    assert response.status_code == 404
    assert 'href="../../entity/place/150626"' in response.text


@slow
def test_names_from_the_url_are_escaped(server):  # noqa: F811
    response = get(server, "/entity/person/" + urllib.parse.quote("<script>alert(1)</script>"))
    assert response.status_code == 404
    assert "<script>" not in response.text and "&lt;script&gt;" in response.text


@slow
def test_document_page_anchors_every_evidence_sentence(server, corpus_graph):  # noqa: F811
    from kg.store import query_rows

    rows = query_rows(
        corpus_graph,
        f"""SELECT DISTINCT ?text ?start WHERE {{
            ?a a kg:Assertion ; prov:wasDerivedFrom <{document_iri(DOC)}> ;
               kg:evidenceText ?text ; kg:startOffset ?start }}""",
    )
    assert rows
    response = get(server, "/doc/" + DOC)
    assert response.status_code == 200
    page = response.text
    assert "<title>抓党建引领 激活乡村振兴源动力</title>" in page and "日期：2022" in page
    for row in rows:
        span = re.search(rf'<span class="sent has-fact" id="s-{row["start"]}"[^>]*>(.*?)<a class="fn"', page)
        assert span is not None, row
        assert text_of(re.sub(r'<span class="lbl">.*?</span>', "", span.group(1))) == str(row["text"])
    assert '<mark class="ent c-Person"><a href="../entity/person/董晶">董晶' in page
    assert "原文不可用" not in page and "已被修改" not in page
    # the facts found, each linking to its sentence
    assert '<li id="f-1">' in page and 'href="#s-4551"' in page


@slow
def test_document_as_rdf_and_unknown_document(server):  # noqa: F811
    response = get(server, "/doc/" + DOC, accept="text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert (document_iri(DOC), KG.sourceFile, Literal(DOC)) in graph
    missing = get(server, "/doc/ordos-baolian-zhucun-2021.txt")
    assert missing.status_code == 404 and f'href="../doc/{DOC}"' in missing.text


@slow
def test_view_is_served_with_a_policy_for_its_scripts(server):  # noqa: F811
    response = get(server, "/view")
    assert response.status_code == 200
    assert response.text.startswith("<!DOCTYPE html>")
    assert "script-src 'sha256-" in response.headers["content-security-policy"]


def test_a_relative_corpus_is_found_beside_the_build(tmp_path, monkeypatch):
    (tmp_path / "corp").mkdir()
    (tmp_path / "corp" / "a.txt").write_text("乌审旗图克镇乌兰什巴台村。", encoding="utf-8")
    build = tmp_path / "build"
    build.mkdir()
    (build / "report.json").write_text(json.dumps({"corpus": "corp"}), encoding="utf-8")
    monkeypatch.chdir(build)  # not where kg build ran: the build's parent holds the corpus
    found = read_source(build, "a.txt")
    assert found.document is not None and found.document.text == "乌审旗图克镇乌兰什巴台村。"
    assert not found.changed  # no cache entry to compare with
    (build / "report.json").write_text(json.dumps({"corpus": "elsewhere"}), encoding="utf-8")
    assert read_source(build, "a.txt").problem.startswith(
        "原文文件已不在构建时的位置；构建记录的语料目录 elsewhere 是相对路径"
    )


# The entity page's queries in their plain shape, as SPARQL defines what the page shows; the page runs
# shapes that Oxigraph answers from the entity alone (kg/server/pages.py), which must give the same rows.
PLAIN_FACTS = """
SELECT ?s ?p ?o ?text ?start ?end ?file ?title ?date ?post WHERE {{
    VALUES ?p {{ kg:assists kg:heads kg:worksFor kg:servesIn kg:locatedIn }}
    {{ <{iri}> ?p ?o . BIND(<{iri}> AS ?s) }} UNION {{ ?s ?p <{iri}> . BIND(<{iri}> AS ?o) }}
    FILTER(isIRI(?s) && isIRI(?o))
    OPTIONAL {{
        ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; a kg:Assertion .
        OPTIONAL {{ ?a kg:evidenceText ?text }} OPTIONAL {{ ?a kg:startOffset ?start }}
        OPTIONAL {{ ?a kg:endOffset ?end }} OPTIONAL {{ ?a kg:post ?post }}
        OPTIONAL {{ ?a dcterms:date ?adate }}
        OPTIONAL {{ ?a prov:wasDerivedFrom ?doc .
                   OPTIONAL {{ ?doc kg:sourceFile ?file }} OPTIONAL {{ ?doc dcterms:title ?title }}
                   OPTIONAL {{ ?doc dcterms:date ?ddate }} }}
        BIND(COALESCE(?adate, ?ddate) AS ?date)
    }}
}}"""

PLAIN_DOCUMENT_FACTS = """
SELECT ?s ?p ?o ?text ?start ?end ?post WHERE {{
    VALUES ?p {{ kg:assists kg:heads kg:worksFor kg:servesIn kg:locatedIn }}
    ?a prov:wasDerivedFrom <{doc}> ; a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL {{ ?a kg:evidenceText ?text }} OPTIONAL {{ ?a kg:startOffset ?start }}
    OPTIONAL {{ ?a kg:endOffset ?end }} OPTIONAL {{ ?a kg:post ?post }}
}}"""

PLAIN_ENTITY_GRAPH = """
CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> . ?a ?ap ?ao }} WHERE {{
    {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }}
    UNION {{ {{ ?a rdf:subject <{iri}> }} UNION {{ ?a rdf:object <{iri}> }} ?a a kg:Assertion ; ?ap ?ao }}
}}"""

PLAIN_POSTS = """
SELECT DISTINCT ?person ?unit ?post ?file WHERE {{
    {{ ?m org:member <{iri}> }} UNION {{ ?m org:organization <{iri}> }} UNION {{ ?m org:hasSite <{iri}> }}
    ?m a kg:Membership ; org:member ?person ; kg:post ?post .
    {{ ?m org:organization ?unit }} UNION {{ ?m org:hasSite ?unit }}
    OPTIONAL {{ ?m prov:wasDerivedFrom ?doc . ?doc kg:sourceFile ?file }}
}}"""


@slow
def test_page_queries_give_the_rows_of_their_plain_shape(corpus_build):
    from kg.server.pages import _doc_queries, _entity_construct, _facts_query, _posts_query
    from kg.store import GraphStore

    out, _ = corpus_build
    store = GraphStore.open(out / "store", read_only=True)
    entities = [row["e"] for row in store.select("SELECT DISTINCT ?e WHERE { ?e rdfs:label ?name }")]

    def rows(query: str) -> list[tuple[tuple[str, str], ...]]:
        return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in store.select(query))

    with_posts = without_evidence = 0
    for iri in entities:
        facts = rows(_facts_query(iri))
        assert facts == rows(PLAIN_FACTS.format(iri=iri)), iri
        posts = rows(_posts_query(iri))
        assert posts == rows(PLAIN_POSTS.format(iri=iri)), iri
        with_posts += bool(posts)
        described = {str(t) for t in store.query(_entity_construct(iri))}
        assert described == {str(t) for t in store.query(PLAIN_ENTITY_GRAPH.format(iri=iri))}, iri
        without_evidence += any(dict(row).get("text") == "None" for row in facts)
    # both kinds of fact occur: stated ones with evidence, and reference facts of the division table
    assert with_posts > 0 and without_evidence > 0
    documents = [row["d"] for row in store.select("SELECT ?d WHERE { ?d kg:sourceFile ?f }")]
    assert documents
    for doc in documents:
        stated = rows(_doc_queries(doc)[1])
        assert stated and stated == rows(PLAIN_DOCUMENT_FACTS.format(doc=doc)), doc
