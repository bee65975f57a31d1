"""Places: LAC's regions split into administrative units by the gazetteer and chained."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.divisions import find_division_names
from kg.nlp.gazetteer import (
    LEVELS,
    PLACE_SUFFIXES,
    is_bare_short_form,
    is_generic_name,
    place_aliases,
    place_level,
    split_place_chain,
)
from kg.nlp.lac import Word
from kg.nlp.mentions.common import (
    _BREAK_TAGS,
    _FUNCTION_TAGS,
    _NAME_WORD_TAGS,
    _chain_state,
)
from kg.types import Mention


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
            stationed = _STATIONED_INSIDE.search(text, start, end) if _PLACES_AFTER_STATIONING else None
            if stationed is not None and split_place_chain(text[stationed.end() : end]):
                # 旗农牧局驻胡日哈嘎查/ORG: the place a body is stationed in, read into its name
                units = split_place_chain(text[stationed.end() : end])
                if units[-1][1] == end - stationed.end():
                    pieces.append((stationed.end() + units[0][0], end))
    if _NAMES_BEFORE_TORN_UNITS:
        pieces += _names_before_units(text, words)
    pieces += _division_pieces(text, words, tag_at)
    return pieces


# Whether the place after 驻 inside a word LAC read as one organisation (X局驻Y嘎查/ORG) is a place.
_PLACES_AFTER_STATIONING = True
_STATIONED_INSIDE = re.compile("(?:派驻|进驻|驻)")
# Whether a proper name followed by a unit word LAC read on its own (巴彦花/nz 嘎查/v) is a place.
_NAMES_BEFORE_TORN_UNITS = True
_TORN_UNITS = frozenset({"嘎查", "村", "社区"})
_NAME_TAGS_BEFORE_UNITS = frozenset({"nz", "LOC", "PER"})


def _names_before_units(text: str, words: list[Word]) -> list[tuple[int, int]]:
    """巴彦花/nz + 嘎查/v: a name of two to five characters and a village's unit word after it.

    LAC knows gacha and village names it has not seen as proper names but reads the unit word after them
    (嘎查) as a verb or a noun of its own, so neither word alone is a place.
    """
    found = []
    pairs = list(zip(words, words[1:], strict=False))
    # 乌力吉/LOC 图/n 嘎查/v: a name LAC closed one character early, the character read on its own
    pairs += [
        ((s, me, tag), (ns, ne, ntag))
        for (s, e, tag), (ms, me, mtag), (ns, ne, ntag) in zip(words, words[1:], words[2:], strict=False)
        if me - ms == 1 and mtag in ("n", "nz") and tag in ("LOC", "nz") and e == ms
    ]
    for (s, e, tag), (ns, ne, _) in pairs:
        stem = text[s:e]
        if (
            tag in _NAME_TAGS_BEFORE_UNITS
            and ns == e
            and text[ns:ne] in _TORN_UNITS
            and 2 <= len(stem) <= 5
            and not _NOT_IN_NAMES & set(stem)
            and not (len(stem) == 2 and stem[1] in "和同跟")  # 正和/LOC 村党支部: an adverb and a join
            and not text.startswith(tuple(_WORD_CONTINUATIONS.get(text[ns:ne], "")), ne)
        ):
            found.append((s, ne))
    return found


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
