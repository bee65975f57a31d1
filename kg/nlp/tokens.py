"""The jieba tokenizer of spaCy's ``zh`` pipeline, keeping each Doc's source string.

``Doc.text`` rebuilds the string from every token on each access, which costs as much as tagging a
tenth of the text; the components read the string kept here instead. The Doc's words and spaces are
those of spaCy's own jieba tokenizer, aligned to the text in one pass: spaCy searches the rest of the
text for every word, which slices it anew each time (quadratic in a document's length).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spacy.tokens import Doc

TEXT_KEY = "kg.text"


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


class TextKeepingTokenizer:
    """Wrap a tokenizer so every Doc it makes remembers its text in ``doc.user_data``."""

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
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text
