"""List a corpus directory's files (.kgignore, hidden and excluded folders) and name its documents."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.corpus.documents import IGNORE_NAME, MANIFEST_NAME, display_path, read_document, read_manifest
from kg.errors import CorpusError
from kg.types import Document, Skipped


def document_id(path: Path, corpus_dir: Path) -> str:
    """The id of a corpus file: its path below the corpus with ``/`` separators, as ``display_path`` shows it.

    Examples:
        >>> document_id(Path("corpus/2023/a.txt"), Path("corpus"))
        '2023/a.txt'
    """
    return display_path(path.relative_to(corpus_dir).as_posix())


def list_corpus(corpus_dir: Path, *, exclude: Iterable[Path] = ()) -> list[Path]:
    """The files of a corpus directory (recursively), sorted by relative path.

    Args:
        corpus_dir: The corpus directory.
        exclude: Directories whose files are no part of the corpus, such as the build's own output
            directory placed inside the corpus (its graph.html would be read back as a document).

    Raises:
        CorpusError: The directory does not exist or is not a directory.
    """
    if not corpus_dir.exists():
        raise CorpusError(f"{corpus_dir}: corpus directory does not exist")
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: not a directory")
    root = corpus_dir.resolve()
    skipped = []
    for folder in exclude:
        try:
            parts = folder.resolve().relative_to(root).parts
        except ValueError:
            continue  # outside the corpus: nothing to leave out
        if parts:  # the corpus directory itself is never left out
            skipped.append(parts)
    ignored = read_ignore(corpus_dir)
    found: list[tuple[str, Path]] = []
    _walk(corpus_dir, (), set(skipped), ignored, found)
    return [path for _, path in sorted(found)]


def _walk(
    folder: Path,
    parts: tuple[str, ...],
    skipped: set[tuple[str, ...]],
    ignored: tuple[str, ...],
    found: list[tuple[str, Path]],
) -> None:
    """Add the corpus files below ``folder`` (``parts`` below the corpus) to ``found``.

    One ``scandir`` per folder, whose entries know their kind without another system call each: at
    tens of thousands of files this listing is repeated by every build and ``kg add``. A broken link
    is listed too (and reported unreadable), and so is a file of a kind that is not read (reported
    skipped with the reason): nothing is left out silently, except the manifest, hidden files and
    folders (.git, .DS_Store), the excluded folders, what .kgignore names, and links to folders
    (which are not followed).
    """
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except PermissionError:
        return  # an unreadable folder has no files to list
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not entry.is_symlink() and (*parts, entry.name) not in skipped:
                _walk(folder / entry.name, (*parts, entry.name), skipped, ignored, found)
            continue
        if not (entry.is_file() or entry.is_symlink()):
            continue  # a socket or a named pipe is no document
        relative = "/".join((*parts, entry.name))
        if relative != MANIFEST_NAME and not _ignored(relative, ignored):
            found.append((relative, folder / entry.name))


def read_ignore(corpus_dir: Path) -> tuple[str, ...]:
    """The patterns of ``.kgignore`` in the corpus directory: one per line, ``#`` comments, blank lines.

    A pattern ending in ``/`` names a folder (``gold/``); any other is matched with shell wildcards
    against the path below the corpus and against the file name (``old/*.txt``, ``draft-*``).

    Raises:
        CorpusError: The file exists but cannot be read as UTF-8 text.
    """
    path = corpus_dir / IGNORE_NAME
    if not path.is_file():
        return ()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: unreadable: {exc}") from exc
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def _ignored(relative: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``.kgignore`` leaves out a file, by its path below the corpus.

    Examples:
        >>> _ignored("gold/a.jsonl", ("gold/",)), _ignored("a.txt", ("gold/", "draft-*"))
        (True, False)
    """
    from fnmatch import fnmatchcase

    name = relative.rpartition("/")[2]
    return any(
        relative.startswith(pattern)
        if pattern.endswith("/")
        else fnmatchcase(relative, pattern) or fnmatchcase(name, pattern)
        for pattern in patterns
    )


def load_corpus(corpus_dir: Path) -> Iterator[Document | Skipped]:
    """Yield every text file of the corpus as a Document, or as Skipped with the reason.

    Raises:
        CorpusError: The corpus directory or its manifest is unusable.
    """
    manifest = read_manifest(corpus_dir)
    for path in list_corpus(corpus_dir):
        doc_id = document_id(path, corpus_dir)
        try:
            yield read_document(path, doc_id=doc_id, meta=manifest.get(doc_id))
        except CorpusError as exc:
            yield Skipped(doc_id, str(exc).removeprefix(f"{doc_id}: "))
