from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, RDFS, SKOS, Graph, Literal
from rdflib.compare import isomorphic

from kg.ontology import KG
from kg.rdf import build_graph, entity_iri, iri_segment
from kg.resolve import resolve_entities
from kg.store import serialize_turtle
from kg.types import Candidate, Document, Evidence, Mention

TEXT = "鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。"
DOC = Document(
    "ordos.txt", TEXT, TEXT, tuple(range(len(TEXT))), title="标题", meta=(("newspaper", "内蒙古日报"),)
)
EV = Evidence("ordos.txt", TEXT, 0, len(TEXT))


def sample_graph() -> Graph:
    bureau = Mention("鄂尔多斯市住建局", "GovernmentBody", "市住建局", 0, 8)
    village = Mention("木都柴达木村", "Village", "木都柴达木村", 17, 23, parent="嘎鲁图镇")
    town = Mention("嘎鲁图镇", "Township", "嘎鲁图镇", 13, 17, parent="乌审旗")
    person = Mention("董晶", "Person", "董晶", 30, 32)
    candidates = [
        Candidate(bureau, "assists", village, EV),
        Candidate(person, "servesIn", village, EV, "驻村第一书记"),
        Candidate(person, "worksFor", bureau, EV, "派驻"),
        Candidate(village, "locatedIn", town, EV),
    ]
    entities, facts = resolve_entities(candidates)
    return build_graph([DOC], entities, facts)


def test_direct_triples_labels_and_aliases():
    g = sample_graph()
    bureau, village = entity_iri("org/鄂尔多斯市住建局"), entity_iri("place/木都柴达木村")
    assert (bureau, KG.assists, village) in g
    assert (bureau, RDF.type, KG.GovernmentBody) in g
    assert (bureau, RDFS.label, Literal("鄂尔多斯市住建局", lang="zh")) in g
    assert (bureau, SKOS.altLabel, Literal("市住建局", lang="zh")) in g
    assert (village, RDF.type, KG.Village) in g
    for entity in set(g.subjects(RDF.type, None)) - set(g.subjects(RDF.type, KG.Assertion)):
        assert g.value(entity, RDFS.label) is not None or (entity, RDF.type, KG.Document) in g


def test_every_fact_has_provenance_reachable_by_sparql():
    g = sample_graph()
    rows = list(
        g.query(
            """
            PREFIX kg: <https://w3id.org/kgzh/ontology#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?s ?p ?o ?text ?start ?end ?file WHERE {
              ?s ?p ?o . FILTER(?p IN (kg:assists, kg:heads, kg:worksFor, kg:servesIn, kg:locatedIn))
              ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidenceText ?text ;
                 kg:startOffset ?start ; kg:endOffset ?end ; prov:wasDerivedFrom ?doc .
              ?doc kg:sourceFile ?file .
            }"""
        )
    )
    assert len(rows) == 4
    assert {str(r.file) for r in rows} == {"ordos.txt"}
    assert all(TEXT[int(r.start) : int(r.end)] == str(r.text) for r in rows)


def test_posts_are_org_memberships():
    from rdflib.namespace import ORG

    g = sample_graph()
    person = entity_iri("person/董晶")
    memberships = set(g.subjects(ORG.member, person))
    assert len(memberships) == 1
    (node,) = memberships
    assert (node, RDF.type, KG.Membership) in g
    assert (node, ORG.hasSite, entity_iri("place/木都柴达木村")) in g
    assert str(g.value(node, KG.post)) == "驻村第一书记"
    assert str(g.value(g.value(node, ORG.role), RDFS.label)) == "驻村第一书记"


def test_turtle_is_deterministic_and_round_trips():
    first, second = serialize_turtle(sample_graph()), serialize_turtle(sample_graph())
    assert first == second
    parsed = Graph().parse(data=first, format="turtle")
    assert isomorphic(parsed, sample_graph())


@given(st.lists(st.text(min_size=1, max_size=8), min_size=2, max_size=2, unique=True))
def test_iri_minting_is_injective(keys):
    assert iri_segment(keys[0]) != iri_segment(keys[1])


def test_assertions_carry_their_document_date_typed_by_precision():
    from rdflib.namespace import DCTERMS, PROV, XSD

    from kg.rdf import document_iri

    bureau = Mention("鄂尔多斯市住建局", "GovernmentBody", "市住建局", 0, 8)
    village = Mention("木都柴达木村", "Village", "木都柴达木村", 17, 23)
    dated = Document("a.txt", TEXT, TEXT, DOC.origin, meta=(("date", "2020-09"),))
    undated = Document("b.txt", TEXT, TEXT, DOC.origin)
    candidates = [
        Candidate(bureau, "assists", village, Evidence(doc.doc_id, TEXT, 0, len(TEXT)))
        for doc in (dated, undated)
    ]
    g = build_graph([dated, undated], *resolve_entities(candidates))
    dates = {
        g.value(a, PROV.wasDerivedFrom): g.value(a, DCTERMS.date) for a in g.subjects(RDF.type, KG.Assertion)
    }
    assert dates == {
        document_iri("a.txt"): Literal("2020-09", datatype=XSD.gYearMonth),
        document_iri("b.txt"): None,
    }
