"""Who helps which village or town (assists), from assist cues such as 包联, 帮扶, 结对, 共建 and 捐建.

The body before the cue (or the paragraph's topic body when the subject is left out, as Chinese
allows) helps the villages and towns of the clause; bodies listed together (A、B和C帮扶X村) each help
it. Help work named after a place, a body paying for a village's works and the units composing a
team are help too; a body inside 在…的率领下 only leads, and a cue that names a programme is no help.
"""

from __future__ import annotations

import re

from kg.extract.common import (
    _CLAUSE_ENDS,
    _HELPER_NOUNS,
    _LIST_JOINS,
    ASSIST_CUES,
    BY_AFTER,
    HELPED_LEVELS,
    _chain_from,
    _chain_start,
    _chain_to,
    _is_org,
    _is_place,
    _leaves,
    _listed_after,
    _listed_before,
    _SentenceFacts,
)
from kg.extract.context import _Context
from kg.nlp.gazetteer import LEVELS, words
from kg.types import Mention

# A cue inside these is the name of a programme or office, not a statement that X helps Y.
_PROGRAMME = re.compile("|".join(words("programme")))

# How many sentences after it the paragraph's topic body stands for a cue's left-out subject.
_TOPIC_SENTENCES = 6

# Bodies acting together: A、B和C帮扶X村, A联合B帮扶X村.
_BODY_JOINS = (*_LIST_JOINS, "联合", "会同", "携手", "协同")

# After a cue, words that say who the helper is: 马营村的帮扶单位是X, 帮扶马营村的就是X.
_IDENTIFIES = re.compile("(?:的|单位|企业)(?:就|正|则)?(?:是|为)")

# An adverbial naming who leads or accompanies the action (在X的率领下), not who does it.
_LED_BY = re.compile("在[^，。；,;]{2,40}?(?:率领|带领|陪同|带队|指导|关怀|关心|支持|见证)下")
# What may follow a cue that has no object of its own (X挂点帮扶以来，…).
_NO_OBJECT = re.compile("(?:以来|之后|后|期间|中)?[，,]")

# A list of bodies classed as helpers: A、B、C等五个帮扶单位.
_HELPER_NOUN = re.compile("(?:等)?(?:[一二三四五六七八九十两\\d]+(?:个|家))?(?:" + _HELPER_NOUNS + ")")


