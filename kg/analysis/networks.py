"""The graph as networkx networks: centrality, bipartite projections, communities, the place tree."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import pandas as pd  # type: ignore[import-untyped, unused-ignore]

from kg.analysis.sources import compact_iri
from kg.ontology import ORGANISATION_CLASSES, PLACE_CLASSES, RELATIONS
from kg.store import query_rows

_ORGANISATIONS = {"Organisation", *ORGANISATION_CLASSES}
_PLACES = {"Place", *PLACE_CLASSES}
_CLASS_ORDER = ["Person", *ORGANISATION_CLASSES, "Organisation", *reversed(PLACE_CLASSES), "Place"]

_ENTITIES_QUERY = f"""
SELECT DISTINCT ?e ?label ?cls WHERE {{
    VALUES ?rel {{ {" ".join(f"kg:{r}" for r in RELATIONS)} }}
    {{ ?e ?rel ?x }} UNION {{ ?x ?rel ?e }}
    FILTER(isIRI(?e))
    OPTIONAL {{ ?e rdfs:label ?label }}
    OPTIONAL {{ ?e a ?c . FILTER(STRSTARTS(STR(?c), STR(kg:))) BIND(STRAFTER(STR(?c), "#") AS ?cls) }}
}}"""

_FACTS_QUERY = f"""
SELECT ?s ?rel ?o (COUNT(DISTINCT ?text) AS ?evidence) WHERE {{
    VALUES ?p {{ {" ".join(f"kg:{r}" for r in RELATIONS)} }}
    ?s ?p ?o .
    FILTER(isIRI(?s) && isIRI(?o))
    BIND(STRAFTER(STR(?p), "#") AS ?rel)
    OPTIONAL {{ ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidenceText ?text }}
}} GROUP BY ?s ?rel ?o"""


def to_networkx(graph: Any) -> nx.MultiDiGraph:
    """The entities in the five relations as a networkx multigraph, one edge per fact.

    Args:
        graph: An ``rdflib.Graph`` or ``kg.store.GraphStore``.

    Returns:
        Nodes with ``label``, ``cls`` and ``kind``; edges keyed by relation with ``relation`` and
        ``evidence`` (number of distinct sentences stating the fact).

    Examples:
        >>> from kg.store import open_store
        >>> to_networkx(open_store()).number_of_nodes()
        0
    """
    rank = {cls: i for i, cls in enumerate(_CLASS_ORDER)}
    nodes: dict[str, dict[str, Any]] = {}
    for row in query_rows(graph, _ENTITIES_QUERY):
        node = nodes.setdefault(compact_iri(row["e"]), {"label": row["label"] or row["e"], "cls": "Thing"})
        cls = row["cls"]
        if cls in rank and rank[cls] < rank.get(node["cls"], len(rank)):
            node["cls"] = cls
    result = nx.MultiDiGraph()
    for node_id in sorted(nodes):
        info = nodes[node_id]
        result.add_node(node_id, label=info["label"], cls=info["cls"], kind=_kind(info["cls"]))
    rows = sorted(query_rows(graph, _FACTS_QUERY), key=lambda r: (r["s"], r["rel"], r["o"]))
    for row in rows:
        s, o = compact_iri(row["s"]), compact_iri(row["o"])
        result.add_edge(s, o, key=row["rel"], relation=row["rel"], evidence=int(row["evidence"] or 0))
    return result


def organisation_centrality(network: nx.MultiDiGraph) -> pd.DataFrame:
    """Degree and betweenness of every organisation, most central first.

    Betweenness is computed on the undirected simple graph of all five relations, normalised: the
    share of shortest paths between other entities that pass through the organisation, i.e. how much
    it connects people and places that are otherwise apart.

    Returns:
        Columns ``organisation``, ``class``, ``degree`` (facts it takes part in), ``villages_helped``
        and ``betweenness``; sorted by betweenness, then degree, then name.
    """
    simple = nx.Graph(network.to_undirected())
    betweenness = nx.betweenness_centrality(simple, normalized=True)
    rows = []
    for node, data in network.nodes(data=True):
        if data["kind"] != "organisation":
            continue
        helped = {o for _, o, rel in network.out_edges(node, keys=True) if rel == "assists"}
        rows.append(
            {
                "organisation": data["label"],
                "class": data["cls"],
                "degree": network.degree(node),
                "villages_helped": len(helped),
                "betweenness": round(betweenness.get(node, 0.0), 4),
            }
        )
    frame = pd.DataFrame(rows, columns=["organisation", "class", "degree", "villages_helped", "betweenness"])
    return frame.sort_values(
        ["betweenness", "degree", "organisation"], ascending=[False, False, True], ignore_index=True
    )


def assistance_bipartite(network: nx.MultiDiGraph) -> nx.Graph:
    """Organisations and the places they help, as a bipartite graph.

    An organisation is linked to a place when it ``assists`` it, or when one of its people
    (``worksFor`` or ``heads``) ``servesIn`` it: a first secretary sent to a village links the
    sending body to the village. Edge attribute ``via``: the relations behind the link.

    Returns:
        Nodes with ``bipartite`` 0 (organisations) or 1 (places), plus ``label`` and ``cls``.
    """
    links: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s, o, rel in network.edges(keys=True):
        if (
            rel == "assists"
            and network.nodes[s]["kind"] == "organisation"
            and network.nodes[o]["kind"] == "place"
        ):
            links[(s, o)].add("assists")
    for person, place, rel in network.edges(keys=True):
        if rel != "servesIn":
            continue
        for _, unit, unit_rel in network.out_edges(person, keys=True):
            if unit_rel in ("worksFor", "heads") and network.nodes[unit]["kind"] == "organisation":
                links[(unit, place)].add(f"servesIn via {network.nodes[person]['label']}")
    bipartite = nx.Graph()
    for (org, place), via in sorted(links.items()):
        for node, side in ((org, 0), (place, 1)):
            data = network.nodes[node]
            bipartite.add_node(node, bipartite=side, label=data["label"], cls=data["cls"])
        bipartite.add_edge(org, place, via=sorted(via))
    return bipartite


def project_organisations(bipartite: nx.Graph) -> nx.Graph:
    """Organisations linked when they help a common place; edge ``weight`` = places shared."""
    return _project(bipartite, 0)


def project_places(bipartite: nx.Graph) -> nx.Graph:
    """Places linked when a common organisation helps them; edge ``weight`` = organisations shared."""
    return _project(bipartite, 1)


def _project(bipartite: nx.Graph, side: int) -> nx.Graph:
    """The weighted projection onto one side of ``assistance_bipartite``, node attributes kept."""
    nodes = sorted(n for n, s in bipartite.nodes(data="bipartite") if s == side)
    projected: nx.Graph = nx.bipartite.weighted_projected_graph(bipartite, nodes)
    for node in projected:
        projected.nodes[node].update(bipartite.nodes[node])
    return projected


def communities(network: nx.MultiDiGraph, *, seed: int = 0) -> pd.DataFrame:
    """Louvain communities of the undirected simple graph, largest first, reproducible by ``seed``.

    Returns:
        One row per entity: ``community`` (0 = largest), ``entity``, ``class``, ``kind``.
    """
    simple = nx.Graph(network.to_undirected())
    found = nx.community.louvain_communities(simple, seed=seed)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c))
    rows = [
        {
            "community": i,
            "entity": network.nodes[node]["label"],
            "class": network.nodes[node]["cls"],
            "kind": network.nodes[node]["kind"],
        }
        for i, members in enumerate(ordered)
        for node in members
    ]
    return pd.DataFrame(rows, columns=["community", "entity", "class", "kind"])


def community_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per community: size, people, organisations, places, and its five best-known members by name."""
    grouped = table.groupby("community")
    summary = pd.DataFrame(
        {
            "size": grouped.size(),
            "people": grouped["kind"].apply(lambda k: int((k == "person").sum())),
            "organisations": grouped["kind"].apply(lambda k: int((k == "organisation").sum())),
            "places": grouped["kind"].apply(lambda k: int((k == "place").sum())),
            "members": grouped["entity"].apply(lambda e: "、".join(list(e)[:5])),
        }
    )
    return summary.reset_index()


