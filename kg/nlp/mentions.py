"""Find mentions of places, organisations and persons on characters, for the component ``kg_mentions``.

LAC supplies persons and rough LOC/ORG regions; the gazetteer and the unit endings split place regions
into administrative units and chain them; organisation endings extend places into bodies
(沙也村 + 党支部). Mentions keep their surface form; naming them fully is the extractor's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from kg.divisions import choose_code, division_table, find_division_names
from kg.nlp.gazetteer import (
    LEVEL_PREFIXES,
    LEVELS,
    ORG_SUFFIXES,
    PLACE_SUFFIXES,
    Endings,
    find_names,
    is_bare_short_form,
    is_generic_name,
    lead_word_at,
    lead_word_ending,
    lexicon,
    org_kind,
    place_aliases,
    place_level,
    split_place_chain,
)
from kg.nlp.gazetteer import (
    words as words_of,
)
from kg.nlp.lac import Word
from kg.types import Mention

_ORG_TAIL = re.compile("[\u4e00-\u9fff]{0,14}?(?:" + "|".join(re.escape(s) for s, _ in ORG_SUFFIXES) + ")")
_ABBREVIATION = re.compile(
    "(?:"
    + "|".join(sorted(LEVEL_PREFIXES, key=len, reverse=True))
    + ")委?"
    + "[\u4e00-\u9fff]{0,8}?(?:"
    + "|".join(re.escape(s) for s, _ in ORG_SUFFIXES)
    + "|委)"
)
_SHORT_NAME = re.compile(r"[（(](?:以下)?简称[“\"]?([\u4e00-\u9fff]{2,10})[”\"]?[）)]")
# LAC tags that may sit inside an organisation name between its place and its ending.
_NAME_TAGS = {"n", "nz", "ORG", "LOC", "vn", "j", "an", "m", "f", "s", "nw", "v"}
_PERSON_MAX = 8
# Names with a middle dot join a given name and a father's or family name (阿不都热合曼·买买提).
_DOTTED_PERSON_MAX = 16
_GLUED_BODY = re.compile("[及和与]")
# Posts used as titles after a name (王刚书记, 李强局长), longest first.
_TITLES = tuple(sorted(set(words_of("principal_post")) | set(words_of("member_post")), key=len, reverse=True))
_TITLE_ENDINGS = Endings((title, title) for title in _TITLES)
# Party committees named by their level alone (县委书记: the committee of the county the text is about).
_LEVEL_COMMITTEES = frozenset({"省委", "市委", "州委", "盟委", "县委", "旗委", "区委"})
_LOOSE_ENDINGS = set("党办局部委会厅院处")
_LOOSE_BRANCHES = {"分行", "支行", "分公司"}
_INNER_BODIES = frozenset({"党支部", "党总支", "党委", "机关党委", "党组", "工会", "团委", "办公室"})
_VERBAL = {"v", "vd", "a", "ad", "d"}
_VERBAL_OR_LEADING = _VERBAL | {"p", "vn"}
_OPENING_TAGS = {"p", "c", "u", "w", "v", "d", "r"}
_BREAK_TAGS = {"p", "c", "u", "w", "PER", "TIME"}
_NOT_IN_ABBREVIATIONS = _BREAK_TAGS | {"v", "a", "ad", "d"}
_FUNCTION_TAGS = {"p", "c", "u", "w", "d", "xc", "r", "PER", "TIME", "m", "q"}


def _chain_state(name: str) -> str:
    """``units`` (ends with a unit), ``torn`` (a remainder follows the last unit) or ``none`` (no unit)."""
    units = split_place_chain(name)
    if not units:
        return "none"
    return "units" if units[-1][1] == len(name) else "torn"


# LAC tags of a name: a province's or city's short form opening such a word is a place (河南, 新疆,
# 呼和浩特铁路运输中级法院), one opening another word is a word (安康 "well-being").
_NAME_WORD_TAGS = {"LOC", "ORG", "nz", "ns"}
# LAC tags of compounds of one-character place names (中美/LOC, 港澳/j).
_COMPOUND_TAGS = {"LOC", "j", "nz", "ns"}


def _division_pieces(text: str, words: list[Word], tag_at: dict[int, str]) -> list[tuple[int, int]]:
    """Division names and short forms of the table that the words around them let stand as places.

    A full name (镇平县, 普玛江塘乡) must start a word or follow another place; a short form (河南,
    长丰) must start a place word LAC found, or be a whole name-like word, so that 太和堂 and 安康
    (well-being) are not read as 太和县 and 安康市.
    """
    word_at = {s: (e, tag) for s, e, tag in words}
    names = place_aliases()
    pieces: list[tuple[int, int]] = []
    ends: set[int] = set()
    for start, end, _name in find_division_names(text):
        surface = text[start:end]
        word = word_at.get(start)
        follows_place = start in ends
        if names.get(surface) == surface:  # an official name
            ok = word is not None or follows_place or (len(surface) >= 3 and tag_at.get(start) == "LOC")
        elif not is_bare_short_form(surface):
            ok = word is not None or follows_place
        elif place_level(surface) in ("County", "Township"):
            # a county's short form is also a word or a given name (黄平, 公安): only where LAC reads
            # a place and a unit of the run follows it (长丰罗塘乡)
            following = split_place_chain(text[start : start + 12])
            ok = (
                word is not None
                and word[1] == "LOC"
                and len(following) >= 2
                and following[0] == (0, end - start)
            )
        else:
            ok = word is not None and word[1] in _NAME_WORD_TAGS or follows_place
        if ok:
            pieces.append((start, end))
            ends.add(end)
    return pieces


def _region_pieces(text: str, words: list[Word], tag_at: dict[int, str]) -> list[tuple[int, int]]:
    """The pieces of place runs that the words decide: the same for both passes of ``local_mentions``."""
    pieces: list[tuple[int, int]] = []
    for start, end, tag in words:
        if tag == "LOC":
            pieces.append((start, end))
        elif tag == "nz" and _chain_state(text[start:end]) == "units":
            pieces.append((start, end))  # 幸福社区/nz: a proper name that ends with a unit is a place
        elif tag == "ORG":  # the places that open a body's name (赤峰市松山区大庙镇 + 党委)
            chain_end = 0
            for s, e in split_place_chain(text[start:end]):
                if s != chain_end or _NOT_IN_NAMES & set(text[start + s : start + e - 1]):
                    break
                chain_end = e
            if chain_end:
                pieces.append((start, start + chain_end))
    pieces += _division_pieces(text, words, tag_at)
    return pieces


def _regions(
    text: str, pieces: list[tuple[int, int]], tag_at: dict[int, str], known: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Runs of place names: LAC's LOC words, gazetteer names and the places opening body names.

    Neighbouring pieces join into one chain when the first ends with an administrative unit
    (乌审旗 + 纳林河村) or was torn by LAC (乌审旗嘎鲁图镇木 + 柴达木村), also across a gap of one or two
    characters LAC misread; a piece without any unit (山东, 法国) stays on its own.
    """
    regions: list[tuple[int, int]] = []
    for start, end in sorted([*pieces, *known]):
        if regions and start < regions[-1][1]:
            if end > regions[-1][1]:
                regions[-1] = (regions[-1][0], end)
            continue
        if regions:
            prev_start, prev_end = regions[-1]
            state = _chain_state(text[prev_start:prev_end])
            gap = range(prev_end, start)
            # a verb between a whole unit and the next piece states something (位于, 帮扶): no chain
            blocking = _BREAK_TAGS if state == "torn" else _FUNCTION_TAGS | {"v"}
            if (
                state != "none"
                and len(gap) <= 2
                and all("\u4e00" <= text[k] <= "\u9fff" and tag_at.get(k) not in blocking for k in gap)
            ):
                regions[-1] = (prev_start, end)
                continue
        regions.append((start, end))
    return regions


