"""The tokens of kg's spaCy pipeline: LAC's words (or jieba's), and each Doc's source string.

LAC already segments every sentence it tags, so its words serve as the Doc's tokens and no second
segmenter runs (jieba cost a fifth of the NLP's time and a second of loading). spaCy's own jieba
tokenizer remains available (``make_nlp(segmenter="jieba")``). Nothing in the build reads tokens:
mentions, and so facts, are found on characters; tokens only bound the spans of ``doc.ents`` and
``doc.spans["kg"]``.

``Doc.text`` rebuilds the string from every token on each access, which costs as much as tagging a
tenth of the text; the components read the string kept here instead. Words and spaces are aligned to
the text in one pass: spaCy searches the rest of the text for every word, which slices it anew each
time (quadratic in a document's length).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.nlp.lac import Word, shared_tagger

TEXT_KEY = "kg.text"
WORDS_KEY = "kg.lac"


def words_and_spaces(words: Iterable[str], text: str) -> tuple[list[str], list[bool]]:
    """The words and trailing-space flags spaCy makes of segmenter output that concatenates to ``text``.

    As ``spacy.util.get_words_and_spaces``: a run of whitespace between words becomes one token, except
    that an ASCII space right after a word becomes that word's trailing space.

    Raises:
        ValueError: The words do not concatenate to the text.

    Examples:
        >>> words_and_spaces(["党建", " ", " ", "引领", "\\n", " "], "党建  引领\\n ")
        (['党建', ' ', '引领', '\\n '], [True, False, False, False])
    """
    out_words: list[str] = []
    spaces: list[bool] = []
    run: list[str] = []  # whitespace since the last word
    length = 0

    def flush() -> None:
        gap = "".join(run)
        run.clear()
        if gap[:1] == " " and out_words:
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            out_words.append(gap)
            spaces.append(False)

    for word in words:
        length += len(word)
        if word.isspace():
            run.append(word)
        elif word:
            if run:
                flush()
            out_words.append(word)
            spaces.append(False)
    if run:
        flush()
    if length != len(text):
        raise ValueError(f"the words do not make up the text ({length} of {len(text)} characters)")
    return out_words, spaces


def covering_words(text: str, words: list[Word]) -> Iterator[str]:
    """LAC's words of ``text`` with the stretches between them (line breaks, blank runs): all of it.

    LAC tags sentences, so the separators between sentences belong to no word.

    Examples:
        >>> list(covering_words("党建\\n引领", [(0, 2, "n"), (3, 5, "v")]))
        ['党建', '\\n', '引领']
    """
    at = 0
    for start, end, _ in words:
        if start > at:
            yield text[at:start]
        yield text[start:end]
        at = end
    if at < len(text):
        yield text[at:]


class LacTokenizer:
    """A spaCy tokenizer whose tokens are LAC's words; the Doc keeps its text and those tagged words.

    The kg_lac component then reuses the words instead of tagging the text again.
    """

    segmenter = "lac"

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        tagged = shared_tagger().tag_text(text)
        words, spaces = words_and_spaces(covering_words(text, tagged), text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data[TEXT_KEY] = text
        doc.user_data[WORDS_KEY] = tagged
        return doc

    def pipe(self, texts: Iterable[str], **kwargs: Any) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""  # nothing to save: the words come from the LAC model

    def from_bytes(self, data: bytes, **kwargs: Any) -> LacTokenizer:
        return self


class TextKeepingTokenizer:
    """Wrap spaCy's jieba tokenizer so every Doc it makes remembers its text in ``doc.user_data``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, text: str) -> Doc:
        if getattr(self.inner, "segmenter", None) == "jieba":
            words, spaces = words_and_spaces(self.inner.jieba_seg.cut(text, cut_all=False), text)
            doc = Doc(self.inner.vocab, words=words, spaces=spaces)
        else:
            doc = self.inner(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def pipe(self, texts: Any, **kwargs: Any) -> Any:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        # everything else (segmenter, serialisation, ...) is the wrapped tokenizer's
        return getattr(self.inner, name)


def doc_text(doc: Doc) -> str:
    """The Doc's text, without rebuilding it from the tokens when the tokenizer kept it."""
    text: str | None = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def doc_words(doc: Doc) -> list[Word] | None:
    """The LAC words the tokenizer tagged the Doc's text with, if it did."""
    words: list[Word] | None = doc.user_data.get(WORDS_KEY)
    return words
