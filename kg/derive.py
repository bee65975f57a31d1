"""Triples derived from a build's facts and stored beside them, so queries need not recompute them.

Four derivations, each something the canned queries and entity pages ask for over and over:

- ``kg:within``, the transitive closure of ``kg:locatedIn`` (every place that a place or organisation
  lies in, at any depth). SPARQL can ask ``kg:locatedIn+`` instead, but Oxigraph answers that by
  walking the hierarchy one index lookup per step from every node it starts at, which makes
  whole-graph questions (a city's tree, the county of every village) take seconds on a large build;
  ``kg:within`` gives all of a node's ancestors, or all places under one, from a single lookup.
- ``kg:inCounty`` and ``kg:inTownship``, the ``kg:within`` ancestors that are a county (旗/县/区) or a
  township (乡/镇/街道): one lookup where a query would otherwise read every ancestor and then each
  ancestor's classes to find the county among them (four or five lookups per place).
- ``kg:activeIn``, a body's presence in a place: it assists the place (``kg:assists``), or a person
  who works for it (``kg:worksFor``) serves there (``kg:servesIn``). Rankings of bodies and of the
  villages they help read it once per pair instead of joining a UNION of two patterns, three facts
  per stationed person.

Derived triples live in the default graph only: no document states them, so no per-document named
graph holds them. They are recomputed from the whole default graph whenever it is rewritten
(``kg build``, ``kg remove``) and whenever a graph is loaded for querying (``kg.queries``), so they
never disagree with the facts.

This module derives from facts, whatever holds them: it takes (subject, predicate IRI, object)
triples with terms of any hashable type and returns the derived pairs by predicate IRI. The one
exception to "any type": the object of an ``rdf:type`` fact is the class IRI as a string, so that
the classes can be recognised whatever type the nodes have. Reading the facts from a store and
writing the derived triples back is the store's job (``GraphStore.rederive``), so the derivation
sits below the store in the layers and is tested without one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, TypeVar

from kg.ontology import KG

__all__ = ["CLASSES_READ", "DERIVED_FROM", "RDF_TYPE", "derive", "transitive_closure"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LOCATED_IN, _ASSISTS, _SERVES_IN, _WORKS_FOR = (
    str(KG.locatedIn),
    str(KG.assists),
    str(KG.servesIn),
    str(KG.worksFor),
)
_COUNTY, _TOWNSHIP = str(KG.County), str(KG.Township)

#: Derived predicate IRI -> the predicate IRIs of the facts it is derived from.
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    str(KG.within): (_LOCATED_IN,),
    str(KG.inCounty): (_LOCATED_IN, RDF_TYPE),
    str(KG.inTownship): (_LOCATED_IN, RDF_TYPE),
    str(KG.activeIn): (_ASSISTS, _SERVES_IN, _WORKS_FOR),
}

#: The only classes whose ``rdf:type`` facts a derivation reads (a reader may pass just these).
CLASSES_READ: tuple[str, ...] = (_COUNTY, _TOWNSHIP)

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


def derive(facts: Iterable[tuple[Node, str, Any]]) -> dict[str, set[tuple[Node, Node]]]:
    """The derived triples that follow from ``facts``: (subject, object) pairs by derived predicate IRI.

    Args:
        facts: (subject, predicate IRI, object) triples; only the predicates in ``DERIVED_FROM`` are
            read, so a caller may pass just those, and of ``rdf:type`` facts (object: the class IRI
            as a string) just those of ``CLASSES_READ``.

    Returns:
        For every derived predicate, all its pairs (an empty set when no fact leads to one).

    Examples:
        >>> located, county = str(KG.locatedIn), str(KG.County)
        >>> derived = derive([("村", located, "镇"), ("镇", located, "旗"), ("旗", RDF_TYPE, county)])
        >>> sorted(derived[str(KG.within)])
        [('村', '旗'), ('村', '镇'), ('镇', '旗')]
        >>> sorted(derived[str(KG.inCounty)])
        [('村', '旗'), ('镇', '旗')]
    """
    located: list[tuple[Node, Node]] = []
    classes: dict[Hashable, set[str]] = {}
    assists: set[tuple[Node, Node]] = set()
    serves: list[tuple[Node, Node]] = []
    employers: dict[Node, set[Node]] = {}
    for s, p, o in facts:
        if p == _LOCATED_IN:
            located.append((s, o))
        elif p == RDF_TYPE:
            classes.setdefault(s, set()).add(str(o))
        elif p == _ASSISTS:
            assists.add((s, o))
        elif p == _SERVES_IN:
            serves.append((s, o))
        elif p == _WORKS_FOR:
            employers.setdefault(s, set()).add(o)
    within = transitive_closure(located)
    # a stationed person's bodies are present where the person serves
    active = assists | {(body, place) for person, place in serves for body in employers.get(person, ())}
    return {
        str(KG.within): within,
        str(KG.inCounty): {(s, a) for s, a in within if _COUNTY in classes.get(a, ())},
        str(KG.inTownship): {(s, a) for s, a in within if _TOWNSHIP in classes.get(a, ())},
        str(KG.activeIn): active,
    }
