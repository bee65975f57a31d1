"""Read a corpus directory into normalised Documents, undoing newspaper page-layout artefacts.

The normalisers are composed by ``normalize_text``. Unlike plain ``str -> str`` functions they map an
``Aligned`` text to an ``Aligned`` text, because every character must remember its offset in the original
file: provenance offsets always point into the file as it is on disk.

Offsets (``kg.corpus.aligned``), the normalisers (``kg.corpus.normalise``), one file read into a
Document (``kg.corpus.documents``) and a directory listed into files (``kg.corpus.files``).
"""

from __future__ import annotations

from kg.corpus.aligned import OFFSET_TYPE, Aligned, offset_array
from kg.corpus.documents import (
    DOCX_SUFFIXES,
    HTML_SUFFIXES,
    IGNORE_NAME,
    MANIFEST_NAME,
    MAX_FILE_BYTES,
    PDF_SUFFIXES,
    TEXT_SUFFIXES,
    UNSUPPORTED,
    decode_bytes,
    display_path,
    read_document,
    read_manifest,
    split_sentences,
)
from kg.corpus.files import document_id, list_corpus, load_corpus, read_ignore
from kg.corpus.normalise import (
    ARTICLE_NORMALIZERS,
    NORMALIZERS,
    Normalizer,
    join_broken_lines,
    normalize_text,
    remove_layout_spaces,
    remove_private_use,
    strip_html,
    to_simplified,
    undouble_lines,
    unify_characters,
)

__all__ = [
    "ARTICLE_NORMALIZERS",
    "DOCX_SUFFIXES",
    "HTML_SUFFIXES",
    "IGNORE_NAME",
    "MANIFEST_NAME",
    "MAX_FILE_BYTES",
    "NORMALIZERS",
    "OFFSET_TYPE",
    "PDF_SUFFIXES",
    "TEXT_SUFFIXES",
    "UNSUPPORTED",
    "Aligned",
    "Normalizer",
    "decode_bytes",
    "display_path",
    "document_id",
    "join_broken_lines",
    "list_corpus",
    "load_corpus",
    "normalize_text",
    "offset_array",
    "read_document",
    "read_ignore",
    "read_manifest",
    "remove_layout_spaces",
    "remove_private_use",
    "split_sentences",
    "strip_html",
    "to_simplified",
    "undouble_lines",
    "unify_characters",
]
