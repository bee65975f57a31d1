"""What the mention finders share: LAC tag sets, name patterns and limits."""

from __future__ import annotations

import re

from kg.nlp.gazetteer import (
    LEVEL_PREFIXES,
    ORG_SUFFIXES,
    Endings,
    split_place_chain,
)
from kg.nlp.gazetteer import (
    words as words_of,
)

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
_LEVEL_COMMITTEES = frozenset({"省委", "市委", "州委", "地委", "盟委", "县委", "旗委", "区委"})
_LOOSE_ENDINGS = set("党办局部委会厅院处")
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
