"""Merge the mentions of candidate facts into entities: one node per real-world thing.

A person, body or place is identified by its full name within its group; a place name that the
corpus chains under two different parents (two 新华村 in two towns) becomes two entities. The fullest
name is canonical; every other surface form becomes an alias. Imports neither spaCy nor rdflib.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from kg.types import Candidate, Entity, Fact, Mention

PLACE_KINDS = frozenset({"Province", "City", "County", "Township", "Village", "Place"})
# A party branch named without 党 (村支部, 机关总支): one body with its full name's.
_PARTY_BRANCH = re.compile("(?<!党)(支部|总支)$")


def entity_group(kind: str) -> str:
    """The identity group of a class: ``person``, ``place`` or ``org``.

    Examples:
        >>> entity_group("Village"), entity_group("PartyBody"), entity_group("Person")
        ('place', 'org', 'person')
    """
    if kind == "Person":
        return "person"
    return "place" if kind in PLACE_KINDS else "org"


def _parents_by_place(candidates: list[Candidate]) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = defaultdict(set)
    for c in candidates:
        for m in (c.subject, c.object):
            if entity_group(m.kind) == "place" and m.parent:
                parents[m.name].add(m.parent)
    return parents


def entity_key(m: Mention, ambiguous: set[str]) -> str:
    """Stable identity of a mention's entity.

    Examples:
        >>> entity_key(Mention("董晶", "Person", "董晶", 0, 2), set())
        'person/董晶'
        >>> entity_key(Mention("新华村", "Village", "新华村", 0, 3, parent="双河镇"), {"新华村"})
        'place/双河镇/新华村'
        >>> entity_key(Mention("乌审旗", "County", "乌审旗", 0, 3, code="150626"), set())
        'place/150626'
        >>> entity_key(Mention("邵桥村支部", "PartyBody", "村支部", 0, 3), set())
        'org/邵桥村党支部'
    """
    group = entity_group(m.kind)
    if group == "org":  # 邵桥村支部 is 邵桥村党支部: news drops the 党 of a party branch
        return "org/" + _PARTY_BRANCH.sub(r"党\1", m.name)
    if group == "place" and m.code:  # coded places never merge with a namesake elsewhere
        return f"place/{m.code}"
    if group == "place" and m.name in ambiguous and m.parent:
        return f"place/{m.parent}/{m.name}"
    return f"{group}/{m.name}"


def resolve_entities(candidates: Iterable[Candidate]) -> tuple[list[Entity], list[Fact]]:
    """Entities and facts (subject/object by entity key) from candidate facts.

    A worksFor fact is dropped where the same person heads the same body, since heads says more.

    Returns:
        Entities sorted by key, and distinct facts sorted by subject, predicate, object, evidence.
    """
    candidates = list(candidates)
    ambiguous = {name for name, parents in _parents_by_place(candidates).items() if len(parents) > 1}
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    codes: dict[str, str] = {}
    names: dict[str, Counter[str]] = defaultdict(Counter)
    facts: set[Fact] = set()
    for c in candidates:
        keys = []
        for m in (c.subject, c.object):
            key = entity_key(m, ambiguous)
            kinds[key][m.kind] += 1
            if m.code:
                codes[key] = m.code
            names[key][m.name] += 1
            if m.surface:
                names[key][m.surface] += 0
            keys.append(key)
        facts.add(Fact(keys[0], c.predicate, keys[1], c.evidence, c.post))
    entities = []
    for key in sorted(kinds):
        # the most frequent class wins; ties go to the alphabetically first, for determinism
        kind = sorted(kinds[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        canonical = max(names[key], key=lambda n: (names[key][n] > 0, len(n), n))
        aliases = frozenset(n for n in names[key] if n != canonical)
        entities.append(Entity(key, canonical, kind, aliases, codes.get(key, "")))
    heads = {(f.subject, f.object) for f in facts if f.predicate == "heads"}
    kept = [f for f in facts if not (f.predicate == "worksFor" and (f.subject, f.object) in heads)]
    kept.sort(key=lambda f: (f.subject, f.predicate, f.object, f.evidence.doc_id, f.evidence.start, f.post))
    return entities, kept
