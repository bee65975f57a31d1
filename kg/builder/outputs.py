"""Write a build's outputs: the store version, graph.ttl, SHACL results, graph.html and report.json.

Everything is staged first (temporary files, a new store version); the commit is a handful of
renames, so a build killed or failing before it leaves the previous outputs untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.builder.assembly import Assembly
from kg.errors import CorpusError, StoreError
from kg.rdf import DIVISIONS_GRAPH, document_iri
from kg.store import STORE_DIR, GraphStore, ntriples_lines, open_store, serialize_turtle, write_atomically
from kg.views import network_from_view, network_html, view_graph_of_facts

GRAPH_FILE = "graph.ttl"
VIEW_FILE = "graph.html"
REPORT_FILE = "report.json"
STATE_FILE = "state.json"


# Up to this size graph.ttl is written by rdflib (sorted, readable); above it Oxigraph streams it
# from the store's index order, which is as deterministic but needs no graph in memory.
PRETTY_TURTLE_TRIPLES = 50_000


def _store_versions(out_dir: Path) -> tuple[Path | None, Path]:
    """The store version the ``store`` link points to now (if any) and a fresh one to build."""
    link = out_dir / STORE_DIR
    current = link.resolve() if link.exists() else None
    numbers = [
        int(p.name.rsplit(".", 1)[1])
        for p in out_dir.glob(f"{STORE_DIR}.*")
        if p.name.rsplit(".", 1)[1].isdigit()
    ]
    return current, out_dir / f"{STORE_DIR}.{max(numbers, default=0) + 1}"


def _load_state(store_dir: Path | None) -> dict[str, str]:
    try:
        return dict(json.loads((store_dir / STATE_FILE).read_text(encoding="utf-8"))) if store_dir else {}
    except (OSError, ValueError):
        return {}


def stage_store(assembly: Assembly, current: Path | None, staged: Path) -> dict[str, int]:
    """Write the new store version ``staged``: a cheap copy of ``current`` with changed graphs replaced.

    The default graph is rewritten whole: the union of the documents, then the triples ``kg.derive``
    computes from it; the store is compacted last, since queries read it many times.

    Returns:
        Counts of named graphs ``replaced``, ``removed``, ``unchanged``, of ``triples`` in the default
        graph and of the ``derived`` triples among them.
    """
    state = _load_state(current)
    if current is not None and current.is_dir() and state:
        GraphStore.open(current, read_only=True).inner.backup(str(staged))  # hard links, no copy
    else:
        state = {}
    store = GraphStore.open(staged)
    counts = Counter[str]()
    new_state: dict[str, str] = {}
    store.clear_default()  # refilled below: the union of the documents, each triple once
    # every document's old graph goes before loading starts: Oxigraph's bulk loader must not run
    # beside deletions
    for info in assembly.infos:
        store.remove_graph(str(document_iri(info.doc_id)))
    with store.bulk_loader() as loader:
        for doc_id, pieces in assembly.document_triples():
            name = str(document_iri(doc_id))
            digest = hashlib.sha256()
            for triples in pieces:  # streamed: a document's graph is never whole in memory
                lines = ntriples_lines(triples)
                digest.update("\n".join(lines).encode("utf-8"))
                loader.add(name, lines)
                loader.add(None, lines)
            new_state[name] = digest.hexdigest()
            counts["unchanged" if state.get(name) == new_state[name] else "replaced"] += 1
        # reference facts from the division table: a graph of their own, in the default graph too
        lines = ntriples_lines(assembly.reference)
        store.remove_graph(str(DIVISIONS_GRAPH))
        loader.add(str(DIVISIONS_GRAPH), lines)
        loader.add(None, lines)
        new_state[str(DIVISIONS_GRAPH)] = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    for name in store.graph_names():
        if name not in new_state:
            store.remove_graph(name)
            counts["removed"] += 1
    counts["derived"] = sum(store.rederive().values())
    store.flush()
    store.optimize()
    write_atomically(staged / STATE_FILE, json.dumps(new_state, indent=1, sort_keys=True))
    counts["triples"] = store.count_default()
    return {k: counts[k] for k in ("replaced", "removed", "unchanged", "triples", "derived")}


def _turtle(store: GraphStore, triples: int) -> tuple[bytes, Graph | None]:
    """graph.ttl's bytes, and the rdflib graph they came from when the graph is small enough to hold."""
    if triples > PRETTY_TURTLE_TRIPLES:
        return store.dump("turtle"), None
    graph = open_store()
    graph.parse(data=store.dump("ntriples").decode("utf-8"), format="nt")
    return serialize_turtle(graph).encode("utf-8"), graph


