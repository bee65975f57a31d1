"""Find mentions of places, organisations and persons on characters, for the component ``kg_mentions``.

LAC supplies persons and rough LOC/ORG regions; the gazetteer and the unit endings split place regions
into administrative units and chain them; organisation endings extend places into bodies
(沙也村 + 党支部). Mentions keep their surface form; naming them fully is the extractor's job.

Places (``kg.nlp.mentions.places``), bodies (``.bodies``) and persons (``.persons``) are found apart,
with what they share in ``.common``; this module runs them over a text or its segments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from kg.divisions import choose_code, division_table
from kg.nlp.gazetteer import (
    LEVELS,
    find_names,
    lexicon,
)
from kg.nlp.gazetteer import (
    words as words_of,
)
from kg.nlp.lac import Word
from kg.nlp.mentions.bodies import (
    _defined_short_names,
    _org_mentions,
    _short_name_definitions,
    _tags_by_character,
)
from kg.nlp.mentions.common import (
    _COMPOUND_TAGS,
)
from kg.nlp.mentions.persons import (
    _person_mentions,
)
from kg.nlp.mentions.places import (
    _place_mentions,
    _region_pieces,
)
from kg.types import Mention


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
    defined = _defined_short_names(text, orgs, definitions)
    spans = {(m.start, m.end) for m in defined}
    # a short name the text defines (呼铁中院) is the defined body wherever it stands, not a body of its own
    orgs = [m for m in orgs if (m.start, m.end) not in spans] + defined
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
