"""Name the ontology's terms in code and load ontology/kg.ttl, the source of truth they mirror.

``KG`` is a closed rdflib namespace: ``KG.worksFor`` is a URIRef, ``KG.workFor`` raises, so a typo
fails at the line that makes it rather than as a silently empty query. ``check_ontology`` (and
tests/test_ontology.py) keep the class and the Turtle file in step, in both directions.

This module deliberately does not use ``from __future__ import annotations``: rdflib reads the
annotations of ``KG`` at run time (``KG.as_jsonld_context`` tests them with ``issubclass``), and
postponed annotations would turn them into strings.
"""

import inspect
import re
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, DefinedNamespace

from kg.errors import OntologyError

__all__ = [
    "KG",
    "KGR",
    "ONTOLOGY_IRI",
    "ONTOLOGY_PATH",
    "ORGANISATION_CLASSES",
    "PLACE_CLASSES",
    "PREFIXES",
    "QUERY_PREFIXES",
    "RELATIONS",
    "RESOURCE_PREFIXES",
    "TERMS",
    "bind_prefixes",
    "check_ontology",
    "declared_terms",
    "load_ontology",
    "prefix_declarations",
    "prefixed_name",
    "term",
    "undeclared_prefix",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/kgzh/ontology")
ONTOLOGY_PATH = Path(__file__).resolve().parents[1] / "ontology" / "kg.ttl"


class KG(DefinedNamespace):
    """Terms of the kg ontology (https://w3id.org/kgzh/ontology#), exactly those declared in ontology/kg.ttl.

    Examples:
        >>> KG.worksFor
        rdflib.term.URIRef('https://w3id.org/kgzh/ontology#worksFor')
        >>> KG.workFor
        Traceback (most recent call last):
        ...
        AttributeError: term 'workFor' not in namespace 'https://w3id.org/kgzh/ontology#'
    """

    _fail = True
    _NS = Namespace("https://w3id.org/kgzh/ontology#")

    # http://www.w3.org/2002/07/owl#Class: agents
    Person: URIRef  # a named individual (cadre, first secretary, villager)
    Organisation: URIRef  # any named body; use a subclass when the name shows the kind
    PartyBody: URIRef  # 党委, 党支部, 组织部 ...
    GovernmentBody: URIRef  # 政府, 局, 办, 法院, 村委会 ...
    Enterprise: URIRef  # 公司, 银行, 厂
    Cooperative: URIRef  # 合作社
    WorkTeam: URIRef  # 驻村工作队, 服务队
    EducationalInstitution: URIRef  # 大学, 学院, 学校, 党校

    # http://www.w3.org/2002/07/owl#Class: places, one subclass per administrative level
    Place: URIRef  # administrative area of unknown level
    Province: URIRef  # 省, 自治区
    City: URIRef  # 市, 盟
    County: URIRef  # 旗, 县, 区
    Township: URIRef  # 苏木, 乡, 镇, 街道
    Village: URIRef  # 嘎查, 村, 社区

    # http://www.w3.org/2002/07/owl#Class: sources, provenance, reserved ORG structures
    Document: URIRef  # a newspaper page or article
    Assertion: URIRef  # provenance record of one fact (reified statement)
    Post: URIRef  # org:Post, reserved for later use
    Membership: URIRef  # org:Membership, reserved for later use

    # http://www.w3.org/2002/07/owl#ObjectProperty: the five relations
    assists: URIRef  # organisation -> place it helps (帮扶, 包联, 结对)
    heads: URIRef  # person -> organisation they lead
    worksFor: URIRef  # person -> unit
    servesIn: URIRef  # person -> place they are stationed in (驻村)
    locatedIn: URIRef  # place or organisation -> immediate parent place

    # http://www.w3.org/2002/07/owl#ObjectProperty: derived by kg.derive, never extracted
    within: URIRef  # place or organisation -> every place above it (closure of locatedIn)
    inCounty: URIRef  # place or organisation -> the county (kg:County) it lies within
    inTownship: URIRef  # place or organisation -> the township (kg:Township) it lies within
    activeIn: URIRef  # organisation -> a place it assists or where a person working for it serves

    # http://www.w3.org/2002/07/owl#DatatypeProperty: provenance
    evidenceText: URIRef  # assertion -> evidence sentence (rdf:langString)
    startOffset: URIRef  # assertion -> first character, original file, inclusive
    endOffset: URIRef  # assertion -> end character, original file, exclusive
    page: URIRef  # assertion -> page of a PDF the evidence starts on, from 1
    post: URIRef  # assertion -> post title as written, e.g. 副部长
    sourceFile: URIRef  # document -> file name in the corpus
    newspaper: URIRef  # document -> newspaper name

    # http://www.w3.org/2002/07/owl#DatatypeProperty: reference data
    divisionCode: URIRef  # place -> official administrative division code (民政部 table)


#: Local names of every ``KG`` term, in declaration order.
TERMS: tuple[str, ...] = tuple(inspect.get_annotations(KG))

#: Namespace of data resources (people, places, documents, assertions), as opposed to ontology terms.
KGR = Namespace("https://w3id.org/kgzh/id/")

#: The project's prefixes, in the order they are declared in serialisations and SPARQL queries.
PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "kgr": str(KGR),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcterms": "http://purl.org/dc/terms/",
}

