"""Take new files into a build's corpus (``kg add``) and remember where they came from.

An added file is copied into the corpus directory, under its own name, so that the corpus stays
the one truth of what a build holds: a later ``kg build`` of the corpus reads it like any other
file, and a clean build of the corpus equals the incremental one. ``OUT_DIR/added.json`` records,
per document id, the path it was added from and the SHA-256 of its bytes; the build report gives
that path as the document's ``source`` while the file in the corpus still has those bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.corpus import TEXT_SUFFIXES, document_id, list_corpus
from kg.errors import CorpusError
from kg.store import write_atomically

ADDED_FILE = "added.json"


def read_added(out_dir: Path) -> dict[str, dict[str, str]]:
    """Where added documents came from: ``{doc_id: {"from": path, "sha256": digest}}`` ({} if none)."""
    try:
        added = json.loads((out_dir / ADDED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return added if isinstance(added, dict) else {}


def write_added(out_dir: Path, added: dict[str, Any]) -> None:
    """Replace ``OUT_DIR/added.json`` (deleted when nothing is recorded)."""
    if added:
        write_atomically(
            out_dir / ADDED_FILE, json.dumps(added, ensure_ascii=False, indent=1, sort_keys=True)
        )
    else:
        (out_dir / ADDED_FILE).unlink(missing_ok=True)


def _check(path: Path) -> bytes:
    """The bytes of a file to add.

    Raises:
        CorpusError: It is missing, not a file, unreadable, hidden or of a kind the build does not read.
    """
    if not path.exists():
        raise CorpusError(f"{path}: no such file")
    if not path.is_file():
        raise CorpusError(
            f"{path}: not a file; `kg add` takes files (copy a folder into the corpus and run kg build)"
        )
    if path.name.startswith("."):
        raise CorpusError(f"{path}: a hidden file is no part of a corpus; rename it")
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise CorpusError(f"{path}: not a kind of file the build reads ({', '.join(TEXT_SUFFIXES)})")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def ingest_files(files: Iterable[Path], corpus_dir: Path, out_dir: Path) -> dict[str, str]:
    """Copy files into the top of ``corpus_dir`` and record them in ``OUT_DIR/added.json``.

    Every file is checked before any is copied. A file already at its place in the corpus is not
    copied, and one with the same name is replaced.

    Returns:
        ``{doc_id: "new" | "changed" | "unchanged"}``, in the order given.

    Raises:
        CorpusError: The corpus directory is missing, a file cannot be added (see ``_check``), two
            files share a name, or the corpus's .kgignore leaves the name out.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: corpus directory does not exist; pass --corpus")
    contents: dict[str, tuple[Path, bytes]] = {}
    for path in files:
        data = _check(path)
        if path.name in contents:
            raise CorpusError(f"{path}: two files named {path.name}; the corpus holds one")
        contents[path.name] = (path, data)
    added = read_added(out_dir)
    states: dict[str, str] = {}
    for name, (path, data) in contents.items():
        target = corpus_dir / name
        doc_id = document_id(target, corpus_dir)
        try:
            before: bytes | None = target.read_bytes()
        except OSError:
            before = None
        states[doc_id] = "unchanged" if before == data else "new" if before is None else "changed"
        if before != data:
            tmp = corpus_dir / f".{name}.{os.getpid()}.tmp"  # hidden: never read as a document
            tmp.write_bytes(data)
            os.replace(tmp, target)
        if path.resolve() != target.resolve():
            added[doc_id] = {"from": str(path.resolve()), "sha256": hashlib.sha256(data).hexdigest()}
    listed = {document_id(p, corpus_dir) for p in list_corpus(corpus_dir, exclude=[out_dir])}
    left_out = [doc_id for doc_id in states if doc_id not in listed]
    if left_out:
        raise CorpusError(
            f"{corpus_dir}: its .kgignore leaves out {', '.join(left_out)}; the files were copied but "
            "are no part of the corpus: remove them from .kgignore and run kg build"
        )
    write_added(out_dir, added)
    return states
