"""Run the stages in order (corpus, nlp, extract, resolve, rdf, store, view); the only place knowing it.

Documents are processed one by one (``process_document``: read, NLP, extract) by an engine: in this
process, in a pool of processes, or on a Dask cluster. Only their candidate facts come back, so memory
follows the number of facts, not the size of the corpus. A long document (``process_long``) is read
here instead and cut into segments that the engine's workers analyse side by side; its mentions are
merged and its facts extracted here, as if it had been analysed whole. Per-document results are
cached under ``OUT_DIR/cache``, one checksummed entry per document (``kg.cache``): a rebuild re-processes only
changed documents, then resolves and writes the whole graph again (cheap next to NLP). A build or
remove holds the lock of OUT_DIR and checks it can write there before any NLP (``kg.outdir``); outputs
are staged, then replaced atomically, so a failed or killed run leaves the previous ones intact.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from kg import __version__, cache
from kg.cache import EntryKey
from kg.corpus import display_path, document_id, list_corpus, read_document, read_manifest
from kg.divisions import division_table
from kg.errors import CorpusError, KGError, StoreError
from kg.outdir import check_space, needed_bytes, writing
from kg.rdf import (
    DIVISIONS_GRAPH,
    LOCATED_IN,
    TripleList,
    division_triples,
    document_iri,
    document_triples,
    rdflib_triple,
)
from kg.resolve import resolve_entities
from kg.signals import stop_workers, workers_ignore_sigint
from kg.store import (
    STORE_DIR,
    GraphStore,
    ntriples_lines,
    open_store,
    serialize_turtle,
    union_graph,
    write_atomically,
)
from kg.types import Candidate, Document, DocumentInfo, Entity, Fact
from kg.views import network_from_view, network_html, view_graph_of_facts
from kg.views.layout import import_layout_engine

if TYPE_CHECKING:  # the parent of a parallel build imports the NLP stage only for long documents
    from kg.nlp.segments import SegmentAnalysis

GRAPH_FILE = "graph.ttl"
VIEW_FILE = "graph.html"
REPORT_FILE = "report.json"
CACHE_DIR = cache.CACHE_DIR
STATE_FILE = "state.json"
ENGINES = ("local", "dask")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Task:
    """One input file to process."""

    path: str
    doc_id: str
    meta: tuple[tuple[str, str], ...] = ()


@dataclass
class DocResult:
    """The outcome of processing one file: its info and candidates, or why it was skipped."""

    doc_id: str
    info: DocumentInfo | None = None
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0
    cached: bool = False


@dataclass
class BuildResult:
    """The graph of a corpus, one graph per document, and the build report (JSON-ready)."""

    graph: Graph
    report: dict[str, Any]
    documents: dict[str, Graph] = field(default_factory=dict)


def _read(task: Task, *, apart: bool = False) -> tuple[Document, DocumentInfo] | DocResult:
    """A file's normalised document and info, or the result that says why it cannot be built.

    Args:
        task: The file.
        apart: Normalise the text in a process of its own, which exits afterwards: normalising makes
            and frees millions of small objects (lines and their offsets), which leave a long-lived
            process holding several times the document's size (260 MB for 5 M characters).
    """
    path = Path(task.path)
    try:
        if apart:
            doc = _read_apart(path, doc_id=task.doc_id, meta=dict(task.meta))
        else:
            doc = read_document(path, doc_id=task.doc_id, meta=dict(task.meta))
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:  # gone or changed between the two reads
        return DocResult(task.doc_id, reason=f"cannot read: {exc.strerror or exc}")
    except CorpusError as exc:
        return DocResult(task.doc_id, reason=str(exc).removeprefix(f"{task.doc_id}: "))
    return doc, DocumentInfo(doc.doc_id, doc.title, doc.meta, digest, len(doc.original))


def _read_apart(path: Path, *, doc_id: str, meta: dict[str, str]) -> Document:
    """``read_document`` in a short-lived process of its own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as reader:
        return reader.submit(read_document, path, doc_id=doc_id, meta=meta).result()