#: One prefix per kind of resource, so every resource IRI has a valid SPARQL prefixed name
#: (``kgp:董晶`` for ``kgr:person/董晶``: the ``/`` after the kind cannot stand in a prefixed name).
#: Declared in queries only; IRIs and Turtle output keep ``kgr:``.
RESOURCE_PREFIXES: dict[str, str] = {
    "kgp": f"{KGR}person/",
    "kgo": f"{KGR}org/",
    "kgpl": f"{KGR}place/",
    "kgdoc": f"{KGR}doc/",
    "kgrole": f"{KGR}role/",
    "kgm": f"{KGR}membership/",
    "kga": f"{KGR}assertion/",
}

#: Every prefix a query may use without declaring it: the project's prefixes and the resource ones.
QUERY_PREFIXES: dict[str, str] = {**PREFIXES, **RESOURCE_PREFIXES}

#: The relations the pipeline extracts, as local names of object properties.
RELATIONS: tuple[str, ...] = ("assists", "heads", "worksFor", "servesIn", "locatedIn")

#: Place classes from the highest administrative level to the lowest.
PLACE_CLASSES: tuple[str, ...] = ("Province", "City", "County", "Township", "Village")

#: The generic organisation class followed by its subclasses.
ORGANISATION_CLASSES: tuple[str, ...] = (
    "Organisation",
    "PartyBody",
    "GovernmentBody",
    "Enterprise",
    "Cooperative",
    "WorkTeam",
    "EducationalInstitution",
)

_TERM_NAMES = frozenset(TERMS)
_DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def term(name: str) -> URIRef:
    """The IRI of an ontology term given its local name, for names only known at run time.

    Args:
        name: Local name as spelled in ontology/kg.ttl, e.g. ``"worksFor"``.

    Returns:
        The term's IRI in the ``kg:`` namespace.

    Raises:
        OntologyError: ``name`` is not a term of the ontology.

    Examples:
        >>> term("worksFor")
        rdflib.term.URIRef('https://w3id.org/kgzh/ontology#worksFor')
        >>> term("worksFor") == KG.worksFor
        True
    """
    if name not in _TERM_NAMES:
        raise OntologyError(
            f"unknown ontology term {name!r}: it is not declared in ontology/kg.ttl; "
            f"use one of {', '.join(TERMS)}, or declare it in ontology/kg.ttl and add it to kg.ontology.KG"
        )
    return KG[name]


def bind_prefixes(graph: Graph) -> None:
    """Bind the project's prefixes on a graph, replacing rdflib's defaults for the same names.

    Replacing matters: without it a graph that already binds ``schema`` to ``http://schema.org/``
    would serialise ``https://schema.org/`` terms under a generated prefix such as ``schema1``.

    Args:
        graph: The graph whose namespace manager is changed in place.
    """
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, Namespace(iri), override=True, replace=True)


def prefix_declarations() -> str:
    """SPARQL ``PREFIX`` lines for every prefix in ``PREFIXES``, to put in front of a query.

    Returns:
        One ``PREFIX name: <iri>`` line per prefix, each ending in a newline.

    Examples:
        >>> prefix_declarations().splitlines()[0]
        'PREFIX kg: <https://w3id.org/kgzh/ontology#>'
    """
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in QUERY_PREFIXES.items())


_QUERY_NAMESPACES = sorted(
    ((iri, prefix) for prefix, iri in QUERY_PREFIXES.items()), key=lambda p: -len(p[0])
)
# what a prefixed name's local part may hold only escaped (SPARQL PN_LOCAL_ESC): these marks anywhere,
# "." and "-" first, "." last
_LOCAL_ESCAPES = re.compile(r"[~!$&'()*+,;=/?#@]|^[.-]|\.$")


