"""Find entity names in text and cut it into marked pieces, as spaCy's displacy marks entities.

Pure functions on plain strings, so that the entity and document pages (``kg.server.pages``) only
turn pieces into HTML. The store keeps no character offsets of mentions, only of evidence sentences,
so mentions are found again by name: every label and alias of the entities concerned, longest match
first, left to right, never overlapping. A name that a sentence gives in another form (``该村``) is
not marked; the fact's ends are still named beside the sentence.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

__all__ = ["Mark", "Piece", "find_mentions", "normalised_span", "pieces"]

#: Shorter names are not looked for: a one-character alias (旗, 村) would mark half the text.
MIN_NAME_CHARS = 2


@dataclass(frozen=True)
class Mark:
    """A mention found in a text: ``text[start:end]`` names entity ``key`` of class ``group``."""

    start: int
    end: int
    key: str
    group: str


@dataclass(frozen=True)
class Piece:
    """A run of text, a marked mention (``mark``) or plain (``mark`` is None)."""

    text: str
    mark: Mark | None = None


def find_mentions(text: str, names: Iterable[tuple[str, str, str]]) -> list[Mark]:
    """Mentions of the given names in ``text``: longest first, leftmost first, none overlapping.

    Args:
        text: The text to search.
        names: (name, entity key, class) triples; when two entities share a name, the first given wins.

    Returns:
        Marks sorted by start.

    Examples:
        >>> names = [("乌审旗", "a", "County"), ("图克镇", "b", "Township"), ("乌审", "c", "Place")]
        >>> marks = find_mentions("乌审旗图克镇乌审旗", names)
        >>> [(m.start, m.end, m.key) for m in marks]
        [(0, 3, 'a'), (3, 6, 'b'), (6, 9, 'a')]
    """
    automaton = ahocorasick.Automaton()
    for name, key, group in names:
        if len(name) >= MIN_NAME_CHARS and name not in automaton:
            automaton.add_word(name, (name, key, group))
    if not len(automaton):
        return []
    automaton.make_automaton()
    found = [(end + 1 - len(name), end + 1, key, group) for end, (name, key, group) in automaton.iter(text)]
    found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))  # longest first, then leftmost
    taken = [False] * len(text)
    marks = []
    for start, end, key, group in found:
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            marks.append(Mark(start, end, key, group))
    return sorted(marks, key=lambda m: m.start)


def pieces(text: str, marks: Sequence[Mark], *, offset: int = 0) -> list[Piece]:
    """``text`` cut at the marks that lie wholly inside it; marks are in the coordinates of ``offset``.

    Examples:
        >>> cut = pieces("董晶说", [Mark(10, 12, "p", "Person")], offset=10)
        >>> [(p.text, p.mark and p.mark.key) for p in cut]
        [('董晶', 'p'), ('说', None)]
    """
    out: list[Piece] = []
    pos = 0
    for mark in marks:
        start, end = mark.start - offset, mark.end - offset
        if start < pos or end > len(text):
            continue
        if start > pos:
            out.append(Piece(text[pos:start]))
        out.append(Piece(text[start:end], mark))
        pos = end
    if pos < len(text):
        out.append(Piece(text[pos:]))
    return out


def normalised_span(
    origin: Sequence[int], text: str, start: int, end: int, sentence: str
) -> tuple[int, int] | None:
    """Where a sentence stored with offsets into the original file lies in the normalised ``text``.

    ``origin[i]`` is the original offset of ``text[i]`` (``kg.types.Document.origin``); evidence spans
    are ``(origin[first], origin[last] + 1)``. When the text there is not the sentence (the file has
    changed since the build), the sentence is looked for anywhere in the text.

    Returns:
        A half-open span of ``text``, or None when the sentence is not in it.

    Examples:
        >>> normalised_span((0, 2, 3), "abc", 2, 4, "bc")
        (1, 3)
        >>> normalised_span((0, 1, 2), "xbc", 0, 2, "bc"), normalised_span((0,), "x", 0, 1, "y")
        ((1, 3), None)
    """
    i, j = bisect_left(origin, start), bisect_left(origin, end)
    if text[i:j] == sentence:
        return i, j
    found = text.find(sentence) if sentence else -1
    return (found, found + len(sentence)) if found >= 0 else None
