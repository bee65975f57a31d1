"""Write a build's outputs: the store version, graph.ttl, SHACL results, graph.html and report.json.

Everything is staged first (temporary files, a new store version); the commit is a handful of
renames, so a build killed or failing before it leaves the previous outputs untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kg.builder.assembly import Assembly
from kg.builder.cached import carry_snapshot
from kg.builder.staging import stage_store
from kg.errors import CorpusError, StoreError
from kg.store import STORE_DIR, GraphStore, open_store, serialize_turtle, write_atomically

GRAPH_FILE = "graph.ttl"
VIEW_FILE = "graph.html"
REPORT_FILE = "report.json"


# Up to this size graph.ttl is written by rdflib (sorted, readable); above it Oxigraph streams it
# from the store's index order, which is as deterministic but needs no graph in memory.
PRETTY_TURTLE_TRIPLES = 50_000

# Above this size graph.ttl and graph.html are written only when asked (``whole_outputs=True``): each
# costs more than adding an article to the store (at 3 MB of synthetic news, 1.7 M triples, some
# 15 s each against a few seconds), and the store serves both (``kg export``, ``kg view``). Clean and
# incremental builds follow the same rule, so that their outputs stay equal.
WHOLE_OUTPUTS_TRIPLES = 1_000_000


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


def _pretty_turtle(ntriples: str) -> bytes:
    """graph.ttl's bytes as rdflib writes them (sorted, readable), from the graph's N-Triples."""
    graph = open_store()
    graph.parse(data=ntriples, format="nt")
    return serialize_turtle(graph).encode("utf-8")


def _validation(ntriples: str | None) -> dict[str, Any]:
    """SHACL results for report.json: conformance and the first violations (None: not validated)."""
    if ntriples is None:
        return {
            "conforms": None,
            "skipped": f"graph above {PRETTY_TURTLE_TRIPLES} triples; run `kg validate`",
        }
    from kg.validate import validate_ntriples  # here: its import alone costs a large build 0.1 s

    started = time.perf_counter()
    result = validate_ntriples(ntriples).as_dict()
    result["violations_total"] = len(result["violations"])
    result["violations"] = result["violations"][:50]
    result["seconds"] = time.perf_counter() - started
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


def write_outputs(assembly: Assembly, out_dir: Path, *, whole_outputs: bool | None = None) -> dict[str, Any]:
    """Write graph.ttl, graph.html, report.json and the store; return the report.

    ``whole_outputs`` says whether to write graph.ttl and graph.html (None: up to
    ``WHOLE_OUTPUTS_TRIPLES`` triples); when they are not written, older ones are deleted, since they
    would no longer match the store.

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
        report = _stage_outputs(assembly, out_dir, current, staged, temps, whole_outputs)
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
    for name in report.get("not_written", {}):
        (out_dir / name).unlink(missing_ok=True)
    previous = _swap_link(out_dir / STORE_DIR, staged)
    if previous is not None and previous != staged.resolve() and previous.parent == out_dir.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    return report


def _stage_outputs(
    assembly: Assembly,
    out_dir: Path,
    current: Path | None,
    staged: Path,
    temps: dict[str, Path],
    whole_outputs: bool | None,
) -> dict[str, Any]:
    """Write the new store version and the staged files (recorded in ``temps`` as they are made)."""
    report = assembly.report
    t0 = time.perf_counter()
    report["store"] = stage_store(assembly, current, staged)
    carry_snapshot(current, staged)  # the build adds its changes to it once committed (kg.pipeline)
    triples = report["counts"]["triples"] = report["store"]["triples"]
    t1 = time.perf_counter()
    staged_files: dict[str, bytes] = {}
    whole = triples <= WHOLE_OUTPUTS_TRIPLES if whole_outputs is None else whole_outputs
    # graphs small enough to hold get rdflib's Turtle and SHACL validation, both from N-Triples
    ntriples = None
    if whole:
        store = GraphStore.open(staged, read_only=True)
        if triples > PRETTY_TURTLE_TRIPLES:
            staged_files[GRAPH_FILE] = store.dump("turtle")
        else:
            ntriples = store.dump("ntriples").decode("utf-8")
        del store
    # validation runs in a thread beside Turtle and the view: pyrudof releases the GIL while it works
    with ThreadPoolExecutor(1, thread_name_prefix="kg-validate") as pool:
        validation = pool.submit(_validation, ntriples)
        if ntriples is not None:
            staged_files[GRAPH_FILE] = _pretty_turtle(ntriples)
        t2 = time.perf_counter()
        if whole:
            # the view comes from the facts in memory: reading every evidence sentence back from the
            # store would cost more than the rest of this stage on large corpora
            # imported here: pyvis and the view's modules cost a build that writes no view (large
            # graphs, `kg add` to them) half a second
            from kg.views import network_from_view, network_html, view_graph_of_facts

            view = view_graph_of_facts(assembly.infos, assembly.entities, assembly.facts, assembly.reference)
            staged_files[VIEW_FILE] = network_html(network_from_view(view)).encode("utf-8")
        t3 = time.perf_counter()
        report["validation"] = validation.result()
    del ntriples
    t4 = time.perf_counter()
    # validate: the validation's own time, most of it beside Turtle and the view; wait: how long the
    # build waited for it after them
    checked = report["validation"].pop("seconds", 0.0)
    report["timings_s"].update(
        store=round(t1 - t0, 3),
        turtle=round(t2 - t1, 3),
        validate=round(checked, 3),
        view=round(t3 - t2, 3),
        validate_wait=round(t4 - t3, 3),
    )
    report["outputs"] = {"graph": GRAPH_FILE, "view": VIEW_FILE, "report": REPORT_FILE, "store": STORE_DIR}
    if not whole:
        del report["outputs"]["graph"], report["outputs"]["view"]
        why = (
            f"graph of {triples} triples, above {WHOLE_OUTPUTS_TRIPLES}"
            if whole_outputs is None
            else "not asked"
        )
        report["not_written"] = {
            GRAPH_FILE: f"{why}: `kg export --format turtle` writes it from the store",
            VIEW_FILE: f"{why}: `kg view` draws the graph or a part of it from the store",
        }
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
