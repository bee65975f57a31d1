"""Name what a view draws (``ViewGraph``) and cut it down: relations, administrative level, ego network.

A ``ViewGraph`` is plain data (ids, labels, facts with their evidence), independent of pyvis and of
the graph store (``kg.views.read`` fills one from the graph), so each way of narrowing a view is a
pure function from one ``ViewGraph`` to another and is tested as such. ``kg.views.network`` applies
them in a fixed order, which matters:

1. ``collapse_places`` first, because it needs every ``locatedIn`` fact to find ancestors, even those
   ``--relations`` or a date range will hide;
2. ``select_dates`` next, then ``select_relations``;
3. ``ego_network`` last, so that the neighbourhood is walked over the edges actually drawn.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from kg.errors import QueryError
from kg.ontology import PREFIXES
from kg.views.styles import CLASS_STYLES, LEVELS, RELATION_STYLES

_PLACE_RANK = {cls: rank for rank, cls in enumerate(LEVELS.values())}
_PLACE_CLASSES = {*_PLACE_RANK, "Place"}


@dataclass(frozen=True)
class EvidenceRecord:
    """One sentence stating a fact, where it comes from, the post it names (if any), its document's date."""

    text: str | None
    file: str | None
    title: str | None
    start: int | None
    end: int | None
    post: str | None
    date: str | None = None


@dataclass(frozen=True)
class FactRecord:
    """One ``(subject, relation, object)`` triple of the graph, entities as node ids, with its evidence."""

    subject: str
    relation: str
    object: str
    evidence: tuple[EvidenceRecord, ...] = ()


@dataclass(frozen=True)
class EntityRecord:
    """An entity as the view names it; ``merged`` lists the places folded into it by ``collapse_places``."""

    id: str
    label: str
    aliases: tuple[str, ...]
    group: str
    merged: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """One drawn edge: every fact with these ends and this relation (several once places are merged)."""

    source: str
    relation: str
    target: str
    facts: tuple[FactRecord, ...]


@dataclass
class ViewGraph:
    """What a view draws: nodes, links between them, and the entities their facts mention.

    Attributes:
        entities: Every entity a fact mentions, by node id (merged places included).
        nodes: Ids of the nodes drawn, sorted.
        links: Drawn edges, sorted by (source, target, relation).
        representative: Merged place id -> id of the node it was folded into.
        focus: Ids of the entities an ego network is centred on.
        notes: One sentence per narrowing applied, shown on the page.
    """

    entities: dict[str, EntityRecord]
    nodes: list[str]
    links: list[Link]
    representative: dict[str, str] = field(default_factory=dict)
    focus: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def select_relations(view: ViewGraph, relations: Iterable[str]) -> ViewGraph:
    """Keep the links of the given relations and the nodes they touch (and any focus node).

    Raises:
        ValueError: A relation is not one of ``RELATION_STYLES``.
    """
    wanted = set(relations)
    unknown = sorted(wanted - set(RELATION_STYLES))
    if unknown:
        raise ValueError(
            f"unknown relation(s) {', '.join(unknown)}; use some of {', '.join(RELATION_STYLES)}"
        )
    if wanted == set(RELATION_STYLES):
        return view
    links = [link for link in view.links if link.relation in wanted]
    names = "、".join(RELATION_STYLES[r].name for r in RELATION_STYLES if r in wanted)
    return replace(
        view, nodes=_nodes(links, view.focus), links=links, notes=[*view.notes, f"只显示关系：{names}。"]
    )


