"""Work teams: a unit's team stationed in a place, named after both (X驻Y村帮扶工作队).

A team name says who sent it and where it serves: 运城市中级人民法院驻夏县康家坪村乡村振兴驻村工作队 is the
court's team in 康家坪村, so the court assists the village and the team's leader and members work for the
court and serve in the village. A team named only after its unit (中国农业发展银行黑龙江省分行扶贫工作队) or
only after its place (覃巴镇驻镇帮镇扶村工作队) says one of the two; a bare 工作队 later in the text is the
team last named, and a team named without its place may say where it moves in (X工作队进驻Y村). The
words that describe a team's task live in ``data/team_words.txt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kg.extract.common import BY_AFTER, TEAM_NOUNS, UNIT_SAID_AFTER, _is_org, _is_place, _SentenceFacts
from kg.nlp.gazetteer import LEVELS, org_kind, words
from kg.types import Mention

_TEAM = re.compile(TEAM_NOUNS)
# Verbs between a sender and the place its team serves in (X驻Y, X派驻Y, X对口帮扶Y).
_STATIONED = ("派驻", "进驻", "驻", "住", "对口帮扶", "结对帮扶", "定点帮扶", "帮扶")
_BATCH = re.compile("(?:\\d{4}年)?(?:第[一二三四五六七八九十\\d]+[批轮届])$")
_HELPED = frozenset({"Village", "Township"})
# Whether a unit's team may be named with 的 between them (X局的驻村工作队, X局的驻Y村工作队).
_OWN_TEAMS = True


@dataclass(frozen=True)
class Team:
    """A work team mention with the unit that sent it and the place it serves in, where named."""

    mention: Mention
    sender: Mention | None
    place: Mention | None


@cache
def _team_words() -> tuple[str, ...]:
    text = resources.files("kg").joinpath("data/team_words.txt").read_text(encoding="utf-8")
    words = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(sorted(words, key=len, reverse=True))


def _strip_task_words(text: str, start: int, end: int) -> int:
    """Move ``end`` left over the words describing a team's task (乡村振兴驻村, “访惠聚”, 扶贫)."""
    changed = True
    while changed and end > start:
        changed = False
        batch = _BATCH.search(text, start, end)  # 2016年第三批“访惠聚”工作队
        if batch is not None:
            end, changed = batch.start(), True
            continue
        for word in _team_words():
            if text.startswith(word, end - len(word)) and end - len(word) >= start:
                end -= len(word)
                changed = True
                break
    return end