def _assists(
    index: int,
    sentence: tuple[int, int],
    text: str,
    mentions: list[Mention],
    context: _Context,
    out: _SentenceFacts,
) -> None:
    orgs = [m for m in mentions if _is_org(m)]
    # 在X书记的率领下，Y帮扶Z村: a body inside such an adverbial is not the one that helps
    aside = [a.span() for a in _LED_BY.finditer(text, sentence[0], sentence[1])]
    led = [o for o in orgs if any(a <= o.start < b for a, b in aside)]
    if orgs and _opens_sentence(orgs[0], mentions, text, sentence) and orgs[0] not in led:
        # a team named after its unit (X驻Y村工作队) opens the sentence: the unit is the topic
        team = context.teams.get(orgs[0].name)
        topic = team.sender if team is not None and team.sender is not None else orgs[0]
        context.topic, context.topic_sentence = topic, index
    s_text = text[sentence[0] : sentence[1]]
    _place_programmes(index, sentence, text, mentions, orgs, led, context, out)
    _funded_places(sentence, text, mentions, orgs, led, out)
    cues = [m for m in ASSIST_CUES.finditer(s_text) if not _PROGRAMME.match(s_text, m.start())]
    cues = [m for m in cues if not any(o.start <= sentence[0] + m.start() < o.end for o in orgs)]
    if not cues:
        return
    places = [m for m in mentions if _is_place(m)]
    helped = [m for m in _leaves(places) if m.kind in HELPED_LEVELS and not _qualifies(m, places, text)]
    if _AGENT_PLACES:  # 由七宝镇出资援建: the town after 由 does the help, it is not helped
        agents = {_chain_from(places, by.end()) for by in _BY.finditer(text, sentence[0], sentence[1])}
        helped = [m for m in helped if m not in agents]
    for noun in _HELPER_NOUN.finditer(text, sentence[0], sentence[1]):
        last = next((o for o in orgs if o.end == noun.start()), None)
        if last is None:
            continue
        listed = _coordinated(last, orgs, text)
        for place in helped:
            if not any(o.start <= place.start < o.end for o in listed):
                for helper in listed:
                    out.add(helper, "assists", place)
    for cue in cues:
        position = sentence[0] + cue.start()
        clause_end = position + len(cue.group())
        while clause_end < sentence[1] and text[clause_end] not in _CLAUSE_ENDS:
            clause_end += 1
        after = _helpers_after(position + len(cue.group()), places, orgs, text)
        if after is not None:
            # 组团帮扶梅林镇的钟村街道办事处、水务局: the bodies after the helped place and 的 help it
            place, helpers = after
            for helper in helpers:
                out.add(helper, "assists", place)
            continue
        named_after = _IDENTIFIES.search(text, position + len(cue.group()), clause_end)
        if named_after is not None:
            # 马营村的帮扶单位是X, 帮扶马营村的是X: the helper is named after the cue
            subject = next((o for o in orgs if named_after.end() <= o.start < clause_end), None)
            if subject is not None:
                for place in helped:
                    if position - 12 <= place.start < named_after.start():
                        out.add(subject, "assists", place)
                continue
        subject = _last_before(orgs, position, led)
        if (
            subject is None
            and context.topic is not None
            and index - context.topic_sentence <= _TOPIC_SENTENCES
            and not (_TOPIC_AFTER_ADVERBIAL and _MODIFIES_HELPER.match(text, position))
        ):
            subject = context.topic
        if subject is None:
            continue
        passive = _helped_by_list(subject, position, places, orgs, text)
        if passive is not None:
            # 马营村由A、B和C共同帮扶: the place before 由 is helped by each body listed after it, and
            # so is each place listed before it (上坪村和石背村由X结对帮扶)
            for place in _places_listed_before(passive, places, text):
                for helper in _coordinated(subject, orgs, text):
                    out.add(helper, "assists", place)
            continue
        clause_start = max(subject.end if subject.start >= sentence[0] else sentence[0], sentence[0])
        targets = [
            place
            for place in helped
            if clause_start <= place.start < clause_end and not subject.start <= place.start < subject.end
        ]
        if not targets and _NO_OBJECT.match(text, position + len(cue.group())):
            # X帮扶以来，…该村…: a cue without an object helps the place the sentence goes on to name
            targets = [p for p in helped if p.start >= clause_end][:1]
        for place in targets:
            for helper in _coordinated(subject, orgs, text):  # A、B和C帮扶X村: each of them
                out.add(helper, "assists", place)


# Whether a body after an opening adverbial of time and its comma (近日，X; 2023年以来，X; 12月5日，X) opens
# the sentence as its subject, the paragraph's topic: news opens sentences with when before their subject.
# Only words of time: other openings (在座谈会上，) may name bodies that are not the subject.
_TOPIC_AFTER_ADVERBIAL = True
_ADVERBIAL = re.compile(
    "[\\d一二三四五六七八九十零〇年月日号以来今去前近期初底末上中下旬季度春夏秋冬]{2,10}[，,]"
)
# A cue that opens a helper noun (各帮扶单位, 结对单位) names who helps, not what the topic does.
_MODIFIES_HELPER = re.compile("(?:" + _HELPER_NOUNS + ")")


def _opens_sentence(org: Mention, mentions: list[Mention], text: str, sentence: tuple[int, int]) -> bool:
    """Whether ``org`` is the sentence's subject: at its start, or after an opening adverbial and comma."""
    if org.start - sentence[0] <= 2:
        return True
    if not _TOPIC_AFTER_ADVERBIAL or _ADVERBIAL.fullmatch(text, sentence[0], org.start) is None:
        return False
    return not any(sentence[0] <= m.start < org.start for m in mentions)  # 在马营村，X: a place opens it


