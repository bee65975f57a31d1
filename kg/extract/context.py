"""What a document has said so far, and the full names bodies get from it.

Chinese news names a body by the level of its place only (市住建局, 村党支部) once the place is known,
so the extraction keeps the places seen by level, the paragraph's topic body, the teams and persons
named so far, and gives such a body the nearest preceding place of its level (鄂尔多斯市住建局);
leading place chains are cut from body names (鄂尔多斯市准格尔旗龙口镇沙也村党支部 -> 沙也村党支部,
the long form kept as the surface alias).
"""

from __future__ import annotations

from dataclasses import replace

from kg.extract.teams import Team
from kg.nlp.gazetteer import LEVEL_PREFIXES, LEVELS, expand_body_name, org_kind, split_place_chain
from kg.types import Mention

# How far back (characters) a level-only abbreviation looks for its place, by level.
_LOOKBACK = {"Province": 100_000, "City": 100_000, "County": 3_000, "Township": 1_500, "Village": 600}

# Levels whose level-only body names (市国安局, 县委) stand as names when no place of the level came before.
_UNPLACED_LEVELS = frozenset({"Province", "City", "County"})

# Characters that end body words (局, 委 …): a unit with one before its own ending has a body inside.
_BODY_CHARS = set("局委部院厅办司会队社所站")


class _Context:
    """What the document has said so far: places by level, and the topic body."""

    def __init__(self) -> None:
        self.places: dict[str, list[Mention]] = {level: [] for level in LEVELS}
        # each village's first mention, in the order the text names them (one look answers "which
        # villages has the article named so far", however long the article)
        self.first_villages: dict[str, Mention] = {}
        self.topic: Mention | None = None
        self.topic_sentence = -1
        self.team: Team | None = None
        self.bodies: list[Mention] = []
        self.teams: dict[str, Team] = {}
        self.persons: list[Mention] = []
        # persons given a village post (驻村第一书记) without a village, with their sentence
        self.unplaced_persons: list[tuple[Mention, tuple[int, int]]] = []

    def see_place(self, m: Mention) -> None:
        self.places[m.kind].append(m)
        if m.kind == "Village":
            self.first_villages.setdefault(m.name, m)

    def only_village_before(self, before: int) -> Mention | None:
        """The village, if the text has named exactly one before offset ``before``."""
        seen: list[Mention] = []
        for m in self.first_villages.values():
            if m.end > before or len(seen) > 1:
                break
            seen.append(m)
        return seen[0] if len(seen) == 1 else None

    def nearest(self, level: str, before: int, *, within: int | None = None) -> Mention | None:
        for m in reversed(self.places[level]):
            if m.end <= before:
                return m if before - m.end <= (within or _LOOKBACK[level]) else None
        return None


def _abbreviation_level(name: str) -> tuple[str, str] | None:
    """(level, prefix) when a body is named by the level of its place only: 市委组织部 -> (City, 市)."""
    if name in _PREFECTURE_BODIES and _PREFECTURE_COMMITTEES:
        return _PREFECTURE_BODIES[name]
    for prefix in sorted(LEVEL_PREFIXES, key=len, reverse=True):
        if name.startswith(prefix) and org_kind(name):
            return LEVEL_PREFIXES[prefix], prefix
    return None


def _name_org(m: Mention, context: _Context) -> Mention | None:
    """Full name of a body mention; None for an abbreviation whose place the text never gave."""
    if m.name != m.surface:  # already named (defined short name)
        return m
    abbreviation = _abbreviation_level(m.name)
    if abbreviation:
        level, prefix = abbreviation
        place = context.nearest(level, m.start)
        if place is None:
            # 市政协, 省农业农村厅 in an article that never names its city or province: the reader
            # knows it from the outlet, and the body keeps the name it is given; a village's or
            # town's bodies (村委会, 镇党委) without their place are no specific body
            return m if level in _UNPLACED_LEVELS else None
        # 地委 of 喀什地区: 喀什地委, the prefix standing for the level word the place's name ends in
        if prefix in _NAMED_LEVELS and not place.name.endswith(_NAMED_LEVELS[prefix]):
            return None  # 州林草局 in an article whose nearest city is no autonomous prefecture
        prefecture = _PREFECTURE_COMMITTEES and prefix == "地" and place.name.endswith("地区")
        head = place.name[:-1] if prefecture else place.name
        return replace(m, name=head + m.name[len(prefix) :])
    units = split_place_chain(m.name)
    chain_end = 0
    for s, e in units:
        # a unit with a body inside (公安局潮格温都尔镇) ends the chain of places that opens the name
        if s != chain_end or org_kind(m.name[s:e]) or _BODY_CHARS & set(m.name[s : e - 1]):
            break
        chain_end = e
    leading = [u for u in units if u[1] <= chain_end]
    if len(leading) >= 2:  # keep the innermost place only
        return replace(m, name=m.name[leading[-1][0] :])
    return m


# Whether a prefecture's bodies named by 地 (地委) are named after the prefecture without 区 (喀什地委).
_PREFECTURE_COMMITTEES = True
# Level words that stand for one kind of city only: 州 for an autonomous prefecture (州林草局), 地区 and 地
# (地委) for a prefecture; a body named so belongs to the nearest city of that kind or to none.
_NAMED_LEVELS = {"州": "州", "地区": "地区", "地": "地区"}
# Bodies named by 地 alone: a prefecture's committee (地委); 地 opens too many other names (地震局) to be a
# level word of its own.
_PREFECTURE_BODIES = {"地委": ("City", "地")}
# Whether a branch named right after its parent body (中国建设银行 + 安徽省分行) is one body.
_JOIN_BRANCHES = True
_BRANCH_ENDINGS = ("分行", "支行", "分公司", "子公司", "营业部")
_PARENT_ENDINGS = ("银行", "公司", "集团")
# Whether a national administration's local bureau, named after it (国家税务总局 + 赣州市税务局), is one
# body: tax, customs and market regulators are managed from the top down and their local bureaus carry the
# administration's name, so the local name alone (赣州市税务局) is the short form of the whole.
_JOIN_LOCAL_BUREAUS = True


def join_branches(mentions: list[Mention]) -> list[Mention]:
    """Mentions with a branch and the parent body named right before it joined into one body.

    LAC reads 中国建设银行安徽省分行 as two organisations, 中国建设银行 and 安徽省分行; the branch alone
    would stand for any bank's branch in the province. Mentions must be sorted by position.
    """
    if not _JOIN_BRANCHES:
        return mentions
    ends = {m.end: m for m in mentions if m.kind not in LEVELS and m.kind != "Person"}
    joined: list[Mention] = []
    parents: set[tuple[int, int]] = set()
    for m in mentions:
        parent = ends.get(m.start)
        if (
            parent is not None
            and m.kind not in LEVELS
            and m.name == m.surface
            and (
                (expand_body_name(parent.name).endswith(_PARENT_ENDINGS) and m.name.endswith(_BRANCH_ENDINGS))
                or (_JOIN_LOCAL_BUREAUS and parent.name.endswith("总局") and m.name.endswith("局"))
            )
        ):
            name = parent.name + m.name
            joined.append(Mention(name, m.kind, parent.surface + m.surface, parent.start, m.end))
            parents.add((parent.start, parent.end))
        else:
            joined.append(m)
    return sorted(
        (m for m in joined if (m.start, m.end) not in parents or m.kind in LEVELS),
        key=lambda m: (m.start, -m.end),
    )
