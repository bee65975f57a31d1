from __future__ import annotations

import pytest

from kg.extract import extract_candidates
from kg.types import Document

pytestmark = pytest.mark.slow


def facts_of(nlp, text: str) -> set[tuple[str, str, str]]:
    doc = Document("t.txt", text, text, tuple(range(len(text))))
    return {
        (c.subject.name, c.predicate, c.object.name) for c in extract_candidates(doc, nlp(text)._.mentions)
    }


DISPATCH = "鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。"

CASES = [
    # assists: dispatching body, cue words, lists, and the topic body when the subject is left out
    (DISPATCH, ("鄂尔多斯市住建局", "assists", "木都柴达木村")),
    (
        "呼和浩特铁路运输中级法院（以下简称“呼铁中院”）党组书记说。同时，呼铁中院坚持双轮驱动。"
        "在巴林右旗查干诺尔镇上石村、下石村捐赠建设了2个大棚。",
        ("呼和浩特铁路运输中级法院", "assists", "下石村"),
    ),
    ("内蒙古农业大学与达拉特旗树林召镇林原村结对帮扶。", ("内蒙古农业大学", "assists", "林原村")),
    # heads: principal posts, party posts, posts implying a body
    ("鄂尔多斯市委书记俊雁观摩指导农产品展洽会。", ("俊雁", "heads", "鄂尔多斯市委")),
    ("鄂尔多斯市委副书记、市长苏华力格观摩指导。", ("苏华力格", "heads", "鄂尔多斯市人民政府")),
    ("鄂尔多斯市准格尔旗龙口镇沙也村党支部书记、村主任王国义回忆。", ("王国义", "heads", "沙也村党支部")),
    ("鄂尔多斯市准格尔旗龙口镇沙也村党支部书记、村主任王国义回忆。", ("王国义", "heads", "沙也村村民委员会")),
    ("鄂尔多斯市委组织部副部长、市包联驻村办主任梁高峰说。", ("梁高峰", "heads", "鄂尔多斯市包联驻村办")),
    ("巴彦淖尔市委常委、组织部部长王亚忠介绍说。", ("王亚忠", "heads", "巴彦淖尔市委组织部")),
    # worksFor: deputies, members, dispatched staff
    ("鄂尔多斯市委组织部副部长、市包联驻村办主任梁高峰说。", ("梁高峰", "worksFor", "鄂尔多斯市委组织部")),
    ("鄂尔多斯市委副书记、市长苏华力格观摩指导。", ("苏华力格", "worksFor", "鄂尔多斯市委")),
    (DISPATCH, ("董晶", "worksFor", "鄂尔多斯市住建局")),
    # servesIn
    (DISPATCH, ("董晶", "servesIn", "木都柴达木村")),
    ("兴安盟突泉县水泉镇胜泉村。胜泉村驻村第一书记杜伟华介绍说。", ("杜伟华", "servesIn", "胜泉村")),
    # locatedIn: neighbours in a chain, and a list sharing its parent
    ("走进乌审旗图克镇乌兰什巴台村集体企业。", ("乌兰什巴台村", "locatedIn", "图克镇")),
    ("走进乌审旗图克镇乌兰什巴台村集体企业。", ("图克镇", "locatedIn", "乌审旗")),
    ("鄂尔多斯市准格尔旗龙口镇沙也村党支部书记王国义说。", ("准格尔旗", "locatedIn", "鄂尔多斯市")),
    ("在巴林右旗查干诺尔镇上石村、下石村捐赠建设了2个大棚。", ("下石村", "locatedIn", "查干诺尔镇")),
]


@pytest.mark.parametrize("text,fact", CASES)
def test_extracts(nlp, text, fact):
    assert fact in facts_of(nlp, text)


NOT_FACTS = [
    # a deputy does not head the body
    ("鄂尔多斯市委副书记、市长苏华力格观摩指导。", ("苏华力格", "heads", "鄂尔多斯市委")),
    # a place chain gives only immediate parents
    ("走进乌审旗图克镇乌兰什巴台村集体企业。", ("乌兰什巴台村", "locatedIn", "乌审旗")),
    # programme names are not assistance statements
    (
        "鄂尔多斯市委组织部推动包联驻村工作，乌审旗图克镇发展产业。",
        ("鄂尔多斯市委组织部", "assists", "图克镇"),
    ),
]


@pytest.mark.parametrize("text,fact", NOT_FACTS)
def test_does_not_extract(nlp, text, fact):
    assert fact not in facts_of(nlp, text)


def test_abbreviations_take_the_nearest_place_of_their_level(nlp):
    text = "鄂尔多斯市聚焦乡村振兴。市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。"
    assert ("鄂尔多斯市住建局", "assists", "木都柴达木村") in facts_of(nlp, text)


def test_abbreviation_without_a_place_keeps_its_name(nlp):
    # the article never names its city: the reader knows it from the outlet, and 市住建局 is the name given
    facts = facts_of(nlp, "市住建局派驻马营村驻村第一书记董晶说。")
    assert ("市住建局", "assists", "马营村") in facts
    assert ("董晶", "worksFor", "市住建局") in facts


def test_abbreviation_of_a_village_body_without_its_village_is_dropped(nlp):
    facts = facts_of(nlp, "村党支部书记董晶说。")
    assert not any(s == "董晶" for s, _, _ in facts)


def test_evidence_offsets_point_into_the_original():
    from kg.corpus import normalize_text
    from kg.nlp import shared_nlp

    original = "鄂尔多斯市住建局派驻乌审旗嘎\n鲁图镇木都柴达木村驻村第一书\n记董晶说。"
    aligned = normalize_text(original)
    doc = Document("t.txt", aligned.text, original, aligned.origin)
    candidates = extract_candidates(doc, shared_nlp()(aligned.text)._.mentions)
    assert candidates
    for c in candidates:
        e = c.evidence
        assert original[e.start : e.end].replace("\n", "") == e.sentence


def test_a_post_sharing_a_body_gets_the_body_not_its_party_group(nlp):
    text = "呼和浩特铁路运输中级法院（以下简称“呼铁中院”）党组书记、院长王旭军说。"
    doc = Document("t.txt", text, text, tuple(range(len(text))))
    heads = [c for c in extract_candidates(doc, nlp(text)._.mentions) if c.predicate == "heads"]
    assert {(c.object.name, c.object.surface) for c in heads} == {
        ("呼和浩特铁路运输中级法院党组", "呼和浩特铁路运输中级法院党组"),
        ("呼和浩特铁路运输中级法院", "呼和浩特铁路运输中级法院"),
    }


def test_a_body_inside_a_name_ends_its_leading_places(nlp):
    text = "乌拉特后旗公安局潮格温都尔镇派出所教导员宝音德力格尔为民警宣讲。"
    assert ("宝音德力格尔", "worksFor", "乌拉特后旗公安局潮格温都尔镇派出所") in facts_of(nlp, text)


def test_a_long_body_name_joins_two_fields_with_he(nlp):
    # a place, then a long department name of two fields joined by 和 and an ending (中心)
    names = {m.name for m in nlp("他从平凉市住房保障和房地产交易服务中心来到吴庙村。")._.mentions}
    assert "平凉市住房保障和房地产交易服务中心" in names
