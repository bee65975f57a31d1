"""Tests for kg.ontology: the KG namespace and ontology/kg.ttl agree, and the helpers work."""

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, XSD

from kg.errors import OntologyError
from kg.ontology import (
    KG,
    KGR,
    ONTOLOGY_IRI,
    ONTOLOGY_PATH,
    ORGANISATION_CLASSES,
    PLACE_CLASSES,
    PREFIXES,
    QUERY_PREFIXES,
    RELATIONS,
    TERMS,
    bind_prefixes,
    check_ontology,
    declared_terms,
    load_ontology,
    prefix_declarations,
    term,
)

ORG = Namespace("http://www.w3.org/ns/org#")
SDO = Namespace("https://schema.org/")
KG_NS = str(KG._NS)
DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return load_ontology()


def named_classes(graph: Graph, node: object) -> set[URIRef]:
    """A class expression as a set of named classes: itself, or the members of an owl:unionOf."""
    if isinstance(node, URIRef):
        return {node}
    assert isinstance(node, BNode), f"unexpected class expression {node!r}"
    union = graph.value(node, OWL.unionOf)
    assert union is not None, "only named classes and owl:unionOf are used as domains and ranges"
    return {member for member in Collection(graph, union) if isinstance(member, URIRef)}


def kg_iris(graph: Graph) -> set[URIRef]:
    return {
        node
        for triple in graph
        for node in triple
        if isinstance(node, URIRef) and node.startswith(KG_NS) and node != URIRef(KG_NS)
    }


# --- the Turtle file ---------------------------------------------------------------------------


def test_ontology_file_parses_and_declares_the_ontology(onto: Graph) -> None:
    assert ONTOLOGY_PATH.name == "kg.ttl"
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert len(onto) > 100


@pytest.mark.parametrize("name", TERMS)
def test_every_kg_term_is_declared_with_type_labels_and_comment(onto: Graph, name: str) -> None:
    iri = getattr(KG, name)
    kinds = set(onto.objects(iri, RDF.type)) & DECLARATION_TYPES
    assert len(kinds) == 1, f"kg:{name} needs exactly one of owl:Class/ObjectProperty/DatatypeProperty"
    labels = list(onto.objects(iri, RDFS.label))
    for language in ("zh", "en"):
        tagged = [label for label in labels if isinstance(label, Literal) and label.language == language]
        assert len(tagged) == 1, f"kg:{name} needs exactly one rdfs:label@{language}"
    comments = [c for c in onto.objects(iri, RDFS.comment) if isinstance(c, Literal) and c.language == "en"]
    assert comments, f"kg:{name} needs an rdfs:comment@en"
    assert (iri, RDFS.isDefinedBy, ONTOLOGY_IRI) in onto


def test_every_kg_iri_in_the_file_is_a_kg_term(onto: Graph) -> None:
    # Covers terms used but never declared too, e.g. a typo in an rdfs:subClassOf object.
    assert {str(iri)[len(KG_NS) :] for iri in kg_iris(onto)} <= set(TERMS)


def test_code_and_file_declare_the_same_terms(onto: Graph) -> None:
    assert declared_terms(onto) == frozenset(TERMS)
    check_ontology(onto)
    check_ontology()


def test_terms_are_unique_and_kg_has_only_terms() -> None:
    assert len(TERMS) == len(set(TERMS)) == 35
    assert not any(name.startswith("_") for name in TERMS)


@pytest.mark.parametrize(
    ("relation", "domain", "range_"),
    [
        ("assists", {KG.Organisation}, {KG.Place}),
        ("heads", {KG.Person}, {KG.Organisation}),
        ("worksFor", {KG.Person}, {KG.Organisation}),
        ("servesIn", {KG.Person}, {KG.Place}),
        ("locatedIn", {KG.Place, KG.Organisation}, {KG.Place}),
    ],
)
def test_relations_are_object_properties_with_domain_and_range(
    onto: Graph, relation: str, domain: set[URIRef], range_: set[URIRef]
) -> None:
    iri = term(relation)
    assert (iri, RDF.type, OWL.ObjectProperty) in onto
    assert named_classes(onto, onto.value(iri, RDFS.domain)) == domain
    assert named_classes(onto, onto.value(iri, RDFS.range)) == range_


