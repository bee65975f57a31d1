"""Run the stages in order (corpus, nlp, extract, resolve, rdf, store, view); the only place knowing it.

Documents are processed one by one (read, NLP, extract: ``kg.builder.documents``) by an engine
(``kg.builder.engines``): in this process, in a pool of processes, or on a Dask cluster. Only their
candidate facts come back, so memory follows the number of facts, not the size of the corpus.
Per-document results are cached under ``OUT_DIR/cache``, one checksummed entry per document
(``kg.cache``, ``kg.builder.cached``): a rebuild re-processes only changed documents, then resolves
entities across all documents (``kg.builder.assembly``) and writes the outputs
(``kg.builder.outputs``). A build or remove holds the lock of OUT_DIR and checks it can write there
before any NLP (``kg.outdir``); outputs are staged, then replaced atomically, so a failed or killed
run leaves the previous ones intact.

This module is also the public façade of the build: the names of ``kg.builder`` that callers use are
importable from here.
"""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg import cache
from kg.builder.assembly import Assembly, assemble
from kg.builder.cached import (
    cached_result,
    compact_result,
    drop_from_snapshot,
    load_snapshot,
    report_results,
    save_snapshot,
    store_result,
)
from kg.builder.documents import (
    SEGMENT_CHARS,
    DocResult,
    Task,
    analyse_segment_task,
    chunk_tasks,
    process_document,
    process_documents,
    process_long,
)
from kg.builder.engines import ENGINES, POOL_MIN_BYTES, analyse_ahead, default_jobs, run_dask, run_local
from kg.builder.heap import collector_paused
from kg.builder.ingest import ingest_files, read_added, write_added
from kg.builder.outputs import (
    GRAPH_FILE,
    PRETTY_TURTLE_TRIPLES,
    REPORT_FILE,
    VIEW_FILE,
    read_report,
    write_failure_report,
    write_outputs,
)
from kg.builder.staging import STATE_FILE, stage_store
from kg.corpus import display_path, document_id, list_corpus, read_manifest
from kg.errors import CorpusError, StoreError
from kg.outdir import check_space, needed_bytes, writing
from kg.rdf import rdflib_triple
from kg.store import STORE_DIR, open_store, union_graph, write_atomically

__all__ = [
    "CACHE_DIR",
    "ENGINES",
    "GRAPH_FILE",
    "PRETTY_TURTLE_TRIPLES",
    "REPORT_FILE",
    "SEGMENT_CHARS",
    "STATE_FILE",
    "VIEW_FILE",
    "Assembly",
    "BuildResult",
    "DocResult",
    "Progress",
    "Task",
    "analyse_segment_task",
    "add",
    "assemble",
    "build",
    "cached_results",
    "chunk_tasks",
    "default_jobs",
    "process_corpus",
    "process_document",
    "process_documents",
    "process_long",
    "remove",
    "run",
    "stage_store",
    "write_outputs",
]

CACHE_DIR = cache.CACHE_DIR

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """The graph of a corpus, one graph per document, and the build report (JSON-ready)."""

    graph: Graph
    report: dict[str, Any]
    documents: dict[str, Graph] = field(default_factory=dict)


def _tasks(corpus_dir: Path, out_dir: Path | None) -> list[Task]:
    manifest = read_manifest(corpus_dir)
    tasks = []
    for path in list_corpus(corpus_dir, exclude=[out_dir] if out_dir is not None else []):
        doc_id = document_id(path, corpus_dir)
        tasks.append(Task(str(path), doc_id, tuple(sorted(manifest.get(doc_id, {}).items()))))
    return tasks