def process_documents(tasks: list[Task]) -> list[DocResult]:
    """Read, analyse and extract a chunk of files; runs in workers, so it takes and returns plain data.

    The chunk is analysed together (``kg.nlp.analyse_texts``), so LAC batches sentences across its
    documents. Each document is analysed whole; long ones take the segmented route instead
    (``process_long``).
    """
    # imported here: the parent of a parallel build never analyses text, so it skips loading LAC
    from kg.extract import extract_candidates
    from kg.nlp import analyse_texts

    started = time.perf_counter()
    results: list[DocResult] = []
    docs = []
    for task in tasks:
        read = _read(task)
        if isinstance(read, DocResult):
            results.append(read)
            continue
        doc, info = read
        results.append(DocResult(task.doc_id, info))
        docs.append((doc, results[-1]))
    analysed = analyse_texts([doc.text for doc, _ in docs])
    for (doc, result), mentions in zip(docs, analysed, strict=True):
        result.candidates = extract_candidates(doc, mentions)
    # the chunk's time, shared out by size: documents are analysed together
    total = sum(r.info.chars for r in results if r.info) or 1
    elapsed = time.perf_counter() - started
    for result in results:
        result.seconds = elapsed * (result.info.chars if result.info else 0) / total
    return results


def process_document(task: Task) -> DocResult:
    """``process_documents`` for a single file."""
    return process_documents([task])[0]


# --- long documents ------------------------------------------------------------------------------

# Documents of more characters are analysed in segments of about this many, spread over the workers
# (kg.nlp.segments): whole, a document costs its worker some 100 bytes a character in per-character
# tables and leaves the other workers idle. Long enough that LAC fills its equal-length batches as
# from a chunk of files (kg.nlp.components.POOL_CHARS) and that a segment's context is a negligible extra;
# a 50 MB file makes some 90 segments. Files of more bytes than this may hold more characters, so the
# build reads them itself to cut them.
SEGMENT_CHARS = 200_000

SegmentMapper = Callable[[Iterable[tuple[str, int, int]]], Iterable["SegmentAnalysis"]]


def analyse_segment_task(item: tuple[str, int, int]) -> SegmentAnalysis:
    """``kg.nlp.segments.analyse_segment`` on (text with context, end of segment, start in document)."""
    from kg.nlp.segments import analyse_segment

    return analyse_segment(*item)


def process_long(
    task: Task,
    analyse: SegmentMapper,
    *,
    segment_chars: int = SEGMENT_CHARS,
    analysed: Callable[[], None] | None = None,
) -> DocResult:
    """Read a long file here, have ``analyse`` map its segments to workers, then merge and extract.

    The result equals ``process_document``'s: the document-wide steps of mention finding and the
    extraction (which follows the document's context from sentence to sentence) run once, here, on
    the merged segments. The document's text is held once; segments are sliced as ``analyse`` takes
    them, and their words come back compactly.

    Args:
        task: The file.
        analyse: Maps ``analyse_segment_task`` over its (segment, end, start) items, results in order:
            the builtin ``map`` in this process, or a pool's or a cluster's.
        segment_chars: The length of a segment.
        analysed: Called once every segment is analysed, before the merge: the engine may let its
            workers go if nothing else is left for them, so that their memory is not held beside the
            merge's.
    """
    from kg.extract import extract_candidates
    from kg.nlp.segments import merge_segments, split_segments

    started = time.perf_counter()
    read = _read(task, apart=True)
    if isinstance(read, DocResult):
        return read
    doc, info = read
    segments = split_segments(doc.text, size=segment_chars)
    pieces = ((doc.text[s.start : s.context_end], s.end - s.start, s.start) for s in segments)
    analyses = list(analyse(pieces))
    if analysed is not None:
        analysed()
    analyses.reverse()
    # handed over one by one, so that the merge can drop each segment's words once it is settled
    mentions = merge_segments(doc.text, segments, (analyses.pop() for _ in segments))
    candidates = extract_candidates(doc, mentions)
    return DocResult(task.doc_id, info, candidates, seconds=time.perf_counter() - started)


def _split_long(tasks: list[Task], segment_chars: int) -> tuple[list[Task], list[Task]]:
    """(files processed whole, files that may hold more than ``segment_chars`` characters)."""
    short: list[Task] = []
    long: list[Task] = []
    for task in tasks:
        try:
            size = os.path.getsize(task.path)
        except OSError:
            size = 0  # processing reports why it cannot be read
        (long if size > segment_chars else short).append(task)
    return short, long


