"""Bodies and places named by their kind only (校, 支行, 该院; 该村), resolved to the last one of that kind.

News names a unit in full once and then by its kind: 衡阳师范学院 ... 在校党委书记刘沛林 (the
college's party committee), 农发行孝昌县支行 ... 支行选派夏启贵. A kind word refers back only where it
stands as a name (at the start of a clause, or after 该/本) and is followed by a body ending or a post,
so 校园 or 公司化 are left alone. The words and the endings they refer to live in
``data/body_references.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache, lru_cache
from importlib import resources

from kg.extract.common import SENDING_ADVERBS, TEAM_NOUNS, covered_mask
from kg.nlp.gazetteer import lexicon, org_kind, split_place_chain, words
from kg.types import Mention

# Characters after which a kind word opens a name: punctuation, or a preposition (在校党委书记).
_OPENERS = set("，。；：、（）“”‘’《》！？,.;:()!? \n在由和与及对向据从经")
# Whether a kind word before a ranked member post (分公司客户经理P, 办公厅二级调研员P) refers back too:
# a unit's staff are named so as often as its leaders.
_STAFF_AFTER_KIND_WORDS = True
_STAFF_FOLLOWERS = re.compile(
    "(?:一级|二级|三级|四级|高级)?(?:客户经理|工程师|技术员|调研员|主任科员|科员|干事|干部|社长|理事长)"
)
# What may follow a kind word that refers to a body: a body inside it, or a post, or a dispatch verb
# (after adverbs of time and number: 学校先后选派).
_FOLLOWERS = re.compile(
    SENDING_ADVERBS
    # a section of the body before the post (公司营销部副主任P, 厅国土空间规划处处长P)
    + "(?:(?:(?![的和与及是在、，])[\u4e00-\u9fff]){1,7}?(?:部|科|处|室|股|中心|大队)"
    + "(?=副|书记|主任|部长|处长|科长|股长|经理|干部|科员))?"
    + "(?:"
    "党委|党组|党总支|党支部|纪委|工会|组织部|办公室|团委|"
    "书记|校长|院长|局长|厅长|检察长|行长|场长|董事长|总经理|经理|负责人|主任|主席|部长|副|常务|选派|派驻|派出|派到|下派|驻)"
)
# Whether a kind word ending in 里 (局里, 厅里: "in the bureau") refers back whatever follows it, and
# after a copula too (是厅里的处长): staff name their own unit so, never another.
_UNIT_INSIDE = True
_INSIDE_OPENERS = _OPENERS | {"是"}


@cache
def _table() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    text = resources.files("kg").joinpath("data/body_references.tsv").read_text(encoding="utf-8")
    words: dict[str, tuple[str, ...]] = {}
    posts: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, word, endings = line.split("\t")
        (words if kind == "word" else posts)[word] = tuple(endings.split(","))
    return words, posts


# Built once, not per sentence: the word lists are fixed; longest first, so that the longest word wins.
@cache
def _kind_word_pattern() -> re.Pattern[str]:
    return re.compile("|".join(sorted(map(re.escape, _table()[0]), key=len, reverse=True)))


@cache
def _anaphor_pattern() -> re.Pattern[str]:
    anaphors = dict(lexicon()["place_anaphor"])
    return re.compile("|".join(sorted(map(re.escape, anaphors), key=len, reverse=True)))


def _referent(endings: tuple[str, ...], bodies: list[Mention], before: int) -> Mention | None:
    """The last body named before ``before`` with the first of ``endings`` any body has.

    Endings come in order of preference: 学校 is the 大学 named before rather than one of its 学院.
    """
    for ending in endings:
        for m in reversed(bodies):
            if m.end <= before and m.name.endswith(ending):
                return m
    return None


def _named_later(endings: tuple[str, ...], bodies: list[Mention], after: int) -> Mention | None:
    """The first body with one of ``endings`` named after ``after`` (bodies of the same sentence only).

    A lead may name its body by kind before naming it in full: 在校党委书记P的关怀下，X学院工作队….
    """
    later = [m for m in bodies if m.start >= after and m.name.endswith(endings)]
    return min(later, key=lambda m: m.start) if later else None


def kind_word_mentions(
    text: str, sentence: tuple[int, int], named: list[Mention], bodies: list[Mention]
) -> list[Mention]:
    """Mentions of bodies named by their kind in a sentence, each resolved to the body it refers to.

    Args:
        text: The document text.
        sentence: Start and end of the sentence.
        named: The sentence's mentions (a kind word inside one of them is not a reference).
        bodies: Every body the document named so far, in text order.
    """
    words, _ = _table()
    covered = bytearray(sentence[1] - sentence[0] + 1)
    for m in named:
        if m.start >= sentence[0]:
            covered[m.start - sentence[0] : m.end - sentence[0]] = b"\x01" * (m.end - m.start)
    found = []
    for match in _kind_word_pattern().finditer(text[sentence[0] : sentence[1]]):
        start, end = sentence[0] + match.start(), sentence[0] + match.end()
        word = match.group()
        demonstrative = word.startswith(("该", "本", "我"))  # 该院, 本院, 我院 refer wherever they stand
        inside = _UNIT_INSIDE and word.endswith("里")
        openers = _INSIDE_OPENERS if inside else _OPENERS
        opens = start == sentence[0] or text[start - 1] in openers or demonstrative
        # 慰问学校驻白云村工作队: a kind word naming the unit a team is named after, wherever it stands
        opens = opens or (_TEAM_SENDERS_ANYWHERE and _TEAM_AFTER.match(text, end) is not None)
        if not opens or any(covered[match.start() : match.end()]):
            continue
        staff = _STAFF_AFTER_KIND_WORDS and _STAFF_FOLLOWERS.match(text, end) is not None
        if not (demonstrative or inside) and not _FOLLOWERS.match(text, end) and not staff:
            continue
        if any(text.startswith(post, start) for post in _table()[1]):  # 校长 is a post, not 校 + 长
            continue
        referent = _referent(words[word], bodies, start) or _named_later(words[word], bodies, end)
        if referent is not None:
            found.append(Mention(referent.name, referent.kind, word, start, end))
    return found


# Party and staff bodies inside every body (校党委, 局工会): their people are named as the body's own.
_INNER_BODIES = words("inner_body")

# Whether a body whose name opens with a kind word (学校园艺林学学院) is a part of the body it refers to.
_PARTS_BY_KIND = True


def part_by_kind(m: Mention, text: str, bodies: list[Mention]) -> Mention:
    """A body named as a part of one named before by its kind, with that body's name in full.

    学校园艺林学学院 after 华中农业大学 is 华中农业大学园艺林学学院, 公司财务部 after X公司 X公司财务部:
    LAC reads the kind word and the part's name as one name. The kind word must open a phrase (after a
    clause break, a preposition or a copula) and what follows it must itself be a body's name.
    """
    if not _PARTS_BY_KIND or m.name != m.surface:
        return m
    words, _ = _table()
    word = next((w for w in sorted(words, key=len, reverse=True) if m.name.startswith(w)), "")
    rest = m.name[len(word) :]
    if (
        not word
        or word.startswith(("该", "本", "我"))
        or word.endswith("里")
        or len(rest) < 2
        or not org_kind(rest)
    ):
        return m
    if m.start and text[m.start - 1] not in _INSIDE_OPENERS:
        return m
    referent = _referent(words[word], bodies, m.start)
    if referent is None:
        return m
    return replace(m, name=referent.name + rest)


def whole_of_part(m: Mention) -> Mention | None:
    """The body of which ``m`` is a part named by kind (华中农业大学 for 学校园艺林学学院), or None.

    A college named in full after its university (贵州大学动物科学学院) is a part of the university too.
    """
    college = _COLLEGE.fullmatch(m.name) if _COLLEGES_OF_UNIVERSITIES else None
    if college is not None and len(college.group(1)) >= 4:
        return replace(m, name=college.group(1), kind="EducationalInstitution", surface=college.group(1))
    if m.name == m.surface:
        return None
    words, _ = _table()
    word = next((w for w in sorted(words, key=len, reverse=True) if m.surface.startswith(w)), "")
    rest = m.surface[len(word) :]
    if not word or not rest or not m.name.endswith(rest) or len(m.name) == len(rest):
        return None
    if rest.endswith(_INNER_BODIES):  # 校党委: the school's own committee, whose members it names so
        return None
    whole = m.name[: -len(rest)]
    kind = org_kind(whole)
    return replace(m, name=whole, kind=kind, surface=whole) if kind else None


# Whether a college named after its university (X大学Y学院) is a part of the university: its staff work
# for the university, which helps through them (universities, not their colleges, sign help agreements).
_COLLEGES_OF_UNIVERSITIES = True
_COLLEGE = re.compile("([\u4e00-\u9fff]+?大学)[\u4e00-\u9fff]{2,12}?(?:学院|研究院|研究所)")

# Whether a body named before with its place is named again without it (福建省审计厅 ... 审计厅驻Y村).
_PLACELESS_NAMES = True
# The shortest name without its place that refers back: 3 characters (审计厅, 水利厅), not 2 (党委).
_PLACELESS_MIN = 3


class PlacelessNames:
    """The names of a document's bodies without their place, kept up to date as it names bodies.

    Each body is looked at once, when first seen, and the pattern of all names is compiled again only
    when a name is added: a long document names thousands of bodies over tens of thousands of sentences.
    """

    def __init__(self) -> None:
        self.bodies: dict[str, Mention] = {}  # the name without its place -> the last body named so
        self._seen = 0
        self._pattern: re.Pattern[str] | None = None

    def update(self, bodies: list[Mention]) -> None:
        """Take in the bodies appended to ``bodies`` since the last call."""
        for m in bodies[self._seen :]:
            tail = _placeless_name(m.name)
            if tail:
                if tail not in self.bodies:
                    self._pattern = None
                self.bodies[tail] = m  # the last body named with this name wins
        self._seen = len(bodies)

    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self.bodies:
            self._pattern = re.compile("|".join(sorted(map(re.escape, self.bodies), key=len, reverse=True)))
        return self._pattern


@lru_cache(maxsize=65_536)
def _placeless_name(name: str) -> str:
    """A body's name without the chain of places opening it (审计厅 for 福建省审计厅), or ``""``."""
    units = split_place_chain(name)
    if units and units[0][0] == 0:
        tail = name[units[-1][1] :] if units[-1][1] == _chain_end(units) else ""
        if len(tail) >= _PLACELESS_MIN and org_kind(tail):
            return tail
    return ""


