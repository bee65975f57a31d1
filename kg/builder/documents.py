"""Turn one input file into its candidate facts: read, analyse, extract; long files in segments.

Everything here runs where an engine (``kg.builder.engines``) puts it, in this process or in a
worker: it takes and returns plain data (``Task`` in, ``DocResult`` out).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.corpus import read_document
from kg.errors import CorpusError
from kg.types import Candidate, Document, DocumentInfo

if TYPE_CHECKING:  # the parent of a parallel build imports the NLP stage only for long documents
    from kg.nlp.segments import SegmentAnalysis


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
    in_snapshot: bool = False  # taken from the store version's snapshot, which therefore holds it already


def read_task(task: Task, *, apart: bool = False) -> tuple[Document, DocumentInfo] | DocResult:
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
        read = read_task(task)
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
    read = read_task(task, apart=True)
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


def split_long(tasks: list[Task], segment_chars: int) -> tuple[list[Task], list[Task]]:
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