def find_teams(text: str, sentence: tuple[int, int], named: list[Mention], last: Team | None) -> list[Team]:
    """The work teams a sentence names, or refers to by a bare 工作队 (``last``, the team named before).

    Args:
        text: The document text.
        sentence: Start and end of the sentence.
        named: The sentence's mentions, bodies fully named.
        last: The team the document named last, if any.
    """
    teams: list[Team] = []
    by_end: dict[int, list[Mention]] = {}
    for m in named:
        by_end.setdefault(m.end, []).append(m)
    for match in _TEAM.finditer(text, sentence[0], sentence[1]):
        if _LAST_IN_SENTENCE and teams:  # 听取X驻Y村工作队汇报，慰问了工作队队员P: the team named just before
            last = teams[-1]
        end = match.end()
        words_start = _strip_task_words(text, sentence[0], match.start())
        ending = [m for m in by_end.get(words_start, []) if m.kind != "Person"]
        if not ending and _OWN_TEAMS and text.startswith("的", words_start - 1):  # X局的驻村工作队
            ending = [
                m for m in by_end.get(words_start - 1, []) if m.kind not in LEVELS and m.kind != "Person"
            ]
            sent = _SENT_OWN.search(text, max(0, words_start - 6), words_start)
            if not ending and sent is not None:  # X医院派出的驻村工作队
                ending = [
                    m for m in by_end.get(sent.start(), []) if m.kind not in LEVELS and m.kind != "Person"
                ]
        # Y村的驻村工作队由X派出: the village's team, sent by the unit named after it
        owned = text.startswith("的", words_start - 1)
        if not ending and _SENDERS_AFTER and owned and _sender_after(text, named, end):
            ending = [m for m in by_end.get(words_start - 1, []) if m.kind in _HELPED]
        place = next((m for m in ending if m.kind in LEVELS), None)
        sender = next((m for m in ending if m.kind not in LEVELS), None)
        team_start = words_start
        if place is not None:
            team_start = place.start
            # walk left over the place chain (夏县 + 康家坪村) to the verb that stations the team
            while True:
                outer = next((m for m in by_end.get(team_start, []) if m.kind in LEVELS), None)
                if outer is None:
                    break
                team_start = outer.start
            verb = next((v for v in _STATIONED if text.startswith(v, team_start - len(v))), "")
            if verb:
                before_verb = team_start - len(verb)
                sender = next((m for m in by_end.get(before_verb, []) if m.kind != "Person"), None)
                # X局的驻Y村工作队: the unit's own team
                if sender is None and _OWN_TEAMS and text.startswith("的", before_verb - 1):
                    sender = next(
                        (
                            m
                            for m in by_end.get(before_verb - 1, [])
                            if m.kind not in LEVELS and m.kind != "Person"
                        ),
                        None,
                    )
                if sender is not None:
                    team_start = sender.start
        elif sender is not None:
            team_start = sender.start
        inside = _sender_inside(text, named, words_start, end)
        if inside is not None:
            sender, team_start = inside, inside.start
        named_after = _sender_after(text, named, end) if sender is None and _SENDERS_AFTER else None
        if named_after is not None and place is not None:  # Y村的驻村工作队由X派出: X's team in Y村
            surface = text[team_start:end]
            name = place.name + text[place.end : end].removeprefix("的")  # named as 唐家堡村驻村工作队
            teams.append(Team(Mention(name, "WorkTeam", surface, team_start, end), named_after, place))
            continue
        if sender is None and place is None:
            if last is not None:  # 工作队队长吕维彬: the team the text named before
                reference = Mention(last.mention.name, "WorkTeam", text[words_start:end], words_start, end)
                teams.append(Team(reference, last.sender, last.place))
            continue
        surface = text[team_start:end]
        # X局的驻村工作队 is named X局驻村工作队, as the unit's teams are named without 的
        name = (sender.name + text[sender.end : end].removeprefix("的")) if sender is not None else surface
        if sender is None and place is not None and _INNERMOST_PLACE_NAMES:
            # 江孜县紫金乡达孜村驻村工作队 is named after its innermost place, as bodies are: 达孜村驻村工作队
            name = place.name + text[place.end : end]
        mention = Mention(name, "WorkTeam", surface, team_start, end)
        teams.append(Team(mention, sender, place))
    return teams


# Whether a bare 工作队 refers to a team named earlier in the same sentence, not only in one before.
_LAST_IN_SENTENCE = True


def _sender_after(text: str, named: list[Mention], end: int) -> Mention | None:
    """The unit a team is sent by when the sentence names it after the team (工作队由X派出, 来自X)."""
    came = _CAME_FROM.match(text, end)
    if came is not None:  # Y村的驻村工作队来自X
        unit = next((m for m in named if m.start == came.end() and m.kind not in LEVELS), None)
        return unit if unit is not None and unit.kind not in ("Person", "WorkTeam") else None
    by = BY_AFTER.match(text, end)
    unit = next((m for m in named if by is not None and m.start == by.end() and m.kind not in LEVELS), None)
    if unit is None or unit.kind in ("Person", "WorkTeam") or not _SENT_VERB.match(text, unit.end):
        return None
    return unit


# Whether a team named after a place chain only is named after its innermost place.
_INNERMOST_PLACE_NAMES = True
# A unit's team named with the verb it sent the team by: X派出的驻村工作队, X选派的工作队.
_SENT_OWN = re.compile("(?:" + "|".join(words("sends")) + ")的$")
# Whether a team's sender named after it (Y村的驻村工作队由X派出) makes the team X's.
_SENDERS_AFTER = True
_CAME_FROM = re.compile("(?:均|都)?(?:" + "|".join(words("comes_from")) + ")")
_SENT_VERB = re.compile("(?:联合|共同|统一)?(?:" + "|".join(words("sends")) + "|组建|抽调)")


