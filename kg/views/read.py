"""Read the entities of the five relations from a graph into a ``ViewGraph``: labels, classes, evidence.

Four SPARQL queries through ``kg.store.query_rows`` (edges, classes, labels, evidence), so the same
code reads an rdflib graph and an Oxigraph ``GraphStore``; large rdflib graphs are copied into an
in-memory Oxigraph store first (see ``FAST_QUERY_TRIPLES``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kg.ontology import PREFIXES
from kg.store import GraphStore, query_rows
from kg.types import DocumentInfo, Entity, Fact
from kg.views.model import (
    EntityRecord,
    EvidenceRecord,
    FactRecord,
    Link,
    ViewGraph,
    compact_iri,
    sorted_links,
)
from kg.views.styles import CLASS_STYLES, RELATION_STYLES

#: An ``rdflib.Graph`` or a ``kg.store.GraphStore``. Typed loosely because only kg.ontology, kg.rdf
#: and kg.store may import rdflib.
GraphLike = Any

#: Above this many triples an rdflib graph is copied into an in-memory Oxigraph store before it is
#: queried: rdflib's SPARQL engine takes ≈ 4 s for the evidence of 2 000 entities, Oxigraph ≈ 0.3 s,
#: and the copy costs less than the difference from about this size on.
FAST_QUERY_TRIPLES = 20_000

_RELATION_VALUES = " ".join(f'(kg:{name} "{name}")' for name in RELATION_STYLES)
_CLASS_VALUES = " ".join(f'(kg:{name} "{name}")' for name in CLASS_STYLES)

_EDGES_QUERY = f"""
SELECT DISTINCT ?s ?rel ?o WHERE {{
    VALUES (?p ?rel) {{ {_RELATION_VALUES} }}
    ?s ?p ?o .
    FILTER(isIRI(?s) && isIRI(?o))
}}"""

_CLASSES_QUERY = f"""
SELECT DISTINCT ?e ?cls WHERE {{
    VALUES (?class ?cls) {{ {_CLASS_VALUES} }}
    ?e a ?class .
}}"""

_LABELS_QUERY = """
SELECT DISTINCT ?e ?kind ?text ?lang WHERE {
    { ?e rdfs:label ?text . BIND("label" AS ?kind) }
    UNION
    { ?e skos:altLabel ?text . BIND("alt" AS ?kind) }
    BIND(LANG(?text) AS ?lang)
}"""

_EVIDENCE_QUERY = f"""
SELECT DISTINCT ?s ?rel ?o ?text ?start ?end ?file ?title ?post ?date WHERE {{
    VALUES (?p ?rel) {{ {_RELATION_VALUES} }}
    ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL {{ ?a kg:evidenceText ?text }}
    OPTIONAL {{ ?a kg:startOffset ?start }}
    OPTIONAL {{ ?a kg:endOffset ?end }}
    OPTIONAL {{ ?a kg:post ?post }}
    OPTIONAL {{ ?a dcterms:date ?adate }}
    OPTIONAL {{
        ?a prov:wasDerivedFrom ?doc .
        OPTIONAL {{ ?doc kg:sourceFile ?file }}
        OPTIONAL {{ ?doc dcterms:title ?title }}
        OPTIONAL {{ ?doc dcterms:date ?ddate }}
    }}
    BIND(STR(COALESCE(?adate, ?ddate)) AS ?date)  # the lexical form, whatever the literal's type
}}"""


def read_view_graph(graph: GraphLike) -> ViewGraph:
    """Read the entities taking part in the five relations, with labels, classes and evidence.

    Args:
        graph: An ``rdflib.Graph`` or a ``kg.store.GraphStore`` in the kg ontology.

    Returns:
        One node per entity in a relation, one link per distinct triple; entities in no relation are
        left out.

    Raises:
        QueryError: The graph cannot be queried.

    Examples:
        >>> from kg.store import open_store
        >>> read_view_graph(open_store()).nodes
        []
    """
    if not isinstance(graph, GraphStore) and len(graph) > FAST_QUERY_TRIPLES:
        store = GraphStore.open(None)
        store.replace_default_graph(graph)
        graph = store
    triples = {(row["s"], row["rel"], row["o"]) for row in query_rows(graph, _EDGES_QUERY)}
    # Node ids are prefixed names (kgr:person/…): shorter pages, and no "https://" in the page's data.
    ids = {iri: compact_iri(iri) for s, _, o in triples for iri in (s, o)}
    classes = _classes(graph)
    labels, aliases = _labels(graph)
    evidence = _evidence(graph)
    entities = {
        ids[iri]: EntityRecord(
            ids[iri],
            labels.get(iri, _local_name(iri)),
            tuple(aliases.get(iri, ())),
            classes.get(iri, "Thing"),
        )
        for iri in ids
    }
    links = [
        Link(ids[s], rel, ids[o], (FactRecord(ids[s], rel, ids[o], tuple(evidence.get((s, rel, o), ()))),))
        for s, rel, o in triples
    ]
    return ViewGraph(entities, sorted(entities), sorted_links(links))


def _classes(graph: GraphLike) -> dict[str, str]:
    """Entity IRI -> local name of its most specific styled class (first in ``CLASS_STYLES`` order)."""
    rank = {name: i for i, name in enumerate(CLASS_STYLES)}
    found: dict[str, str] = {}
    for row in query_rows(graph, _CLASSES_QUERY):
        current = found.get(row["e"])
        if current is None or rank[row["cls"]] < rank[current]:
            found[row["e"]] = row["cls"]
    return found


def _labels(graph: GraphLike) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Entity IRI -> display label (a ``@zh`` one if any), and -> sorted aliases other than the label."""
    names: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    alternatives: dict[str, set[str]] = defaultdict(set)
    for row in query_rows(graph, _LABELS_QUERY):
        if row["kind"] == "label":
            names[row["e"]].append((not str(row["lang"]).lower().startswith("zh"), str(row["text"])))
        else:
            alternatives[row["e"]].add(str(row["text"]))
    labels = {iri: min(candidates)[1] for iri, candidates in names.items()}
    aliases = {iri: sorted(texts - {labels.get(iri)}) for iri, texts in alternatives.items()}
    return labels, aliases