_EXTENSION = re.compile(
    "([\u4e00-\u9fff]{2,6}?)("
    + "|".join(x for x, _ in PLACE_SUFFIXES if x not in ("市", "盟", "区", "省"))
    + ")"
)
# Characters that do not occur in the names of towns and villages but do in the words after them.
_NOT_IN_NAMES = set(
    "的了在是与对为把被从向将等及其这那有到给让使很多还也都就又而并或个些每各该本全年村镇乡旗县市区驻"
    "局委部院厅办司会队社所站"
)
# Function characters that do not occur inside the name of a body (河南省各级党委, 某国政府).
_NOT_IN_BODY_NAMES = set("的了在是与对为把被从向将等及其这那有到给让使很多还也都就又而并或些每各该某届")
# A unit ending followed by these is a common word instead (乡村, 嘎查村, 村域, 镇属).
_WORD_CONTINUATIONS = {
    "乡": "村镇级",
    "镇": "属级",
    "嘎查": "村",
    "村": "域民庄级集委组两",
    "苏木": "乡镇",
    "街道": "办",
}


def _plausible_unit(text: str, match: re.Match[str]) -> bool:
    """Whether a stem + unit ending found by pattern reads as a name rather than a phrase."""
    following = text[match.end() : match.end() + 1]
    return not (_NOT_IN_NAMES & set(match.group(1))) and not (
        following and following in _WORD_CONTINUATIONS.get(match.group(2), "")
    )


