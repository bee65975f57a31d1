"""Closed word lists of the domain: administrative units, organisation suffixes and posts.

Everything here is data plus the small functions that classify a name by its ending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

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
            for s in ("总工会", "工会", "协会", "联合会", "商会", "医院", "研究院", "联盟")
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


@dataclass(frozen=True)
class Place:
    """A gazetteer entry."""

    name: str
    level: str
    parent: str
    aliases: tuple[str, ...]


@cache
def load_places() -> dict[str, Place]:
    """Gazetteer of the region's cities and banners/counties, by full name."""
    text = resources.files("kg").joinpath("data/places.tsv").read_text(encoding="utf-8")
    places: dict[str, Place] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, level, parent, aliases = (line.split("\t") + ["", "", ""])[:4]
        short = [a for a in aliases.split(",") if a]
        # short forms in common use: 鄂尔多斯 for 鄂尔多斯市, 五原 for 五原县
        # (district stems are too ambiguous)
        if (
            level == "City"
            and len(name) >= 4
            and name[-1] in "市盟"
            or level == "County"
            and name[-1] == "县"
        ):
            if len(name) >= 3:
                short.append(name[:-1])
        places[name] = Place(name, level, parent, tuple(short))
    return places


@cache
def place_aliases() -> dict[str, str]:
    """Every gazetteer name and short form -> full name."""
    table: dict[str, str] = {}
    for place in load_places().values():
        table[place.name] = place.name
        for alias in place.aliases:
            table.setdefault(alias, place.name)
    return table


@cache
def gazetteer_pattern() -> re.Pattern[str]:
    """Regex matching any gazetteer name or short form, longest first."""
    names = sorted(place_aliases(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def place_level(name: str) -> str | None:
    """Administrative level of a place name, from the gazetteer or its ending.

    Examples:
        >>> place_level("乌兰什巴台村"), place_level("乌审旗"), place_level("霍林郭勒市"), place_level("党建")
        ('Village', 'County', 'County', None)
    """
    known = load_places().get(place_aliases().get(name, ""))
    if known:
        return known.level
    for suffix, level in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            # leagues are few and all in the gazetteer; 产业联盟 is not one
            return None if suffix == "盟" else level
    return None


_UNIT = re.compile(
    "(?:"
    + "|".join(map(re.escape, sorted(place_aliases(), key=len, reverse=True)))
    + ")"
    + "|[\u4e00-\u9fff]{2,}?(?:"
    + "|".join(s for s, _ in PLACE_SUFFIXES)
    + ")"
)


def split_place_chain(text: str) -> list[tuple[int, int]]:
    """Split a run of place names into its units (character spans), leaving out unknown remainders.

    Examples:
        >>> t = "乌审旗嘎鲁图镇木都柴达木村"
        >>> [t[s:e] for s, e in split_place_chain(t)]
        ['乌审旗', '嘎鲁图镇', '木都柴达木村']
    """
    units = []
    for match in _UNIT.finditer(text):
        unit = match.group()
        if len(unit) >= 2 and (unit in place_aliases() or len(unit) >= 3):
            units.append((match.start(), match.end()))
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
