"""Closed word lists of the domain: administrative units, organisation suffixes and posts.

Everything here is data plus the small functions that classify a name by its ending.

The classifiers are pure functions of a short string over fixed tables, and mention finding asks
them about the same names again and again (a place's level for every unit of every chain, twice a
document): they are memoised, in bounded caches (``_MEMO``), which made mention finding about 2.5
times faster.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import cache, lru_cache
from importlib import resources

import numpy as np

from kg.divisions import division_table, surface_names

# Entries per memoised classifier: names and chains of a few thousand documents, some megabytes each.
_MEMO = 1 << 16

# Administrative levels from the top; a place chain names units in strictly descending order.
LEVELS = ("Province", "City", "County", "Township", "Village")


@cache
def lexicon() -> dict[str, tuple[tuple[str, str], ...]]:
    """The domain's word lists from ``data/lexicon.tsv``: list name -> (entry, value) pairs, in file order."""
    text = resources.files("kg").joinpath("data/lexicon.tsv").read_text(encoding="utf-8")
    lists: dict[str, list[tuple[str, str]]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, entry, *value = line.split("\t")
            lists.setdefault(name, []).append((entry, value[0] if value else ""))
    return {name: tuple(rows) for name, rows in lists.items()}


def words(name: str) -> tuple[str, ...]:
    """The entries of one list of the lexicon, in file order.

    Examples:
        >>> words("place_suffix")[:3]
        ('特别行政区', '自治区', '省')
    """
    return tuple(entry for entry, _ in lexicon()[name])


# Unit endings by level; longer endings first so that 自治旗 wins over 旗.
PLACE_SUFFIXES: tuple[tuple[str, str], ...] = lexicon()["place_suffix"]
# Abbreviations name a body by the level of its place only (市委组织部, 旗委, 镇党委, 村党支部).
LEVEL_PREFIXES: dict[str, str] = dict(lexicon()["level_prefix"])
# Organisation endings by class, longest first.
ORG_SUFFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(lexicon()["org_suffix"], key=lambda pair: -len(pair[0]))
)
# Posts whose holder leads the body as principal; anything prefixed 副 is a deputy.
PRINCIPAL_POSTS = words("principal_post")
MEMBER_POSTS = words("member_post")
# Posts that name the body they lead through their place: 市长 of X市 heads X市人民政府.
GOVERNMENT_POSTS: dict[str, str] = dict(lexicon()["government_post"])


class Endings:
    """An ordered list of endings, asked for the first one a name ends with by a lookup per length.

    Mention finding classifies tens of thousands of new names a megabyte by their endings; a scan
    calls ``str.endswith`` once per ending (about a hundred), a lookup once per distinct length (six).
    """

    def __init__(self, endings: Iterable[tuple[str, str]]) -> None:
        self.endings = tuple(endings)
        self._first: dict[str, int] = {}
        for index, (ending, _) in enumerate(self.endings):
            self._first.setdefault(ending, index)
        self._lengths = sorted({len(ending) for ending in self._first})

    def first(self, name: str, *, shorter: bool = False) -> tuple[str, str] | None:
        """The first (ending, value) in list order that ``name`` ends with; ``shorter``: a proper ending."""
        best = len(self.endings)
        size = len(name)
        for length in self._lengths:
            if length > size or (shorter and length == size):
                break
            index = self._first.get(name[size - length :])
            if index is not None and index < best:
                best = index
        return self.endings[best] if best < len(self.endings) else None


_PLACE_ENDINGS = Endings(PLACE_SUFFIXES)
_ORG_ENDINGS = Endings(ORG_SUFFIXES)


def place_aliases() -> dict[str, str]:
    """Every official division name and short form -> official name (see ``kg.divisions``)."""
    return surface_names()


@lru_cache(maxsize=_MEMO)
def place_level(name: str) -> str | None:
    """Administrative level of a place name, from the division table or its ending.

    Examples:
        >>> place_level("乌兰什巴台村"), place_level("乌审旗"), place_level("霍林郭勒市"), place_level("党建")
        ('Village', 'County', 'County', None)
        >>> place_level("河南"), place_level("黔东南州"), place_level("阿克苏地区")
        ('Province', 'City', 'City')
    """
    known = division_table().level(name)
    if known:
        return known
    ending = _PLACE_ENDINGS.first(name, shorter=True)
    if ending is None:
        return None
    suffix, level = ending
    # leagues are few and all in the table; 产业联盟 is not one
    return None if suffix == "盟" else level