def chunk_tasks(
    tasks: list[Task], *, max_bytes: int = 600_000, max_files: int = 64, workers: int = 1
) -> list[list[Task]]:
    """Consecutive groups of files of at most about ``max_bytes`` (UTF-8 Chinese is 3 bytes a character).

    With several ``workers``, chunks shrink towards the end (guided scheduling: about a quarter of what
    is left per worker, down to an eighth of ``max_bytes``), so no worker is left with a large last
    chunk while the others idle.

    Examples:
        >>> [len(c) for c in chunk_tasks([Task(f"/nonexistent/{i}", str(i)) for i in range(5)], max_files=2)]
        [2, 2, 1]
    """
    sizes = []
    for task in tasks:
        try:
            sizes.append(os.path.getsize(task.path))
        except OSError:
            sizes.append(0)
    remaining = sum(sizes)
    chunks: list[list[Task]] = []
    size = limit = 0
    for task, length in zip(tasks, sizes, strict=True):
        if not chunks or size + length > limit or len(chunks[-1]) >= max_files:
            chunks.append([])
            size = 0
            guided = remaining // (4 * workers) if workers > 1 else max_bytes
            limit = max(max_bytes // 8, min(max_bytes, guided))
        chunks[-1].append(task)
        size += length
        remaining -= length
    return chunks


def _init_worker(threads: int) -> None:
    from kg.nlp.lac import THREADS_ENV

    # a worker started after the submitting block (segments of a long file) ignores Ctrl-C too
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ[THREADS_ENV] = str(threads)


# --- the per-document cache ------------------------------------------------------------------------


def _cached(out_dir: Path, task: Task) -> DocResult | None:
    """The cached result of a file if its entry was made from the same bytes, manifest entry and code."""
    try:
        digest = hashlib.sha256(Path(task.path).read_bytes()).hexdigest()
    except OSError:
        return None  # processing reports why it cannot be read
    entry = cache.lookup(out_dir, EntryKey(task.doc_id, digest, task.meta))
    return None if entry is None else DocResult(task.doc_id, entry.info, entry.candidates, cached=True)


# --- engines -------------------------------------------------------------------------------------


# Below this many bytes of files a build runs in its own process: starting workers (a process each,
# importing and loading the models) costs more than the second core saves. Measured on the corpus
# pages on 2 cores: 78 kB build in half the time without workers, 311 kB as fast either way.
POOL_MIN_BYTES = 400_000


def _needs_workers(short: list[Task], long: list[Task], jobs: int) -> bool:
    """Whether the files are worth starting ``jobs`` worker processes for."""
    if jobs <= 1:
        return False
    if long:
        return True  # their segments are spread over the workers
    size = 0
    for task in short:
        try:
            size += os.path.getsize(task.path)
        except OSError:
            continue  # processing reports why it cannot be read
    return size >= POOL_MIN_BYTES


def _run_local(tasks: list[Task], jobs: int, segment_chars: int) -> Iterator[DocResult]:
    short, long = _split_long(tasks, segment_chars)
    if not _needs_workers(short, long, jobs):
        jobs = 1
    chunks = chunk_tasks(short, workers=jobs)
    if jobs <= 1 or (not long and len(chunks) <= 1):
        for chunk in chunks:
            yield from process_documents(chunk)
        for task in long:
            yield process_long(task, partial(map, analyse_segment_task), segment_chars=segment_chars)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: onnxruntime's thread pools do not survive a fork of a process that used them;
    # one onnxruntime thread per worker, since the workers already use every core
    context = multiprocessing.get_context("spawn")
    threading.Thread(target=_import_output_modules, daemon=True).start()
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(1,))
    finished = False
    try:
        # every chunk is queued first: the workers process them while this process reads long files,
        # whose segments queue behind them; workers keep their pipeline between tasks. Submitting
        # starts the workers: Ctrl-C is the parent's alone (kg.signals)
        with workers_ignore_sigint():
            futures = [pool.submit(process_documents, chunk) for chunk in chunks]
        for n, task in enumerate(long):
            # after the last long document's segments nothing is left for the workers: they exit
            # before its merge, which would otherwise hold its memory beside theirs
            release = partial(pool.shutdown, wait=True) if n == len(long) - 1 else None
            analyse = partial(pool.map, analyse_segment_task)
            yield process_long(task, analyse, segment_chars=segment_chars, analysed=release)
        for future in futures:
            yield from future.result()
        finished = True
    except KeyboardInterrupt:
        stop_workers(pool)
        raise
    finally:
        # once every result is in, the workers exit while the build writes its outputs
        pool.shutdown(wait=not finished, cancel_futures=not finished)