def _extend_chain(text: str, start: int, end: int) -> int:
    """Extend a place chain over lower-level units LAC missed (美岱召镇 + 何家圐圙村); return the new end."""
    units = split_place_chain(text[start:end])
    if not units:
        return end
    last_end = start + units[-1][1]
    level = place_level(text[start + units[-1][0] : last_end])
    while level is not None:
        match = _EXTENSION.match(text, last_end)
        if not match or not _plausible_unit(text, match):
            break
        next_level = place_level(match.group())
        if next_level is None or LEVELS.index(next_level) <= LEVELS.index(level):
            break
        last_end, level = match.end(), next_level
    return max(end, last_end)


def _listed_units(text: str, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Units listed after a chain (纳林河村、达汉庙嘎查) that LAC missed, at the level of the chain's end."""
    extra = []
    for start, end in regions:
        units = split_place_chain(text[start:end])
        if not units:
            continue
        level = place_level(text[start + units[-1][0] : start + units[-1][1]])
        pos = start + units[-1][1]
        while pos < len(text) and text[pos] == "、":
            match = _EXTENSION.match(text, pos + 1)
            if not match or not _plausible_unit(text, match) or place_level(match.group()) != level:
                break
            extra.append((match.start(), match.end()))
            pos = match.end()
    return extra


def _place_mentions(
    text: str,
    pieces: list[tuple[int, int]],
    tag_at: dict[int, str],
    known: Sequence[tuple[int, int]] = (),
    short_names: frozenset[str] = frozenset(),
) -> list[Mention]:
    places: list[Mention] = []
    regions = [(s, _extend_chain(text, s, e)) for s, e in _regions(text, pieces, tag_at, known)]
    in_region = bytearray(len(text) + 1)
    for s, e in regions:
        in_region[s:e] = b"\x01" * (e - s)
    taken = [r for r in _listed_units(text, regions) if not in_region[r[0]]]
    for start, end in sorted(regions + taken):
        parent = ""
        units = split_place_chain(text[start:end])
        if not units and short_names and text[start:end] in short_names:
            units = [(0, end - start)]  # 代村 again, after the document chained it under its town
        for s, e in units:
            surface = text[start + s : start + e]
            name = place_aliases().get(surface, surface)
            level = place_level(name)
            if level is None or is_generic_name(name):
                continue
            if name != surface and level in ("County", "Township") and len(units) == 1:
                continue  # a county's short form alone is as often a word or a given name (黄平)
            # a unit is never inside one of its own level or below (马营村位于通渭县: no chain)
            above = parent and LEVELS.index(place_level(parent) or level) < LEVELS.index(level)
            places.append(Mention(name, level, surface, start + s, start + e, parent if above else ""))
            parent = name
    return places


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
            and split_place_chain(text[right[0] : right[1]])[:1]
            and split_place_chain(text[right[0] : right[1]])[0][0] == 0
        ):
            return [left, right]
    return []