def placeless_mentions(
    text: str, sentence: tuple[int, int], named: list[Mention], placeless: PlacelessNames
) -> list[Mention]:
    """Mentions of bodies named before in full and now without their place: 福建省审计厅 ... 审计厅.

    News names a provincial department in full once and then by its department's name only; LAC finds
    no organisation in the bare name. The bare name must open a phrase (after a clause break, a
    preposition or a copula) and lie outside every mention of the sentence. ``placeless`` holds the
    bodies the document named so far.
    """
    pattern = placeless.pattern() if _PLACELESS_NAMES else None
    if pattern is None:
        return []
    covered = covered_mask(named, sentence)
    found = []
    for match in pattern.finditer(text, sentence[0], sentence[1]):
        start, end = match.span()
        if any(covered[start - sentence[0] : end - sentence[0]]):
            continue
        if start > sentence[0] and text[start - 1] not in _INSIDE_OPENERS | {"的"}:
            continue
        body = placeless.bodies[match.group()]
        if body.end <= start:
            found.append(Mention(body.name, body.kind, match.group(), start, end))
    return found


def _chain_end(units: list[tuple[int, int]]) -> int:
    """Where a run of units opening a name ends: the end of the last unit that follows the one before."""
    end = 0
    for s, e in units:
        if s != end:
            break
        end = e
    return end