# Whether a place (chain) right after 由 is left out of the places a cue helps: 由 names the doer of a
# passive (这座初制所由上海市闵行区七宝镇出资援建), so the town after it gives the help and receives none.
_AGENT_PLACES = True
_BY = re.compile("由")


# Whether the helper before a cue is the body whose name ends last (定西市财政局党支部), not the body
# inside its name that opens at the same place (定西市财政局): the whole name is the subject.
_WHOLE_SUBJECTS = True


def _last_before(orgs: list[Mention], position: int, led: list[Mention]) -> Mention | None:
    """The body named last before ``position`` (the whole name where one body's name holds another)."""
    before = [o for o in orgs if o.end <= position and o not in led]
    if not before:
        return None
    last = before[-1]
    if not _WHOLE_SUBJECTS:
        return last
    # a team named after its unit is left to the rules of teams, which make its unit the helper
    wholes = [o for o in before if o.start == last.start and o.end > last.end and o.kind != "WorkTeam"]
    return max(wholes, key=lambda o: o.end) if wholes else last


# Whether a place before 的 and a place of a lower level (永宁镇的温泉村) only says where that place lies.
_QUALIFYING_PLACES = True


def _qualifies(place: Mention, places: list[Mention], text: str) -> bool:
    """Whether ``place`` stands before 的 and a place of a lower level: 帮扶永宁镇的温泉村、落水村.

    The town then says where the villages lie; the help goes to the villages, not to the town.
    """
    if not _QUALIFYING_PLACES or not text.startswith("的", place.end) or place.kind not in LEVELS:
        return False
    after = next((m for m in places if m.start == place.end + 1), None)
    return after is not None and after.kind in LEVELS and LEVELS.index(after.kind) > LEVELS.index(place.kind)


def _place_programmes(
    index: int,
    sentence: tuple[int, int],
    text: str,
    mentions: list[Mention],
    orgs: list[Mention],
    led: list[Mention],
    context: _Context,
    out: _SentenceFacts,
) -> None:
    """X做好马营村(的)帮扶工作: help work named after a place is the work of the body doing it.

    The body is the last one before the place in the sentence, else the paragraph's topic body.
    """
    places = [m for m in mentions if _is_place(m)]
    for work in _PLACE_WORK.finditer(text, sentence[0], sentence[1]):
        place = _chain_to(places, work.start())
        if place is None and text.startswith("的", work.start() - 1):
            place = _chain_to(places, work.start() - 1)
        if place is None or place.kind not in HELPED_LEVELS:
            continue
        subject = next((o for o in reversed(orgs) if o.end <= place.start and o not in led), None)
        if (
            subject is None
            and context.topic is not None
            and index - context.topic_sentence <= _TOPIC_SENTENCES
        ):
            subject = context.topic
        if subject is not None:
            out.add(subject, "assists", place)


# Help work of a place (马营村帮扶工作, 马营村的结对帮扶工作), whoever does it.
_PLACE_WORK = re.compile(
    "(?:" + "|".join(sorted(words("assist_cue"), key=len, reverse=True)) + ")(?:工作|任务|项目)"
)


def _funded_places(
    sentence: tuple[int, int],
    text: str,
    mentions: list[Mention],
    orgs: list[Mention],
    led: list[Mention],
    out: _SentenceFacts,
) -> None:
    """X出资300万元，为马营村修建文化广场: a body paying for a village's works helps the village.

    The body comes before the verb of funding; the village follows 为/给/向/用于 later in the sentence.
    """
    places = [m for m in mentions if _is_place(m)]
    for verb in _FUNDS.finditer(text, sentence[0], sentence[1]):
        subject = next((o for o in reversed(orgs) if o.end <= verb.start() and o not in led), None)
        if subject is None or re.search("[。；;！？]", text[subject.end : verb.start()]):
            continue
        for beneficiary in _FOR.finditer(text, verb.end(), sentence[1]):
            place = _chain_from(places, beneficiary.end())
            if place is not None and place.kind in HELPED_LEVELS:
                out.add(subject, "assists", place)


# Verbs of paying for works (出资, 投入资金), from data/lexicon.tsv, and the words before the place paid for.
_FUNDS = re.compile("|".join(words("funds")))
_FOR = re.compile("[为给向替]|用于")  # 用于: the money goes to (用于马营村的道路硬化)


