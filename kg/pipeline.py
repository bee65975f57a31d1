"""Run the stages in order (corpus, nlp, extract, resolve, rdf, view); the one place that knows the order."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg import __version__
from kg.corpus import load_corpus
from kg.errors import CorpusError
from kg.extract import extract_candidates
from kg.nlp import shared_nlp
from kg.rdf import build_graph
from kg.resolve import resolve_entities
from kg.store import serialize_turtle, write_atomically
from kg.types import Candidate, Document, Skipped
from kg.views import network_html, render_network

GRAPH_FILE = "graph.ttl"
VIEW_FILE = "graph.html"
REPORT_FILE = "report.json"

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """The graph of a corpus and the build report (JSON-ready)."""

    graph: Graph
    report: dict[str, Any]
    documents: list[Document] = field(default_factory=list)


def _count(items: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(items).items()))


def run(corpus_dir: Path, *, progress: Progress | None = None) -> BuildResult:
    """Build the graph of a corpus directory in memory.

    Args:
        corpus_dir: Directory of ``.txt`` files (optionally with ``manifest.json``).
        progress: Called with each document id once it is processed.

    Returns:
        The graph and a report that accounts for every input file.

    Raises:
        CorpusError: The directory is unusable, or no document in it could be built.
    """
    timings: dict[str, float] = Counter()
    started = time.perf_counter()
    documents: list[Document] = []
    candidates: list[Candidate] = []
    rows: list[dict[str, Any]] = []
    nlp = None
    for item in load_corpus(corpus_dir):
        if isinstance(item, Skipped):
            rows.append({"doc_id": item.doc_id, "status": "skipped", "reason": item.reason})
        else:
            t0 = time.perf_counter()
            nlp = nlp or shared_nlp()
            doc = nlp(item.text)
            t1 = time.perf_counter()
            found = extract_candidates(item, doc._.mentions)
            t2 = time.perf_counter()
            timings["nlp"] += t1 - t0
            timings["extract"] += t2 - t1
            documents.append(item)
            candidates.extend(found)
            rows.append(
                {
                    "doc_id": item.doc_id,
                    "status": "ok",
                    "title": item.title,
                    "chars": len(item.original),
                    "candidates": len(found),
                }
            )
        if progress:
            progress(item.doc_id)
    if not rows:
        raise CorpusError(f"{corpus_dir}: no .txt files to build")
    t0 = time.perf_counter()
    entities, facts = resolve_entities(candidates)
    t1 = time.perf_counter()
    graph = build_graph(documents, entities, facts)
    t2 = time.perf_counter()
    timings["resolve"], timings["rdf"] = t1 - t0, t2 - t1
    facts_per_doc = Counter(f.evidence.doc_id for f in facts)
    for row in rows:
        if row["status"] == "ok":
            row["facts"] = facts_per_doc[row["doc_id"]]
    distinct = {(f.subject, f.predicate, f.object) for f in facts}
    report: dict[str, Any] = {
        "kg_version": __version__,
        "corpus": str(corpus_dir),
        "documents": rows,
        "counts": {
            "documents": _count([r["status"] for r in rows]),
            "entities": _count([e.kind for e in entities]),
            "entities_total": len(entities),
            "facts": _count([p for _, p, _ in distinct]),
            "facts_total": len(distinct),
            "evidence": len(facts),
            "triples": len(graph),
        },
        "timings_s": {k: round(v, 3) for k, v in sorted(timings.items())},
    }
    report["timings_s"]["total"] = round(time.perf_counter() - started, 3)
    if not documents:
        reasons = "; ".join(f"{r['doc_id']}: {r['reason']}" for r in rows)
        error = CorpusError(f"{corpus_dir}: no document could be built ({reasons})")
        error.report = report  # type: ignore[attr-defined]
        raise error
    return BuildResult(graph, report, documents)


def build(corpus_dir: Path, out_dir: Path, *, progress: Progress | None = None) -> dict[str, Any]:
    """Build a corpus and write ``graph.ttl``, ``graph.html`` and ``report.json`` into ``out_dir``.

    Files are replaced atomically, so an interrupted build leaves the previous outputs intact.

    Raises:
        CorpusError: Nothing could be built (the report is still written).
        StoreError: An output file cannot be written.
    """
    try:
        result = run(corpus_dir, progress=progress)
    except CorpusError as exc:
        report = getattr(exc, "report", None)
        if report is not None:
            write_atomically(out_dir / REPORT_FILE, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        raise
    t0 = time.perf_counter()
    write_atomically(out_dir / GRAPH_FILE, serialize_turtle(result.graph))
    t1 = time.perf_counter()
    write_atomically(out_dir / VIEW_FILE, network_html(render_network(result.graph)))
    t2 = time.perf_counter()
    report = result.report
    report["timings_s"]["turtle"] = round(t1 - t0, 3)
    report["timings_s"]["view"] = round(t2 - t1, 3)
    report["outputs"] = {"graph": GRAPH_FILE, "view": VIEW_FILE, "report": REPORT_FILE}
    write_atomically(out_dir / REPORT_FILE, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return report
