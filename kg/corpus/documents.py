"""Read one file into a normalised Document: decoding, HTML/PDF/Word text, the manifest, sentences."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from kg.corpus.aligned import Aligned
from kg.corpus.normalise import ARTICLE_NORMALIZERS, NORMALIZERS, normalize_text, strip_html
from kg.errors import CorpusError
from kg.types import Document

MANIFEST_NAME = "manifest.json"
#: Patterns of corpus files that are no documents (gold annotations, notes), one per line.
IGNORE_NAME = ".kgignore"
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
#: The files a corpus is built from; every other file is listed too and reported as skipped.
TEXT_SUFFIXES = (".txt", *HTML_SUFFIXES, *PDF_SUFFIXES, *DOCX_SUFFIXES)
#: Why a kind of file the corpus may hold is not read, and what to do instead.
UNSUPPORTED = {
    ".doc": "legacy Word .doc is not read; save it as .docx",
    ".wps": "WPS documents are not read; save it as .docx",
    ".rtf": "RTF is not read; save it as .docx or .txt",
}
MAX_FILE_BYTES = 200_000_000


_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』)）]*|\n")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Half-open spans of the sentences of a normalised text, without the newline separators.

    Examples:
        >>> t = "他说：“好。”我们走！\\n标题"
        >>> [t[s:e] for s, e in split_sentences(t)]
        ['他说：“好。”', '我们走！', '标题']
    """
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() if match.group() == "\n" else match.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def decode_bytes(data: bytes, *, name: str) -> str:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030.

    Raises:
        CorpusError: The bytes are empty, binary, or in no supported encoding.

    Examples:
        >>> decode_bytes("党建".encode("gb18030"), name="a.txt")
        '党建'
    """
    if not data.strip():
        raise CorpusError(f"{name}: empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{name}: invalid UTF-16 at byte {exc.start}") from exc
    if b"\x00" in data:
        raise CorpusError(f"{name}: binary file (contains NUL bytes), not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError(f"{name}: not UTF-8, UTF-16 or GB18030 text; re-encode it as UTF-8")


def read_manifest(corpus_dir: Path) -> dict[str, dict[str, str]]:
    """Read ``manifest.json`` (file name -> {title, newspaper, date, ...}); missing means empty.

    Raises:
        CorpusError: The manifest exists but is not a JSON object of objects.
    """
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path}: unreadable manifest: {exc}") from exc
    documents = data.get("documents", data) if isinstance(data, dict) else None
    if not isinstance(documents, dict) or not all(isinstance(v, dict) for v in documents.values()):
        raise CorpusError(f"{path}: expected an object mapping file names to objects")
    return {k: {kk: str(vv) for kk, vv in v.items() if vv is not None} for k, v in documents.items()}


def read_document(path: Path, *, doc_id: str | None = None, meta: dict[str, str] | None = None) -> Document:
    """Read and normalise one file: plain text, HTML, PDF or DOCX.

    For PDF and DOCX the document's ``original`` is the extracted text (offsets point into it), and a
    PDF's page start offsets go to ``meta["pages"]`` (comma-separated), so every evidence sentence's
    page can be found. For an HTML page only the article counts; offsets still point into the page.

    Raises:
        CorpusError: The file cannot be read, is too large, empty, binary, undecodable or of a kind
            that is not read.
    """
    doc_id = doc_id or display_path(path.name)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise CorpusError(f"{doc_id}: {UNSUPPORTED.get(suffix) or _unsupported(suffix)}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(f"{doc_id}: file of {size} bytes exceeds the {MAX_FILE_BYTES}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{doc_id}: cannot read: {exc.strerror or exc}") from exc
    meta = dict(meta or {})
    found_title = ""
    if suffix in PDF_SUFFIXES + DOCX_SUFFIXES:
        from kg.readers import read_docx, read_pdf

        extracted = (read_pdf if suffix in PDF_SUFFIXES else read_docx)(data, name=doc_id)
        original = extracted.text
        if extracted.page_starts:
            meta["pages"] = ",".join(map(str, extracted.page_starts))
        # a PDF's lines are layout lines (rejoined as in a newspaper file); a DOCX's are paragraphs
        aligned = normalize_text(
            original, normalizers=NORMALIZERS if extracted.page_starts else ARTICLE_NORMALIZERS
        )
    else:
        original = decode_bytes(data, name=doc_id)
        if suffix in HTML_SUFFIXES or original.lstrip()[:200].lower().startswith(("<!doctype html", "<html")):
            start, found_title, date = _html_article(original)
            if date and not meta.get("date"):
                meta["date"] = date
            # the extractor's lines are the page's paragraphs: no layout lines to rejoin or undouble
            article = start is not None
            aligned = normalize_text(
                original,
                start=start or strip_html(Aligned.of(original)),
                normalizers=ARTICLE_NORMALIZERS if article else NORMALIZERS,
            )
        else:
            aligned = normalize_text(original)
    if not aligned.text.strip():
        raise CorpusError(f"{doc_id}: no text left after normalisation")
    title = meta.pop("title", "") or found_title or aligned.text.split("\n", 1)[0][:60]
    return Document(
        doc_id=doc_id,
        text=aligned.text,
        original=original,
        origin=aligned.origin,
        title=title,
        meta=tuple(sorted(meta.items())),
    )


def _unsupported(suffix: str) -> str:
    kinds = ", ".join(TEXT_SUFFIXES)
    return f"{suffix or 'a file without extension'} is not read (only {kinds}); convert it or move it out"


def _html_article(original: str) -> tuple[Aligned | None, str, str]:
    """The article of a page as an Aligned text with offsets into the page, its title and date.

    The extractor (trafilatura) returns plain lines; each is found again in the page's text, in order,
    so offsets still point into the HTML file. A page where that fails, or where no article is found,
    gives None: it is then read whole, tags stripped.
    """
    from kg.readers import read_html

    stripped = strip_html(Aligned.of(original))
    article = read_html(original)
    lines = list(article.lines)
    if article.title and (not lines or lines[0] != article.title):
        lines.insert(0, article.title)
    text: list[str] = []
    origin: list[int] = []
    pos = 0
    for number, line in enumerate(lines):
        at = stripped.text.find(line, pos)
        if at < 0 and number == 0 and line == article.title:
            continue  # a title only in <title> or a meta tag: not part of the text
        if at < 0:
            return None, article.title, article.date
        if text:
            text.append("\n")
            origin.append(stripped.origin[pos - 1])
        text.extend(line)
        origin.extend(stripped.origin[at : at + len(line)])
        pos = at + len(line)
    if not text:
        return None, article.title, article.date
    return Aligned("".join(text), tuple(origin)), article.title, article.date


def display_path(path: Path | str) -> str:
    r"""A path as text that can always be written out: bytes of a name that are not UTF-8 as ``\xNN``.

    Python keeps such bytes as lone surrogates, which no UTF-8 file, JSON report or IRI accepts.

    Examples:
        >>> display_path(os.fsdecode(b"corpus/\xff\xfe.txt"))
        'corpus/\\xff\\xfe.txt'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")
