"""Find a built document's text again: the corpus file ``report.json`` records, read as the build read it.

The store keeps each evidence sentence with its offsets in the original file, not the documents'
full text, so the document page (``kg.server.pages``) reads the file again through
``kg.corpus.read_document``, the very reader of the build, which also gives the map from normalised
characters back to original offsets. Whether the file is still the one that was built is told by the
SHA-256 in the document's cache entry (``kg.cache``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.cache import read_entry
from kg.errors import CorpusError
from kg.types import Document

__all__ = ["SourceText", "corpus_dir", "read_source"]

REPORT_FILE = "report.json"


@dataclass(frozen=True)
class SourceText:
    """What was found of a document's file.

    Attributes:
        path: Where the file was looked for (None: the build records no corpus directory).
        document: The file read and normalised, or None when it cannot be read.
        problem: Why there is no document (in Chinese, for the page), or "".
        changed: The file's bytes differ from those the build read.
    """

    path: Path | None
    document: Document | None
    problem: str = ""
    changed: bool = False


def corpus_dir(build_dir: Path) -> Path | None:
    """The corpus directory a build was made from, as ``report.json`` records it; None if it does not.

    A relative path is taken from the current directory, where ``kg build`` was most likely run, and
    else from the build directory's parent.
    """
    try:
        recorded = json.loads((build_dir / REPORT_FILE).read_text(encoding="utf-8")).get("corpus")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(recorded, str) or not recorded:
        return None
    path = Path(recorded)
    if path.is_absolute():
        return path
    for base in (Path.cwd(), build_dir.resolve().parent):
        if (base / path).is_dir():
            return base / path
    return path


def read_source(build_dir: Path, doc_id: str) -> SourceText:
    """The file of ``doc_id`` from the build's corpus, read and normalised as the build did.

    Never raises for a missing, unreadable or changed file: the page says what happened instead.
    """
    corpus = corpus_dir(build_dir)
    if corpus is None:
        return SourceText(None, None, f"{REPORT_FILE} 中没有记录语料目录")
    path = corpus / doc_id
    try:
        inside = path.resolve().is_relative_to(corpus.resolve())
        stat = path.stat()
    except OSError:
        hint = (
            ""
            if corpus.is_absolute()
            else f"；构建记录的语料目录 {corpus} 是相对路径，请在运行 kg build 的目录中启动 kg serve"
        )
        return SourceText(path, None, "原文文件已不在构建时的位置" + hint)
    if not inside:  # a document id cannot point out of the corpus, whatever it holds
        return SourceText(path, None, "文档路径不在语料目录内")
    entry = read_entry(build_dir, doc_id)
    return _read(path, doc_id, stat.st_mtime_ns, stat.st_size, entry.info.sha256 if entry else "")


@lru_cache(maxsize=32)  # keyed on the file's mtime and size, so an edited file is read again
def _read(path: Path, doc_id: str, mtime_ns: int, size: int, built_sha256: str) -> SourceText:
    from kg.corpus import read_document

    try:
        data = path.read_bytes()
        document = read_document(path, doc_id=doc_id)
    except OSError:
        return SourceText(path, None, "原文文件无法读取")
    except CorpusError as exc:
        return SourceText(path, None, f"原文文件无法读取：{exc}")
    changed = bool(built_sha256) and hashlib.sha256(data).hexdigest() != built_sha256
    return SourceText(path, document, changed=changed)
