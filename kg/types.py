"""Plain, frozen data records passed between pipeline stages.

Stages communicate only through these records, so each stage can be tested with hand-built inputs.
Offsets named ``start``/``end`` are half-open character offsets; the ``Evidence`` offsets refer to the
original file's characters, the ``Mention`` offsets to the document's normalised text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    """One normalised input document.

    Attributes:
        doc_id: The file name inside the corpus directory (stable across machines).
        text: Normalised text; ``"\\n"`` separates segments (paragraphs, headlines, captions).
        original: The file's decoded text, untouched (for PDF and DOCX: the text extracted from it).
        origin: ``origin[i]`` is the offset in ``original`` of ``text[i]``.
        title: Title from the manifest, else the first segment.
        meta: Further manifest fields (newspaper, date, ...).
    """

    doc_id: str
    text: str
    original: str
    origin: Sequence[int]
    title: str = ""
    meta: tuple[tuple[str, str], ...] = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``text`` to the covering span of ``original``.

        Examples:
            >>> d = Document("a.txt", "ab", "a\\nb", (0, 2))
            >>> d.original_span(0, 2)
            (0, 3)
        """
        if end <= start:
            pos = self.origin[start] if start < len(self.origin) else len(self.original)
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the graph records of a document, without its text."""

    doc_id: str
    title: str = ""
    meta: tuple[tuple[str, str], ...] = ()
    sha256: str = ""
    chars: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input file that was not built, with the reason."""

    doc_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A named thing as the text refers to it.

    Attributes:
        name: The fullest name the text supports (``鄂尔多斯市住建局`` for ``市住建局`` in an Ordos article).
        kind: Ontology class local name (``Person``, ``Village``, ``GovernmentBody`` ...).
        surface: The characters as written.
        start: Start offset in the normalised text.
        end: End offset in the normalised text.
        parent: For places, the name of the containing place when the text chains it, else ``""``.
        code: For places, the official division code when the table identifies the place, else ``""``.
    """

    name: str
    kind: str
    surface: str
    start: int
    end: int
    parent: str = ""
    code: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact is stated: the sentence and its span in the original file."""

    doc_id: str
    sentence: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A relation between two mentions, as extracted from one sentence."""

    subject: Mention
    predicate: str
    object: Mention
    evidence: Evidence
    post: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world thing: canonical (fullest) name plus the other names seen for it."""

    key: str
    canonical: str
    kind: str
    aliases: frozenset[str] = field(default_factory=frozenset)
    code: str = ""  # official division code of a place the table identifies


@dataclass(frozen=True, slots=True)
class Fact:
    """A resolved relation between two entities (by key), with its evidence."""

    subject: str
    predicate: str
    object: str
    evidence: Evidence
    post: str = ""
