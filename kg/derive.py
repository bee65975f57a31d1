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

This module derives from facts, whatever holds them: it takes (subject, predicate IRI, object)
triples with terms of any hashable type and returns the derived pairs by predicate IRI. Reading the
facts from a store and writing the derived triples back is the store's job
(``GraphStore.rederive``), so the derivation sits below the store in the layers and is tested
without one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

from kg.ontology import KG

__all__ = ["DERIVED_FROM", "derive", "transitive_closure"]

#: Derived predicate IRI -> the predicate IRIs of the facts it is derived from.
DERIVED_FROM: dict[str, tuple[str, ...]] = {str(KG.within): (str(KG.locatedIn),)}

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


def derive(facts: Iterable[tuple[Node, str, Node]]) -> dict[str, set[tuple[Node, Node]]]:
    """The derived triples that follow from ``facts``: (subject, object) pairs by derived predicate IRI.

    Args:
        facts: (subject, predicate IRI, object) triples; only the predicates in ``DERIVED_FROM`` are
            read, so a caller may pass just those.

    Returns:
        For every derived predicate, all its pairs (an empty set when no fact leads to one).

    Examples:
        >>> located = str(KG.locatedIn)
        >>> derived = derive([("村", located, "镇"), ("镇", located, "旗"), ("村", str(KG.heads), "人")])
        >>> sorted(derived[str(KG.within)])
        [('村', '旗'), ('村', '镇'), ('镇', '旗')]
    """
    located_in = str(KG.locatedIn)
    return {str(KG.within): transitive_closure((s, o) for s, p, o in facts if p == located_in)}
