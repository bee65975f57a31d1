"""Bodies: places extended by organisation endings, bodies LAC joined or cut, short names in the text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.divisions import division_table
from kg.nlp.gazetteer import (
    LEVEL_PREFIXES,
    is_generic_name,
    lead_word_at,
    lead_word_ending,
    org_kind,
    split_place_chain,
)
from kg.nlp.gazetteer import (
    words as words_of,
)
from kg.nlp.lac import Word
from kg.nlp.mentions.common import (
    _ABBREVIATION,
    _INNER_BODIES,
    _LEVEL_COMMITTEES,
    _LOOSE_ENDINGS,
    _NAME_TAGS,
    _NOT_IN_ABBREVIATIONS,
    _OPENING_TAGS,
    _ORG_TAIL,
    _SHORT_NAME,
    _VERBAL,
    _VERBAL_OR_LEADING,
)
from kg.nlp.mentions.places import (
    _NOT_IN_BODY_NAMES,
)
from kg.types import Mention

# Words between a body and its own party branch: 联合 (a branch joining several sections, 急诊儿科联合党支部)
# and 机关 (the branch of the body's offices, 市财政局机关党支部: every department and bureau has one,
# and news names it when the branch, not the bureau, pairs with a village or community).
_BRANCH_MIDDLES = frozenset({"联合", "机关"})


def _joins_words(text: str, start: int, i: int) -> bool:
    """Whether ``text[i]`` is a 和 joining two words inside one body's name (市场和质量监管局).

    Departments are named by two fields joined with 和 (人力资源和社会保障局); a 和 after a whole body
    (市委和市政府) joins two bodies instead.
    """
    return text[i] == "和" and org_kind(text[start:i]) is None


def _joined_bodies(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The two bodies of a name LAC read as one across a join (陇南市审计局和成县农业农村局), or [].

    Both sides must be bodies on their own and the second must open with a place, so that one
    department named by two fields (住房和城乡建设局) stays whole.
    """
    for join in _JOINED.finditer(text, start, end):
        left, right = (start, join.start()), (join.end(), end)
        if (
            right[1] - right[0] >= 3
            and org_kind(text[left[0] : left[1]])
            and org_kind(text[right[0] : right[1]])
            and (
                split_place_chain(text[right[0] : right[1]])[:1]
                and split_place_chain(text[right[0] : right[1]])[0][0] == 0
                # 县财政局和县医院: the second named by the level of its place, as the first is
                or (
                    _LEVEL_NAMED_PAIRS
                    and _opens_with_level(text[left[0] : left[1]])
                    and _opens_with_level(text[right[0] : right[1]])
                )
            )
        ):
            return [left, right]
    return []


_JOINED = re.compile("[和与及、]")
# Whether two bodies each named by the level of its place (县财政局和县医院) are two bodies.
_LEVEL_NAMED_PAIRS = True


def _opens_with_level(name: str) -> bool:
    """Whether a body's name opens with a level word and names the body by it (县医院, 市委组织部)."""
    return any(name.startswith(p) and len(name) > len(p) + 1 for p in LEVEL_PREFIXES if len(p) == 1)


def _tags_by_character(words: list[Word]) -> dict[int, str]:
    """The LAC tag of every character offset that a word covers."""
    tag_at: dict[int, str] = {}
    for s, e, tag in words:
        if e - s == 1:
            tag_at[s] = tag
        else:
            tag_at.update(dict.fromkeys(range(s, e), tag))
    return tag_at