def _helpers_after(
    start: int, places: list[Mention], orgs: list[Mention], text: str
) -> tuple[Mention, list[Mention]] | None:
    """(place, bodies) for a cue followed by its place, 的 and a list of bodies: 帮扶X镇的A、B和C.

    The place may end a chain (五华县梅林镇); a place followed by 的 and anything but a body
    (帮扶马营村的措施) gives None.
    """
    place = _chain_from(places, start)
    if place is None or place.kind not in HELPED_LEVELS or not text.startswith("的", place.end):
        return None
    first = next((o for o in orgs if o.start == place.end + 1), None)
    listed = _listed_after(first, orgs, text, _LIST_JOINS)
    return (place, listed) if listed else None


# Between the last helper of 由A、B和C and the cue: adverbs of acting together (共同帮扶, 联合包联).
_TOGETHER = re.compile("(?:共同|联合|一起|分别|定点|对口|结对)*")


def _helped_by_list(
    last: Mention, cue: int, places: list[Mention], orgs: list[Mention], text: str
) -> Mention | None:
    """The place helped in ``place由A、B和C(共同)帮扶``, where ``last`` (C) ends right before the cue."""
    if not _HELPED_BY_LIST or _TOGETHER.fullmatch(text, last.end, cue) is None:
        return None
    first = _coordinated(last, orgs, text)[-1]
    if not text.startswith("由", first.start - 1):
        return None
    place = _chain_to(places, first.start - 1)
    return place if place is not None and place.kind in HELPED_LEVELS else None


def _places_listed_before(place: Mention, places: list[Mention], text: str) -> list[Mention]:
    """``place`` and the places of its level listed right before it (A村、B村和C村), last first."""
    listed = [place]
    while _PLACES_LISTED_BEFORE_BY:
        start = _chain_start(places, listed[-1].start)
        join = next((j for j in ("、", "和", "及", "与") if text.startswith(j, start - len(j))), "")
        earlier = _chain_to(places, start - len(join)) if join else None
        if earlier is None or earlier.kind != place.kind:
            break
        listed.append(earlier)
    return listed


# Whether the places listed before the place before 由 (A村和B村由X帮扶) are helped as it is.
_PLACES_LISTED_BEFORE_BY = True
# Whether a place followed by 由 and a list of bodies before a cue is helped by each of them.
_HELPED_BY_LIST = True


def _coordinated(last: Mention, orgs: list[Mention], text: str) -> list[Mention]:
    """The bodies listed with ``last`` before it (A、B和C, A联合B), ``last`` included."""
    return _listed_before(last, orgs, text, _BODY_JOINS)


def _composing_units(team: Mention, named: list[Mention], text: str) -> list[Mention]:
    """The units a team is made of, listed before it: 由A、B、C五个单位派驻组成的X工作队."""
    composed = _COMPOSED.search(text, max(0, team.start - 20), team.start)
    if composed is None:
        return []
    orgs = [m for m in named if _is_org(m) and m.end <= composed.start()]
    last = next((m for m in reversed(orgs) if m.end == composed.start()), None)
    return _coordinated(last, orgs, text) if last is not None else []


def _composing_units_after(
    team: Mention, named: list[Mention], text: str, sentence_end: int
) -> list[Mention]:
    """The units a team is made of, named after it: 工作队由A牵头，B、C共同派员组成."""
    by = BY_AFTER.match(text, team.end) if _UNITS_AFTER_TEAMS else None
    if by is None:
        return []
    end = text.find("组成", by.end(), sentence_end)
    if end < 0:
        return []
    return [m for m in named if _is_org(m) and m.kind != "WorkTeam" and by.end() <= m.start and m.end <= end]


# Whether the units named after a team, between 由 and 组成, make it up and help where it serves.
_UNITS_AFTER_TEAMS = True
_COMPOSED = re.compile("(?:[一二三四五六七八九十两\\d]+(?:个|家)(?:单位|部门))?(?:派驻|选派|抽调)?组成的$")
