"""Entities and facts to an rdflib Graph: deterministic IRIs, @zh labels, provenance per evidence.

Each fact is a direct triple ``s kg:assists o`` plus, for every sentence that states it, a
``kg:Assertion`` node (an ``rdf:Statement``) carrying the sentence, its character offsets in the
original file, ``prov:wasDerivedFrom`` the source document and that document's date
(``dcterms:date``, typed ``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` by its precision), so
SPARQL reaches the evidence and can select it by time without a join to the document.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Protocol

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, XSD
from rdflib.term import Node

from kg.divisions import division_table
from kg.ontology import KG, KGR, bind_prefixes, term
from kg.types import Document, DocumentInfo, Entity, Fact

_SAFE = frozenset("/-_.~·")

Triple = tuple[Node, Node, Node]


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
    (re.compile(r"\d{4}"), XSD.gYear),
    (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), XSD.gYearMonth),
    (re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"), XSD.date),
)


def date_literal(text: str) -> Literal:
    """A document date as an RDF literal typed by its precision; a date in no ISO form stays plain text.

    Examples:
        >>> [date_literal(t).datatype.rsplit("#", 1)[-1] for t in ("2022", "2020-09", "2020-09-28")]
        ['gYear', 'gYearMonth', 'date']
        >>> date_literal("2020年秋").datatype is None
        True
    """
    text = text.strip()
    for pattern, datatype in _DATE_TYPES:
        if pattern.fullmatch(text):
            return Literal(text, datatype=datatype)
    return Literal(text)


def document_dates(documents: Iterable[Document | DocumentInfo]) -> dict[str, str]:
    """Document id -> its manifest date, for the documents that have one."""
    return {doc.doc_id: date for doc in documents if (date := dict(doc.meta).get("date", "").strip())}


def add_documents(graph: TripleSink, documents: Iterable[Document | DocumentInfo]) -> None:
    """Describe source documents (file, title, newspaper, date)."""
    for doc in documents:
        node = document_iri(doc.doc_id)
        graph.add((node, RDF.type, KG.Document))
        graph.add((node, KG.sourceFile, Literal(doc.doc_id)))
        graph.add((node, DCTERMS.title, Literal(doc.title, lang="zh")))
        meta = dict(doc.meta)
        if meta.get("newspaper"):
            graph.add((node, KG.newspaper, Literal(meta["newspaper"], lang="zh")))
        if meta.get("date"):
            graph.add((node, DCTERMS.date, Literal(meta["date"])))


def add_entities(graph: TripleSink, entities: Iterable[Entity]) -> None:
    """Type, canonical ``rdfs:label`` and ``skos:altLabel`` aliases, all ``@zh``."""
    for entity in entities:
        node = entity_iri(entity.key)
        graph.add((node, RDF.type, term(entity.kind if entity.kind != "Place" else "Place")))
        graph.add((node, RDFS.label, Literal(entity.canonical, lang="zh")))
        for alias in sorted(entity.aliases):
            graph.add((node, SKOS.altLabel, Literal(alias, lang="zh")))
        if entity.code:
            graph.add((node, KG.divisionCode, Literal(entity.code)))


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
    # the closed namespace checks every attribute access: look the terms up once, not per fact
    assertion, text, start, end, post = KG.Assertion, KG.evidenceText, KG.startOffset, KG.endOffset, KG.post
    literals = {doc_id: date_literal(date) for doc_id, date in (dates or {}).items()}
    for fact in facts:
        s, p, o = entity_iri(fact.subject), term(fact.predicate), entity_iri(fact.object)
        graph.add((s, p, o))
        node = assertion_iri(fact)
        e = fact.evidence
        graph.add((node, RDF.type, assertion))
        graph.add((node, RDF.subject, s))
        graph.add((node, RDF.predicate, p))
        graph.add((node, RDF.object, o))
        graph.add((node, text, Literal(e.sentence, lang="zh")))
        graph.add((node, start, Literal(str(e.start), datatype=XSD.integer)))
        graph.add((node, end, Literal(str(e.end), datatype=XSD.integer)))
        graph.add((node, PROV.wasDerivedFrom, document_iri(e.doc_id)))
        if e.doc_id in literals:
            graph.add((node, DCTERMS.date, literals[e.doc_id]))
        if fact.post:
            graph.add((node, post, Literal(fact.post, lang="zh")))
        if pages and e.doc_id in pages:
            number = bisect_right(pages[e.doc_id], e.start)
            graph.add((node, KG.page, Literal(str(max(number, 1)), datatype=XSD.integer)))


def add_memberships(graph: TripleSink, facts: Iterable[Fact], labels: dict[str, str]) -> None:
    """Each post held, as a W3C ORG membership whose role is the title as written (副部长, 驻村第一书记)."""
    for fact in facts:
        if fact.predicate not in ("heads", "worksFor", "servesIn") or not fact.post or fact.post == "派驻":
            continue
        person, unit = entity_iri(fact.subject), entity_iri(fact.object)
        digest = hashlib.sha1("\x1f".join([fact.subject, fact.object, fact.post]).encode("utf-8")).hexdigest()
        node = KGR[f"membership/{digest[:20]}"]
        role = KGR[iri_segment(f"role/{fact.post}")]
        graph.add((node, RDF.type, KG.Membership))
        graph.add(
            (
                node,
                RDFS.label,
                Literal(f"{labels[fact.subject]} · {labels[fact.object]}{fact.post}", lang="zh"),
            )
        )
        graph.add((node, ORG.member, person))
        graph.add((node, ORG.organization if fact.predicate != "servesIn" else ORG.hasSite, unit))
        graph.add((node, ORG.role, role))
        graph.add((node, KG.post, Literal(fact.post, lang="zh")))
        graph.add((node, PROV.wasDerivedFrom, document_iri(fact.evidence.doc_id)))
        graph.add((role, RDF.type, ORG.Role))
        graph.add((role, RDFS.label, Literal(fact.post, lang="zh")))


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


def document_graph(
    document: Document | DocumentInfo, entities: dict[str, Entity], facts: list[Fact], labels: dict[str, str]
) -> Graph:
    """The graph of one document: its description, the facts it states and the entities they involve.

    An entity appears in the graph of every document that mentions it, so dropping one document's
    graph keeps shared entities alive; the union of all document graphs equals ``build_graph``.
    """
    graph = Graph()
    bind_prefixes(graph)
    for triple in document_triples(document, entities, facts, labels):
        graph.add(triple)
    return graph


def build_graph(
    documents: Iterable[Document | DocumentInfo], entities: Iterable[Entity], facts: Iterable[Fact]
) -> Graph:
    """The knowledge graph of a corpus, with the project's prefixes bound."""
    graph = Graph()
    bind_prefixes(graph)
    documents = list(documents)
    add_documents(graph, documents)
    facts = list(facts)
    entities = list(entities)
    add_entities(graph, entities)
    add_facts(graph, facts, dates=document_dates(documents), pages=page_starts(documents))
    add_memberships(graph, facts, {e.key: e.canonical for e in entities})
    return graph


