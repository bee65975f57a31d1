"""The jieba tokenizer of spaCy's ``zh`` pipeline, keeping each Doc's source string.

``Doc.text`` rebuilds the string from every token on each access, which costs as much as tagging a
tenth of the text; the components read the string kept here instead.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

TEXT_KEY = "kg.text"


class TextKeepingTokenizer:
    """Wrap a tokenizer so every Doc it makes remembers its text in ``doc.user_data``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, text: str) -> Doc:
        doc: Doc = self.inner(text)
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
