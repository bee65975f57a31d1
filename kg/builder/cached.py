"""Use the per-document cache in a build: take a file's entry when it still stands for it, write new ones.

The entry format is ``kg.cache``'s; this module decides which entry stands for which file. Each store
version also holds a snapshot of the results it was built from (``results.pickle``: plain tuples,
read several times faster than the entries' JSON), which a rebuild consults first: a document whose
file, manifest entry and pipeline are those of its snapshot record is taken from there, any other
from its entry or processed again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from collections.abc import Iterable
from pathlib import Path
from sys import intern
from typing import Any

from kg import cache
from kg.builder.documents import DocResult, Task
from kg.cache import FORMAT, EntryKey, pipeline_fingerprint
from kg.errors import StoreError
from kg.store import write_atomically
from kg.types import Candidate, DocumentInfo, Evidence, Mention

SNAPSHOT_FILE = "results.pickle"

# doc id -> (sha256, manifest entry, DocumentInfo fields, candidates as nested tuples)
Snapshot = dict[str, tuple[str, tuple[tuple[str, str], ...], tuple[Any, ...], list[tuple[Any, ...]]]]


def cached_result(out_dir: Path, task: Task, snapshot: Snapshot | None = None) -> DocResult | None:
    """The cached result of a file if it was made from the same bytes, manifest entry and code.

    Taken from ``snapshot`` (``load_snapshot``) when it holds the file, else from its cache entry.
    """
    try:
        digest = hashlib.sha256(Path(task.path).read_bytes()).hexdigest()
    except OSError:
        return None  # processing reports why it cannot be read
    record = snapshot.get(task.doc_id) if snapshot else None
    if record is not None and record[0] == digest and record[1] == task.meta:
        return DocResult(task.doc_id, DocumentInfo(*record[2]), _candidates(record[3]), cached=True)
    entry = cache.lookup(out_dir, EntryKey(task.doc_id, digest, task.meta))
    return (
        None
        if entry is None
        else compact_result(DocResult(task.doc_id, entry.info, entry.candidates, cached=True))
    )


def store_result(out_dir: Path, task: Task, result: DocResult) -> None:
    """Write the cache entry of a freshly processed file (nothing for a file that was skipped).

    Raises:
        StoreError: The entry cannot be written.
    """
    if result.info is not None:
        cache.write_entry(
            out_dir, EntryKey(task.doc_id, result.info.sha256, task.meta), result.info, result.candidates
        )


def report_results(
    out_dir: Path, report: dict[str, Any], *, leave_out: Iterable[str] = (), snapshot: Snapshot | None = None
) -> list[DocResult]:
    """The per-document results of the build that wrote ``report``, in report order.

    Each comes from the cache entry of the file's version the build used (the report's sha256).

    Args:
        out_dir: The output directory of the build.
        report: Its report.json.
        leave_out: Documents not to read (``remove`` does not need their entries).
        snapshot: The snapshot of the build's store version, read before the entries.

    Raises:
        StoreError: A document's entry is missing, damaged or of another version of the file (a later
            build that failed); ``kg build`` again repairs it.
    """
    skip = set(leave_out)
    results = []
    for row in report["documents"]:
        if row["status"] != "ok" or row["doc_id"] in skip:
            continue
        record = snapshot.get(row["doc_id"]) if snapshot else None
        if record is not None and record[0] == row.get("sha256"):
            results.append(
                DocResult(row["doc_id"], DocumentInfo(*record[2]), _candidates(record[3]), cached=True)
            )
            continue
        entry = cache.read_entry(out_dir, row["doc_id"])
        if entry is None or entry.info.sha256 != row.get("sha256", entry.info.sha256):
            raise StoreError(
                f"{out_dir}: the cache entry of {row['doc_id']} is missing, damaged or of another version "
                "of the file; run `kg build` again"
            )
        results.append(compact_result(DocResult(row["doc_id"], entry.info, entry.candidates, cached=True)))
    return results


def _mention(m: Mention) -> tuple[Any, ...]:
    return m.name, m.kind, m.surface, m.start, m.end, m.parent, m.code


def _candidates(records: list[tuple[Any, ...]], *, interned: bool = False) -> list[Candidate]:
    """A document's candidates from its snapshot records, one object per distinct mention and evidence.

    A sentence often states several facts and a mention takes part in several: at 3 MB of synthetic
    news, 148 000 candidates hold 143 000 distinct mentions (of 296 000) and 25 000 distinct evidence
    sentences. Making each once halves the objects ``kg add`` makes to take the other documents
    from the snapshot (they are frozen, so sharing them is safe). With ``interned``, names are interned
    too: a snapshot's strings are already shared (the pickle kept one copy of each), a worker's not.
    """
    make = _shared_mention if interned else _mention_of
    mentions: dict[tuple[Any, ...], Mention] = {}
    evidence: dict[tuple[Any, ...], Evidence] = {}
    candidates = []
    for subject, predicate, obj, stated, post in records:
        s = mentions.get(subject)
        if s is None:
            s = mentions[subject] = make(subject)
        o = mentions.get(obj)
        if o is None:
            o = mentions[obj] = make(obj)
        e = evidence.get(stated)
        if e is None:
            e = evidence[stated] = Evidence(*stated)
        if interned:
            predicate, post = intern(predicate), intern(post)
        candidates.append(Candidate(s, predicate, o, e, post))
    return candidates


def _mention_of(record: tuple[Any, ...]) -> Mention:
    return Mention(*record)


def _shared_mention(record: tuple[Any, ...]) -> Mention:
    """A mention whose names are interned: across documents the same few names recur again and again."""
    name, kind, surface, start, end, parent, code = record
    return Mention(intern(name), intern(kind), intern(surface), start, end, intern(parent), intern(code))


def compact_result(result: DocResult) -> DocResult:
    """The same result holding one object per distinct mention and evidence, names interned.

    A worker's result, or a cache entry's, makes new objects for every candidate; a build holds
    every document's results until all are resolved, so at 100 MB of news sharing them keeps about
    half of the parent process's memory free.
    """
    if not result.candidates:
        return result
    records = [
        (_mention(c.subject), c.predicate, _mention(c.object), _evidence(c.evidence), c.post)
        for c in result.candidates
    ]
    return dataclasses.replace(result, candidates=_candidates(records, interned=True))


def _snapshot_version() -> str:
    return f"{FORMAT}/{pipeline_fingerprint()}"


def make_snapshot(tasks: dict[str, Task], results: Iterable[DocResult]) -> Snapshot:
    """The snapshot of the results of a build (skipped files have none)."""
    snapshot: Snapshot = {}
    for result in results:
        info = result.info
        if info is None or result.doc_id not in tasks:
            continue
        candidates = [
            (_mention(c.subject), c.predicate, _mention(c.object), _evidence(c.evidence), c.post)
            for c in result.candidates
        ]
        fields = (info.doc_id, info.title, info.meta, info.sha256, info.chars)
        snapshot[result.doc_id] = (info.sha256, tasks[result.doc_id].meta, fields, candidates)
    return snapshot


def write_snapshot(store_dir: Path, snapshot: Snapshot) -> None:
    """Write the snapshot of the results a store version was built from into its directory.

    Raises:
        StoreError: It cannot be written.
    """
    data = pickle.dumps((_snapshot_version(), snapshot), protocol=pickle.HIGHEST_PROTOCOL)
    write_atomically(store_dir / SNAPSHOT_FILE, data)


def _evidence(e: Evidence) -> tuple[Any, ...]:
    return e.doc_id, e.sentence, e.start, e.end


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain data and the named classes only: an output directory is no place to trust code."""

    def __init__(self, data: bytes, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(io.BytesIO(data))
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not expected here")
        return super().find_class(module, name)


def load_plain(data: bytes, allowed: frozenset[tuple[str, str]] = frozenset()) -> Any:
    """``pickle.loads`` for the snapshots kg writes, refusing code.

    Takes tuples, lists, dicts, sets, strings, numbers and the classes in ``allowed`` (module, name);
    anything else fails with ``pickle.UnpicklingError``, which callers treat as no snapshot.
    """
    return _PlainUnpickler(data, allowed).load()


def load_snapshot(store_dir: Path) -> Snapshot | None:
    """The snapshot in a store version's directory, if it is there, whole and of this pipeline."""
    try:
        version, snapshot = load_plain((store_dir / SNAPSHOT_FILE).read_bytes())
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, TypeError, ValueError):
        return None
    return snapshot if version == _snapshot_version() and isinstance(snapshot, dict) else None
