"""Find mentions of places, organisations and persons on characters, as the component ``kg_mentions``.

LAC supplies persons and rough LOC/ORG regions; the gazetteer and the unit endings split place regions
into administrative units and chain them; organisation endings extend places into bodies
(沙也村 + 党支部). Mentions keep their surface form; naming them fully is the extractor's job.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.nlp.gazetteer import (
    LEVEL_PREFIXES,
    LEVELS,
    ORG_SUFFIXES,
    PLACE_SUFFIXES,
    gazetteer_pattern,
    is_generic_name,
    org_kind,
    place_aliases,
    place_level,
    split_place_chain,
)
from kg.nlp.lac import Word
from kg.types import Mention

_ORG_TAIL = re.compile("[\u4e00-\u9fff]{0,10}?(?:" + "|".join(re.escape(s) for s, _ in ORG_SUFFIXES) + ")")
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
_OPENING_TAGS = {"p", "c", "u", "w", "v", "d", "r"}
_BREAK_TAGS = {"p", "c", "u", "w", "PER", "TIME"}
_FUNCTION_TAGS = {"p", "c", "u", "w", "d", "xc", "r", "PER", "TIME", "m", "q"}


def _regions(text: str, words: list[Word]) -> list[tuple[int, int]]:
    """Maximal runs of LAC place words and gazetteer names."""
    marks = [False] * len(text)
    for start, end, tag in words:
        if tag == "LOC":
            marks[start:end] = [True] * (end - start)
        elif tag == "ORG":  # the places that open a body's name (赤峰市松山区大庙镇 + 党委)
            chain_end = 0
            for s, e in split_place_chain(text[start:end]):
                if s != chain_end or _NOT_IN_NAMES & set(text[start + s : start + e - 1]):
                    break
                chain_end = e
            marks[start : start + chain_end] = [True] * chain_end
    for match in gazetteer_pattern().finditer(text):
        marks[match.start() : match.end()] = [True] * (match.end() - match.start())
    # LAC sometimes tears a name apart (巴林右旗 / 查(v) / 干诺尔镇): bridge short gaps of content words
    tag_at = _word_bounds(words)[2]
    for i in range(1, len(text) - 1):
        if marks[i] or not marks[i - 1]:
            continue
        # a region ending without a unit ending (乌审旗嘎鲁图镇木 / 都(d) / 柴达木村) is torn for sure
        dangling = not text[:i].endswith(tuple(s for s, _ in PLACE_SUFFIXES))
        blocking = _BREAK_TAGS if dangling else _FUNCTION_TAGS
        for gap in (1, 2):
            j = i + gap
            if (
                j < len(text)
                and marks[j]
                and all(
                    "\u4e00" <= text[k] <= "\u9fff" and tag_at.get(k) not in blocking for k in range(i, j)
                )
            ):
                marks[i:j] = [True] * gap
                break
    regions, start = [], None
    for i, marked in enumerate(marks + [False]):
        if marked and start is None:
            start = i
        elif not marked and start is not None:
            regions.append((start, i))
            start = None
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


def _place_mentions(text: str, words: list[Word]) -> list[Mention]:
    places: list[Mention] = []
    regions = [(s, _extend_chain(text, s, e)) for s, e in _regions(text, words)]
    taken = [r for r in _listed_units(text, regions) if not any(s <= r[0] < e for s, e in regions)]
    for start, end in sorted(regions + taken):
        parent = ""
        for s, e in split_place_chain(text[start:end]):
            surface = text[start + s : start + e]
            name = place_aliases().get(surface, surface)
            level = place_level(name)
            if level is None or is_generic_name(name):
                continue
            places.append(Mention(name, level, surface, start + s, start + e, parent))
            parent = name
    return places


def _word_bounds(words: list[Word]) -> tuple[set[int], set[int], dict[int, str]]:
    starts = {w[0] for w in words}
    ends = {w[1] for w in words}
    tag_at = {}
    for s, e, tag in words:
        for i in range(s, e):
            tag_at[i] = tag
    return starts, ends, tag_at


def _org_mentions(text: str, words: list[Word], places: list[Mention]) -> list[Mention]:
    starts, ends, tag_at = _word_bounds(words)
    found: dict[tuple[int, int], str] = {}

    def add(start: int, end: int) -> None:
        kind = org_kind(text[start:end])
        if kind and end - start >= 3 and not is_generic_name(text[start:end]):
            found[(start, end)] = kind

    for start, end, tag in words:
        if tag == "ORG":
            add(start, end)
    # a place followed by an organisation ending, without a verb or punctuation in between
    for place in places:
        match = _ORG_TAIL.match(text, place.end)
        if match and match.end() in ends:
            inner = range(place.end, match.end())
            if all(tag_at.get(i) in _NAME_TAGS and tag_at.get(i) != "v" for i in inner) or (
                org_kind(text[place.end : match.end()]) and match.end() - place.end <= 4
            ):
                add(place.start, match.end())
    # bodies named by the level of their place only: 市委组织部, 旗委, 村党支部
    for match in _ABBREVIATION.finditer(text):
        before = text[match.start() - 1] if match.start() else "。"
        opens = not "\u4e00" <= before <= "\u9fff" or tag_at.get(match.start() - 1) in _OPENING_TAGS
        inner = range(match.start() + 1, match.end())
        if (
            opens
            and match.start() in starts
            and match.end() in ends
            and all(tag_at.get(i) not in _BREAK_TAGS | {"v", "a", "ad", "d"} for i in inner)
        ):
            add(match.start(), match.end())
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


def _defined_short_names(text: str, orgs: list[Mention]) -> list[Mention]:
    """Mentions of short names defined in the text: 呼和浩特铁路运输中级法院（以下简称“呼铁中院”）."""
    mentions = []
    for match in _SHORT_NAME.finditer(text):
        owner = next((m for m in orgs if m.end == match.start()), None)
        if owner is None:
            continue
        short = match.group(1)
        for occurrence in re.finditer(re.escape(short), text):
            mentions.append(Mention(owner.name, owner.kind, short, occurrence.start(), occurrence.end()))
    return mentions


def _person_mentions(words: list[Word], text: str) -> list[Mention]:
    return [
        Mention(text[s:e], "Person", text[s:e], s, e)
        for s, e, tag in words
        if tag == "PER" and 2 <= e - s <= _PERSON_MAX and not re.search(r"[^\u4e00-\u9fff·]", text[s:e])
    ]


def find_mentions(text: str, words: list[Word]) -> list[Mention]:
    """All place, organisation and person mentions of a text, sorted by position.

    Args:
        text: Normalised document text.
        words: LAC words of that text (character offsets).

    Returns:
        Mentions; an organisation may contain the places that name it, nothing else overlaps.
    """
    places = _place_mentions(text, words)
    orgs = _org_mentions(text, words, places)
    orgs += _defined_short_names(text, orgs)
    taken = [(m.start, m.end) for m in orgs]
    persons = [
        p for p in _person_mentions(words, text) if not any(s < p.end and p.start < e for s, e in taken)
    ]
    return sorted(places + orgs + persons, key=lambda m: (m.start, -m.end))


if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=None)


@Language.factory("kg_mentions", requires=["doc._.lac"], assigns=["doc._.mentions", "doc.spans"])
def make_mentions_component(nlp: Language, name: str) -> MentionsComponent:
    """SpaCy factory for the mention finder."""
    return MentionsComponent()


class MentionsComponent:
    """Set ``doc._.mentions`` and ``doc.spans["kg"]`` (labels are ontology class names)."""

    def __call__(self, doc: Doc) -> Doc:
        mentions = find_mentions(doc.text, doc._.lac or [])
        doc._.mentions = mentions
        spans: list[Span] = []
        for m in mentions:
            span = doc.char_span(m.start, m.end, label=m.kind, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["kg"] = spans
        doc.spans["kg_outer"] = filter_spans(spans)
        return doc