def _org_mentions(
    text: str, words: list[Word], places: list[Mention], tag_at: dict[int, str]
) -> list[Mention]:
    ends = {w[1] for w in words}
    word_at = {s: text[s:e] for s, e, _ in words}
    found: dict[tuple[int, int], str] = {}

    def add(start: int, end: int, ending_known: bool = False) -> None:
        kind = org_kind(text[start:end])
        # the ending must not be the tail of a verb or adjective (婚事新办), unless a place and a whole
        # department's name make the word (临夏州财政局/v)
        if (
            kind
            and (end - start >= 3 or text[start:end] in _LEVEL_COMMITTEES)
            and not is_generic_name(text[start:end])
            and (tag_at.get(end - 1) not in _VERBAL or ending_known)
        ):
            found[(start, end)] = kind

    farms = {
        text[s:e]
        for s, e, tag in words
        if _FARM_BODIES and tag == "LOC" and e - s >= 4 and text.endswith(_FARM_ENDINGS, s, e)
    }
    for i, (start, end, tag) in enumerate(words):
        if _PREFECTURE_COMMITTEE_WORDS and text[start:end] == "地委":
            add(start, end)  # 地委/n: a prefecture's committee (地 opens too many words to be a level word)
        if tag != "ORG" and tag in _VERBAL_OR_LEADING:
            # LAC reads a verb and the name after it as one verb (来自定西市财政局/v)
            lead = lead_word_at(text, start)
            kind = org_kind(text[start + len(lead) : end]) if lead else None
            if kind and end - start - len(lead) >= 4 and not is_generic_name(text[start + len(lead) : end]):
                found[(start + len(lead), end)] = kind
        if _FARM_BODIES and tag == "LOC" and end - start >= 4 and text.endswith(_FARM_ENDINGS, start, end):
            # 伊和乌拉农场/LOC: a farm is a tract of land to LAC, and a unit too; where LAC cut its name
            # once (伊 / 和 / 乌拉农场), the whole name it read elsewhere in the text ends there
            whole = max((f for f in farms if text[max(0, end - len(f)) : end] == f), key=len)
            add(end - len(whole), end)
        if (
            _SHORT_NAMED_COMMITTEES
            and tag in _NAME_WORD_TAGS
            and text.startswith(_LEVEL_COMMITTEE_WORDS, end)
            and division_table().level(text[start : end + 1]) in ("County", "City")
        ):
            # 澜沧 / 县委书记: a county named without its ending before its committee (澜沧县 is a county)
            found[(start, end + 2)] = "PartyBody"
        if tag == "ORG":
            joined = _joined_bodies(text, start, end)
            for s, e in joined:  # 陇南市审计局和成县农业农村局: two bodies, LAC read one
                add(s, e)
            stationed = _stationed_body(text, start, end) if not joined and _SPLIT_AT_STATIONING else None
            if stationed is not None:  # 旗农牧局驻胡日哈嘎查/ORG: the body, then where it is stationed
                add(start, stationed)
                continue
            sent = _sent_body(text, start, end) if not joined and _SPLIT_AT_SENDING_VERBS else None
            if sent is not None:  # 湖南农业大学选派园艺学院: a sender, its verb, and the body sent from
                (ls, le), (rs, re_) = sent
                add(ls, le)
                add(rs, re_)
            elif not joined:
                add(start, end)
            # LAC glues the verb that follows a name into it (湖南日报社驻 / 安化县)
            glued = lead_word_ending(text[start:end])
            if glued and end - start - len(glued) >= 3:
                add(start, end - len(glued))
            # LAC often leaves a one-character ending outside the name (致公 / 党, 国务院外 / 办)
            # or the ending read into a sending verb after it (省发展改革 / 委派驻): 委派 is a word too
            following = words[i + 1] if i + 1 < len(words) else None
            if (
                _SPLIT_SENDING_VERBS
                and following is not None
                and following[0] == end
                and text[end] in _LOOSE_ENDINGS
                and text.startswith(_SENDING_VERBS, end + 1, following[1])
                and org_kind(text[start : end + 1])
            ):
                found[(start, end + 1)] = org_kind(text[start : end + 1]) or "Organisation"
            # or a branch's ending (农行四川省 / 分行)
            if (
                i + 1 < len(words)
                and text[words[i + 1][0] : words[i + 1][1]] in _LOOSE_ENDINGS | _LOOSE_BRANCHES
            ):
                found[(start, words[i + 1][1])] = org_kind(text[start : words[i + 1][1]]) or "Organisation"
            # and a body's own party branch or union outside it (定西市财政局 / 党支部), also a branch
            # joining several of its sections (急诊儿科 / 联合 / 党支部)
            if i + 1 < len(words) and text[words[i + 1][0] : words[i + 1][1]] in _INNER_BODIES:
                found[(start, words[i + 1][1])] = org_kind(text[start : words[i + 1][1]]) or "PartyBody"
            elif (
                i + 2 < len(words)
                and text[words[i + 1][0] : words[i + 1][1]] in _BRANCH_MIDDLES
                and text[words[i + 2][0] : words[i + 2][1]] in _INNER_BODIES
            ):
                found[(start, words[i + 2][1])] = "PartyBody"
    # a place followed by an organisation ending, without a verb or punctuation in between
    committees: list[tuple[int, int]] = []
    for place in places:
        if text.startswith("委", place.end) and place.kind in ("Province", "City", "County"):
            committees.append((place.start, place.end + 1))
        match = _ORG_TAIL.match(text, place.end)
        crosses_verb = (
            _SPLIT_AT_SENDING_VERBS and match is not None and _sent_body(text, place.start, match.end())
        )
        if match and match.end() in ends and not _NOT_IN_BODY_NAMES & set(match.group()) and not crosses_verb:
            inner = range(place.end, match.end())
            if all(
                tag_at.get(i) in _NAME_TAGS and tag_at.get(i) != "v" or _joins_words(text, place.end, i)
                for i in inner
            ) or (org_kind(text[place.end : match.end()]) and match.end() - place.end <= 4):
                tail = text[place.end : match.end()]
                known = _PLACE_DEPARTMENTS_OVER_VERBS and len(tail) >= 3 and org_kind(tail) is not None
                add(place.start, match.end(), ending_known=known)
    # bodies named by the level of their place only: 市委组织部, 旗委, 村党支部
    for match in _abbreviations(text):
        before = text[match.start() - 1] if match.start() else "。"
        opens = not "\u4e00" <= before <= "\u9fff" or tag_at.get(match.start() - 1) in _OPENING_TAGS
        # 正和/LOC 村党支部: an adverb and a join LAC read as one word open the phrase after them
        opens = opens or (
            _ADVERB_JOINS_OPEN
            and before in "和与同跟"
            and match.start() >= 2
            and text[match.start() - 2] in _JOINED_ADVERBS
        )
        # 原单位县林业和草原局, 帮扶单位县财政局: a body in apposition to the word for a unit
        opens = opens or (
            _AFTER_UNIT_WORD and text.startswith("单位", max(0, match.start() - 2), match.start())
        )
        # a body LAC read as one word (是/v 县卫生健康局/n) opens wherever it stands
        opens = opens or (_WHOLE_WORD_BODIES and word_at.get(match.start(), "") == match.group())
        inner = range(match.start() + 1, match.end())
        # the level word stands alone (市 / 市委), not as the start of another word (区域, 乡中)
        first_word = word_at.get(match.start(), "")
        if (
            opens
            and (
                first_word in LEVEL_PREFIXES
                or first_word.endswith("委")
                or first_word == match.group()
                # 省农业/ORG + 农村 + 厅: LAC read the level word into the start of a body's name
                or (_LEVEL_OPENS_ORG_WORDS and tag_at.get(match.start()) == "ORG" and len(first_word) >= 2)
            )
            and match.end() in ends
            and all(
                tag_at.get(i) not in _NOT_IN_ABBREVIATIONS or _joins_words(text, match.start(), i)
                for i in inner
            )
        ):
            add(match.start(), match.end())
        if opens and first_word in _LEVEL_COMMITTEES:  # 县委常委: 县委, not a body 县委常委
            add(match.start(), match.start() + 2)
    # 祁东县委: the county's party committee, whatever words LAC made of 委书记, unless a longer body
    # opens with it (成都市委党校)
    for start, end in committees:
        if not any(s == start and e > end for s, e in found):
            found[(start, end)] = "PartyBody"
    # where candidates share their end, prefer the longest name (鄂尔多斯市委组织部 over 市委组织部)
    by_end: dict[int, tuple[int, int]] = {}
    for start, end in sorted(found):
        if end not in by_end:
            by_end[end] = (start, end)
    mentions = []
    for start, end in sorted(by_end.values()):
        surface = text[start:end]
        mentions.append(Mention(surface, found[(start, end)], surface, start, end))
    return mentions


