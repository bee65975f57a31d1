"""Merge the mentions of candidate facts into entities: one node per real-world thing.

A person, body or place is identified by its full name within its group; a place name that the
corpus chains under two different parents (two 新华村 in two towns) becomes two entities. The fullest
name is canonical; every other surface form becomes an alias. A body named by a short form (省发展改革委,
农行四川省分行; kg.nlp.gazetteer's table) is the body of its full name. Imports neither spaCy nor rdflib.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from kg.nlp.gazetteer import expand_body_name
from kg.types import Candidate, Entity, Evidence, Fact, Mention

PLACE_KINDS = frozenset({"Province", "City", "County", "Township", "Village", "Place"})
# A party branch named without 党 (村支部, 机关总支): one body with its full name's.
_BRANCH_WORDS = ("支部", "总支")
_PARTY_BRANCH = re.compile("(?<!党)(支部|总支)$")
# Whether a body named by a short form (省发展改革委, 农行四川省分行) is the body of its full name. Off: the
# identity (and IRI) of a body named only by its short form would become a name no text wrote
# (kgo:鄂尔多斯市住建局 -> kgo:鄂尔多斯市住房和城乡建设局), and it gains no fact on any of the sets; IRIs from
# the text's own fullest name are needed first.
_EXPAND_SHORT_FORMS = False


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
        name = expand_body_name(m.name) if _EXPAND_SHORT_FORMS else m.name
        if name.endswith(_BRANCH_WORDS):  # the regex only where it can apply: most names are not branches
            name = _PARTY_BRANCH.sub(r"党\1", name)
        return "org/" + name
    if group == "place" and m.code:  # coded places never merge with a namesake elsewhere
        return f"place/{m.code}"
    if group == "place" and m.name in ambiguous and m.parent:
        return f"place/{m.parent}/{m.name}"
    return f"{group}/{m.name}"


def _by_count(kind_count: tuple[str, int]) -> tuple[int, str]:
    return -kind_count[1], kind_count[0]


def resolve_entities(candidates: Iterable[Candidate]) -> tuple[list[Entity], list[Fact]]:
    """Entities and facts (subject/object by entity key) from candidates.

    A worksFor fact is dropped where the same person heads the same body, since heads says more.

    Returns:
        Entities sorted by key, and distinct facts sorted by subject, predicate, object, evidence.
    """
    candidates = list(candidates)
    ambiguous = {name for name, parents in _parents_by_place(candidates).items() if len(parents) > 1}
    # Each distinct mention object is keyed once: documents taken from a snapshot share one object
    # per distinct mention (kg.builder.cached), so a build resolves about half as many as it reads.
    # Candidates hold every mention, so ids stay unique while this runs.
    key_by_id: dict[int, str] = {}
    kinds: dict[str, dict[str, int]] = defaultdict(dict)
    codes: dict[str, str] = {}
    # per key, per name: seen as a name (True) or only as a surface form (False)
    names: dict[str, dict[str, bool]] = defaultdict(dict)
    distinct: dict[tuple[str, str, str, Evidence, str], None] = {}
    for c in candidates:
        subject, obj = c.subject, c.object
        pair = []
        for m in (subject, obj):
            key = key_by_id.get(id(m))
            if key is None:
                key = key_by_id[id(m)] = entity_key(m, ambiguous)
            counts = kinds[key]
            counts[m.kind] = counts.get(m.kind, 0) + 1
            if m.code:
                codes[key] = m.code
            seen = names[key]
            seen[m.name] = True
            if m.surface and m.surface not in seen:
                seen[m.surface] = False
            if key.startswith("org/") and _EXPAND_SHORT_FORMS:
                # the full name of a body named by a short form is one of its names too (农行 -> 中国农业银行)
                full = expand_body_name(m.name)
                if full not in seen:
                    seen[full] = False
            pair.append(key)
        distinct[(pair[0], c.predicate, pair[1], c.evidence, c.post)] = None
    entities = []
    no_aliases: frozenset[str] = frozenset()
    for key in sorted(kinds):
        # the most frequent class wins; ties go to the alphabetically first, for determinism
        counts = kinds[key]
        kind = next(iter(counts)) if len(counts) == 1 else min(counts.items(), key=_by_count)[0]
        seen = names[key]
        if len(seen) == 1:  # most entities: one name, no alias (the choices below made quickly)
            canonical, aliases = next(iter(seen)), no_aliases
        else:
            canonical = max(seen, key=lambda n: (seen[n], len(n), n))
            aliases = frozenset(n for n in seen if n != canonical)
        entities.append(Entity(key, canonical, kind, aliases, codes.get(key, "")))
    heads = {(s, o) for s, p, o, _, _ in distinct if p == "heads"}
    kept = [t for t in distinct if not (t[1] == "worksFor" and (t[0], t[2]) in heads)]
    kept.sort(key=lambda t: (t[0], t[1], t[2], t[3].doc_id, t[3].start, t[4]))
    return entities, [Fact(*t) for t in kept]