def _import_output_modules() -> None:
    """Import and load what assembling and writing need while the workers run, instead of after them."""
    import_layout_engine()
    import pypinyin  # noqa: F401  (about half a second: its tables)

    division_table()  # the reference facts of the assembly; half a second, then cached


#: How long ``--scheduler`` may take to answer before the build gives up.
SCHEDULER_TIMEOUT_S = 5


def _run_dask(tasks: list[Task], scheduler: str | None, segment_chars: int) -> Iterator[DocResult]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        raise ImportError("the dask engine needs dask.distributed: pip install 'dask[distributed]'") from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        # refused, unreachable, not an address, or something else answering (its bytes misread as a
        # frame length, seen as a MemoryError): in every case there is no scheduler to use
        except Exception as exc:
            if isinstance(exc, (OSError, TimeoutError)):
                why = f"nothing answered within {SCHEDULER_TIMEOUT_S} s"
            elif isinstance(exc, ValueError):
                why = "not an address Dask understands, e.g. tcp://host:8786"
            else:
                why = "something other than a Dask scheduler answered"
            raise KGError(
                f"--scheduler {scheduler}: no Dask scheduler ({why}); "
                "check the address or leave out --scheduler for a local cluster"
            ) from None
    else:
        client = Client(processes=True, dashboard_address=None)
    try:
        short, long = _split_long(tasks, segment_chars)
        futures = client.map(process_documents, chunk_tasks(short), pure=False)
        results: dict[str, DocResult] = {}
        for task in long:
            analyse = partial(_dask_map, client, analyse_segment_task)
            results[task.doc_id] = process_long(task, analyse, segment_chars=segment_chars)
        for future in as_completed(futures):
            for result in future.result():
                results[result.doc_id] = result
            future.release()
        yield from (results[t.doc_id] for t in tasks)
    finally:
        client.close()


