"""Use the per-document cache in a build: take a file's entry when it still stands for it, write new ones.

The entry format is ``kg.cache``'s; this module decides which entry stands for which file. Each store
version also holds a snapshot of the results it was built from (``results.pickle``: plain tuples,
read several times faster than the entries' JSON), which a rebuild consults first: a document whose
file, manifest entry and pipeline are those of its snapshot record is taken from there, any other
from its entry or processed again. A build that changed few documents writes only their records
(``results-delta.pickle``, applied over the snapshot when it is read) and carries the snapshot over
to the new store version as a hard link: rewriting the whole snapshot for one added article took
about 0.4 s at 3 MB, in proportion to the corpus.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
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
# Records of the documents built since the snapshot was written (None: a document gone since).
DELTA_FILE = "results-delta.pickle"
SNAPSHOT_FILES = (SNAPSHOT_FILE, DELTA_FILE)
# The snapshot is written whole again once its delta holds more records than this share of the
# documents (and at least DELTA_FLOOR): a long delta would make every read apply it.
DELTA_SHARE = 0.1
DELTA_FLOOR = 20

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
        candidates = _candidates(record[3])
        return DocResult(task.doc_id, DocumentInfo(*record[2]), candidates, cached=True, in_snapshot=True)
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
            info, candidates = DocumentInfo(*record[2]), _candidates(record[3])
            results.append(DocResult(row["doc_id"], info, candidates, cached=True, in_snapshot=True))
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
    records = _candidate_records(result.candidates)
    return dataclasses.replace(result, candidates=_candidates(records, interned=True))


def _candidate_records(candidates: list[Candidate]) -> list[tuple[Any, ...]]:
    """Candidates as the plain tuples of a snapshot record (``_candidates`` makes them back)."""
    return [
        (_mention(c.subject), c.predicate, _mention(c.object), _evidence(c.evidence), c.post)
        for c in candidates
    ]


def _snapshot_version() -> str:
    return f"{FORMAT}/{pipeline_fingerprint()}"


def _record(tasks: dict[str, Task], result: DocResult) -> tuple[Any, ...]:
    info = result.info
    assert info is not None
    fields = (info.doc_id, info.title, info.meta, info.sha256, info.chars)
    return info.sha256, tasks[result.doc_id].meta, fields, _candidate_records(result.candidates)


def make_snapshot(tasks: dict[str, Task], results: Iterable[DocResult]) -> Snapshot:
    """The snapshot of the results of a build (skipped files have none)."""
    return {
        result.doc_id: _record(tasks, result)
        for result in results
        if result.info is not None and result.doc_id in tasks
    }


def _base_stamp(store_dir: Path) -> str:
    """Which snapshot file a delta applies to: its size and modification time, kept by hard links."""
    try:
        stat = (store_dir / SNAPSHOT_FILE).stat()
    except OSError:
        return ""
    return f"{stat.st_size}/{stat.st_mtime_ns}"


def _read(path: Path) -> Any:
    try:
        return load_plain(path.read_bytes())
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, TypeError, ValueError):
        return None


def _read_delta(store_dir: Path) -> dict[str, Any]:
    """The delta over the snapshot in ``store_dir``: {} when absent, stale or of another pipeline."""
    data = _read(store_dir / DELTA_FILE)
    if not (isinstance(data, tuple) and len(data) == 3 and isinstance(data[2], dict)):
        return {}
    version, stamp, changes = data
    return changes if version == _snapshot_version() and stamp == _base_stamp(store_dir) else {}


def write_snapshot(store_dir: Path, snapshot: Snapshot) -> None:
    """Write the whole snapshot of the results a store version was built from into its directory.

    Raises:
        StoreError: It cannot be written.
    """
    data = pickle.dumps((_snapshot_version(), snapshot), protocol=pickle.HIGHEST_PROTOCOL)
    write_atomically(store_dir / SNAPSHOT_FILE, data)
    (store_dir / DELTA_FILE).unlink(missing_ok=True)


def save_snapshot(store_dir: Path, tasks: dict[str, Task], results: list[DocResult]) -> None:
    """Record a build's results in the snapshot of its store version ``store_dir``.

    The store version holds the last one's snapshot and delta (``carry_snapshot``). When some of the
    results were taken from them, the records of the others go into the delta, unless it grows too
    long; otherwise the whole snapshot is written again.

    Raises:
        StoreError: It cannot be written.
    """
    built = [r for r in results if r.info is not None and r.doc_id in tasks]
    if any(r.in_snapshot for r in built) and _base_stamp(store_dir):
        changes = _read_delta(store_dir)
        changes.update({r.doc_id: _record(tasks, r) for r in built if not r.in_snapshot})
        if len(changes) <= max(DELTA_FLOOR, DELTA_SHARE * len(built)):
            _write_delta(store_dir, changes)
            return
    write_snapshot(store_dir, make_snapshot(tasks, built))


def drop_from_snapshot(store_dir: Path, doc_ids: Iterable[str]) -> None:
    """Record in the delta of ``store_dir``'s snapshot that documents left the build.

    Raises:
        StoreError: It cannot be written.
    """
    if _base_stamp(store_dir):
        changes = _read_delta(store_dir)
        changes.update(dict.fromkeys(doc_ids))
        _write_delta(store_dir, changes)


def _write_delta(store_dir: Path, changes: dict[str, Any]) -> None:
    data = (_snapshot_version(), _base_stamp(store_dir), changes)
    write_atomically(store_dir / DELTA_FILE, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def carry_snapshot(current: Path | None, staged: Path) -> None:
    """Hard-link the snapshot files of the current store version into the one being staged."""
    if current is None:
        return
    for name in SNAPSHOT_FILES:
        try:
            os.link(current / name, staged / name)
        except FileNotFoundError:
            continue
        except OSError:  # a file system without hard links: the next build writes the snapshot whole
            (staged / SNAPSHOT_FILE).unlink(missing_ok=True)
            return


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
    """The snapshot in a store version's directory with its delta applied, if whole and of this pipeline."""
    data = _read(store_dir / SNAPSHOT_FILE)
    if not (isinstance(data, tuple) and len(data) == 2):
        return None
    version, snapshot = data
    if version != _snapshot_version() or not isinstance(snapshot, dict):
        return None
    for doc_id, record in _read_delta(store_dir).items():
        if record is None:
            snapshot.pop(doc_id, None)
        else:
            snapshot[doc_id] = record
    return snapshot