def _sender_inside(text: str, named: list[Mention], start: int, end: int) -> Mention | None:
    """The unit that opens a team name read as one organisation (中国农业发展银行黑龙江省分行扶贫工作队)."""
    whole = next((m for m in named if m.end == end and m.kind == "WorkTeam" and m.start < start), None)
    if whole is None:
        return None
    unit = text[whole.start : start]
    if not org_kind(unit) or len(unit) < 3:
        return None
    return Mention(unit, org_kind(unit) or "Organisation", unit, whole.start, start)


def helped_place(team: Team) -> Mention | None:
    """The village or town a team serves in, if its name says so."""
    if team.place is not None and team.place.kind in _HELPED:
        return team.place
    return None


def member_facts(out: _SentenceFacts, person: Mention, team: Team, post: str, *, own_unit: bool) -> None:
    """A team's leader or member works for the unit that sent the team and serves in its village.

    ``own_unit``: the text names the person's own unit (队员包括分公司技术员P, 队员P则是Y局的农技员), so
    the team's sender is not said to be the person's.
    """
    if not own_unit and team.sender is not None and _is_org(team.sender):
        out.add(person, "worksFor", team.sender, post)
    place = helped_place(team)
    if place is not None and place.kind == "Village":
        out.add(person, "servesIn", place, post)


def _entered_place(team: Mention, named: list[Mention], text: str) -> Mention | None:
    """The village a team moves into right after its name (X工作队进驻Y村)."""
    verb = _ENTERS.match(text, team.end)
    if verb is None:
        return None
    chain = [m for m in named if _is_place(m) and m.start >= verb.end()]
    leaf = None
    position = verb.end()
    for m in chain:  # follow the chain 乌审旗嘎鲁图镇木都柴达木村 to its end
        if m.start == position:
            leaf, position = m, m.end
    return leaf


_ENTERS = re.compile("|".join(words("enters")))


# Whether the persons listed after 队员包括, 队员还有两人： are members of the team named last.
_LISTED_MEMBERS = True
# 队员包括, 工作队队员还有两人：, 队员分别是: the members of a team announced, then listed (each may be named
# with his or her unit and post: 队员包括分公司技术员P和州公司干部Q). What follows to the clause's end is
# the list, so every person in it is a member.
_MEMBERS_LISTED = re.compile(
    "(?:工作队)?(?:队员|工作队员)(?:还|另)?(?:包括|有|分别是|分别为|是|为)"
    "(?:[一二三四五六七八九十两\\d]+(?:人|名|位))?[：:，,]?"
)
_LIST_END = "。；;！？：:"
# Whether a person named as the team-mate of one named before (同队的P) is a member of that team.
_TEAM_MATES = True
_TEAM_MATE = re.compile("同队的|同组的|同一工作队的|同一个工作队的")


def listed_members(
    text: str, sentence: tuple[int, int], named: list[Mention], team: Team | None
) -> list[tuple[Mention, bool]]:
    """The persons a sentence lists as the members of ``team`` (队员包括P和Q), in text order.

    Each comes with whether the list names the person's own unit (分公司技术员P): the unit the person
    works for is then that one, and the team's sender is not said to be it.
    """
    if not _LISTED_MEMBERS or team is None:
        return []
    members: list[tuple[Mention, bool]] = []
    if _TEAM_MATES:  # 同队的格桑卓玛来自日喀则市农业农村局: a member of the team named before
        for mate in _TEAM_MATE.finditer(text, sentence[0], sentence[1]):
            person = next((m for m in named if m.kind == "Person" and m.start == mate.end()), None)
            if person is not None:
                # the sentence may name the person's own unit after the name; the sender's is unsaid
                members.append((person, UNIT_SAID_AFTER.match(text, person.end) is not None))
    for opener in _MEMBERS_LISTED.finditer(text, sentence[0], sentence[1]):
        end = opener.end()
        while end < sentence[1] and text[end] not in _LIST_END and text[end] not in "，,":
            end += 1
        item_start = opener.end()
        for m in named:
            if m.kind == "Person" and item_start <= m.start < end:
                own = any(
                    o.kind not in LEVELS and o.kind != "Person" and item_start <= o.start < m.start
                    for o in named
                )
                members.append((m, own))
                item_start = m.end
    return members
