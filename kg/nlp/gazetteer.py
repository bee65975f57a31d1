"""Closed word lists of the domain: administrative units, organisation suffixes and posts.

Everything here is data plus the small functions that classify a name by its ending.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from kg.divisions import division_table, surface_names

# Administrative levels from the top; a place chain names units in strictly descending order.
LEVELS = ("Province", "City", "County", "Township", "Village")

# Unit endings by level; longer endings first so that 自治旗 wins over 旗.
PLACE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("特别行政区", "Province"),
    ("自治区", "Province"),
    ("省", "Province"),
    ("自治旗", "County"),
    ("联合旗", "County"),
    ("苏木", "Township"),
    ("街道", "Township"),
    ("嘎查", "Village"),
    ("社区", "Village"),
    ("市", "City"),
    ("盟", "City"),
    ("旗", "County"),
    ("县", "County"),
    ("区", "County"),
    ("乡", "Township"),
    ("镇", "Township"),
    ("村", "Village"),
)

# Abbreviations name a body by the level of its place only (市委组织部, 旗委, 镇党委, 村党支部).
LEVEL_PREFIXES: dict[str, str] = {
    "市": "City",
    "盟": "City",
    "旗": "County",
    "县": "County",
    "区": "County",
    "苏木": "Township",
    "镇": "Township",
    "乡": "Township",
    "嘎查": "Village",
    "村": "Village",
}

# Organisation endings by class, longest first.
ORG_SUFFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [
            (s, "PartyBody")
            for s in (
                "党工委",
                "联合党委",
                "党委",
                "党总支",
                "党支部",
                "党组",
                "组织部",
                "宣传部",
                "统战部",
                "政法委",
                "纪委",
                "工委",
                "市委",
                "旗委",
                "县委",
                "区委",
                "盟委",
                "自治区党委",
            )
        ]
        + [
            (s, "GovernmentBody")
            for s in (
                "人民政府",
                "政府",
                "局",
                "厅",
                "办公室",
                "办",
                "发改委",
                "卫健委",
                "农牧委",
                "管委会",
                "村民委员会",
                "村委会",
                "委员会",
                "公安局",
                "大队",
                "居委会",
                "法院",
                "检察院",
                "派出所",
                "司法所",
                "人大常委会",
                "政协",
                "中心",
                "公安处",
                "边境管理大队",
            )
        ]
        + [
            (s, "Enterprise")
            for s in ("有限公司", "公司", "集团", "银行", "分行", "支行", "信用社", "厂", "农场", "牧场")
        ]
        + [(s, "Cooperative") for s in ("专业合作社", "合作社", "联合社")]
        + [(s, "WorkTeam") for s in ("工作队", "服务队", "小分队")]
        + [(s, "EducationalInstitution") for s in ("大学", "学院", "学校", "中学", "小学", "党校")]
        + [
            (s, "Organisation")
            for s in (
                "总工会",
                "工会",
                "协会",
                "联合会",
                "商会",
                "医院",
                "研究院",
                "研究所",
                "设计院",
                "联盟",
                "报社",
                "出版社",
                "电视台",
                "广播电视台",
                "艺术馆",
                "图书馆",
                "博物馆",
                "文化馆",
                "纪念馆",
            )
        ],
        key=lambda pair: -len(pair[0]),
    )
)

# Posts whose holder leads the body as principal; anything prefixed 副 is a deputy.
PRINCIPAL_POSTS = (
    "党组书记",
    "党委书记",
    "党支部书记",
    "党总支书记",
    "第一书记",
    "书记",
    "部长",
    "组织部长",
    "宣传部长",
    "统战部长",
    "局长",
    "主任",
    "院长",
    "主席",
    "组长",
    "队长",
    "社长",
    "站长",
    "校长",
    "所长",
    "行长",
    "厂长",
    "董事长",
    "总经理",
    "理事长",
    "市长",
    "盟长",
    "旗长",
    "县长",
    "区长",
    "镇长",
    "乡长",
    "嘎查达",
    "村主任",
    "村长",
    "庭长",
    "负责人",
)
MEMBER_POSTS = (
    "工作队员",
    "队员",
    "教导员",
    "指导员",
    "饲养员",
    "志愿者",
    "辅警",
    "干部",
    "民警",
    "干警",
    "科员",
    "委员",
    "常委",
    "网格员",
    "职工",
    "教师",
    "法官",
    "检察官",
    "专干",
    "组员",
    "成员",
    "党员",
    "工作人员",
    "选调生",
    "大学生村官",
)
# Posts that name the body they lead through their place: 市长 of X市 heads X市人民政府.
GOVERNMENT_POSTS = {
    "市长": "人民政府",
    "盟长": "行政公署",
    "旗长": "人民政府",
    "县长": "人民政府",
    "区长": "人民政府",
    "镇长": "人民政府",
    "乡长": "人民政府",
    "苏木达": "人民政府",
    "村主任": "村民委员会",
    "村长": "村民委员会",
    "嘎查达": "嘎查村民委员会",
}


def place_aliases() -> dict[str, str]:
    """Every official division name and short form -> official name (see ``kg.divisions``)."""
    return surface_names()


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
    for suffix, level in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            # leagues are few and all in the table; 产业联盟 is not one
            return None if suffix == "盟" else level
    return None


# Endings of departments, which never follow the name of a village or town (农业农村 + 厅).
_DEPARTMENT_ENDINGS = ("厅", "局")
_SUFFIX_UNIT = re.compile("[\u4e00-\u9fff]{2,}?(?:" + "|".join(s for s, _ in PLACE_SUFFIXES) + ")")


@cache
def lead_words() -> tuple[str, ...]:
    """Verbs and prepositions that introduce a place (``data/place_lead_words.txt``), longest first."""
    text = resources.files("kg").joinpath("data/place_lead_words.txt").read_text(encoding="utf-8")
    words = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(sorted(words, key=len, reverse=True))


def _known_at(text: str, pos: int, names: dict[str, str]) -> int:
    """Length of the longest division name or short form starting at ``pos`` (0 if none)."""
    for length in range(min(_MAX_NAME, len(text) - pos), 1, -1):
        if text[pos : pos + length] in names:
            return length
    return 0


_MAX_NAME = 20


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
    following = _known_at(text, end, names)
    if following and division_table().contains(surface, text[end : end + following]):
        return True
    unit = _SUFFIX_UNIT.match(text, end)
    below = {"Province": "City", "City": "County", "County": "Township"}.get(place_level(surface) or "")
    return unit is not None and below is not None and place_level(unit.group()) == below


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
    names = surface_names()
    units = []
    pos = 0
    while pos < len(text):
        length = _known_at(text, pos, names)
        if length and _stands_as_unit(text, pos, pos + length, names):
            units.append((pos, pos + length))
            pos += length
            continue
        match = _SUFFIX_UNIT.match(text, pos)
        if match and text.startswith(_DEPARTMENT_ENDINGS, match.end()):
            pos = match.end()  # 农业农村厅, 乡村振兴局: a department's name, no village or town
            continue
        if match and len(match.group()) >= 3:
            end = match.end()
            # a division name ending where this unit ends: what comes before it is not part of it
            start = next((q for q in range(pos + 1, end - 1) if text[q:end] in names), pos)
            if start == pos:
                lead = next((w for w in lead_words() if text.startswith(w, pos)), "")
                if lead and end - pos - len(lead) >= 3:
                    start = pos + len(lead)
            units.append((start, end))
            pos = end
            continue
        pos += 1
    return units


# Stems that make a unit word generic (嘎查村 = gachas and villages, 贫困村, 该村) and word endings
# that look like organisation endings but are verbs or plain nouns (举办, 格局).
_GENERIC_STEMS = (
    "全",
    "该",
    "本",
    "各",
    "每",
    "此",
    "贫困",
    "落后",
    "空壳",
    "富裕",
    "和谐",
    "生态",
    "网红",
    "红色",
    "示范",
    "重点",
    "美丽",
    "文明",
    "部分",
    "修通",
    "万企兴万",
    "非建制性",
    "区域化",
    "旗县",
    "县乡",
    "乡镇",
    "嘎查",
    "苏木",
    "城乡",
    "市县",
    "市旗",
    "盟市",
    "省市",
    "强",
    "弱",
    "薄弱",
    "软弱涣散",
    "周边",
    "所包联",
    "苏木乡镇",
    "区域",
    "乡级",
    "镇级",
    "地区",
    "社区",
    "旗县区",
    "县级",
    "市级",
    "旗区",
    "镇属",
    "村级",
    "基层",
    "各级",
)
_FALSE_ENDINGS = (
    "举办",
    "承办",
    "主办",
    "协办",
    "开办",
    "创办",
    "兴办",
    "督办",
    "代办",
    "包办",
    "筹办",
    "格局",
    "布局",
    "结局",
    "当局",
    "大局",
    "全局",
    "中心工作",
    "层面",
    "村组",
    "村庄",
    "村民",
    "乡村",
    "城市",
)


def is_generic_name(name: str) -> bool:
    """Whether a unit or body word names a kind of thing rather than one thing.

    Examples:
        >>> [is_generic_name(n) for n in ("嘎查村", "贫困村", "市级层面举办", "沙也村")]
        [True, True, True, False]
    """
    if name.endswith(_FALSE_ENDINGS):
        return True
    for suffix, _ in PLACE_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if (
                stem in _GENERIC_STEMS
                or stem.endswith(tuple(s for s, _ in PLACE_SUFFIXES))
                and len(stem) <= 3
            ):
                return True
            break
    for suffix, _ in ORG_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] in _GENERIC_STEMS
    return name in _GENERIC_STEMS


def org_kind(name: str) -> str | None:
    """Organisation class from the name's ending, or None when it has no organisation ending.

    Examples:
        >>> [org_kind(n) for n in ("鄂尔多斯市住建局", "沙也村党支部", "内蒙古农业大学", "沙也村")]
        ['GovernmentBody', 'PartyBody', 'EducationalInstitution', None]
    """
    for suffix, kind in ORG_SUFFIXES:
        if name.endswith(suffix):
            return kind
    if len(name) >= 3 and name.endswith("委") and place_level(name[:-1]):
        return "PartyBody"
    return None
