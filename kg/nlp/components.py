"""The spaCy components ``kg_lac`` and ``kg_mentions``: LAC words and mentions on a Doc.

Apart from the taggers and the mention finder so that the build, which needs no Doc, does not import
spaCy in every worker (about a second each): ``kg.nlp.analyse_texts`` runs the same steps on strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.nlp.lac import shared_tagger
from kg.nlp.mentions import find_mentions, named_entities
from kg.nlp.tokens import doc_text, doc_words

# Characters of text the LAC component gathers from a stream of documents before tagging them together.
POOL_CHARS = 200_000

if not Doc.has_extension("lac"):
    Doc.set_extension("lac", default=None)
if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=None)


@Language.factory("kg_lac")
def make_lac_component(nlp: Language, name: str) -> LacComponent:
    """The spaCy factory of the LAC component."""
    return LacComponent()


class LacComponent:
    """Store LAC words (character offsets and tags) in ``doc._.lac``.

    A Doc made by the LAC tokenizer already holds them; others (jieba's) are tagged here.
    ``doc.ents`` is left to ``kg_mentions``, which combines LAC's entities with the mention finder's.
    """

    def __call__(self, doc: Doc) -> Doc:
        words = doc_words(doc)
        doc._.lac = words if words is not None else shared_tagger().tag_text(doc_text(doc))
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Tag a stream of documents in pools of about ``POOL_CHARS`` characters."""
        pool: list[Doc] = []
        size = 0
        for doc in stream:
            if doc_words(doc) is not None:
                yield self(doc)
                continue
            pool.append(doc)
            size += len(doc_text(doc))
            if size >= POOL_CHARS or len(pool) >= batch_size:
                yield from self._tag_pool(pool)
                pool, size = [], 0
        yield from self._tag_pool(pool)

    @staticmethod
    def _tag_pool(docs: list[Doc]) -> list[Doc]:
        for doc, words in zip(docs, shared_tagger().tag_texts([doc_text(d) for d in docs]), strict=True):
            doc._.lac = words
        return docs


@Language.factory("kg_mentions", requires=["doc._.lac"], assigns=["doc._.mentions", "doc.spans"])
def make_mentions_component(nlp: Language, name: str) -> MentionsComponent:
    """SpaCy factory for the mention finder."""
    return MentionsComponent()


class MentionsComponent:
    """Set ``doc._.mentions`` and ``doc.spans["kg"]`` (labels are ontology class names)."""

    def __call__(self, doc: Doc) -> Doc:
        mentions = find_mentions(doc_text(doc), doc._.lac or [])
        doc._.mentions = mentions
        spans: list[Span] = []
        for m in mentions:
            span = doc.char_span(m.start, m.end, label=m.kind, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["kg"] = spans
        entities = []
        for start, end, label in named_entities(doc._.lac or [], mentions, doc_text(doc)):
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None:
                entities.append(span)
        doc.ents = filter_spans(entities)  # the project's NER replaces LAC's raw entities
        return doc