def collapse_places(view: ViewGraph, level: str) -> ViewGraph:
    """Merge every place below an administrative level into its ancestor at that level.

    Ancestors are found by walking ``locatedIn`` upwards from a place to the nearest place at the level
    or above it (a village directly in a city goes into the city). A place with no such ancestor stays
    as it is; places of unknown level (``Place``) are walked through but never merged. Edges are then
    aggregated: all facts whose ends map to the same two nodes and share a relation become one edge
    listing them (its label gains "×N"), and facts inside one merged place (mostly ``locatedIn``
    between a village and its township) are no longer drawn.

    Args:
        view: A view read by ``read_view_graph``, before ``select_relations`` or ``ego_network``.
        level: One of ``LEVELS``: province, city, county, township or village.

    Returns:
        The collapsed view; ``representative`` maps each merged place to its node.

    Raises:
        ValueError: The level is unknown.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    target = _PLACE_RANK[LEVELS[level]]
    parents: dict[str, set[str]] = defaultdict(set)
    for link in view.links:
        if link.relation == "locatedIn" and _is_place(view, link.source) and _is_place(view, link.target):
            parents[link.source].add(link.target)
    representative: dict[str, str] = {}
    for node in view.nodes:
        rank = _PLACE_RANK.get(view.entities[node].group)
        if rank is not None and rank > target:
            ancestor = _nearest_ancestor(view, node, parents, target)
            if ancestor is not None:
                representative[node] = ancestor
    grouped: dict[tuple[str, str, str], list[FactRecord]] = defaultdict(list)
    internal = 0
    for link in view.links:
        source = representative.get(link.source, link.source)
        target_node = representative.get(link.target, link.target)
        if source == target_node:
            internal += len(link.facts)
            continue
        grouped[(source, link.relation, target_node)].extend(link.facts)
    links = [Link(s, rel, o, tuple(sorted(facts, key=_fact_key))) for (s, rel, o), facts in grouped.items()]
    members: dict[str, list[str]] = defaultdict(list)
    for member, ancestor in representative.items():
        members[ancestor].append(member)
    entities = dict(view.entities)
    for ancestor, merged in members.items():
        entities[ancestor] = replace(entities[ancestor], merged=tuple(sorted(merged)))
    aggregated = sum(1 for link in links if len(link.facts) > 1)
    note = (
        f"按{_level_name(level)}汇总：{len(representative)} 个下级地区并入其所属地区（经“位于”关系上溯）；"
        f"{aggregated} 条边各汇总了多条同类关系（标“×N”），地区内部的 {internal} 条关系不再画出。"
    )
    return replace(
        view,
        entities=entities,
        nodes=_nodes(links, view.focus),
        links=sorted_links(links),
        representative={**view.representative, **representative},
        notes=[*view.notes, note],
    )


_ISO_DATE = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?")


def date_bounds(text: str) -> tuple[str, str]:
    """The first and last day an ISO date of year, month or day precision stands for.

    Raises:
        ValueError: ``text`` is not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (or no such day).

    Examples:
        >>> date_bounds("2022"), date_bounds("2024-02"), date_bounds("2020-09-28")
        (('2022-01-01', '2022-12-31'), ('2024-02-01', '2024-02-29'), ('2020-09-28', '2020-09-28'))
    """
    match = _ISO_DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    if day is not None:
        if int(day) > calendar.monthrange(int(year), int(month))[1]:
            raise ValueError(f"{text!r} is not a day of the calendar")
        return text.strip(), text.strip()
    if month is not None:
        last = calendar.monthrange(int(year), int(month))[1]
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
    return f"{year}-01-01", f"{year}-12-31"


def dated_within(date: str | None, since: str | None, until: str | None) -> bool:
    """Whether a document date overlaps the range from ``since`` to ``until`` (ISO dates, either open).

    A date in no ISO form, or none, is never within a range.

    Examples:
        >>> dated_within("2022", "2022-06", None), dated_within("2020-09", None, "2020-08-31")
        (True, False)
    """
    if not date:
        return False
    try:
        first, last = date_bounds(date)
    except ValueError:
        return False
    return (since is None or last >= date_bounds(since)[0]) and (
        until is None or first <= date_bounds(until)[1]
    )


def select_dates(view: ViewGraph, *, since: str | None = None, until: str | None = None) -> ViewGraph:
    """Keep the facts stated in documents dated within a range, with only the evidence from those documents.

    A document's date stands for its whole period: ``2022`` is within ``--since 2022-06``. Evidence
    from undated documents is left out. Facts that no sentence states (the division table's
    ``locatedIn`` steps) are kept above the places that remain, so those still sit in their county
    and province.

    Raises:
        ValueError: ``since`` or ``until`` is not an ISO date, or ``since`` is after ``until``.
    """
    if since is None and until is None:
        return view
    if since is not None and until is not None and date_bounds(since)[0] > date_bounds(until)[1]:
        raise ValueError(f"the range is empty: {since} is after {until}")
    for bound in (since, until):
        if bound is not None:
            date_bounds(bound)
    kept: list[Link] = []
    reference: dict[str, list[Link]] = defaultdict(list)
    for link in view.links:
        facts = []
        for fact in link.facts:
            if not fact.evidence:
                continue
            evidence = tuple(e for e in fact.evidence if dated_within(e.date, since, until))
            if evidence:
                facts.append(replace(fact, evidence=evidence))
        if facts:
            kept.append(replace(link, facts=tuple(facts)))
        elif all(not fact.evidence for fact in link.facts):
            reference[link.source].append(link)
    nodes = {n for link in kept for n in (link.source, link.target)}
    frontier = sorted(nodes)
    while frontier:  # up the reference chains from every place that remains
        reached = []
        for node in frontier:
            for link in reference.pop(node, []):
                kept.append(link)
                if link.target not in nodes:
                    nodes.add(link.target)
                    reached.append(link.target)
        frontier = reached
    span = f"{since or '最早'} 至 {until or '最新'}"
    return replace(
        view,
        nodes=_nodes(kept, view.focus),
        links=sorted_links(kept),
        notes=[
            *view.notes,
            f"只显示日期在 {span} 之间的文档所陈述的关系（按文档日期；没有日期的文档不计）。",
        ],
    )


def find_entities(view: ViewGraph, name: str) -> list[str]:
    """Node ids of the entities called ``name`` (node id, label or alias, exactly).

    A place merged by ``collapse_places`` maps to the node it was folded into.

    Examples:
        >>> view = ViewGraph({"kgr:place/甲村": EntityRecord("kgr:place/甲村", "甲村", ("甲",), "Village")},
        ...                  ["kgr:place/甲村"], [])
        >>> find_entities(view, "甲"), find_entities(view, "乙")
        (['kgr:place/甲村'], [])
    """
    name = name.strip()
    found = {
        view.representative.get(entity.id, entity.id)
        for entity in view.entities.values()
        if name in (entity.id, entity.label, *entity.aliases)
    }
    typed = _as_pinyin(name)
    if not found and typed:  # wushenqi, Wushen Qi: pinyin, as the page's search box takes it
        found = {
            view.representative.get(entity.id, entity.id)
            for entity in view.entities.values()
            if typed in (_plain_pinyin(entity.label), *map(_plain_pinyin, entity.aliases))
        }
    return sorted(found)


def _as_pinyin(name: str) -> str:
    """``name`` as plain pinyin to compare (letters only, lower case), or "" when it is not Latin."""
    letters = "".join(c for c in name.lower() if c not in " '-·")
    return letters if letters.isascii() and letters.isalpha() else ""


def _plain_pinyin(text: str) -> str:
    from kg.views.network import pinyin  # the view's own spelling, as its search box matches

    return pinyin(text)[1]


def ego_network(view: ViewGraph, names: Sequence[str], *, depth: int = 1) -> ViewGraph:
    """The entities within ``depth`` edges of the named ones, either direction, and the edges among them.

    Args:
        view: The view to cut.
        names: Names of the centres: labels, aliases or node ids. A name shared by several entities
            (two villages called 新华村) centres the network on all of them.
        depth: How many edges away from a centre an entity may be; 0 keeps the centres alone.

    Raises:
        QueryError: A name matches no entity; the message lists entities whose names contain it.
        ValueError: ``depth`` is negative.
    """
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, not {depth}")
    centres: list[str] = []
    for name in names:
        found = find_entities(view, name)
        if not found:
            raise QueryError(f"no entity named {name!r} in the graph{_suggest(view, name)}")
        centres.extend(found)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for link in view.links:
        neighbours[link.source].add(link.target)
        neighbours[link.target].add(link.source)
    reached, frontier = set(centres), set(centres)
    for _ in range(depth):
        frontier = {n for node in frontier for n in neighbours[node]} - reached
        reached |= frontier
    links = [link for link in view.links if link.source in reached and link.target in reached]
    focus = tuple(sorted(set(centres)))
    labels = "、".join(view.entities[c].label for c in focus)
    return replace(
        view,
        nodes=_nodes(links, focus),
        links=links,
        focus=focus,
        notes=[*view.notes, f"以{labels}为中心、{depth} 步以内的实体。"],
    )


def compact_iri(iri: str) -> str:
    """The prefixed name of an IRI in the project's namespaces (the longest match), else the IRI.

    Examples:
        >>> compact_iri("https://w3id.org/kgzh/id/person/张三"), compact_iri("urn:x")
        ('kgr:person/张三', 'urn:x')
    """
    matches = [(len(ns), prefix) for prefix, ns in PREFIXES.items() if iri.startswith(ns)]
    if not matches:
        return iri
    length, prefix = max(matches)
    return f"{prefix}:{iri[length:]}"


def _nodes(links: Iterable[Link], focus: Iterable[str]) -> list[str]:
    return sorted({*(n for link in links for n in (link.source, link.target)), *focus})


def sorted_links(links: Iterable[Link]) -> list[Link]:
    """Links in the order views draw them: by source, target, relation."""
    return sorted(links, key=lambda link: (link.source, link.target, link.relation))


def _fact_key(fact: FactRecord) -> tuple[str, str, str]:
    return (fact.subject, fact.object, fact.relation)


def _is_place(view: ViewGraph, node: str) -> bool:
    return view.entities[node].group in _PLACE_CLASSES


def _nearest_ancestor(view: ViewGraph, node: str, parents: dict[str, set[str]], target: int) -> str | None:
    """Breadth-first up ``locatedIn``: the nearest place ranked at or above ``target`` (least id on ties)."""
    seen = {node}
    frontier = sorted(parents[node])
    while frontier:
        hits = [p for p in frontier if _PLACE_RANK.get(view.entities[p].group, target + 1) <= target]
        if hits:
            return min(hits)
        seen.update(frontier)
        frontier = sorted({g for p in frontier for g in parents[p]} - seen)
    return None


def _level_name(level: str) -> str:
    return CLASS_STYLES[LEVELS[level]].name


def _suggest(view: ViewGraph, name: str) -> str:
    """A hint for a name that matched nothing.

    Up to 8 names containing it or contained in it, else the names closest in spelling (did you mean),
    in characters or, for a name typed in Latin letters, in pinyin.
    """
    names = sorted({text for entity in view.entities.values() for text in (entity.label, *entity.aliases)})
    candidates = [t for t in names if name and (name in t or (len(t) > 1 and t in name))]
    if candidates:
        return "; similar names: " + "、".join(candidates[:8])
    typed = _as_pinyin(name)
    if typed:
        spelled = {_plain_pinyin(t): t for t in names}
        close = [spelled[p] for p in difflib.get_close_matches(typed, list(spelled), n=5, cutoff=0.75)]
        close += [t for p, t in spelled.items() if p.startswith(typed) and t not in close]
    else:
        close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
    if close:
        return "; did you mean " + "、".join(close[:8]) + "?"
    return "; check the spelling, or give a node id such as kgr:place/…"