def _dask_map(client: Any, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
    """``map`` on a Dask cluster: results in order, each released once taken."""
    futures = client.map(function, list(items), pure=False)
    for future in futures:
        yield future.result()
        future.release()


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
) -> Iterator[DocResult]:
    """Process every file of a corpus, reusing cached results from ``out_dir`` where the file is unchanged.

    Documents of more than ``segment_chars`` characters are analysed in segments of that length
    (``process_long``); the results are the same as from analysing them whole.

    Raises:
        CorpusError: The directory or its manifest is unusable.
        ValueError: The engine is unknown.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {ENGINES}")
    tasks = _tasks(corpus_dir, out_dir)
    cached = {t.doc_id: _cached(out_dir, t) for t in tasks} if out_dir is not None else {}
    todo = [t for t in tasks if cached.get(t.doc_id) is None]
    if engine == "dask" and todo:
        fresh = _run_dask(todo, scheduler, segment_chars)
    else:
        fresh = _run_local(todo, jobs, segment_chars)
    results: dict[str, DocResult] = {doc_id: hit for doc_id, hit in cached.items() if hit is not None}
    todo_by_id = {t.doc_id: t for t in todo}
    for result in fresh:
        results[result.doc_id] = result
        if progress:
            progress(result.doc_id)
        if out_dir is not None and result.info is not None:
            task = todo_by_id[result.doc_id]
            cache.write_entry(
                out_dir, EntryKey(task.doc_id, result.info.sha256, task.meta), result.info, result.candidates
            )
    for task in tasks:
        done = results.pop(task.doc_id)
        if done.cached and progress:
            progress(task.doc_id)
        yield done


# --- assembly ------------------------------------------------------------------------------------


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

    def document_triples(self, *, chunk: int = 2_000) -> Iterator[tuple[str, Iterator[TripleList]]]:
        """(document id, its triples in pieces of ``chunk`` facts), one document at a time.

        Memory holds one piece at most, however many facts a document states; a piece may repeat
        triples of another (the document, shared entities), which stores and graphs keep once.
        """
        by_key = {e.key: e for e in self.entities}
        labels = {e.key: e.canonical for e in self.entities}
        by_doc: dict[str, list[Fact]] = {}
        for fact in self.facts:
            by_doc.setdefault(fact.evidence.doc_id, []).append(fact)

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


# --- outputs -------------------------------------------------------------------------------------

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


def _write_failure_report(exc: CorpusError, out_dir: Path) -> None:
    report = getattr(exc, "report", None)
    if report is not None:
        write_atomically(out_dir / REPORT_FILE, json.dumps(report, ensure_ascii=False, indent=2) + "\n")


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
) -> dict[str, Any]:
    """Build a corpus into ``out_dir``: graph.ttl, graph.html, report.json and the store.

    Unchanged documents are taken from the cache of the previous build; afterwards the cache holds
    the entries of this build's documents only.

    Raises:
        CorpusError: Nothing could be built (the report is still written).
        StoreError: ``out_dir`` is locked by another run, not writable or short of space (said
            before any document is processed), or an output cannot be written.
    """
    started = time.perf_counter()
    inputs = _input_bytes(corpus_dir, out_dir)
    with writing(out_dir):
        check_space(out_dir, need=needed_bytes(out_dir, inputs))
        results = list(
            process_corpus(
                corpus_dir,
                out_dir=out_dir,
                jobs=jobs,
                engine=engine,
                scheduler=scheduler,
                progress=progress,
                segment_chars=segment_chars,
            )
        )
        if not results:
            raise CorpusError(f"{corpus_dir}: no files to build")
        try:
            assembly = assemble(results, corpus=display_path(corpus_dir))
        except CorpusError as exc:
            _write_failure_report(exc, out_dir)
            raise
        assembly.report["engine"] = {"name": engine, "jobs": jobs if engine == "local" else None}
        report = write_outputs(assembly, out_dir)
        report["timings_s"]["total"] = round(time.perf_counter() - started, 3)
        write_atomically(out_dir / REPORT_FILE, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        # only now: until the new outputs are committed, `kg remove` may still need the old entries
        cache.prune(out_dir, [r.doc_id for r in results if r.info is not None])
    return report


def cached_results(out_dir: Path, *, leave_out: Iterable[str] = ()) -> list[DocResult]:
    """The per-document results of the last build of ``out_dir``, in report order.

    Each comes from the cache entry of the file's version the build used (the report's sha256).

    Args:
        out_dir: The output directory of a build.
        leave_out: Documents not to read (``remove`` does not need their entries).

    Raises:
        StoreError: There is no build in ``out_dir``, or a document's entry is missing, damaged or of
            another version of the file (a later build that failed); ``kg build`` again repairs it.
    """
    report = _last_report(out_dir)
    skip = set(leave_out)
    results = []
    for row in report["documents"]:
        if row["status"] != "ok" or row["doc_id"] in skip:
            continue
        entry = cache.read_entry(out_dir, row["doc_id"])
        if entry is None or entry.info.sha256 != row.get("sha256", entry.info.sha256):
            raise StoreError(
                f"{out_dir}: the cache entry of {row['doc_id']} is missing, damaged or of another version "
                "of the file; run `kg build` again"
            )
        results.append(DocResult(row["doc_id"], entry.info, entry.candidates, cached=True))
    return results


def _near_name(doc_id: str, known: set[str]) -> str:
    """A document id, with the build's closest one when it looks misspelt: ``a.txt (did you mean b.txt?)``."""
    close = difflib.get_close_matches(doc_id, sorted(known), n=1, cutoff=0.8)
    return f"{doc_id} (did you mean {close[0]}?)" if close else doc_id


def remove(out_dir: Path, doc_ids: Iterable[str]) -> dict[str, Any]:
    """Retract documents from a build: their facts go, entities other documents mention stay.

    Raises:
        StoreError: There is no build in ``out_dir``, a document is not part of it, the cache does not
            hold what the build was made from, or ``out_dir`` is locked, not writable or full.
    """
    doc_ids = set(doc_ids)
    with writing(out_dir):
        check_space(out_dir, need=needed_bytes(out_dir))
        report = _last_report(out_dir)
        known = {r["doc_id"] for r in report["documents"] if r["status"] == "ok"}
        missing = sorted(doc_ids - known)
        if missing:
            named = ", ".join(_near_name(doc_id, known) for doc_id in missing)
            raise StoreError(f"{out_dir}: not in the build: {named} (see report.json)")
        kept = cached_results(out_dir, leave_out=doc_ids)
        assembly = assemble(kept, corpus=report.get("corpus", ""))
        assembly.report["removed"] = sorted(doc_ids)
        return write_outputs(assembly, out_dir)


def _last_report(out_dir: Path) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads((out_dir / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{out_dir}: no build report; run `kg build` first") from exc
    return report


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