def _evidence(graph: GraphLike) -> dict[tuple[str, str, str], list[EvidenceRecord]]:
    """(subject, relation, object) IRIs -> evidence records, ordered by file, offset, text and post."""
    # SELECT DISTINCT leaves out ?a on purpose: two assertions with the same sentence, place and post
    # say the same thing once.
    records: dict[tuple[str, str, str], list[EvidenceRecord]] = defaultdict(list)
    for row in query_rows(graph, _EVIDENCE_QUERY):
        records[(row["s"], row["rel"], row["o"])].append(
            EvidenceRecord(
                _text(row["text"]),
                _text(row["file"]),
                _text(row["title"]),
                row["start"] if isinstance(row["start"], int) else None,
                row["end"] if isinstance(row["end"], int) else None,
                _text(row["post"]),
                _text(row["date"]),
            )
        )
    for rows in records.values():
        rows.sort(key=_order)
    return records


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _local_name(iri: str) -> str:
    """The last segment of an IRI, the fallback label of an entity without ``rdfs:label``."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def view_graph_of_facts(
    infos: Iterable[DocumentInfo],
    entities: Iterable[Entity],
    facts: Iterable[Fact],
    reference: Iterable[tuple[Any, Any, Any]] = (),
) -> ViewGraph:
    """The ``ViewGraph`` that ``read_view_graph`` reads from the RDF of these facts, made from them directly.

    ``kg build`` has its facts in memory; reading the evidence of every assertion back from the store
    would cost more than the rest of the build's output stage at a hundred thousand assertions.
    ``reference`` holds the triples of the divisions graph (``kg.rdf.division_triples``): their
    ``kg:locatedIn`` links join the view with no evidence, their places with their labels and classes.

    Examples:
        >>> view_graph_of_facts([], [], []).nodes
        []
    """
    from kg.rdf import entity_iri

    infos = list(infos)
    titles = {info.doc_id: info.title for info in infos}
    dates = {info.doc_id: dict(info.meta).get("date") or None for info in infos}
    by_key = {entity.key: entity for entity in entities}
    found: dict[tuple[str, str, str], set[EvidenceRecord]] = defaultdict(set)
    for fact in facts:
        if fact.predicate not in RELATION_STYLES:
            continue
        e = fact.evidence
        found[(fact.subject, fact.predicate, fact.object)].add(
            EvidenceRecord(
                e.sentence,
                e.doc_id,
                titles.get(e.doc_id),
                e.start,
                e.end,
                fact.post or None,
                dates.get(e.doc_id),
            )
        )
    ids = {key: compact_iri(str(entity_iri(key))) for s, _, o in found for key in (s, o)}
    records = {}
    for key, node_id in ids.items():
        entity = by_key[key]
        group = entity.kind if entity.kind in CLASS_STYLES else "Thing"
        aliases = tuple(sorted(entity.aliases - {entity.canonical}))
        records[node_id] = EntityRecord(node_id, entity.canonical, aliases, group)
    links = [
        Link(ids[s], rel, ids[o], (FactRecord(ids[s], rel, ids[o], tuple(sorted(evidence, key=_order))),))
        for (s, rel, o), evidence in found.items()
    ]
    stated = {(ids[s], rel, ids[o]) for s, rel, o in found}
    labels: dict[str, str] = {}
    classes: dict[str, str] = {}
    pairs: set[tuple[str, str]] = set()
    label, kind, located = PREFIXES["rdfs"] + "label", PREFIXES["rdf"] + "type", PREFIXES["kg"] + "locatedIn"
    for s, p, o in reference:
        if p.value == label:
            labels[compact_iri(s.value)] = o.value
        elif p.value == kind:
            classes[compact_iri(s.value)] = o.value.rsplit("#", 1)[-1]
        elif p.value == located:
            pairs.add((compact_iri(s.value), compact_iri(o.value)))
    for child, parent in sorted(pairs):
        for node_id in (child, parent):
            if node_id not in records:
                group = classes.get(node_id, "Thing")
                records[node_id] = EntityRecord(node_id, labels.get(node_id, node_id), (), group)
        if (child, "locatedIn", parent) not in stated:
            links.append(Link(child, "locatedIn", parent, (FactRecord(child, "locatedIn", parent, ()),)))
    return ViewGraph(records, sorted(records), sorted_links(links))


def _order(record: EvidenceRecord) -> tuple[str, int, str, str]:
    """Evidence order in the side panel: by file, offset, text and post."""
    start = record.start if record.start is not None else -1
    return (record.file or "", start, record.text or "", record.post or "")