def test_relations_constant_lists_the_object_properties(onto: Graph) -> None:
    assert RELATIONS == ("assists", "heads", "worksFor", "servesIn", "locatedIn")
    object_properties = {s for s in onto.subjects(RDF.type, OWL.ObjectProperty) if str(s).startswith(KG_NS)}
    # and the properties that builds derive from them rather than extract (kg.derive)
    derived = {KG.within, KG.inCounty, KG.inTownship, KG.activeIn}
    assert object_properties == {term(name) for name in RELATIONS} | derived


def test_located_in_is_not_transitive(onto: Graph) -> None:
    # Each link is one step of the hierarchy; kg:locatedIn+ gives ancestors.
    assert (KG.locatedIn, RDF.type, OWL.TransitiveProperty) not in onto


@pytest.mark.parametrize(
    ("prop", "domain", "range_"),
    [
        ("evidenceText", KG.Assertion, RDF.langString),
        ("startOffset", KG.Assertion, XSD.integer),
        ("endOffset", KG.Assertion, XSD.integer),
        ("post", {KG.Assertion, KG.Membership}, RDF.langString),
        ("sourceFile", KG.Document, XSD.string),
        ("newspaper", KG.Document, RDF.langString),
    ],
)
def test_datatype_properties_have_domain_and_range(
    onto: Graph, prop: str, domain: URIRef, range_: URIRef
) -> None:
    iri = term(prop)
    assert (iri, RDF.type, OWL.DatatypeProperty) in onto
    expected = domain if isinstance(domain, set) else {domain}
    assert named_classes(onto, onto.value(iri, RDFS.domain)) == expected
    assert onto.value(iri, RDFS.range) == range_


@pytest.mark.parametrize(
    ("sub", "relation", "sup"),
    [
        (KG.Person, RDFS.subClassOf, FOAF.Person),
        (KG.Person, RDFS.subClassOf, SDO.Person),
        (KG.Person, RDFS.subClassOf, PROV.Agent),
        (KG.Organisation, RDFS.subClassOf, ORG.Organization),
        (KG.Organisation, RDFS.subClassOf, SDO.Organization),
        (KG.Organisation, RDFS.subClassOf, PROV.Agent),
        (KG.Place, RDFS.subClassOf, SDO.AdministrativeArea),
        (KG.Place, RDFS.subClassOf, PROV.Location),
        (KG.Document, RDFS.subClassOf, SDO.NewsArticle),
        (KG.Document, RDFS.subClassOf, PROV.Entity),
        (KG.Document, RDFS.subClassOf, FOAF.Document),
        (KG.Assertion, RDFS.subClassOf, RDF.Statement),
        (KG.Assertion, RDFS.subClassOf, PROV.Entity),
        (KG.Post, RDFS.subClassOf, ORG.Post),
        (KG.Membership, RDFS.subClassOf, ORG.Membership),
        (KG.heads, RDFS.subPropertyOf, ORG.headOf),
        (KG.worksFor, RDFS.subPropertyOf, SDO.worksFor),
        (KG.worksFor, RDFS.subPropertyOf, ORG.memberOf),
        (KG.locatedIn, RDFS.subPropertyOf, SDO.containedInPlace),
        (KG.evidenceText, RDFS.subPropertyOf, PROV.value),
    ],
)
def test_alignment_with_standard_vocabularies(
    onto: Graph, sub: URIRef, relation: URIRef, sup: URIRef
) -> None:
    assert (sub, relation, sup) in onto


@pytest.mark.parametrize(
    ("names", "parent"), [(PLACE_CLASSES, "Place"), (ORGANISATION_CLASSES[1:], "Organisation")]
)
def test_class_groups_are_subclasses_of_their_parent(
    onto: Graph, names: tuple[str, ...], parent: str
) -> None:
    for name in names:
        assert (term(name), RDFS.subClassOf, term(parent)) in onto, name


# --- the KG namespace and term() -----------------------------------------------------------------


def test_kg_namespace_is_closed() -> None:
    with pytest.raises(AttributeError, match="typo"):
        KG.typo  # noqa: B018
    with pytest.raises(AttributeError):
        KG["typo"]


