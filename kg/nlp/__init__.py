"""The NLP stage: a spaCy ``zh`` pipeline with the jieba segmenter, LAC and the mention finder.

A subpackage because the stage has three jobs: LAC tagging (``lac``), domain word lists
(``gazetteer``) and mention finding (``mentions``).
"""

from __future__ import annotations

import logging
from functools import cache

import spacy
from spacy.language import Language

from kg.nlp import lac, mentions  # noqa: F401  (registers the kg_* factories)
from kg.nlp.tokens import TextKeepingTokenizer


def make_nlp() -> Language:
    """A blank Chinese pipeline (jieba tokens) with the ``kg_lac`` and ``kg_mentions`` components.

    Raises:
        ImportError: jieba is missing (the message names the pip command).
    """
    try:
        import jieba
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ImportError("kg needs jieba for Chinese word segmentation: pip install jieba") from exc
    # jieba logs "Building prefix dict ..." at DEBUG to stderr, through kg's progress bar and -q
    jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    nlp.add_pipe("kg_lac")
    nlp.add_pipe("kg_mentions")
    return nlp


@cache
def shared_nlp() -> Language:
    """One pipeline per process."""
    return make_nlp()