def process_corpus(
    corpus_dir: Path,
    *,
    out_dir: Path | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Progress | None = None,
    segment_chars: int = SEGMENT_CHARS,
    tasks: list[Task] | None = None,
    timings: dict[str, float] | None = None,
    ahead: Callable[[], dict[str, DocResult]] | None = None,
) -> Iterator[DocResult]:
    """Process every file of a corpus, reusing cached results from ``out_dir`` where the file is unchanged.

    ``tasks`` are the corpus's files as listed for ``out_dir`` (listed here when not given);
    ``timings`` gets ``cached_results``: the seconds taken to find the unchanged files' results;
    ``ahead`` collects files already being processed elsewhere (``analyse_ahead``).

    Documents of more than ``segment_chars`` characters are analysed in segments of that length
    (``process_long``); the results are the same as from analysing them whole.

    Raises:
        CorpusError: The directory or its manifest is unusable.
        ValueError: The engine is unknown.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {ENGINES}")
    if tasks is None:
        tasks = _tasks(corpus_dir, out_dir)
    cached = {}
    if out_dir is not None:
        started = time.perf_counter()
        with collector_paused():
            snapshot = load_snapshot(out_dir / STORE_DIR)
            cached = {t.doc_id: cached_result(out_dir, t, snapshot) for t in tasks}
        del snapshot  # its records became the results' objects
        if timings is not None:
            timings["cached_results"] = round(time.perf_counter() - started, 3)
    missing = [t for t in tasks if cached.get(t.doc_id) is None]
    done_ahead = ahead() if ahead is not None else {}
    ready = [done_ahead[t.doc_id] for t in missing if t.doc_id in done_ahead]
    todo = [t for t in missing if t.doc_id not in done_ahead]
    if engine == "dask" and todo:
        fresh: Iterable[DocResult] = chain(ready, run_dask(todo, scheduler, segment_chars))
    else:
        fresh = chain(ready, run_local(todo, jobs, segment_chars))
    results: dict[str, DocResult] = {doc_id: hit for doc_id, hit in cached.items() if hit is not None}
    todo_by_id = {t.doc_id: t for t in missing}
    for result in fresh:
        result = results[result.doc_id] = compact_result(result)
        if progress:
            progress(result.doc_id)
        if out_dir is not None:
            store_result(out_dir, todo_by_id[result.doc_id], result)
    for task in tasks:
        done = results.pop(task.doc_id)
        if done.cached and progress:
            progress(task.doc_id)
        yield done


def run(corpus_dir: Path, *, progress: Progress | None = None, jobs: int = 1) -> BuildResult:
    """Build the graph of a corpus directory in memory (no cache, no files written).

    Raises:
        CorpusError: The directory is unusable, or no document in it could be built.
    """
    results = list(process_corpus(corpus_dir, jobs=jobs, progress=progress))
    if not results:
        raise CorpusError(f"{corpus_dir}: no files to build")
    assembly = assemble(results, corpus=str(corpus_dir))
    documents = dict(assembly.document_graphs())
    reference = open_store()
    for triple in assembly.reference:
        reference.add(rdflib_triple(triple))
    graph = union_graph([*documents.values(), reference])
    assembly.report["counts"]["triples"] = len(graph)
    return BuildResult(graph, assembly.report, documents)


def _input_bytes(corpus_dir: Path, out_dir: Path) -> int:
    total = 0
    for path in list_corpus(corpus_dir, exclude=[out_dir]):
        try:
            total += path.stat().st_size
        except OSError:
            continue  # processing reports it
    return total


def build(
    corpus_dir: Path,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    segment_chars: int = SEGMENT_CHARS,
    whole_outputs: bool | None = None,
) -> dict[str, Any]:
    """Build a corpus into ``out_dir``: graph.ttl, graph.html, report.json and the store.

    Unchanged documents are taken from the cache of the previous build, and only the named graphs
    whose contents changed are rewritten in the store (``kg.builder.staging``); afterwards the cache
    holds the entries of this build's documents only.

    Args:
        corpus_dir: The corpus directory.
        out_dir: The output directory.
        progress: Called with each document's id once it is processed or found in the cache.
        jobs: Worker processes of the local engine.
        engine: ``local`` or ``dask``.
        scheduler: The Dask scheduler's address (None: a local cluster).
        segment_chars: Documents longer than this are analysed in segments of this length.
        whole_outputs: Write graph.ttl and graph.html (None: only for graphs of up to
            ``kg.builder.outputs.WHOLE_OUTPUTS_TRIPLES`` triples).

    Raises:
        CorpusError: Nothing could be built (the report is still written).
        StoreError: ``out_dir`` is locked by another run, not writable or short of space (said
            before any document is processed), or an output cannot be written.
    """
    started = time.perf_counter()
    inputs = _input_bytes(corpus_dir, out_dir)
    with writing(out_dir):
        check_space(out_dir, need=needed_bytes(out_dir, inputs))
        options = {"engine": engine, "scheduler": scheduler, "segment_chars": segment_chars}
        return _build(corpus_dir, out_dir, started, progress, jobs, whole_outputs, options, {})


def _build(
    corpus_dir: Path,
    out_dir: Path,
    started: float,
    progress: Progress | None,
    jobs: int,
    whole_outputs: bool | None,
    options: dict[str, Any],
    extra: dict[str, Any],
    tasks: list[Task] | None = None,
) -> dict[str, Any]:
    """``build`` once the lock of ``out_dir`` is held; ``extra`` goes into the report.

    ``tasks`` are the corpus's files as ``_tasks`` lists them, when the caller has listed them already.
    """
    tasks = _tasks(corpus_dir, out_dir) if tasks is None else tasks
    timings: dict[str, float] = {}
    results = list(
        process_corpus(
            corpus_dir, out_dir=out_dir, jobs=jobs, progress=progress, tasks=tasks, timings=timings, **options
        )
    )
    if not results:
        raise CorpusError(f"{corpus_dir}: no files to build")
    # the many small, acyclic objects of every document's results are held from here on
    with collector_paused():
        try:
            assembly = assemble(results, corpus=display_path(corpus_dir))
        except CorpusError as exc:
            write_failure_report(exc, out_dir)
            raise
        engine = options["engine"]
        assembly.report["engine"] = {"name": engine, "jobs": jobs if engine == "local" else None}
        # where each file came from: the corpus, or the file `kg add` copied into it
        assembly.report["corpus_dir"] = str(corpus_dir.resolve())
        added = read_added(out_dir)
        for row in assembly.report["documents"]:
            origin = added.get(row["doc_id"], {})
            added_here = "from" in origin and origin.get("sha256") == row.get("sha256")
            row["source"] = origin["from"] if added_here else row["doc_id"]
        assembly.report["timings_s"].update(timings)
        assembly.report.update(extra)
        report = write_outputs(assembly, out_dir, whole_outputs=whole_outputs)
        # after the commit: a snapshot missing (a run killed here) only means reading the entries again
        written = time.perf_counter()
        save_snapshot((out_dir / STORE_DIR).resolve(), {t.doc_id: t for t in tasks}, results)
        report["timings_s"]["snapshot"] = round(time.perf_counter() - written, 3)
        report["timings_s"]["total"] = round(time.perf_counter() - started, 3)
        write_atomically(out_dir / REPORT_FILE, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        # only now: until the new outputs are committed, `kg remove` may still need the old entries
        kept = [r.doc_id for r in results if r.info is not None]
        cache.prune(out_dir, kept)
        write_added(out_dir, {doc_id: added[doc_id] for doc_id in kept if doc_id in added})
        return report


def add(
    files: Iterable[Path],
    out_dir: Path,
    *,
    corpus_dir: Path | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    whole_outputs: bool | None = None,
) -> dict[str, Any]:
    """Ingest files into an existing build: copy them into its corpus directory, then rebuild.

    The files become part of the corpus (``corpus_dir``, by default the one the build was made
    from), so that a later ``kg build`` of the corpus keeps them; a file of the same name there is
    replaced (a changed article). Only the added files are analysed, and only the graphs they change
    are rewritten in the store, so the result equals a clean build of the corpus with the files in
    it. The report's ``source`` of each added document is the path it was added from.

    Returns:
        The build report, with ``added``: each file's document id and whether it was ``new``,
        ``changed`` or ``unchanged``.

    Raises:
        StoreError: There is no build in ``out_dir`` (or it does not record its corpus directory and
            none is given), or ``out_dir`` is locked, not writable or full.
        CorpusError: A file does not exist, is not a file of a kind the build reads, or would be left
            out of the corpus by its .kgignore.
    """
    started = time.perf_counter()
    files = list(files)
    with writing(out_dir):
        check_space(out_dir, need=needed_bytes(out_dir, sum(_size(f) for f in files)))
        if corpus_dir is None:
            recorded = read_report(out_dir).get("corpus_dir")
            if not recorded:
                raise StoreError(f"{out_dir}: the build does not record its corpus directory; pass --corpus")
            corpus_dir = Path(recorded)
        states = ingest_files(files, corpus_dir, out_dir)
        options: dict[str, Any] = {"engine": "local", "scheduler": None, "segment_chars": SEGMENT_CHARS}
        tasks = _tasks(corpus_dir, out_dir)
        ahead = [t for t in tasks if states.get(t.doc_id) in ("new", "changed")]
        if (
            _ANALYSE_AHEAD
            and ahead
            and jobs <= 1
            and sum(_size(Path(t.path)) for t in ahead) < POOL_MIN_BYTES
        ):
            # the added files are analysed in a child while this process reads every other result
            options["ahead"] = analyse_ahead(ahead, SEGMENT_CHARS)
        extra = {"added": states}
        return _build(corpus_dir, out_dir, started, progress, jobs, whole_outputs, options, extra, tasks)


# Whether `kg add` analyses the added files in a child process while it reads the other results.
_ANALYSE_AHEAD = True


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # ingest_files says what is wrong with it


def cached_results(out_dir: Path, *, leave_out: Iterable[str] = ()) -> list[DocResult]:
    """The per-document results of the last build of ``out_dir``, in report order.

    Raises:
        StoreError: There is no build in ``out_dir``, or a document's entry is missing, damaged or of
            another version of the file (a later build that failed); ``kg build`` again repairs it.
    """
    return report_results(out_dir, read_report(out_dir), leave_out=leave_out)


def _near_name(doc_id: str, known: set[str]) -> str:
    """A document id, with the build's closest one when it looks misspelt: ``a.txt (did you mean b.txt?)``."""
    close = difflib.get_close_matches(doc_id, sorted(known), n=1, cutoff=0.8)
    return f"{doc_id} (did you mean {close[0]}?)" if close else doc_id


