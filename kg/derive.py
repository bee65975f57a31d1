"""Triples derived from a build's facts and stored beside them, so queries need not recompute them.

One derivation so far: ``kg:within``, the transitive closure of ``kg:locatedIn`` (every place that a
place or organisation lies in, at any depth). SPARQL can ask ``kg:locatedIn+`` instead, but Oxigraph
answers that by walking the hierarchy one index lookup per step from every node it starts at, which
makes whole-graph questions (a city's tree, the county of every village) take seconds on a large
build; ``kg:within`` gives all of a node's ancestors, or all places under one, from a single lookup.

Derived triples live in the default graph only: no document states them, so no per-document named
graph holds them. They are recomputed from the whole default graph whenever it is rewritten
(``kg build``, ``kg remove``) and whenever a graph is loaded for querying (``kg.queries``), so they
never disagree with the facts.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

from kg.ontology import KG
from kg.store import GraphStore

__all__ = ["derive", "transitive_closure"]

Node = TypeVar("Node", bound=Hashable)


def transitive_closure(edges: Iterable[tuple[Node, Node]]) -> set[tuple[Node, Node]]:
    """Every (node, ancestor) pair that a chain of one or more ``(child, parent)`` edges connects.

    Cycles are allowed (a node on one is then its own ancestor, as ``kg:locatedIn+`` would say).

    Examples:
        >>> sorted(transitive_closure([("村", "镇"), ("镇", "旗"), ("局", "旗")]))
        [('局', '旗'), ('村', '旗'), ('村', '镇'), ('镇', '旗')]
    """
    parents: dict[Node, set[Node]] = {}
    for child, parent in edges:
        parents.setdefault(child, set()).add(parent)
    pairs: set[tuple[Node, Node]] = set()
    for start, first in parents.items():
        seen: set[Node] = set()
        todo = list(first)
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        pairs.update((start, ancestor) for ancestor in seen)
    return pairs


def derive(store: GraphStore) -> dict[str, int]:
    """Recompute the derived triples of the store's default graph from the facts in it.

    Returns:
        The number of derived triples, by the local name of their property.

    Examples:
        >>> from rdflib import Graph
        >>> from kg.ontology import KGR
        >>> store = GraphStore.open(None)
        >>> graph = Graph()
        >>> for child, parent in [("村", "镇"), ("镇", "旗")]:
        ...     _ = graph.add((KGR[child], KG.locatedIn, KGR[parent]))
        >>> store.replace_default_graph(graph)
        >>> derive(store)
        {'within': 3}
    """
    pairs = transitive_closure(store.default_pairs(str(KG.locatedIn)))
    store.replace_default_pairs(str(KG.within), pairs)
    return {"within": len(pairs)}