def implied_body(post: str, position: int, bodies: list[Mention]) -> Mention | None:
    """The body a post standing alone implies (副校长廖北文: the school named last), as a mention."""
    base = post.removeprefix("常务").removeprefix("副")
    endings = _table()[1].get(base)
    if endings is None:
        return None
    referent = _referent(endings, bodies, position) or _named_later(endings, bodies, position)
    if referent is None:
        return None
    return Mention(referent.name, referent.kind, "", position, position)


def place_anaphora(text: str, sentence: tuple[int, int], last: dict[str, list[Mention]]) -> list[Mention]:
    """Mentions of 该村, 这个村, 该镇 ... as the last place of that level the document named.

    Args:
        text: The document text.
        sentence: Start and end of the sentence.
        last: The document's places so far, by level, in text order.
    """
    anaphors = dict(lexicon()["place_anaphor"])
    found = []
    for match in _anaphor_pattern().finditer(text[sentence[0] : sentence[1]]):
        start = sentence[0] + match.start()
        earlier = [m for m in last.get(anaphors[match.group()], []) if m.end <= start]
        if earlier:
            place = earlier[-1]
            found.append(replace(place, surface=match.group(), start=start, end=start + len(match.group())))
    return found


# 他/她 opening a clause, not 他们 (they), 他人 (others) or 她的 (a possessive, as often of someone else).
_PRONOUN = re.compile("[他她](?![们人的])")
# How far back (characters) a pronoun looks for the person it stands for.
_PRONOUN_LOOKBACK = 300
# Whether a kind word right before 驻 and a team's name (厅驻魏庄村工作队) refers to its unit wherever
# it stands: the team is named after that unit.
_TEAM_SENDERS_ANYWHERE = True
_TEAM_AFTER = re.compile("(?:派驻|驻)[\u4e00-\u9fff]{2,14}?(?:" + TEAM_NOUNS + ")")
# Whether 他/她 right after a sending verb (X选派她到Y村) is the person named before, as a subject is.
_SENT_PRONOUNS = True
_SENDS_BEFORE = re.compile("(?:" + "|".join(sorted(words("sends"), key=len, reverse=True)) + ")$")


def person_pronouns(text: str, sentence: tuple[int, int], persons: list[Mention]) -> list[Mention]:
    """Mentions of 他/她 opening a clause, as the last person the document named before them.

    Profiles of a first secretary name him once and go on with 他: 王刚是X局干部。2021年，他被派驻到Y村.

    Args:
        text: The document text.
        sentence: Start and end of the sentence.
        persons: The persons the document named so far, in text order.
    """
    found = []
    for match in _PRONOUN.finditer(text, sentence[0], sentence[1]):
        start = match.start()
        sent = _SENDS_BEFORE.search(text, max(sentence[0], start - 4), start) if _SENT_PRONOUNS else None
        if start > sentence[0] and text[start - 1] not in _OPENERS and sent is None:
            continue
        earlier = [p for p in persons if p.end <= start and start - p.end <= _PRONOUN_LOOKBACK]
        if earlier:
            person = earlier[-1]
            found.append(replace(person, surface=match.group(), start=start, end=match.end()))
    return found