# Characters of body names (局, 委, 院 ...), which a unit's name does not contain.
_BODY_CHARACTERS = frozenset("局委部院厅办司会队社所站")
# A village named by one character and its ending (代村, 新村), read only right after its township.
_SHORT_VILLAGE = re.compile("[\u4e00-\u9fff](?:村|嘎查)")
# Endings of departments, which never follow the name of a village or town (农业农村 + 厅).
_DEPARTMENT_ENDINGS = ("厅", "局")
_SUFFIX_UNIT = re.compile("[\u4e00-\u9fff]{2,}?(?:" + "|".join(s for s, _ in PLACE_SUFFIXES) + ")")


@cache
def lead_words() -> tuple[str, ...]:
    """Verbs and prepositions that introduce a place (``data/place_lead_words.txt``), longest first."""
    text = resources.files("kg").joinpath("data/place_lead_words.txt").read_text(encoding="utf-8")
    words = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(sorted(words, key=len, reverse=True))


@cache
def _lead_word_pattern() -> re.Pattern[str]:
    # alternatives in the order of ``lead_words`` (longest first): the first that matches wins
    return re.compile("|".join(map(re.escape, lead_words())))


def lead_word_at(text: str, pos: int) -> str:
    """The longest word of ``lead_words`` that starts at ``pos`` ("" if none); one regex match.

    Examples:
        >>> lead_word_at("派驻五华县", 0), lead_word_at("派驻五华县", 2)
        ('派驻', '')
    """
    match = _lead_word_pattern().match(text, pos)
    return match.group() if match else ""


@cache
def _lead_word_endings() -> Endings:
    return Endings((word, word) for word in lead_words())


def lead_word_ending(name: str) -> str:
    """The longest word of ``lead_words`` that ``name`` ends with ("" if none).

    Examples:
        >>> lead_word_ending("湖南日报社驻"), lead_word_ending("湖南日报社")
        ('驻', '')
    """
    found = _lead_word_endings().first(name)
    return found[0] if found else ""


def find_names(text: str, names: Collection[str]) -> list[tuple[int, int]]:
    """Where ``names`` occur, left to right without overlaps, the longest name wherever several start.

    The spans a regex alternation of the names, longest first, finds with ``finditer``, without
    compiling one: a document's own names make a new pattern for every document, and compiling it
    cost as much as the search in the names of its places.

    Examples:
        >>> find_names("纳林河村和纳林河", {"纳林河", "纳林河村", "林河"})
        [(0, 4), (5, 8)]
    """
    lengths: dict[str, set[int]] = {}
    for name in names:
        if name:
            lengths.setdefault(name[0], set()).add(len(name))
    if not lengths or not text:
        return []
    longest_first = {first: sorted(found, reverse=True) for first, found in lengths.items()}
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    firsts = np.fromiter((ord(first) for first in lengths), dtype=np.uint32, count=len(lengths))
    spans: list[tuple[int, int]] = []
    free = 0  # where the next name may start
    size = len(text)
    for pos in np.flatnonzero(np.isin(points, firsts)).tolist():
        if pos < free:
            continue
        for length in longest_first[text[pos]]:
            if pos + length <= size and text[pos : pos + length] in names:
                spans.append((pos, pos + length))
                free = pos + length
                break
    return spans


def _known_at(text: str, pos: int) -> int:
    """Length of the longest division name or short form starting at ``pos`` (0 if none).

    Only the lengths of the names that open with ``text[pos]`` are tried (most characters open none).
    """
    if pos >= len(text):
        return 0
    names = surface_names()
    room = len(text) - pos
    for length in _name_lengths().get(text[pos], ()):
        if length <= room and text[pos : pos + length] in names:
            return length
    return 0


_MAX_NAME = 20


@cache
def _name_lengths() -> dict[str, tuple[int, ...]]:
    """Lengths (2 to ``_MAX_NAME``) of division names and short forms by first character, longest first."""
    lengths: dict[str, set[int]] = {}
    for name in surface_names():
        if 2 <= len(name) <= _MAX_NAME:
            lengths.setdefault(name[0], set()).add(len(name))
    return {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}


