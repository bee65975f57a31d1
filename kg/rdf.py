"""Entities and facts to RDF: deterministic IRIs, @zh labels, provenance per evidence.

Each fact is a direct triple ``s kg:assists o`` plus, for every sentence that states it, a
``kg:Assertion`` node (an ``rdf:Statement``) carrying the sentence, its character offsets in the
original file, ``prov:wasDerivedFrom`` the source document and that document's date
(``dcterms:date``, typed ``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` by its precision), so
SPARQL reaches the evidence and can select it by time without a join to the document.

The triples are made of pyoxigraph terms: a build writes hundreds of thousands of them to the
Oxigraph store as N-Triples, which pyoxigraph spells natively, while an rdflib ``Literal`` costs
more to make than to store. ``build_graph`` and ``document_graph`` give rdflib graphs for the
edges that want them (SHACL, notebooks, tests).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Protocol

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode
from rdflib import RDF, RDFS, SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, XSD

from kg.divisions import division_table
from kg.ontology import KGR, bind_prefixes, term
from kg.types import Document, DocumentInfo, Entity, Fact

_SAFE = frozenset("/-_.~·")

Term = NamedNode | BlankNode | Literal
Triple = tuple[NamedNode | BlankNode, NamedNode, Term]


@lru_cache(maxsize=256)
def node(iri: str) -> NamedNode:
    """The pyoxigraph node of an IRI (terms of the ontology and vocabularies repeat in every triple)."""
    return NamedNode(iri)


def rdflib_term(value: Term) -> rdflib.term.Node:
    """The rdflib spelling of a pyoxigraph term (``xsd:string`` literals untyped, as rdflib makes them)."""
    if isinstance(value, NamedNode):
        return URIRef(value.value)
    if isinstance(value, Literal):
        if value.language:
            return rdflib.Literal(value.value, lang=value.language)
        datatype = value.datatype.value
        return rdflib.Literal(value.value, datatype=None if datatype == str(XSD.string) else datatype)
    return rdflib.BNode(value.value)


def rdflib_triple(triple: Triple) -> tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]:
    """A triple of ``rdflib_term``s."""
    s, p, o = triple
    return rdflib_term(s), rdflib_term(p), rdflib_term(o)


class TripleSink(Protocol):
    """Anything triples can be added to: an rdflib ``Graph`` or a ``TripleList``."""

    def add(self, triple: Triple) -> Any:
        """Add one triple."""


def iri_segment(text: str) -> str:
    """IRI-safe spelling of a key: Chinese and ASCII letters stay, anything else is %-encoded.

    Injective, so distinct keys never share an IRI.

    Examples:
        >>> iri_segment("place/双河镇/新华村")
        'place/双河镇/新华村'
        >>> iri_segment("org/a b%")
        'org/a%20b%25'
    """
    out = []
    for char in text:
        if char.isascii() and (char.isalnum() or char in _SAFE) or (not char.isascii() and char.isalnum()):
            out.append(char)
        elif char == "·":
            out.append(char)
        else:
            out.extend(f"%{b:02X}" for b in char.encode("utf-8"))
    return "".join(out)


@lru_cache(maxsize=65_536)  # keys repeat across the facts of a document
def entity_iri(key: str) -> URIRef:
    """IRI of an entity key such as ``place/木都柴达木村``."""
    return KGR[iri_segment(key)]


@lru_cache(maxsize=1_024)
def document_iri(doc_id: str) -> URIRef:
    """IRI of a source document, from its file name."""
    return KGR[iri_segment(f"doc/{doc_id}")]


@lru_cache(maxsize=65_536)
def _entity_node(key: str) -> NamedNode:
    return NamedNode(entity_iri(key))


@lru_cache(maxsize=1_024)
def _document_node(doc_id: str) -> NamedNode:
    return NamedNode(document_iri(doc_id))


def _zh(text: str) -> Literal:
    return Literal(text, language="zh")


def _integer(number: int) -> Literal:
    return Literal(str(number), datatype=_XSD_INTEGER)


_XSD_INTEGER = NamedNode(str(XSD.integer))


def assertion_iri(fact: Fact) -> URIRef:
    """IRI of one evidence record: a hash of the fact and where it is stated."""
    e = fact.evidence
    digest = hashlib.sha1(
        "\x1f".join(
            [fact.subject, fact.predicate, fact.object, e.doc_id, str(e.start), str(e.end), fact.post]
        ).encode("utf-8")
    ).hexdigest()
    return KGR[f"assertion/{digest[:20]}"]


_DATE_TYPES = (
    (re.compile(r"\d{4}"), NamedNode(str(XSD.gYear))),
    (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), NamedNode(str(XSD.gYearMonth))),
    (re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"), NamedNode(str(XSD.date))),
)


def date_literal(text: str) -> Literal:
    """A document date as an RDF literal typed by its precision; a date in no ISO form stays plain text.

    Examples:
        >>> [date_literal(t).datatype.value.rsplit("#", 1)[-1] for t in ("2022", "2020-09", "2020-09-28")]
        ['gYear', 'gYearMonth', 'date']
        >>> date_literal("2020年秋").datatype.value
        'http://www.w3.org/2001/XMLSchema#string'
    """
    text = text.strip()
    for pattern, datatype in _DATE_TYPES:
        if pattern.fullmatch(text):
            return Literal(text, datatype=datatype)
    return Literal(text)


def document_dates(documents: Iterable[Document | DocumentInfo]) -> dict[str, str]:
    """Document id -> its manifest date, for the documents that have one."""
    return {doc.doc_id: date for doc in documents if (date := dict(doc.meta).get("date", "").strip())}


def _kg(name: str) -> NamedNode:
    return node(str(term(name)))


# The vocabulary the builders write, as pyoxigraph nodes made once.
TYPE, LABEL, ALT_LABEL = node(str(RDF.type)), node(str(RDFS.label)), node(str(SKOS.altLabel))
_SUBJECT, _PREDICATE, _OBJECT = node(str(RDF.subject)), node(str(RDF.predicate)), node(str(RDF.object))
_TITLE, _DATE, _SOURCE = node(str(DCTERMS.title)), node(str(DCTERMS.date)), node(str(DCTERMS.source))
_DERIVED_FROM = node(str(PROV.wasDerivedFrom))
_MEMBER, _ORGANIZATION, _HAS_SITE, _ROLE = (
    node(str(ORG.member)),
    node(str(ORG.organization)),
    node(str(ORG.hasSite)),
    node(str(ORG.role)),
)
LOCATED_IN = _kg("locatedIn")


def add_documents(graph: TripleSink, documents: Iterable[Document | DocumentInfo]) -> None:
    """Describe source documents (file, title, newspaper, date)."""
    for doc in documents:
        subject = _document_node(doc.doc_id)
        graph.add((subject, TYPE, _kg("Document")))
        graph.add((subject, _kg("sourceFile"), Literal(doc.doc_id)))
        graph.add((subject, _TITLE, _zh(doc.title)))
        meta = dict(doc.meta)
        if meta.get("newspaper"):
            graph.add((subject, _kg("newspaper"), _zh(meta["newspaper"])))
        if meta.get("date"):
            graph.add((subject, _DATE, Literal(meta["date"])))


def add_entities(graph: TripleSink, entities: Iterable[Entity]) -> None:
    """Type, canonical ``rdfs:label`` and ``skos:altLabel`` aliases, all ``@zh``."""
    for entity in entities:
        subject = _entity_node(entity.key)
        graph.add((subject, TYPE, _kg(entity.kind)))
        graph.add((subject, LABEL, _zh(entity.canonical)))
        for alias in sorted(entity.aliases):
            graph.add((subject, ALT_LABEL, _zh(alias)))
        if entity.code:
            graph.add((subject, _kg("divisionCode"), Literal(entity.code)))


def page_starts(documents: Iterable[Document | DocumentInfo]) -> dict[str, list[int]]:
    """Page start offsets of the paged documents (PDF), from ``meta["pages"]`` (see ``kg.corpus``)."""
    return {
        doc.doc_id: [int(n) for n in dict(doc.meta)["pages"].split(",")]
        for doc in documents
        if dict(doc.meta).get("pages")
    }


def add_facts(
    graph: TripleSink,
    facts: Iterable[Fact],
    *,
    dates: Mapping[str, str] | None = None,
    pages: Mapping[str, list[int]] | None = None,
) -> None:
    """Direct relation triples plus one ``kg:Assertion`` per evidence sentence.

    Args:
        graph: Where the triples go.
        facts: The facts.
        dates: Document id -> date (``document_dates``); an assertion from a dated document carries
            the date as ``dcterms:date`` (``date_literal``).
        pages: Page start offsets per document (``page_starts``); evidence from such a document
            gets its page number (``kg:page``).
    """
    assertion, text, start, end = _kg("Assertion"), _kg("evidenceText"), _kg("startOffset"), _kg("endOffset")
    post, page = _kg("post"), _kg("page")
    literals = {doc_id: date_literal(date) for doc_id, date in (dates or {}).items()}
    for fact in facts:
        s, p, o = _entity_node(fact.subject), _kg(fact.predicate), _entity_node(fact.object)
        graph.add((s, p, o))
        subject = NamedNode(assertion_iri(fact))
        e = fact.evidence
        graph.add((subject, TYPE, assertion))
        graph.add((subject, _SUBJECT, s))
        graph.add((subject, _PREDICATE, p))
        graph.add((subject, _OBJECT, o))
        graph.add((subject, text, _zh(e.sentence)))
        graph.add((subject, start, _integer(e.start)))
        graph.add((subject, end, _integer(e.end)))
        graph.add((subject, _DERIVED_FROM, _document_node(e.doc_id)))
        if e.doc_id in literals:
            graph.add((subject, _DATE, literals[e.doc_id]))
        if fact.post:
            graph.add((subject, post, _zh(fact.post)))
        if pages and e.doc_id in pages:
            number = bisect_right(pages[e.doc_id], e.start)
            graph.add((subject, page, _integer(max(number, 1))))


def add_memberships(graph: TripleSink, facts: Iterable[Fact], labels: dict[str, str]) -> None:
    """Each post held, as a W3C ORG membership whose role is the title as written (副部长, 驻村第一书记)."""
    for fact in facts:
        if fact.predicate not in ("heads", "worksFor", "servesIn") or not fact.post or fact.post == "派驻":
            continue
        person, unit = _entity_node(fact.subject), _entity_node(fact.object)
        digest = hashlib.sha1("\x1f".join([fact.subject, fact.object, fact.post]).encode("utf-8")).hexdigest()
        membership = NamedNode(KGR[f"membership/{digest[:20]}"])
        role = NamedNode(KGR[iri_segment(f"role/{fact.post}")])
        graph.add((membership, TYPE, _kg("Membership")))
        graph.add((membership, LABEL, _zh(f"{labels[fact.subject]} · {labels[fact.object]}{fact.post}")))
        graph.add((membership, _MEMBER, person))
        graph.add((membership, _ORGANIZATION if fact.predicate != "servesIn" else _HAS_SITE, unit))
        graph.add((membership, _ROLE, role))
        graph.add((membership, _kg("post"), _zh(fact.post)))
        graph.add((membership, _DERIVED_FROM, _document_node(fact.evidence.doc_id)))
        graph.add((role, TYPE, node(str(ORG.Role))))
        graph.add((role, LABEL, _zh(fact.post)))


class TripleList(list[Triple]):
    """A plain list of triples that takes ``add`` like a graph: no indexes, so it fills fast."""

    def add(self, triple: Triple) -> None:
        """Append a triple."""
        self.append(triple)


def document_triples(
    document: Document | DocumentInfo, entities: dict[str, Entity], facts: list[Fact], labels: dict[str, str]
) -> TripleList:
    """The triples of ``document_graph``, without building a graph (may repeat a triple)."""
    triples = TripleList()
    add_documents(triples, [document])
    keys = sorted({f.subject for f in facts} | {f.object for f in facts})
    add_entities(triples, [entities[k] for k in keys])
    add_facts(triples, facts, dates=document_dates([document]), pages=page_starts([document]))
    add_memberships(triples, facts, labels)
    return triples


def rdflib_graph(triples: Iterable[Triple]) -> Graph:
    """An rdflib graph of the triples, with the project's prefixes bound."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in triples:
        graph.add(rdflib_triple(triple))
    return graph