def admin_tree(network: nx.MultiDiGraph) -> str:
    """The administrative tree (``locatedIn`` between places) as indented text, roots first.

    Examples:
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("c", label="乌审旗", cls="County", kind="place")
        >>> g.add_node("t", label="嘎鲁图镇", cls="Township", kind="place")
        >>> g.add_edge("t", "c", key="locatedIn", relation="locatedIn")
        'locatedIn'
        >>> print(admin_tree(g))
        乌审旗（County）
          嘎鲁图镇（Township）
    """
    children: dict[str, list[str]] = defaultdict(list)
    has_parent: set[str] = set()
    for s, o, rel in network.edges(keys=True):
        if rel == "locatedIn" and network.nodes[s]["kind"] == "place" and network.nodes[o]["kind"] == "place":
            children[o].append(s)
            has_parent.add(s)

    def label(node: str) -> str:
        return str(network.nodes[node]["label"])

    lines: list[str] = []

    def walk(node: str, depth: int, seen: frozenset[str]) -> None:
        lines.append(f"{'  ' * depth}{label(node)}（{network.nodes[node]['cls']}）")
        for child in sorted(children[node], key=label):
            if child not in seen:  # a cycle in the data must not hang the notebook
                walk(child, depth + 1, seen | {child})

    roots = sorted((n for n in children if n not in has_parent), key=label)
    for root in roots:
        walk(root, 0, frozenset({root}))
    return "\n".join(lines)


def _kind(cls: str) -> str:
    if cls == "Person":
        return "person"
    if cls in _ORGANISATIONS:
        return "organisation"
    if cls in _PLACES:
        return "place"
    return "other"
