"""Where places lie (locatedIn): chains of names, lists, and locations stated in words.

A chain (通渭县李家店乡马营村) puts each unit in the one before it; a list (上石村、下石村) shares the
chain's parent; 位于, 所辖 and 是X乡N个村之一 state a parent in words, which must be of a higher level.
Last, a place keeps only the unit right above it as its parent, as a chain would give it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from kg.extract.common import _LIST_JOINS, ASSIST_CUES, _chain_from, _chain_to, _listed_places, _SentenceFacts
from kg.nlp.gazetteer import LEVELS, place_level
from kg.types import Candidate, Mention


def _located_in(places: list[Mention], text: str, out: _SentenceFacts) -> None:
    by_name: dict[str, Mention] = {}
    for i, m in enumerate(places):
        if m.parent:
            parent = by_name.get(m.parent) or Mention(
                m.parent, place_level(m.parent) or "Place", m.parent, m.start, m.start
            )
            out.add(m, "locatedIn", parent)
        elif (
            i
            and text[places[i - 1].end : m.start] in ("、", "和", "及", "与", "以及")
            and places[i - 1].parent
            and not _partners(places[i - 1], m, text)
        ):
            # 上石村、下石村: the list shares its chain's parent; 咸宜镇李坪村、修齐镇东河村: an item
            # that opens a new chain shares the parent of the place of its level in the chain before
            same = next((p for p in reversed(places[:i]) if p.kind == m.kind), None)
            if (
                same is not None
                and same.parent
                and same.parent in by_name
                and (
                    same is places[i - 1]
                    or _run_start(places, _list_start(places, i - 1, text)) <= places.index(same)
                )
            ):
                inherited = replace(m, parent=same.parent)
                places[i] = inherited
                out.add(inherited, "locatedIn", by_name[same.parent])
        by_name[m.name] = places[i]


# Whether two places joined by 与 (or 同) before a word of partnership are partners, not a list:
# 上海市闵行区与萨迦县开展对口支援, 宁波市鄞州区与布拖县建立结对关系. Help between places pairs a richer
# region with a poorer one, mostly in other provinces (东西部协作, 对口支援), so the second shares nothing
# of the first's chain.
_PARTNER_PLACES = True
_PARTNERSHIP = re.compile(
    "[^，。；！？,;]{0,12}?(?:" + ASSIST_CUES.pattern + "|协作|合作|签订|签署|签约|结成|结为|建立|携手|牵手)"
)


def _partners(first: Mention, second: Mention, text: str) -> bool:
    return (
        _PARTNER_PLACES
        and text[first.end : second.start] in ("与", "同")
        and _PARTNERSHIP.match(text, second.end) is not None
    )


def _higher(parent: Mention, child: Mention) -> bool:
    return LEVELS.index(parent.kind) < LEVELS.index(child.kind)


def _stated_locations(
    places: list[Mention], text: str, sentence: tuple[int, int], out: _SentenceFacts
) -> None:
    """Where a place lies, stated in words rather than by a chain of names.

    马营村位于通渭县李家店乡, 位于X乡的马营村, X乡所辖马营村、柳树村, 通渭县的平襄镇: the parent must be
    of a higher level than the place.
    """
    places = [m for m in places if m.kind in LEVELS]
    for m in places:
        verb = _LIES_IN.match(text, m.end)
        if verb is not None:  # 马营村位于通渭县李家店乡
            parent = _chain_from(places, verb.end())
            if parent is not None and _higher(parent, m):
                out.add(m, "locatedIn", parent)
    for verb in _LIES_IN.finditer(text, sentence[0], sentence[1]):  # 位于X乡的马营村
        parent = _chain_from(places, verb.end())
        if parent is None or not text.startswith("的", parent.end):
            continue
        for child in _listed_places(places, parent.end + 1, text, same_kind=True):
            if _higher(parent, child):
                out.add(child, "locatedIn", parent)
    for m in places:  # 马营村是李家店乡12个贫困村之一: one of the villages of a higher unit
        copula = _ONE_OF_COPULA.match(text, m.end)
        parent = _chain_from(places, copula.end()) if copula is not None else None
        if parent is not None and _higher(parent, m) and _ONE_OF.match(text, parent.end):
            out.add(m, "locatedIn", parent)
    for among in _GOVERNS_AMONG.finditer(text, sentence[0], sentence[1]) if _COUNTED_UNITS else ():
        parent = _chain_to(places, among.start())  # 龙溪镇下辖11个行政村，其中上坪村和石背村
        if parent is None:
            continue
        for child in _listed_places(places, among.end(), text, same_kind=True):
            if _higher(parent, child):
                out.add(child, "locatedIn", parent)
    for word in _GOVERNS.finditer(text, sentence[0], sentence[1]):  # X乡所辖马营村, 通渭县的平襄镇
        parent = _chain_to(places, word.start())
        if parent is None:
            continue
        for child in _listed_places(places, word.end(), text, same_kind=True):
            if _higher(parent, child):
                out.add(child, "locatedIn", parent)


_ONE_OF_COPULA = re.compile("(?:曾|原|曾经|也|现)?(?:是|为|系)")
# 12个贫困村之一, 6个行政村之一: a count of units of the place's own kind, 之一
_ONE_OF = re.compile(
    "[一二三四五六七八九十两百\\d]+个[\u4e00-\u9fff]{0,6}?(?:村|嘎查|社区|乡镇|镇|乡|苏木|街道)之一"
)
_LIES_IN = re.compile("(?:位于|地处|坐落于|坐落在|隶属于|隶属|属于)")
_GOVERNS = re.compile("(?:下辖的?|所辖的?|管辖的?|辖区内的?|辖|的)")
# Whether the units named after a count of a place's units and 其中 (下辖11个行政村，其中A村和B村) lie in it.
_COUNTED_UNITS = True
_GOVERNS_AMONG = re.compile(
    "(?:下辖|辖|共辖|共有|有)[\\d一二三四五六七八九十两]+个(?:行政村|建制村|村|社区|嘎查|村民委员会|乡镇|镇|乡)"
    "[^，,。；;]{0,8}?[，,]其中(?:的)?"
)
# Whether a place named as being in the same unit as the one before (同镇的下坳村) lies in that unit.
_SAME_UNIT_PLACES = True
_SAME_UNIT = re.compile("同(镇|乡|县|旗|苏木)的?")
_SAME_UNIT_LEVELS = {"镇": "Township", "乡": "Township", "苏木": "Township", "县": "County", "旗": "County"}


def same_unit_places(
    places: list[Mention],
    text: str,
    sentence: tuple[int, int],
    nearest: Callable[[str, int], Mention | None],
    out: _SentenceFacts,
) -> None:
    """同镇的下坳村: the place lies in the unit of that level the text named before (``nearest``)."""
    if not _SAME_UNIT_PLACES:
        return
    for same in _SAME_UNIT.finditer(text, sentence[0], sentence[1]):
        if any(p.start <= same.start() < p.end for p in places):
            continue  # 会同县, 大同镇: 同 inside a place's name
        child = _chain_from(places, same.end())
        parent = nearest(_SAME_UNIT_LEVELS[same.group(1)], same.start())
        if child is not None and parent is not None and _higher(parent, child):
            out.add(child, "locatedIn", parent)


def _list_start(places: list[Mention], i: int, text: str) -> int:
    """Index of the first item of the list ``places[i]`` ends (荍田村、天堂村: 荍田村), over list joins.

    Items share their parent: 白蜡乡荍田村、天堂村及黄坭镇树坪村 puts 黄坭镇 beside 白蜡乡.
    """
    if not _LISTS_SHARE_CHAINS:
        return i
    while (
        i > 0
        and text[places[i - 1].end : places[i].start] in _LIST_JOINS
        and places[i].kind == places[i - 1].kind
        and places[i].parent
        and places[i].parent == places[i - 1].parent
    ):
        i -= 1
    return i


# Whether a list item that opens a new chain looks back over the items before it for its parent's level.
_LISTS_SHARE_CHAINS = True


def _run_start(places: list[Mention], i: int) -> int:
    """Index of the first place of the chain that ends with ``places[i]``."""
    while i > 0 and places[i - 1].end == places[i].start and places[i].parent == places[i - 1].name:
        i -= 1
    return i


def _immediate_parents(candidates: list[Candidate]) -> list[Candidate]:
    """Drop A locatedIn C where the document also puts A in B and B in C.

    大邑县的丹凤村 beside 大邑县悦来镇丹凤村: a place's parent is the unit right above it.
    """
    parents: dict[str, set[str]] = {}
    for c in candidates:
        if c.predicate == "locatedIn":
            parents.setdefault(c.subject.name, set()).add(c.object.name)
    skipped = {
        (child, far)
        for child, above in parents.items()
        for far in above
        if any(far in parents.get(near, ()) for near in above if near != far)
    }
    return [
        c for c in candidates if c.predicate != "locatedIn" or (c.subject.name, c.object.name) not in skipped
    ]