#: The named graph of reference facts from the division table: the official ancestors of the places.
DIVISIONS_GRAPH = KGR["graph/divisions"]


def division_triples(entities: Iterable[Entity]) -> TripleList:
    """The official ancestors of every coded place, up to its province, as reference facts.

    Each step is a direct ``kg:locatedIn`` with no ``kg:Assertion`` (no sentence states it); each
    ancestor gets its label, class and code; the graph node ``DIVISIONS_GRAPH`` says which table of
    which date they come from. So 乌审旗 lies in 鄂尔多斯市 even where no page chains the two.

    Examples:
        >>> triples = division_triples([Entity("place/150626", "乌审旗", "County", code="150626")])
        >>> sorted(str(o).rsplit("/", 1)[-1] for s, p, o in triples if p == KG.locatedIn)
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
                    (entity_iri(f"place/{child.code}"), KG.locatedIn, entity_iri(f"place/{parent.code}"))
                )
        for division in chain[1:]:
            if division.code not in described:
                described.add(division.code)
                node = entity_iri(f"place/{division.code}")
                triples.add((node, RDF.type, term(division.level)))
                triples.add((node, RDFS.label, Literal(division.name, lang="zh")))
                triples.add((node, KG.divisionCode, Literal(division.code)))
    source = table.source
    triples.add((DIVISIONS_GRAPH, RDF.type, PROV.Entity))
    triples.add((DIVISIONS_GRAPH, RDFS.label, Literal("行政区划参考事实", lang="zh")))
    triples.add(
        (
            DIVISIONS_GRAPH,
            DCTERMS.source,
            Literal(f"{source['authority']}, {source['table']} ({source['package']} {source['version']})"),
        )
    )
    triples.add((DIVISIONS_GRAPH, DCTERMS.date, Literal(source["date"], datatype=XSD.date)))
    return triples