def _validation(graph: Graph | None) -> dict[str, Any]:
    """SHACL results for report.json: conformance and the first violations."""
    from kg.validate import validate_graph

    if graph is None:
        return {
            "conforms": None,
            "skipped": f"graph above {PRETTY_TURTLE_TRIPLES} triples; run `kg validate`",
        }
    result = validate_graph(graph, engine="rudof").as_dict()
    result["violations_total"] = len(result["violations"])
    result["violations"] = result["violations"][:50]
    return result


def _swap_link(link: Path, target: Path) -> Path | None:
    """Point ``link`` at ``target`` in one atomic rename; return the directory it pointed to before.

    Readers see the old store or the new one, never none.
    """
    previous = link.resolve() if link.exists() else None
    if link.is_dir() and not link.is_symlink():  # an unversioned store: move it aside first
        previous = link.rename(link.with_name(f"{STORE_DIR}.0"))
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target.name)
    os.replace(tmp, link)
    return previous


def write_outputs(assembly: Assembly, out_dir: Path) -> dict[str, Any]:
    """Write graph.ttl, graph.html, report.json and the store; return the report.

    Everything is staged first (temporary files, a new store version); the commit is a handful of
    renames, so a build killed or failing before it leaves the previous outputs untouched. Call it
    holding the lock of ``out_dir`` (``kg.outdir.writing``).

    Raises:
        StoreError: An output cannot be staged (disk full, I/O error); what was staged is deleted.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    current, staged = _store_versions(out_dir)
    temps: dict[str, Path] = {}
    try:
        report = _stage_outputs(assembly, out_dir, current, staged, temps)
    except (OSError, StoreError) as exc:
        shutil.rmtree(staged, ignore_errors=True)
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        detail = exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)
        raise StoreError(
            f"{out_dir}: outputs not written ({detail}); the previous outputs are unchanged"
        ) from exc
    # commit
    for name, tmp in temps.items():
        os.replace(tmp, out_dir / name)
    previous = _swap_link(out_dir / STORE_DIR, staged)
    if previous is not None and previous != staged.resolve() and previous.parent == out_dir.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    return report


def _stage_outputs(
    assembly: Assembly, out_dir: Path, current: Path | None, staged: Path, temps: dict[str, Path]
) -> dict[str, Any]:
    """Write the new store version and the staged files (recorded in ``temps`` as they are made)."""
    report = assembly.report
    t0 = time.perf_counter()
    report["store"] = stage_store(assembly, current, staged)
    report["counts"]["triples"] = report["store"]["triples"]
    store = GraphStore.open(staged, read_only=True)
    t1 = time.perf_counter()
    turtle, graph = _turtle(store, report["store"]["triples"])
    staged_files = {GRAPH_FILE: turtle}
    t2 = time.perf_counter()
    report["validation"] = _validation(graph)
    del graph
    t3 = time.perf_counter()
    # the view comes from the facts in memory: reading every evidence sentence back from the store
    # would cost more than the rest of this stage on large corpora
    view = view_graph_of_facts(assembly.infos, assembly.entities, assembly.facts, assembly.reference)
    staged_files[VIEW_FILE] = network_html(network_from_view(view)).encode("utf-8")
    t4 = time.perf_counter()
    del store
    report["timings_s"].update(
        store=round(t1 - t0, 3), turtle=round(t2 - t1, 3), validate=round(t3 - t2, 3), view=round(t4 - t3, 3)
    )
    report["outputs"] = {"graph": GRAPH_FILE, "view": VIEW_FILE, "report": REPORT_FILE, "store": STORE_DIR}
    staged_files[REPORT_FILE] = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    for name, data in staged_files.items():
        temps[name] = out_dir / f".{name}.staged"
        write_atomically(temps[name], data)
    return report


def write_failure_report(exc: CorpusError, out_dir: Path) -> None:
    """Write the report a failed assembly carries (which documents were skipped, and why), if any."""
    report = getattr(exc, "report", None)
    if report is not None:
        write_atomically(out_dir / REPORT_FILE, json.dumps(report, ensure_ascii=False, indent=2) + "\n")


def read_report(out_dir: Path) -> dict[str, Any]:
    """The report.json of the last build of ``out_dir``.

    Raises:
        StoreError: There is none, or it is not JSON.
    """
    try:
        report: dict[str, Any] = json.loads((out_dir / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{out_dir}: no build report; run `kg build` first") from exc
    return report