def is_bare_short_form(surface: str) -> bool:
    """Whether a name is a short form derived by rule without any unit ending (河南, 长丰).

    Not: official names, names with a unit ending (土左旗, 黔东南州), and the curated short forms of
    ``data/place_aliases.tsv`` (临河, 呼市), which are established names in their own right.
    """
    return (
        surface_names().get(surface) != surface
        and not surface.endswith(_UNIT_CHARACTERS)
        and surface not in division_table().curated
    )


_UNIT_CHARACTERS = ("州", *(s for s, _ in PLACE_SUFFIXES))


def _stands_as_unit(text: str, start: int, end: int, names: dict[str, str]) -> bool:
    """Whether a known name at ``start`` is a unit of the run rather than the start of another name.

    A bare short form inside a run must be followed by a division the table places under it
    (新疆阿克苏地区) or by a unit one level down (长丰罗塘乡: a township the 2025 table no longer
    lists), else it opens another name (乌兰什巴台村, 公安局).
    """
    surface = text[start:end]
    if not is_bare_short_form(surface) or end == len(text):
        return True
    following = _known_at(text, end)
    if following and division_table().contains(surface, text[end : end + following]):
        return True
    unit = _SUFFIX_UNIT.match(text, end)
    below = {"Province": "City", "City": "County", "County": "Township"}.get(place_level(surface) or "")
    return (
        unit is not None
        and below is not None
        and place_level(unit.group()) == below
        and not _BODY_CHARACTERS & set(unit.group()[:-1])  # 公安 + 局潮格温都尔镇 is no chain
    )


def split_place_chain(text: str) -> list[tuple[int, int]]:
    """Split a run of place names into its units (character spans), leaving out unknown remainders.

    A division name wins over a unit read from its ending (派驻五华县 gives 五华县, not a county
    派驻五华); a short form must be followed by another unit or end the run (长丰罗塘乡), and words that
    introduce a place (驻, 来到, 位于) are not part of a village's name.

    Examples:
        >>> t = "乌审旗嘎鲁图镇木都柴达木村"
        >>> [t[s:e] for s, e in split_place_chain(t)]
        ['乌审旗', '嘎鲁图镇', '木都柴达木村']
        >>> [t[s:e] for t in ("派驻五华县梅林镇", "驻马路村") for s, e in split_place_chain(t)]
        ['五华县', '梅林镇', '马路村']
    """
    return list(_place_chain(text))


@lru_cache(maxsize=_MEMO)
def _place_chain(text: str) -> tuple[tuple[int, int], ...]:
    """``split_place_chain``, memoised; a tuple, so that no caller can change the cached value."""
    names = surface_names()
    units: list[tuple[int, int]] = []
    pos = 0
    while pos < len(text):
        length = _known_at(text, pos)
        if length and _stands_as_unit(text, pos, pos + length, names):
            units.append((pos, pos + length))
            pos += length
            continue
        match = _SUFFIX_UNIT.match(text, pos)
        if match and text.startswith(_DEPARTMENT_ENDINGS, match.end()):
            pos = match.end()  # 农业农村厅, 乡村振兴局: a department's name, no village or town
            continue
        short = _SHORT_VILLAGE.match(text, pos)
        after_township = (
            bool(units) and units[-1][1] == pos and place_level(text[units[-1][0] : pos]) == "Township"
        )
        if short and after_township and not (match and match.end() < short.end()):
            units.append((pos, short.end()))  # 卞庄街道代村: a one-character village name after its town
            pos = short.end()
            continue
        if match and len(match.group()) >= 3:
            end = match.end()
            # a division name ending where this unit ends: what comes before it is not part of it
            start = next((q for q in range(pos + 1, end - 1) if text[q:end] in names), pos)
            if start == pos:
                lead = lead_word_at(text, pos)
                if lead and end - pos - len(lead) >= 3:
                    start = pos + len(lead)
                elif lead and end - pos - len(lead) == 1 and text[end - 1] in _BODY_LEVEL_WORDS:
                    pos = end  # 选派县农业农村局: a verb and a level word (县), no place's name
                    continue
            units.append((start, end))
            pos = end
            continue
        pos += 1
    return tuple(units)