def remove(out_dir: Path, doc_ids: Iterable[str], *, whole_outputs: bool | None = None) -> dict[str, Any]:
    """Retract documents from a build: their facts go, entities other documents mention stay.

    ``whole_outputs`` is as in ``build``.

    Raises:
        StoreError: There is no build in ``out_dir``, a document is not part of it, the cache does not
            hold what the build was made from, or ``out_dir`` is locked, not writable or full.
    """
    doc_ids = set(doc_ids)
    with writing(out_dir):
        check_space(out_dir, need=needed_bytes(out_dir))
        report = read_report(out_dir)
        known = {r["doc_id"] for r in report["documents"] if r["status"] == "ok"}
        missing = sorted(doc_ids - known)
        if missing:
            named = ", ".join(_near_name(doc_id, known) for doc_id in missing)
            raise StoreError(f"{out_dir}: not in the build: {named} (see report.json)")
        with collector_paused():
            return _remove(out_dir, doc_ids, report, whole_outputs)


def _remove(
    out_dir: Path, doc_ids: set[str], report: dict[str, Any], whole_outputs: bool | None
) -> dict[str, Any]:
    """``remove`` once the lock is held and the documents are known to be in the build."""
    snapshot = load_snapshot(out_dir / STORE_DIR)
    kept = report_results(out_dir, report, leave_out=doc_ids, snapshot=snapshot)
    assembly = assemble(kept, corpus=report.get("corpus", ""))
    assembly.report["removed"] = sorted(doc_ids)
    for key in ("corpus_dir", "engine"):  # what the build recorded still holds
        if key in report:
            assembly.report[key] = report[key]
    sources = {r["doc_id"]: r["source"] for r in report["documents"] if "source" in r}
    for row in assembly.report["documents"]:
        if row["doc_id"] in sources:
            row["source"] = sources[row["doc_id"]]
    written = write_outputs(assembly, out_dir, whole_outputs=whole_outputs)
    if snapshot is not None:
        drop_from_snapshot((out_dir / STORE_DIR).resolve(), doc_ids)
    return written
