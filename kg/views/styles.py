"""Name how each ontology class and relation is drawn: colour, shape and Chinese name, in one table each."""

from __future__ import annotations

from typing import NamedTuple


class ClassStyle(NamedTuple):
    """How the nodes of one ontology class are drawn."""

    colour: str
    shape: str  # a vis-network shape with the label below it, so that size alone shows degree
    name: str  # Chinese name shown in tooltips and the legend


class RelationStyle(NamedTuple):
    """How the edges of one relation are drawn."""

    colour: str
    name: str  # Chinese name: the edge label and the legend entry


#: Class local name -> style. Ordered from specific to generic: an entity with several classes takes
#: the first one listed (``PartyBody`` before ``Organisation``, ``Village`` before ``Place``).
CLASS_STYLES: dict[str, ClassStyle] = {
    "Person": ClassStyle("#1f77b4", "dot", "人物"),
    "PartyBody": ClassStyle("#d62728", "star", "党组织"),
    "GovernmentBody": ClassStyle("#ff7f0e", "square", "政府机关"),
    "Enterprise": ClassStyle("#9467bd", "diamond", "企业"),
    "Cooperative": ClassStyle("#bcbd22", "diamond", "合作社"),
    "WorkTeam": ClassStyle("#e377c2", "triangleDown", "工作队"),
    "EducationalInstitution": ClassStyle("#17becf", "square", "教育机构"),
    "Organisation": ClassStyle("#8c564b", "square", "其他组织"),
    # places: one shape, darker green for higher administrative levels
    "Province": ClassStyle("#00441b", "triangle", "省/自治区"),
    "City": ClassStyle("#1b7837", "triangle", "市/盟"),
    "County": ClassStyle("#41ab5d", "triangle", "县/旗/区"),
    "Township": ClassStyle("#78c679", "triangle", "乡镇/苏木/街道"),
    "Village": ClassStyle("#addd8e", "triangle", "村/嘎查/社区"),
    "Place": ClassStyle("#7fbf7b", "hexagon", "地区（级别不明）"),
}

#: Style of entities that have none of the classes above (group name ``"Thing"``).
OTHER_STYLE = ClassStyle("#9e9e9e", "dot", "其他")

#: Relation local name -> style; exactly the relations that are drawn.
RELATION_STYLES: dict[str, RelationStyle] = {
    "assists": RelationStyle("#e6550d", "帮扶"),
    "heads": RelationStyle("#a50f15", "领导"),
    "worksFor": RelationStyle("#3182bd", "任职于"),
    "servesIn": RelationStyle("#756bb1", "驻村"),
    "locatedIn": RelationStyle("#969696", "位于"),
}

#: Administrative levels from the top down: ``--level`` name -> place class. ``Place`` (level unknown)
#: has no rank: it is never a collapse target and never merged.
LEVELS: dict[str, str] = {
    "province": "Province",
    "city": "City",
    "county": "County",
    "township": "Township",
    "village": "Village",
}

#: Legend glyph of each vis-network shape.
GLYPHS = {
    "dot": "●",
    "square": "■",
    "diamond": "◆",
    "star": "★",
    "triangle": "▲",
    "triangleDown": "▼",
    "hexagon": "⬢",
}


def class_style(group: str) -> ClassStyle:
    """The style of a class local name; ``OTHER_STYLE`` for anything not in ``CLASS_STYLES``.

    Examples:
        >>> class_style("Village").name, class_style("Thing").name
        ('村/嘎查/社区', '其他')
    """
    return CLASS_STYLES.get(group, OTHER_STYLE)