# Level words that open a body's name after a verb (选派县农业农村局): alone after a lead word they are no
# place (联合村, 会同乡 are).
_BODY_LEVEL_WORDS = "省市县区旗盟"
# Stems that make a unit word generic (嘎查村 = gachas and villages, 贫困村, 该村) and word endings
# that look like organisation endings but are verbs or plain nouns (举办, 格局).
_GENERIC_STEMS = frozenset(words("generic_stem"))
_FALSE_ENDINGS = words("false_ending")


_UNIT_WORDS = re.compile("(?:" + "|".join(s for s, _ in PLACE_SUFFIXES) + ")+")


def _only_unit_words(stem: str) -> bool:
    """Whether a stem is only unit words (嘎查 in 嘎查村, 乡镇 in 乡镇村), not a name (战旗 in 战旗村)."""
    return bool(stem) and len(stem) <= 4 and _UNIT_WORDS.fullmatch(stem) is not None


def _ranking(stem: str, ending: str) -> bool:
    """Whether a village word ranks a village rather than names it: 天下第一村, 全州烤烟种植第一村.

    News praises a village as the first of its kind (X第一村); the words before 第一 say in what, so
    the whole is a title, not a name. A bare 第一村 (a name in some places) is kept.
    """
    return ending == "村" and stem.endswith("第一") and len(stem) >= 4


@lru_cache(maxsize=_MEMO)
def is_generic_name(name: str) -> bool:
    """Whether a unit or body word names a kind of thing rather than one thing.

    Examples:
        >>> [is_generic_name(n) for n in ("嘎查村", "贫困村", "市级层面举办", "沙也村", "战旗村")]
        [True, True, True, False, False]
    """
    if name.endswith(_FALSE_ENDINGS):
        return True
    place = _PLACE_ENDINGS.first(name)
    if place is not None:
        stem = name[: len(name) - len(place[0])]
        if stem in _GENERIC_STEMS or _only_unit_words(stem) or _ranking(stem, place[0]):
            return True
    org = _ORG_ENDINGS.first(name)
    if org is not None:
        return name[: len(name) - len(org[0])] in _GENERIC_STEMS
    return name in _GENERIC_STEMS


@lru_cache(maxsize=_MEMO)
def org_kind(name: str) -> str | None:
    """Organisation class from the name's ending, or None when it has no organisation ending.

    Examples:
        >>> [org_kind(n) for n in ("鄂尔多斯市住建局", "沙也村党支部", "内蒙古农业大学", "沙也村")]
        ['GovernmentBody', 'PartyBody', 'EducationalInstitution', None]
    """
    ending = _ORG_ENDINGS.first(name)
    if ending is not None:
        return ending[1]
    if len(name) >= 3 and name.endswith("委") and place_level(name[:-1]):
        return "PartyBody"
    return None


@cache
def body_abbreviations() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Short forms of bodies' names from ``data/body_abbreviations.tsv``.

    Returns:
        Short names -> full names, and (short, full) parts of names, longest short form first.
    """
    text = resources.files("kg").joinpath("data/body_abbreviations.tsv").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    parts: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, short, full = line.split("\t")
            if kind == "name":
                names[short] = full
            else:
                parts.append((short, full))
    return names, tuple(sorted(parts, key=lambda p: len(p[0]), reverse=True))


@lru_cache(maxsize=_MEMO)
def expand_body_name(name: str) -> str:
    """A body's name with its short forms written in full (``data/body_abbreviations.tsv``).

    Examples:
        >>> expand_body_name("农行四川省分行")
        '中国农业银行四川省分行'
        >>> expand_body_name("安徽省发展改革委")
        '安徽省发展和改革委员会'
        >>> expand_body_name("鄂尔多斯市住建局党组")
        '鄂尔多斯市住房和城乡建设局党组'
    """
    names, parts = body_abbreviations()
    for short in sorted(names, key=len, reverse=True):
        if name.startswith(short) and not name.startswith(names[short]):
            name = names[short] + name[len(short) :]
            break
    for short, full in parts:
        if short in name:
            return name.replace(short, full, 1)
    return name