def _abbreviations(text: str) -> Iterator[re.Match[str]]:
    """Every body named by its level (县卫生健康局), also where one starts inside another's match.

    A level word ends many place names (吉列村是县卫生健康局: 村 opens a match that swallows 县…), so a
    match does not hide the ones that start inside it.
    """
    match = _ABBREVIATION.search(text)
    while match is not None:
        yield match
        match = _ABBREVIATION.search(text, match.start() + 1 if _OVERLAPPING_ABBREVIATIONS else match.end())


# Whether a body named by its level may start inside the match of another (吉列村是县卫生健康局).
_OVERLAPPING_ABBREVIATIONS = True


def _stationed_body(text: str, start: int, end: int) -> int | None:
    """Where the body ends in a name LAC read over 驻 and a place (旗农牧局驻胡日哈嘎查), or None."""
    name = text[start:end]
    at = name.find("驻", 2)
    if at < 0 or not org_kind(name[:at]):
        return None
    rest = name[at + 1 :]
    units = split_place_chain(rest)
    return start + at if units and units[-1][1] == len(rest) else None


def _sent_body(text: str, start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The sender and the body of a name LAC read as one across a sending verb, or None.

    LAC reads 湖南农业大学选派园艺学院 and 安吉县选派县农业农村局 as one organisation; a sending verb
    inside the name, with a place or a body before it and a body after it, divides the two.
    """
    name = text[start:end]
    for verb in _SENDING_VERBS:
        at = name.find(verb, 2)
        if at < 0:
            continue
        left, right = name[:at], name[at + len(verb) :]
        if len(right) >= 3 and org_kind(right) and (org_kind(left) or split_place_chain(left)):
            return (start, start + at), (start + at + len(verb), end)
    return None


# Whether a place and a department's whole name (临夏州 + 财政局) are a body though LAC tagged them a verb.
_PLACE_DEPARTMENTS_OVER_VERBS = True
# Whether a name LAC read over 驻 and a place (旗农牧局驻胡日哈嘎查) ends before 驻.
_SPLIT_AT_STATIONING = True
# Whether a name LAC read across a sending verb (X大学选派Y学院) is divided there.
_SPLIT_AT_SENDING_VERBS = True


def _short_name_definitions(text: str, end: int) -> list[tuple[int, str]]:
    """(offset, short name) of each definition of a short name that starts before ``end``."""
    return [(m.start(), m.group(1)) for m in _SHORT_NAME.finditer(text) if m.start() < end]


def _defined_short_names(text: str, orgs: list[Mention], definitions: list[tuple[int, str]]) -> list[Mention]:
    """Mentions of short names defined in the text: 呼和浩特铁路运输中级法院（以下简称“呼铁中院”）.

    A short name is found anywhere in the text, also before its definition.
    """
    owners: dict[int, Mention] = {}
    for m in orgs:
        owners.setdefault(m.end, m)
    mentions = []
    for start, short in definitions:
        owner = owners.get(start)
        if owner is None:
            continue
        for occurrence in re.finditer(re.escape(short), text):
            mentions.append(Mention(owner.name, owner.kind, short, occurrence.start(), occurrence.end()))
    return mentions


# Branch words LAC may leave outside a bank's or company's name (农行四川省 / 分行).
_LOOSE_BRANCHES = {"分行", "支行", "分公司"}

# Whether a body's one-character ending LAC read into a sending verb after it (委 / 派驻) ends the body.
_SPLIT_SENDING_VERBS = True
_SENDING_VERBS = tuple(sorted(set(words_of("sends")) | set(words_of("dispatch_cue")), key=len, reverse=True))

# Whether a word LAC tags as a place but ending in a farm's ending (农场, 林场, 牧场) is a body too.
_FARM_BODIES = True
_FARM_ENDINGS = words_of("farm_body")

# Whether a place's short name (澜沧, without 县) before a word opening with its committee (县委书记) names
# that committee, when the name with the level's character is a division of the table (澜沧县).
_SHORT_NAMED_COMMITTEES = True
# Whether the word 地委 is a prefecture's committee.
_PREFECTURE_COMMITTEE_WORDS = True
# Whether a body named by its level that LAC began as an organisation word (省农业/ORG 农村 厅) is a body.
_LEVEL_OPENS_ORG_WORDS = True
# Whether a join after an adverb, read by LAC as one word with it (正和, 也和), opens a body named by level.
_ADVERB_JOINS_OPEN = True
_JOINED_ADVERBS = frozenset("正也还又都就便已曾")
# Whether a body named by its level opens after the word 单位 it stands in apposition to.
_AFTER_UNIT_WORD = True
# Whether a body named by its level that LAC read as one word is a body after any word (是县卫生健康局).
_WHOLE_WORD_BODIES = True
_NAME_WORD_TAGS = frozenset({"ORG", "LOC", "nz", "ns", "n"})
_LEVEL_COMMITTEE_WORDS = ("县委", "市委", "区委", "旗委")
