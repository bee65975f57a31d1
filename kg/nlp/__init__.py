"""The NLP stage: LAC tagging and mention finding, on strings (the build) or as a spaCy ``zh`` pipeline.

A subpackage because the stage has several jobs: LAC tagging (``lac``), domain word lists
(``gazetteer``), mention finding (``mentions``), long documents in segments (``segments``), and the
spaCy side: tokens (``tokens``) and components (``components``).

The build calls ``analyse_texts``, which needs no Doc: its workers then import neither spaCy nor
jieba and load the LAC model once, when they first tag. ``make_nlp`` gives the same mentions on a
Doc, with ``doc.ents`` and ``doc.spans`` for spaCy's tools. Nothing heavy is imported with this
package: modules that only need the word lists (``kg.extract``) stay light.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

    from kg.types import Mention

SEGMENTERS = ("lac", "jieba")


def analyse_texts(texts: Sequence[str]) -> list[list[Mention]]:
    """The mentions of each text, as ``make_nlp()(text)._.mentions`` finds them.

    The texts are tagged together, so LAC fills its equal-length batches from all of them.
    """
    from kg.nlp.lac import shared_tagger
    from kg.nlp.mentions import find_mentions

    tagged = shared_tagger().tag_texts(texts)
    return [find_mentions(text, words) for text, words in zip(texts, tagged, strict=True)]


def make_nlp(*, segmenter: str = "lac") -> Language:
    """A blank Chinese pipeline with the ``kg_lac`` and ``kg_mentions`` components.

    Args:
        segmenter: Where the tokens come from: ``"lac"`` (LAC's words, tagged once for tokens and
            tags) or ``"jieba"`` (spaCy's jieba tokenizer; LAC then tags the text apart). Mentions
            are the same either way; the edges of ``doc.ents`` follow the tokens.

    Raises:
        ValueError: An unknown segmenter.
        ImportError: jieba is missing (the message names the pip command).
    """
    import spacy

    from kg.nlp import components  # noqa: F401  (registers the kg_* factories)
    from kg.nlp.tokens import LacTokenizer, TextKeepingTokenizer

    if segmenter not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {segmenter!r}; use one of {SEGMENTERS}")
    if segmenter == "jieba":
        try:
            import jieba
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ImportError("kg needs jieba for Chinese word segmentation: pip install jieba") from exc
        # jieba logs "Building prefix dict ..." at DEBUG to stderr, through kg's progress bar and -q
        jieba.setLogLevel(logging.WARNING)
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    else:
        # spaCy's default zh segmenter (characters) is made and replaced: it loads no dictionary
        nlp = spacy.blank("zh")
        nlp.tokenizer = LacTokenizer(nlp.vocab)
    nlp.add_pipe("kg_lac")
    nlp.add_pipe("kg_mentions")
    return nlp


@cache
def shared_nlp(*, segmenter: str = "lac") -> Language:
    """One pipeline per process (and segmenter)."""
    return make_nlp(segmenter=segmenter)