def document_graph(
    document: Document | DocumentInfo, entities: dict[str, Entity], facts: list[Fact], labels: dict[str, str]
) -> Graph:
    """The graph of one document: its description, the facts it states and the entities they involve.

    An entity appears in the graph of every document that mentions it, so dropping one document's
    graph keeps shared entities alive; the union of all document graphs equals ``build_graph``.
    """
    return rdflib_graph(document_triples(document, entities, facts, labels))


def build_graph(
    documents: Iterable[Document | DocumentInfo], entities: Iterable[Entity], facts: Iterable[Fact]
) -> Graph:
    """The knowledge graph of a corpus, with the project's prefixes bound."""
    triples = TripleList()
    documents = list(documents)
    add_documents(triples, documents)
    facts = list(facts)
    entities = list(entities)
    add_entities(triples, entities)
    add_facts(triples, facts, dates=document_dates(documents), pages=page_starts(documents))
    add_memberships(triples, facts, {e.key: e.canonical for e in entities})
    return rdflib_graph(triples)


#: The named graph of reference facts from the division table: the official ancestors of the places.
DIVISIONS_GRAPH = KGR["graph/divisions"]


def division_triples(entities: Iterable[Entity]) -> TripleList:
    """The official ancestors of every coded place, up to its province, as reference facts.

    Each step is a direct ``kg:locatedIn`` with no ``kg:Assertion`` (no sentence states it); each
    ancestor gets its label, class and code; the graph node ``DIVISIONS_GRAPH`` says which table of
    which date they come from. So 乌审旗 lies in 鄂尔多斯市 even where no page chains the two.

    Examples:
        >>> triples = division_triples([Entity("place/150626", "乌审旗", "County", code="150626")])
        >>> sorted(o.value.rsplit("/", 1)[-1] for s, p, o in triples if p == LOCATED_IN)
        ['150000', '150600']
    """
    table = division_table()
    triples = TripleList()
    described: set[str] = set()
    linked: set[str] = set()
    for code in sorted({e.code for e in entities if e.code and e.code in table.by_code}):
        chain = [table.by_code[code], *table.ancestors(code)]
        for child, parent in zip(chain, chain[1:], strict=False):
            if child.code not in linked:  # each division has one parent: one step per division
                linked.add(child.code)
                triples.add(
                    (_entity_node(f"place/{child.code}"), LOCATED_IN, _entity_node(f"place/{parent.code}"))
                )
        for division in chain[1:]:
            if division.code not in described:
                described.add(division.code)
                subject = _entity_node(f"place/{division.code}")
                triples.add((subject, TYPE, _kg(division.level)))
                triples.add((subject, LABEL, _zh(division.name)))
                triples.add((subject, _kg("divisionCode"), Literal(division.code)))
    source = table.source
    graph = NamedNode(DIVISIONS_GRAPH)
    triples.add((graph, TYPE, node(str(PROV.Entity))))
    triples.add((graph, LABEL, _zh("行政区划参考事实")))
    triples.add(
        (
            graph,
            _SOURCE,
            Literal(f"{source['authority']}, {source['table']} ({source['package']} {source['version']})"),
        )
    )
    triples.add((graph, _DATE, Literal(source["date"], datatype=node(str(XSD.date)))))
    return triples