_JOINED = re.compile("[和与及、]")


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

    def add(start: int, end: int) -> None:
        kind = org_kind(text[start:end])
        # the ending must not be the tail of a verb or adjective (婚事新办)
        if (
            kind
            and (end - start >= 3 or text[start:end] in _LEVEL_COMMITTEES)
            and not is_generic_name(text[start:end])
            and tag_at.get(end - 1) not in _VERBAL
        ):
            found[(start, end)] = kind

    for i, (start, end, tag) in enumerate(words):
        if tag != "ORG" and tag in _VERBAL_OR_LEADING:
            # LAC reads a verb and the name after it as one verb (来自定西市财政局/v)
            lead = lead_word_at(text, start)
            kind = org_kind(text[start + len(lead) : end]) if lead else None
            if kind and end - start - len(lead) >= 4 and not is_generic_name(text[start + len(lead) : end]):
                found[(start + len(lead), end)] = kind
        if tag == "ORG":
            joined = _joined_bodies(text, start, end)
            for s, e in joined:  # 陇南市审计局和成县农业农村局: two bodies, LAC read one
                add(s, e)
            if not joined:
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
                and text[words[i + 1][0] : words[i + 1][1]] == "联合"
                and text[words[i + 2][0] : words[i + 2][1]] in _INNER_BODIES
            ):
                found[(start, words[i + 2][1])] = "PartyBody"
    # a place followed by an organisation ending, without a verb or punctuation in between
    committees: list[tuple[int, int]] = []
    for place in places:
        if text.startswith("委", place.end) and place.kind in ("Province", "City", "County"):
            committees.append((place.start, place.end + 1))
        match = _ORG_TAIL.match(text, place.end)
        if match and match.end() in ends and not _NOT_IN_BODY_NAMES & set(match.group()):
            inner = range(place.end, match.end())
            if all(
                tag_at.get(i) in _NAME_TAGS and tag_at.get(i) != "v" or _joins_words(text, place.end, i)
                for i in inner
            ) or (org_kind(text[place.end : match.end()]) and match.end() - place.end <= 4):
                add(place.start, match.end())
    # bodies named by the level of their place only: 市委组织部, 旗委, 村党支部
    for match in _ABBREVIATION.finditer(text):
        before = text[match.start() - 1] if match.start() else "。"
        opens = not "\u4e00" <= before <= "\u9fff" or tag_at.get(match.start() - 1) in _OPENING_TAGS
        inner = range(match.start() + 1, match.end())
        # the level word stands alone (市 / 市委), not as the start of another word (区域, 乡中)
        first_word = word_at.get(match.start(), "")
        if (
            opens
            and (first_word in LEVEL_PREFIXES or first_word.endswith("委") or first_word == match.group())
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


# Whether a body's one-character ending LAC read into a sending verb after it (委 / 派驻) ends the body.
_SPLIT_SENDING_VERBS = True
_SENDING_VERBS = tuple(sorted(set(words_of("sends")) | set(words_of("dispatch_cue")), key=len, reverse=True))
# Whether a person's name runs on over a middle dot LAC tore it at (names of minority nationalities).
_MIDDLE_DOTS = True
_NAME_PART = re.compile("[\u4e00-\u9fff]{1,6}")


# Whether a word after a title that opens with a family name is read as a name LAC missed (书记高峰介绍).
# Off: it found no fact on the development part, the corpus or the project's phrasings, and added two
# false positives on the held-out test part (benchmarks/rule_ablation.py); MSRA PER F1 is 79.1 either way.
_TITLED_NAMES = False
# Principal, team and village posts name one holder; member posts (干部, 党员, 成员) also name groups.
_NAME_TITLES = tuple(
    sorted(
        {
            w
            for kind in ("principal_post", "team_post", "stationed_post", "name_title")
            for w in words_of(kind)
        },
        key=len,
        reverse=True,
    )
)
_REPORT_VERBS = frozenset(words_of("report_verb"))
# What may stand right after such a name: punctuation, a join, 同志, or a verb of saying.
_AFTER_TITLED_NAME = frozenset({"和", "与", "及", "同志", "等", "一行"})
# LAC tags of words a name was misread as (高峰/n, 文明/ad, 金山/LOC, 万里/m); a verb, an adverb or a
# function word after a title is what the holder does (书记强调), never a name.
_MISREAD_NAME_TAGS = frozenset({"n", "nz", "ad", "a", "an", "LOC", "m", "s", "nw"})


@cache
def _surnames() -> tuple[str, ...]:
    text = resources.files("kg").joinpath("data/surnames.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _titled_names(words: list[Word], text: str) -> list[Mention]:
    """Names LAC missed right after a title: 第一书记文明说, 村党支部书记高峰介绍, 驻村干部金山和队员向阳.

    A word of two or three characters after a post or a title, opening with a family name
    (``data/surnames.txt``), tagged as a noun, an adjective or a place rather than a verb, and followed
    by a clause break, a join or a verb of saying (``report_verb``), is a name; a surname LAC cut off
    on its own (王 / 喜梅) joins the word after it.
    """
    found = []
    for i in range(len(words) - 2):
        s, e, _ = words[i]
        if not text.endswith(_NAME_TITLES, s, e):
            continue
        start, end, tag = words[i + 1]
        after = i + 2
        if end - start == 1 and after < len(words) and words[after][1] - start <= 3:  # 王 / 喜梅
            end, tag, after = words[after][1], words[after][2], after + 1
        name = text[start:end]
        if not (2 <= len(name) <= 3 and tag in _MISREAD_NAME_TAGS and name.startswith(_surnames())):
            continue
        if not all("\u4e00" <= c <= "\u9fff" for c in name) or after >= len(words):
            continue
        following = text[words[after][0] : words[after][1]]
        if words[after][2] == "w" or following in _AFTER_TITLED_NAME or following in _REPORT_VERBS:
            found.append(Mention(name, "Person", name, start, end))
    return found


# Whether a name LAC cut is run on: a dotted name over its torn first and last parts, a Tibetan name
# over the last character of its second element.
_NAME_RUNS = True
_TIBETAN_PARTS = frozenset(words_of("tibetan_name_part"))
# Words that never open a name part: function words, punctuation, and words LAC knows as names or places.
_NOT_NAME_PARTS = {"w", "p", "c", "u", "r", "q", "m", "PER", "LOC", "ORG", "TIME", "f"}


def _whole_name(words: list[Word], i: int, text: str, s: int, e: int) -> tuple[int, int] | None:
    """The span of the whole name of which LAC read ``text[s:e]`` (word ``i``) as a person.

    Transliterated names (买买提江·吐尔地) are foreign to LAC's lexicon: it reads the first syllables
    as a word of their own (买买 / 提江·吐尔 / 地) and the last syllable as a particle. A dotted name
    takes the word right before it when that word is a short content word (no post: 队长 stays out),
    and a one-character particle or adverb after it when a clause break or a verb follows. A Tibetan name
    read as an element and one character takes the next character when the two form an element
    (次仁旺 / 堆 -> 次仁旺堆; ``tibetan_name_part``), or one character and an element the character before
    (医次 / 仁卓玛 -> 次仁卓玛). Both parts of a dotted name read as two names (提明 / · / 吐尔洪) are one
    name: the first takes the second, and the second (None) is no name of its own.
    """
    if i >= 2 and text[words[i - 1][0] : words[i - 1][1]] == "·" and words[i - 2][2] == "PER":
        return None
    if i + 2 < len(words) and text[words[i + 1][0] : words[i + 1][1]] == "·" and words[i + 2][2] == "PER":
        e = words[i + 2][1]
    if "·" in text[s:e]:
        if i > 0:
            ps, pe, ptag = words[i - 1]
            previous = text[ps:pe]
            if (
                pe == s
                and 2 <= pe - ps <= 3
                and ptag not in _NOT_NAME_PARTS
                and _NAME_PART.fullmatch(previous)
                and not previous.endswith(_TITLES + _NAME_TITLES)
            ):
                s = ps
        last = text[e - 1 :: -1].find("·")
        if last <= 2 and i + 2 < len(words):
            ns, ne, ntag = words[i + 1]
            if ne - ns == 1 and ntag in ("u", "xc", "d") and words[i + 2][2] in ("w", "v"):
                e = ne
        return s, e
    if e - s == 3 and text[s : s + 2] in _TIBETAN_PARTS and i + 1 < len(words):
        ns, ne, _ = words[i + 1]
        if ns == e and text[e - 1] + text[ns] in _TIBETAN_PARTS:
            e = ns + 1
    elif e - s == 3 and s > 0 and text[s - 1 : s + 1] in _TIBETAN_PARTS and text[s + 1 : e] in _TIBETAN_PARTS:
        s -= 1
    return s, e


def _person_mentions(words: list[Word], text: str) -> list[Mention]:
    persons = _titled_names(words, text) if _TITLED_NAMES else []
    for i, (s, e, tag) in enumerate(words):
        if tag != "PER":
            continue
        # LAC cuts long names (Mongolian, Tibetan, Uyghur) and tags the rest as a particle (吉日 / 嘎):
        # a particle between the name and the end of the clause belongs to the name
        if i + 2 < len(words) and words[i + 1][2] == "xc" and words[i + 2][2] == "w":
            e = words[i + 1][1]
        # and the part after a middle dot (阿不都热合曼 / · / 买买提), which it tags as anything
        if _MIDDLE_DOTS and i + 2 < len(words) and text[words[i + 1][0] : words[i + 1][1]] == "·":
            rest = text[words[i + 2][0] : words[i + 2][1]]
            if words[i + 2][2] not in ("w", "PER") and _NAME_PART.fullmatch(rest):
                e = words[i + 2][1]
        # or with the dot inside the name it read, the part after it left out (阿依古丽· / 买买提)
        if _MIDDLE_DOTS and text[e - 1] == "·" and i + 1 < len(words):
            rest = text[words[i + 1][0] : words[i + 1][1]]
            e = words[i + 1][1] if words[i + 1][2] != "w" and _NAME_PART.fullmatch(rest) else e - 1
        if _NAME_RUNS:
            whole = _whole_name(words, i, text, s, e)
            if whole is None:
                continue
            s, e = whole
        title = (_TITLE_ENDINGS.first(text[s + 2 : e]) or ("", ""))[0]
        e -= len(title)  # 王刚书记/PER: the name, then the title LAC read into it
        glued = _GLUED_BODY.search(text, s + 2, e)
        if glued is not None and org_kind(text[glued.end() : e]):
            e = glued.start()  # 钱永福及县林业局/PER: a name and the body listed after it
        longest = _DOTTED_PERSON_MAX if "·" in text[s:e] else _PERSON_MAX
        if 2 <= e - s <= longest and not re.search(r"[^\u4e00-\u9fff·]", text[s:e]):
            persons.append(Mention(text[s:e], "Person", text[s:e], s, e))
    return persons


def _with_codes(places: list[Mention]) -> list[Mention]:
    """Places with the official code of the division they name, where the table decides it.

    A chain's parent picks the reading under it (图克镇 under 乌审旗); otherwise the reading whose
    ancestors the document names anywhere; a name chained under a division the table does not put
    above it is no chain (番禺区组团帮扶五华县: 五华县 does not lie in 番禺区).
    """
    table = division_table()
    context = {p.name for p in places if p.name in table.by_name}
    coded: list[Mention] = []
    codes: dict[str, str] = {}
    # a document names its places again and again: each reading and ancestry is worked out once
    chosen: dict[tuple[str, str], str] = {}
    above: dict[str, set[str]] = {}

    def code_of(name: str, parent: str) -> str:
        if (name, parent) not in chosen:
            chosen[(name, parent)] = choose_code(name, parent, context)
        return chosen[(name, parent)]

    for p in places:
        code = code_of(p.name, p.parent)
        parent_code = codes.get(p.parent, "")
        if code and parent_code and code not in above:
            above[code] = {a.code for a in table.ancestors(code)}
        if code and parent_code and parent_code not in above[code]:
            p = replace(p, parent="")
            code = code_of(p.name, "")
        codes[p.name] = code
        coded.append(replace(p, code=code) if code else p)
    return coded


@dataclass(frozen=True, slots=True)
class LocalMentions:
    """What a stretch of text yields on its own, before the steps that need the whole document.

    ``find_mentions`` is ``document_mentions`` over the ``local_mentions`` of the whole text; a long
    document is analysed in stretches instead (``kg.nlp.segments``), whose results the same
    ``document_mentions`` merges. Offsets are those of the text the stretch was found in.

    Attributes:
        names: Names of the first pass over the stretch that the second pass finds again everywhere.
        places: Places of the second pass, without their division codes.
        orgs: Organisations, without the short names defined in the text.
        definitions: (offset, short name) of each definition of a short name.
        persons: Persons, before those inside an organisation's name are dropped.
    """

    names: frozenset[str]
    places: list[Mention]
    orgs: list[Mention]
    definitions: list[tuple[int, str]]
    persons: list[Mention]

    def shifted(self, offset: int) -> LocalMentions:
        """The same mentions with ``offset`` added to every offset."""

        def move(ms: list[Mention]) -> list[Mention]:
            return [replace(m, start=m.start + offset, end=m.end + offset) for m in ms]

        definitions = [(start + offset, short) for start, short in self.definitions]
        return LocalMentions(self.names, move(self.places), move(self.orgs), definitions, move(self.persons))


def _names_to_find_again(places: list[Mention]) -> frozenset[str]:
    """Towns and villages named unambiguously: found again where LAC missed them."""
    return frozenset(
        p.name
        for p in places
        if p.kind in ("County", "Township", "Village") and (len(p.name) >= 3 or p.parent)
    )


def local_mentions(
    text: str, words: list[Word], *, end: int | None = None, names: frozenset[str] | None = None
) -> LocalMentions:
    """The mentions that start before ``end``, as far as the text up to there and a little after decides.

    Args:
        text: A stretch of normalised text: whole sentences, then context after ``end``.
        words: LAC words of that text (character offsets).
        end: Where the stretch ends and its context begins; the text's end by default.
        names: The names to find again (``LocalMentions.names`` of the whole document); by default
            those of the stretch's own first pass.
    """
    end = len(text) if end is None else end
    tag_at = _tags_by_character(words)
    pieces = _region_pieces(text, words, tag_at)
    places = []
    if names is None:
        places = _place_mentions(text, pieces, tag_at)
        names = _names_to_find_again([p for p in places if p.start < end])
    elif not names:
        places = _place_mentions(text, pieces, tag_at)
    # one name, one reading per document: a town found in one sentence is found where LAC missed it
    if names:
        short = frozenset(n for n in names if len(n) == 2)
        # longest first, so that a name is not cut short by a name it begins with
        places = _place_mentions(text, pieces, tag_at, find_names(text, names), short)
    # organisations from all places, the context's too: only kind and position matter to them
    orgs = _org_mentions(text, words, places, tag_at)

    def before_end(ms: list[Mention]) -> list[Mention]:
        return [m for m in ms if m.start < end]

    return LocalMentions(
        names,
        before_end(places),
        before_end(orgs),
        _short_name_definitions(text, end),
        before_end(_person_mentions(words, text)),
    )


# Whether a person overlapping a place is dropped.
_NO_PERSONS_IN_PLACES = True


def document_mentions(text: str, parts: Iterable[LocalMentions]) -> list[Mention]:
    """All mentions of a document from the local mentions of its stretches, in text order.

    The document-wide steps: places get the division codes their context decides, defined short names
    are found anywhere, and persons inside an organisation's name are dropped.

    Args:
        text: The whole normalised document.
        parts: Local mentions of consecutive stretches covering it, with document offsets.
    """
    places: list[Mention] = []
    found_orgs: list[Mention] = []
    definitions: list[tuple[int, str]] = []
    persons: list[Mention] = []
    for part in parts:
        places += part.places
        found_orgs += part.orgs
        definitions += part.definitions
        persons += part.persons
    places = _with_codes(places)
    # one organisation per end, the one starting first, as _org_mentions keeps: a name may run from
    # one stretch into the next (a loose ending after a line break), which that stretch cannot see
    ends: set[int] = set()
    orgs = []
    for m in found_orgs:
        if m.end not in ends:
            ends.add(m.end)
            orgs.append(m)
    orgs += _defined_short_names(text, orgs, definitions)
    in_org = bytearray(len(text) + 1)  # a character mask: overlap tests stay linear in long texts
    for m in orgs:
        in_org[m.start : m.end] = b"\x01" * (m.end - m.start)
    if _NO_PERSONS_IN_PLACES:  # LAC reads some villages as persons too (阿亚格曼干村/PER)
        for m in places:
            in_org[m.start : m.end] = b"\x01" * (m.end - m.start)
    persons = [p for p in persons if not any(in_org[p.start : p.end])]
    return sorted(places + orgs + persons, key=lambda m: (m.start, -m.end))


def find_mentions(text: str, words: list[Word]) -> list[Mention]:
    """All place, organisation and person mentions of a text, sorted by position.

    Args:
        text: Normalised document text.
        words: LAC words of that text (character offsets).

    Returns:
        Mentions; an organisation may contain the places that name it, nothing else overlaps.
    """
    return document_mentions(text, [local_mentions(text, words)])


NER_LABELS = {"Person": "PER"} | {level: "LOC" for level in LEVELS}


def _abbreviated_places(words: list[Word], text: str) -> list[tuple[int, int]]:
    """One-character place names inside compound words: 中美 (中, 美), 中方 (中), 访华 (华), 港澳 (港, 澳)."""
    short = {entry for entry, _ in lexicon()["place_abbreviation"]}
    visits = set(words_of("visit_verb"))
    found = []
    for start, end, tag in words:
        word = text[start:end]
        if tag in _COMPOUND_TAGS and 2 <= len(word) <= 3 and all(c in short for c in word):
            found += [(i, i + 1) for i in range(start, end)]  # 中美, 中日韩, 港澳
        elif len(word) == 2 and word[0] in short and word[1] == "方" and tag in _COMPOUND_TAGS | {"n", "r"}:
            found.append((start, start + 1))  # 中方, 美方: the Chinese side
        elif len(word) == 2 and word[0] in visits and word[1] in short and tag in ("v", "vn", "LOC", "j"):
            found.append((start + 1, end))  # 访华, 赴美
    return found


def _national_teams(words: list[Word], text: str) -> list[tuple[int, int]]:
    """Sports teams named after their country (中国队, 印尼女队): organisations, not places."""
    teams = []
    for (start, end, tag), (_, after, _) in zip(words, words[1:], strict=False):
        if tag == "LOC" and text[end:after] in ("队", "女队", "男队"):
            teams.append((start, after))
    return teams


def named_entities(words: list[Word], mentions: list[Mention], text: str = "") -> list[tuple[int, int, str]]:
    """PER/LOC/ORG spans: the project's mentions first, then LAC's entities where no mention overlaps.

    Mentions carry what LAC gets wrong (organisation names built on places, chains split into units,
    short names); LAC keeps what the mention finder does not look for (foreign places, other names).

    Examples:
        >>> branch = Mention("沙也村党支部", "PartyBody", "沙也村党支部", 0, 6)
        >>> named_entities([(0, 3, "LOC"), (6, 8, "PER")], [branch])
        [(0, 6, 'ORG'), (6, 8, 'PER')]
    """
    chosen: list[tuple[int, int, str]] = []
    size = max([m.end for m in mentions] + [w[1] for w in words] + [0])
    taken = bytearray(size + 1)  # a character mask: overlap tests stay linear in long texts

    def free(start: int, end: int) -> bool:
        if any(taken[start:end]):
            return False
        taken[start:end] = b"\x01" * (end - start)
        return True

    def longest_first(ms: list[Mention]) -> list[Mention]:
        return sorted(ms, key=lambda m: (-(m.end - m.start), m.start))

    # bodies and persons, then LAC's bodies (内蒙古音像出版社 beats the place 内蒙古), then places
    for m in longest_first([m for m in mentions if m.kind not in LEVELS]):
        if free(m.start, m.end):
            chosen.append((m.start, m.end, NER_LABELS.get(m.kind, "ORG")))
    for start, end, tag in words:
        if tag == "ORG" and free(start, end):
            chosen.append((start, end, tag))
    for start, end in _national_teams(words, text) if text else ():
        if free(start, end):
            chosen.append((start, end, "ORG"))
    for m in longest_first([m for m in mentions if m.kind in LEVELS]):
        if free(m.start, m.end):
            chosen.append((m.start, m.end, "LOC"))
    for start, end in _abbreviated_places(words, text) if text else ():
        if free(start, end):
            chosen.append((start, end, "LOC"))
    for start, end, tag in words:
        if tag in ("PER", "LOC") and free(start, end):
            chosen.append((start, end, tag))
    return sorted(chosen)