@pytest.mark.parametrize("name", TERMS)
def test_term_matches_attribute(name: str) -> None:
    assert term(name) == getattr(KG, name) == URIRef(KG_NS + name)


@pytest.mark.parametrize("name", ["nope", "worksfor", "_NS", "", KG_NS + "worksFor"])
def test_term_rejects_unknown_names(name: str) -> None:
    with pytest.raises(OntologyError, match="ontology/kg.ttl") as info:
        term(name)
    assert repr(name) in str(info.value)


def test_kg_gives_a_jsonld_context() -> None:
    context = KG.as_jsonld_context("kg")["@context"]
    assert context["kg"] == KG_NS
    assert context["worksFor"] == "kg:worksFor"


def test_data_namespace_differs_from_ontology_namespace() -> None:
    assert str(KGR) == "https://w3id.org/kgzh/id/"
    assert not str(KGR).startswith(KG_NS)


# --- prefixes ------------------------------------------------------------------------------------


def test_prefixes_are_in_a_fixed_order() -> None:
    assert list(PREFIXES) == [
        "kg", "kgr", "rdf", "rdfs", "owl", "xsd", "skos", "prov", "org", "schema", "foaf", "dcterms",
    ]  # fmt: skip
    assert PREFIXES["schema"] == "https://schema.org/"


def test_prefix_declarations_parse_in_sparql() -> None:
    used = " ".join(f"{prefix}:x" for prefix in QUERY_PREFIXES)
    query = prefix_declarations() + f"SELECT ?s WHERE {{ ?s ?p ?o . VALUES ?p {{ {used} }} }}"
    assert list(Graph().query(query)) == []
    assert prefix_declarations().count("\n") == len(QUERY_PREFIXES)


@pytest.mark.parametrize("preset", [None, "core", "none", "rdflib"])
def test_bind_prefixes_maps_schema_to_https(preset: str | None) -> None:
    graph = Graph() if preset is None else Graph(bind_namespaces=preset)  # type: ignore[arg-type]
    bind_prefixes(graph)
    bound = {prefix: str(iri) for prefix, iri in graph.namespaces()}
    assert bound["schema"] == "https://schema.org/"
    for prefix, iri in PREFIXES.items():
        assert bound[prefix] == iri


def test_bind_prefixes_replaces_a_conflicting_binding() -> None:
    graph = Graph(bind_namespaces="none")
    graph.bind("schema", "http://schema.org/")
    bind_prefixes(graph)
    graph.add((KGR["p1"], SDO.name, Literal("张三", lang="zh")))
    text = graph.serialize(format="turtle")
    assert "@prefix schema: <https://schema.org/> ." in text
    assert "schema1" not in text


def test_loaded_ontology_uses_project_prefixes(onto: Graph) -> None:
    assert dict((p, str(n)) for p, n in onto.namespaces()).get("kg") == KG_NS


# --- errors --------------------------------------------------------------------------------------


def test_load_ontology_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.ttl"
    with pytest.raises(OntologyError, match="not found") as info:
        load_ontology(path)
    assert str(path) in str(info.value)


def test_load_ontology_invalid_turtle(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text("@prefix kg: <https://w3id.org/kgzh/ontology#> .\nkg:Person a ", encoding="utf-8")
    with pytest.raises(OntologyError, match="not valid Turtle") as info:
        load_ontology(path)
    assert str(path) in str(info.value)


def test_load_ontology_without_header(tmp_path: Path) -> None:
    path = tmp_path / "other.ttl"
    path.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    with pytest.raises(OntologyError, match="owl:Ontology"):
        load_ontology(path)


def test_check_ontology_reports_both_directions(onto: Graph) -> None:
    graph = Graph()
    for triple in onto:
        graph.add(triple)
    graph.remove((KG.newspaper, None, None))
    graph.add((URIRef(KG_NS + "Extra"), RDF.type, OWL.Class))
    with pytest.raises(OntologyError) as info:
        check_ontology(graph)
    message = str(info.value)
    assert "not declared in ontology/kg.ttl: newspaper" in message
    assert "not in kg.ontology.KG: Extra" in message
