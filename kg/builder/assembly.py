"""Resolve the candidates of every document into entities and facts, and draft the build report.

Entity resolution is global: a name's canonical form and its merges depend on every document, so
the assembly is made from all documents' candidates, cached or fresh.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rdflib import Graph

from kg import __version__
from kg.builder.documents import DocResult
from kg.divisions import division_table
from kg.errors import CorpusError
from kg.rdf import LOCATED_IN, TripleList, division_triples, document_triples, rdflib_triple
from kg.resolve import resolve_entities
from kg.store import open_store
from kg.types import DocumentInfo, Entity, Fact


def _count(items: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(items).items()))


@dataclass
class Assembly:
    """Entities and facts resolved across documents, ready to be written as graphs."""

    infos: list[DocumentInfo]
    entities: list[Entity]
    facts: list[Fact]
    report: dict[str, Any]
    reference: TripleList = field(default_factory=TripleList)  # the divisions graph (kg.rdf)

    @cached_property
    def facts_by_document(self) -> dict[str, list[Fact]]:
        """Each document's facts (documents stating none are absent): made once, read by every pass."""
        by_doc: dict[str, list[Fact]] = {}
        for fact in self.facts:
            by_doc.setdefault(fact.evidence.doc_id, []).append(fact)
        return by_doc

    @cached_property
    def _entity_indexes(self) -> tuple[dict[str, Entity], dict[str, str]]:
        return {e.key: e for e in self.entities}, {e.key: e.canonical for e in self.entities}

    def document_triples(self, *, chunk: int = 2_000) -> Iterator[tuple[str, Iterator[TripleList]]]:
        """(document id, its triples in pieces of ``chunk`` facts), one document at a time.

        Memory holds one piece at most, however many facts a document states; a piece may repeat
        triples of another (the document, shared entities), which stores and graphs keep once.
        """
        (by_key, labels), by_doc = self._entity_indexes, self.facts_by_document

        def pieces(info: DocumentInfo, facts: list[Fact]) -> Iterator[TripleList]:
            for start in range(0, max(len(facts), 1), chunk):
                yield document_triples(info, by_key, facts[start : start + chunk], labels)

        for info in self.infos:
            yield info.doc_id, pieces(info, by_doc.get(info.doc_id, []))

    def document_graphs(self) -> Iterator[tuple[str, Graph]]:
        """(document id, its rdflib graph), one at a time."""
        for doc_id, pieces in self.document_triples():
            graph = open_store()
            for triples in pieces:
                for triple in triples:
                    graph.add(rdflib_triple(triple))
            yield doc_id, graph


def assemble(results: list[DocResult], *, corpus: str = "") -> Assembly:
    """Resolve entities across documents and draft the build report.

    Raises:
        CorpusError: No document could be built.
    """
    started = time.perf_counter()
    infos = [r.info for r in results if r.info is not None]
    entities, facts = resolve_entities(c for r in results for c in r.candidates)
    facts_per_doc = Counter(f.evidence.doc_id for f in facts)
    rows: list[dict[str, Any]] = []
    for r in results:
        if r.info is None:
            rows.append({"doc_id": r.doc_id, "status": "skipped", "reason": r.reason})
        else:
            rows.append(
                {
                    "doc_id": r.doc_id,
                    "status": "ok",
                    "title": r.info.title,
                    "chars": r.info.chars,
                    # which version of the file the graph holds: `kg remove` uses no other cache entry
                    "sha256": r.info.sha256,
                    "candidates": len(r.candidates),
                    "facts": facts_per_doc[r.doc_id],
                    "cached": r.cached,
                    "seconds": round(r.seconds, 3),
                }
            )
    distinct = {(f.subject, f.predicate, f.object) for f in facts}
    report: dict[str, Any] = {
        "kg_version": __version__,
        "corpus": corpus,
        "documents": rows,
        "counts": {
            "documents": _count(r["status"] for r in rows),
            "entities": _count(e.kind for e in entities),
            "entities_total": len(entities),
            "facts": _count(p for _, p, _ in distinct),
            "facts_total": len(distinct),
            "evidence": len(facts),
        },
        "timings_s": {
            "documents": round(sum(r.seconds for r in results), 3),
            "resolve": round(time.perf_counter() - started, 3),
        },
    }
    reference = division_triples(entities)
    report["divisions"] = _division_report(entities, facts, reference)
    if not infos:
        reasons = "; ".join(f"{r['doc_id']}: {r['reason']}" for r in rows) or "no files"
        error = CorpusError(f"{corpus or 'corpus'}: no document could be built ({reasons})")
        error.report = report  # type: ignore[attr-defined]
        raise error
    return Assembly(infos, entities, facts, report, reference)


def _division_report(entities: list[Entity], facts: list[Fact], reference: TripleList) -> dict[str, Any]:
    """How many places the division table identified, and the sentences whose chain it contradicts."""
    table = division_table()
    codes = {e.key: e.code for e in entities if e.code}
    contradictions = []
    for fact in facts:
        child, parent = codes.get(fact.subject), codes.get(fact.object)
        if fact.predicate == "locatedIn" and child and parent and child in table.by_code:
            if parent not in {a.code for a in table.ancestors(child)}:
                contradictions.append(
                    {
                        "subject": fact.subject,
                        "object": fact.object,
                        "table_parent": table.by_code[child].parent,
                        "doc_id": fact.evidence.doc_id,
                        "evidence": fact.evidence.sentence,
                    }
                )
    return {
        "source": dict(table.source),
        "places_with_code": len(codes),
        "reference_locatedIn": sum(1 for _, p, _ in reference if p == LOCATED_IN),
        "contradictions": contradictions,
    }
