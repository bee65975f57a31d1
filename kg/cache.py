"""The per-document cache of a build: one checksummed entry per document, keyed by its id.

An entry is the file ``OUT_DIR/cache/<hash of the doc id>.jsonl``, so a document has one entry at
most: processing it again overwrites the old one, and entries of documents that left the corpus are
pruned after each build. An entry is JSON Lines:

1. a header: the document id, the SHA-256 of the file's bytes, the pipeline fingerprint and the
   manifest entry (title included) the document was read with;
2. the document info (``kg.types.DocumentInfo``);
3. one candidate fact a line (streamed both ways: a document may hold many), as an array: the
   subject's fields, the predicate, the object's fields, the index of its evidence and the post, each
   evidence (document, sentence, offsets) written once, as ``{"evidence": [...]}``, on the line before
   the first candidate it supports: a sentence states several facts, and repeating it on each line
   made the cache several times the size of the corpus;
4. a trailer: the number of lines and the SHA-256 of all lines before it.

An entry is used only whole: a missing or wrong trailer (a file cut short, at a line boundary or
not), a bad line or a header that does not match the file as it is now means the document is
processed again, never that part of the entry is taken. A module of its own, not part of
``kg.pipeline``, because ``kg remove`` reads the cache too and the format is its own job.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

from kg import __version__
from kg.errors import StoreError
from kg.types import Candidate, DocumentInfo, Evidence, Mention

CACHE_DIR = "cache"
ENTRY_SUFFIX = ".jsonl"
# entries of an older layout are never read (format 1 had no header, trailer or key by doc id; format 2
# spelled every field's name and repeated the evidence sentence on every candidate's line)
FORMAT = 3


@cache
def pipeline_fingerprint() -> str:
    """Hash of the code and data that turn a file into candidates; a change invalidates the cache."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    parts = [
        *sorted((root / "corpus").glob("*.py")),
        root / "divisions.py",
        root / "types.py",
        *sorted((root / "extract").glob("*.py")),
        *sorted((root / "nlp").rglob("*.py")),
    ]
    for path in [*parts, *sorted((root / "data").glob("*"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class EntryKey:
    """What an entry must have been made from to stand for a document as it is now."""

    doc_id: str
    sha256: str  # of the file's bytes
    meta: tuple[tuple[str, str], ...] = ()  # the manifest entry, title included
    fingerprint: str = ""

    def header(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "doc_id": self.doc_id,
            "sha256": self.sha256,
            "fingerprint": self.fingerprint or pipeline_fingerprint(),
            "meta": [list(kv) for kv in self.meta],
        }


def entry_path(out_dir: Path, doc_id: str) -> Path:
    """Where the entry of a document lives: a hash of its id, so any file name gives a safe path.

    Examples:
        >>> entry_path(Path("out"), "a.txt").name
        '18b7cb099a9ea3f50ba899b5ba81e0d3.jsonl'
    """
    # surrogatepass: ids are valid text (kg.corpus renders undecodable file names), but a caller
    # of the library may pass any str, and a cache key must never be the reason a build fails
    key = hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()
    return out_dir / CACHE_DIR / f"{key[:32]}{ENTRY_SUFFIX}"


_MENTION_FIELDS = tuple(f.name for f in fields(Mention))
_EVIDENCE_FIELDS = tuple(f.name for f in fields(Evidence))


def _fields(item: Mention | Evidence, names: tuple[str, ...]) -> list[Any]:
    return [getattr(item, name) for name in names]


def entry_lines(candidates: Iterable[Candidate]) -> Iterator[Any]:
    """The JSON values of the candidate lines of an entry, evidence lines included.

    Examples:
        >>> said = Evidence("a.txt", "王强任县财政局局长。", 0, 10)
        >>> person = Mention("王强", "Person", "王强", 0, 2)
        >>> body = Mention("县财政局", "GovernmentBody", "县财政局", 3, 7)
        >>> evidence, candidate = entry_lines([Candidate(person, "heads", body, said, "局长")])
        >>> evidence
        {'evidence': ['a.txt', '王强任县财政局局长。', 0, 10]}
        >>> candidate[1:]
        ['heads', ['县财政局', 'GovernmentBody', '县财政局', 3, 7, '', ''], 0, '局长']
    """
    index: dict[Evidence, int] = {}
    for c in candidates:
        number = index.get(c.evidence)
        if number is None:
            number = index[c.evidence] = len(index)
            yield {"evidence": _fields(c.evidence, _EVIDENCE_FIELDS)}
        yield [
            _fields(c.subject, _MENTION_FIELDS),
            c.predicate,
            _fields(c.object, _MENTION_FIELDS),
            number,
            c.post,
        ]


def _candidates(values: list[Any]) -> list[Candidate]:
    """The candidates of an entry's candidate and evidence lines (``entry_lines``)."""
    evidence: list[Evidence] = []
    candidates = []
    for value in values:
        if isinstance(value, dict):
            evidence.append(Evidence(*value["evidence"]))
            continue
        subject, predicate, obj, number, post = value
        candidates.append(Candidate(Mention(*subject), predicate, Mention(*obj), evidence[number], post))
    return candidates


def _line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


def write_entry(out_dir: Path, key: EntryKey, info: DocumentInfo, candidates: Iterable[Candidate]) -> None:
    """Write a document's entry through a temporary file and a rename, replacing its old one.

    Raises:
        StoreError: The entry cannot be written (disk full, read-only directory ...).
    """
    path = entry_path(out_dir, key.doc_id)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    count = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            for value in chain([key.header(), asdict(info)], entry_lines(candidates)):
                data = _line(value)
                digest.update(data)
                handle.write(data)
                count += 1
            handle.write(_line({"lines": count, "sha256": digest.hexdigest()}))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"{path}: cannot write the cache entry of {key.doc_id}: {exc.strerror or exc}"
        ) from exc


@dataclass
class Entry:
    """A whole, checksummed entry as read back."""

    header: dict[str, Any]
    info: DocumentInfo
    candidates: list[Candidate]


def read_entry(out_dir: Path, doc_id: str) -> Entry | None:
    """The entry of ``doc_id`` if it is there, whole and for that id; otherwise None.

    Examples:
        >>> read_entry(Path("/nonexistent"), "a.txt") is None
        True
    """
    try:
        with entry_path(out_dir, doc_id).open("rb") as handle:
            digest = hashlib.sha256()
            values: list[Any] = []
            previous = None
            for line in handle:
                # a line is hashed only once the next one shows it was not the trailer
                if previous is not None:
                    digest.update(previous)
                    values.append(json.loads(previous))
                previous = line
    except (OSError, ValueError):
        return None
    try:
        trailer = json.loads(previous) if previous is not None and previous.endswith(b"\n") else None
        if not isinstance(trailer, dict) or trailer != {"lines": len(values), "sha256": digest.hexdigest()}:
            return None  # cut short, damaged or not an entry: the caller processes the document again
        header, info, *records = values
        if header.get("format") != FORMAT or header.get("doc_id") != doc_id:
            return None
        info = DocumentInfo(**{**info, "meta": tuple(tuple(kv) for kv in info["meta"])})
        return Entry(header, info, _candidates(records))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def lookup(out_dir: Path, key: EntryKey) -> Entry | None:
    """The entry of a document if it was made from the same bytes, manifest entry and pipeline."""
    entry = read_entry(out_dir, key.doc_id)
    if entry is None or entry.header != key.header():
        return None
    return entry


def prune(out_dir: Path, doc_ids: Iterable[str]) -> int:
    """Delete every entry but those of ``doc_ids``, and temporary files of killed writers.

    Returns:
        The number of files deleted.
    """
    keep = {entry_path(out_dir, doc_id).name for doc_id in doc_ids}
    removed = 0
    for path in (out_dir / CACHE_DIR).glob("*"):
        if path.name not in keep and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