def prefixed_name(iri: str) -> str | None:
    """The shortest valid SPARQL prefixed name of an IRI under ``QUERY_PREFIXES``, or None.

    Examples:
        >>> prefixed_name("https://w3id.org/kgzh/id/person/董晶")
        'kgp:董晶'
        >>> print(prefixed_name("https://w3id.org/kgzh/id/place/双河镇/新华村"))
        kgpl:双河镇\\/新华村
        >>> prefixed_name("https://example.org/x") is None
        True
    """
    for namespace, prefix in _QUERY_NAMESPACES:
        if iri.startswith(namespace):
            return prefix + ":" + _LOCAL_ESCAPES.sub(lambda m: "\\" + m.group(0), iri[len(namespace) :])
    return None


_IRI_OR_STRING = re.compile(r'<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*')
_PREFIX_USE = re.compile(r"(?<![\w:?$\-.])([A-Za-z][\w.-]*)?:(?=[^\s/])")
_PREFIX_DECL = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:")


def undeclared_prefix(sparql: str) -> str | None:
    """The first prefix a query uses that neither it nor ``QUERY_PREFIXES`` declares, or None.

    Oxigraph reports an undeclared prefix as a list of every character it expected instead; the
    query runners ask this on a syntax error, to name the prefix.

    Examples:
        >>> undeclared_prefix('SELECT * { ?s rdfs:label "a:b" . ?s foo:p <urn:x:y> }')
        'foo'
        >>> undeclared_prefix("PREFIX ex: <urn:ex:> DESCRIBE ex:a kgp:董晶") is None
        True
    """
    bare = _IRI_OR_STRING.sub(" ", sparql)
    declared = set(QUERY_PREFIXES) | {m.group(1) or "" for m in _PREFIX_DECL.finditer(bare)}
    for match in _PREFIX_USE.finditer(bare):
        prefix = match.group(1) or ""
        if prefix not in declared:
            return prefix
    return None


def load_ontology(path: Path = ONTOLOGY_PATH) -> Graph:
    """Parse the ontology file into a new graph with the project's prefixes bound.

    Args:
        path: Turtle file to read; the project's ontology/kg.ttl by default.

    Returns:
        A fresh graph holding the ontology; callers may change it freely.

    Raises:
        OntologyError: The file is missing, is not valid Turtle, or does not declare the kg ontology.
    """
    graph = parse_project_turtle(
        path,
        missing="ontology file not found; run kg from a source checkout (pip install -e .) "
        "or restore ontology/kg.ttl from version control",
    )
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in graph:
        raise OntologyError(
            f"{path}: does not declare <{ONTOLOGY_IRI}> a owl:Ontology; is this the kg ontology file?"
        )
    return graph


def parse_project_turtle(path: Path, *, missing: str) -> Graph:
    """Parse one of the project's Turtle files (ontology, shapes) with its prefixes bound.

    Raises:
        OntologyError: The file is missing (``missing`` says how to fix it) or is not valid Turtle.
    """
    graph = Graph()
    bind_prefixes(graph)
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise OntologyError(f"{path}: {missing}") from exc
    except Exception as exc:  # rdflib's Turtle parser raises assorted exception types
        raise OntologyError(f"{path}: not valid Turtle: {exc}; fix the syntax error it reports") from exc
    return graph


def declared_terms(graph: Graph) -> frozenset[str]:
    """Local names of the ``kg:`` terms a graph declares as OWL classes or properties.

    Args:
        graph: An ontology graph, usually from ``load_ontology``.

    Returns:
        The names after ``https://w3id.org/kgzh/ontology#`` of every declared term.
    """
    namespace = str(KG._NS)
    return frozenset(
        subject[len(namespace) :]
        for kind in _DECLARATION_TYPES
        for subject in graph.subjects(RDF.type, kind)
        if isinstance(subject, URIRef) and subject.startswith(namespace)
    )


def check_ontology(graph: Graph | None = None) -> None:
    """Check that ``KG`` names exactly the terms that ontology/kg.ttl declares.

    Args:
        graph: The ontology graph; ``load_ontology()`` when omitted.

    Raises:
        OntologyError: Some term is in the code but not the file, or in the file but not the code.
    """
    declared = declared_terms(load_ontology() if graph is None else graph)
    only_code = sorted(_TERM_NAMES - declared)
    only_file = sorted(declared - _TERM_NAMES)
    problems = []
    if only_code:
        problems.append(f"in kg.ontology.KG but not declared in ontology/kg.ttl: {', '.join(only_code)}")
    if only_file:
        problems.append(f"declared in ontology/kg.ttl but not in kg.ontology.KG: {', '.join(only_file)}")
    if problems:
        raise OntologyError("; ".join(problems) + "; make the two agree")
