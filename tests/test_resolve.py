from __future__ import annotations

from kg.resolve import resolve_entities
from kg.types import Candidate, Evidence, Mention

EV = Evidence("a.txt", "句子。", 0, 3)
EV2 = Evidence("b.txt", "另一句。", 10, 14)


def m(name, kind, surface=None, parent=""):
    return Mention(name, kind, surface or name, 0, len(surface or name), parent)


def test_one_entity_across_sentences_and_documents_with_aliases():
    court = m("呼和浩特铁路运输中级法院", "GovernmentBody")
    short = m("呼和浩特铁路运输中级法院", "GovernmentBody", "呼铁中院")
    village = m("上石村", "Village", parent="查干诺尔镇")
    entities, facts = resolve_entities(
        [Candidate(court, "assists", village, EV), Candidate(short, "assists", village, EV2)]
    )
    by_key = {e.key: e for e in entities}
    assert set(by_key) == {"org/呼和浩特铁路运输中级法院", "place/上石村"}
    assert by_key["org/呼和浩特铁路运输中级法院"].canonical == "呼和浩特铁路运输中级法院"
    assert by_key["org/呼和浩特铁路运输中级法院"].aliases == {"呼铁中院"}
    assert len(facts) == 2 and {f.evidence.doc_id for f in facts} == {"a.txt", "b.txt"}


def test_same_named_places_under_different_parents_stay_distinct():
    a = m("新华村", "Village", parent="双河镇")
    b = m("新华村", "Village", parent="陕坝镇")
    town_a, town_b = m("双河镇", "Township"), m("陕坝镇", "Township")
    entities, facts = resolve_entities(
        [Candidate(a, "locatedIn", town_a, EV), Candidate(b, "locatedIn", town_b, EV2)]
    )
    keys = {e.key for e in entities}
    assert {"place/双河镇/新华村", "place/陕坝镇/新华村"} <= keys
    assert all(e.canonical == "新华村" for e in entities if e.key.endswith("/新华村"))


def test_heads_makes_worksfor_redundant():
    person, body = m("王国义", "Person"), m("沙也村党支部", "PartyBody")
    _, facts = resolve_entities(
        [Candidate(person, "heads", body, EV, "书记"), Candidate(person, "worksFor", body, EV2, "委员")]
    )
    assert [f.predicate for f in facts] == ["heads"]


def test_duplicate_candidates_collapse_and_order_is_stable():
    person, village = m("董晶", "Person"), m("木都柴达木村", "Village")
    cands = [Candidate(person, "servesIn", village, EV)] * 3
    assert resolve_entities(cands) == resolve_entities(list(reversed(cands)))
    assert len(resolve_entities(cands)[1]) == 1


def test_fullest_name_is_canonical():
    a = m("鄂尔多斯市住建局", "GovernmentBody", "市住建局")
    village = m("木都柴达木村", "Village")
    entities, _ = resolve_entities([Candidate(a, "assists", village, EV)])
    org = next(e for e in entities if e.key.startswith("org/"))
    assert org.canonical == "鄂尔多斯市住建局" and org.aliases == {"市住建局"}


def test_with_short_forms_expanded_the_full_name_is_an_alias_never_canonical(monkeypatch):
    import kg.resolve

    monkeypatch.setattr(kg.resolve, "_EXPAND_SHORT_FORMS", True)
    a = m("鄂尔多斯市住建局", "GovernmentBody", "市住建局")
    entities, _ = resolve_entities([Candidate(a, "assists", m("木都柴达木村", "Village"), EV)])
    org = next(e for e in entities if e.key.startswith("org/"))
    # the full name of the short form 住建局 (kg/data/body_abbreviations.tsv) is a name too, never canonical
    # where the text does not use it
    assert org.canonical == "鄂尔多斯市住建局"
    assert org.aliases == {"市住建局", "鄂尔多斯市住房和城乡建设局"}


def test_with_short_forms_expanded_a_body_named_both_ways_is_one_body(monkeypatch):
    import kg.resolve

    monkeypatch.setattr(kg.resolve, "_EXPAND_SHORT_FORMS", True)
    short = m("安徽省发展改革委", "GovernmentBody", "省发展改革委")
    full = m("安徽省发展和改革委员会", "GovernmentBody")
    village = m("大湾村", "Village")
    entities, facts = resolve_entities(
        [Candidate(short, "assists", village, EV), Candidate(full, "assists", village, EV)]
    )
    (org,) = [e for e in entities if e.key.startswith("org/")]
    assert org.canonical == "安徽省发展和改革委员会"
    assert {"安徽省发展改革委", "省发展改革委"} <= org.aliases
    assert len(facts) == 1
