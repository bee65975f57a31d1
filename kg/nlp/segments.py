"""Long documents in segments: each analysed on its own, anywhere, and merged as if analysed whole.

A document of many characters is cut at sentence starts into segments (``split_segments``). A
segment's sentences are tagged by LAC and searched for mentions on their own (``analyse_segment``,
in a worker process), with a few sentences after the segment as context: the mention finder looks a
couple of words and a dozen characters ahead (a name's particle, a county's township), and sees them
there as in the whole text. What needs the whole document runs once, on the merged results
(``merge_segments``, via ``kg.nlp.mentions.document_mentions``): the names found again everywhere,
division codes, defined short names and persons inside organisation names. The result equals
``find_mentions`` on the whole text; tests/test_segments.py checks it on real text.

A segment's mentions assume that its own first-pass names are the document's; the merge keeps them
when no other name of the document occurs in the segment (the names then find nothing more there),
and otherwise runs the second pass again from the segment's LAC words, which come back compactly for
that purpose (about 9 bytes a word instead of a Python tuple's 100).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from kg.corpus import split_sentences
from kg.nlp.gazetteer import find_names
from kg.nlp.lac import Word, shared_tagger
from kg.nlp.mentions import LocalMentions, document_mentions, local_mentions
from kg.types import Mention

# The context after a segment: at least this many sentences (each has a word at least) and characters.
CONTEXT_SENTENCES = 3
CONTEXT_CHARS = 64


@dataclass(frozen=True, slots=True)
class Segment:
    """Characters ``start:end`` of a document, analysed with the context up to ``context_end``."""

    start: int
    end: int
    context_end: int


def split_segments(
    text: str, *, size: int, context: tuple[int, int] = (CONTEXT_SENTENCES, CONTEXT_CHARS)
) -> list[Segment]:
    """Consecutive segments of about ``size`` characters covering ``text``, cut where sentences start.

    A segment ends at the first sentence start at least ``size`` characters after its own start, so a
    single sentence longer than that makes a longer segment. Its context runs over at least
    ``context[0]`` sentences and ``context[1]`` characters after it, to a sentence start or the end.

    Examples:
        >>> split_segments("甲。乙。丙。丁。", size=3, context=(1, 1))
        [Segment(start=0, end=4, context_end=6), Segment(start=4, end=8, context_end=8)]
    """
    starts = [s for s, _ in split_sentences(text)][1:]  # cuts: the first sentence opens the text
    sentences, min_chars = context
    segments: list[Segment] = []
    start = 0
    i = 0  # index into starts of the first cut candidate after start
    while True:
        while i < len(starts) and starts[i] - start < size:
            i += 1
        if i >= len(starts):
            segments.append(Segment(start, len(text), len(text)))
            return segments
        end = starts[i]
        j = i + sentences
        while j < len(starts) and starts[j] - end < min_chars:
            j += 1
        segments.append(Segment(start, end, starts[j] if j < len(starts) else len(text)))
        start = end


@dataclass(frozen=True, slots=True)
class SegmentAnalysis:
    """A segment's local mentions (document offsets) and its LAC words (segment offsets), compactly."""

    found: LocalMentions
    starts: array[int]
    ends: array[int]
    tag_codes: bytes
    tag_names: tuple[str, ...]

    def words(self) -> list[Word]:
        """The LAC words again, as the mention finder takes them."""
        names = self.tag_names
        return [(s, e, names[c]) for s, e, c in zip(self.starts, self.ends, self.tag_codes, strict=True)]


def analyse_words(text: str, words: list[Word], *, end: int, start: int = 0) -> SegmentAnalysis:
    """Local mentions of a segment from its LAC words.

    Args:
        text: The segment and its context.
        words: LAC words of ``text``.
        end: Where the segment ends in ``text`` and its context begins.
        start: Where the segment starts in the document (mentions are shifted here, in the worker).
    """
    tag_names = tuple(sorted({tag for _, _, tag in words}))
    code = {tag: n for n, tag in enumerate(tag_names)}
    return SegmentAnalysis(
        local_mentions(text, words, end=end).shifted(start),
        array("i", (w[0] for w in words)),
        array("i", (w[1] for w in words)),
        bytes(code[w[2]] for w in words),
        tag_names,
    )


def analyse_segment(text: str, end: int, start: int = 0) -> SegmentAnalysis:
    """Tag a segment with LAC and find its local mentions (``analyse_words``); runs in workers."""
    return analyse_words(text, shared_tagger().tag_text(text), end=end, start=start)


def merge_segments(text: str, segments: list[Segment], analyses: Iterable[SegmentAnalysis]) -> list[Mention]:
    """The mentions of a whole document from the analyses of its segments, as ``find_mentions`` gives them.

    Args:
        text: The whole normalised document.
        segments: Its segments, as ``split_segments`` made them.
        analyses: The analysis of each segment (``analyse_segment`` on its text and context), in order.
    """
    pending = deque(analyses)  # a segment's words go as soon as it is settled
    if len(pending) != len(segments):
        raise ValueError(f"{len(pending)} analyses for {len(segments)} segments")
    names = frozenset[str]().union(*(r.found.names for r in pending))
    parts: list[LocalMentions] = []
    for segment in segments:
        result = pending.popleft()
        found = result.found
        missing = names - found.names
        if missing and _occurs(missing, text, segment.start, segment.context_end):
            # a name of another segment occurs here: the second pass again, with every name
            local = text[segment.start : segment.context_end]
            again = local_mentions(local, result.words(), end=segment.end - segment.start, names=names)
            found = again.shifted(segment.start)
        parts.append(found)
    return document_mentions(text, parts)


def _occurs(names: frozenset[str], text: str, start: int, end: int) -> bool:
    """Whether any of ``names`` occurs in ``text[start:end]``."""
    return bool(find_names(text[start:end], names))
