"""Keep a store's derived triples (``kg.derive``) in step with its facts: all again, or by difference."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.derive import CLASSES_READ, DERIVED_FROM, RDF_TYPE, derive
from kg.ontology import KG

_RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)
_LOCATED_IN, _ASSISTS, _SERVES_IN, _WORKS_FOR = map(str, (KG.locatedIn, KG.assists, KG.servesIn, KG.worksFor))
_WITHIN, _IN_COUNTY, _IN_TOWNSHIP, _ACTIVE_IN = map(str, (KG.within, KG.inCounty, KG.inTownship, KG.activeIn))
_COUNTY, _TOWNSHIP = str(KG.County), str(KG.Township)


class DerivedTriples:
    """The derived-triple upkeep of ``kg.store.GraphStore``, whose Oxigraph store is ``inner``."""

    inner: ox.Store

    def default_pairs(self, predicate: str) -> list[tuple[Any, Any]]:
        """(subject, object) of every ``predicate`` triple in the default graph, as pyoxigraph terms."""
        quads = self.inner.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.DefaultGraph())
        return [(q.subject, q.object) for q in quads]

    def replace_default_pairs(self, predicate: str, pairs: Iterable[tuple[Any, Any]]) -> None:
        """Make ``pairs`` of pyoxigraph terms the only ``predicate`` triples of the default graph."""
        node = ox.NamedNode(predicate)
        default = ox.DefaultGraph()
        # by difference: after a few documents changed, most pairs stay, and rewriting them all
        # would cost as much as the first build's
        old = set(self.default_pairs(predicate))
        new = set(pairs)
        for s, o in old - new:
            self.inner.remove(ox.Quad(s, node, o, default))
        self.inner.extend(ox.Quad(s, node, o, default) for s, o in new - old)

    def rederive(self) -> dict[str, int]:
        """Recompute the derived triples of the default graph (``kg.derive``) from the facts in it.

        Returns:
            The number of derived triples, by the local name of their property.

        Examples:
            >>> from rdflib import Graph
            >>> from kg.ontology import KG, KGR
            >>> from kg.store import GraphStore
            >>> store = GraphStore.open(None)
            >>> graph = Graph()
            >>> for child, parent in [("村", "镇"), ("镇", "旗")]:
            ...     _ = graph.add((KGR[child], KG.locatedIn, KGR[parent]))
            >>> store.replace_default_graph(graph)
            >>> store.rederive()
            {'within': 3, 'inCounty': 0, 'inTownship': 0, 'activeIn': 0}
        """
        sources = {p for predicates in DERIVED_FROM.values() for p in predicates} - {RDF_TYPE}
        facts: list[tuple[Any, str, Any]] = [
            (s, p, o) for p in sorted(sources) for s, o in self.default_pairs(p)
        ]
        # of the classes, only those derive reads: every assertion and entity has one
        for cls in CLASSES_READ:
            quads = self.inner.quads_for_pattern(None, _RDF_TYPE_NODE, ox.NamedNode(cls), ox.DefaultGraph())
            facts.extend((q.subject, RDF_TYPE, cls) for q in quads)
        counts = {}
        for predicate, pairs in derive(facts).items():
            self.replace_default_pairs(predicate, pairs)
            counts[predicate.rpartition("#")[2]] = len(pairs)
        return counts

    def update_derived(self, changed: Iterable[ox.Triple]) -> int:
        """Change the derived triples of the default graph to match after only ``changed`` facts changed.

        ``rederive`` reads every fact back; after a few documents changed, this looks only at what
        the changed facts can reach, so the cost follows the change rather than the graph. A
        ``kg:locatedIn`` edge changes the ancestors of its subject and of everything below it, and a
        County or Township class those of everything below the node; their ``kg:within``,
        ``kg:inCounty`` and ``kg:inTownship`` pairs are made again from the hierarchy as it is now.
        A ``kg:activeIn`` pair can only change where an ``kg:assists`` fact of the same pair or a
        ``kg:servesIn`` or ``kg:worksFor`` fact of a person linking the two changed; each such pair
        is kept exactly when something still supports it.

        Args:
            changed: The fact triples the default graph lost or gained (others are ignored), with
                the default graph already holding the facts as they are now.

        Returns:
            How many derived triples the default graph gained (negative: lost).
        """
        located, county, township = (ox.NamedNode(p) for p in (_LOCATED_IN, _COUNTY, _TOWNSHIP))
        moved: set[Any] = set()  # nodes whose own edges or class changed
        below: set[Any] = set()  # nodes whose class changed: what lies below them is affected
        assists: set[tuple[Any, Any]] = set()
        persons: dict[Any, tuple[set[Any], set[Any]]] = {}  # person -> (places, bodies) it had or has
        for triple in changed:
            s, p, o = triple.subject, triple.predicate.value, triple.object
            if p == _LOCATED_IN:
                moved.add(s)
            elif p == RDF_TYPE and o in (county, township):
                below.add(s)
            elif p == _ASSISTS:
                assists.add((s, o))
            elif p == _SERVES_IN:
                persons.setdefault(s, (set(), set()))[0].add(o)
            elif p == _WORKS_FOR:
                persons.setdefault(s, (set(), set()))[1].add(o)
        delta = 0
        if moved or below:
            delta += self._update_hierarchy(moved | below, located, county, township)
        if assists or persons:
            delta += self._update_active(assists, persons)
        return delta

    def _default_objects(self, subject: Any, predicate: ox.NamedNode) -> list[Any]:
        if isinstance(subject, ox.Literal):  # a literal is never a subject: nothing hangs below it
            return []
        return [q.object for q in self.inner.quads_for_pattern(subject, predicate, None, ox.DefaultGraph())]

    def _update_hierarchy(
        self, seeds: set[Any], located: ox.NamedNode, county: ox.NamedNode, township: ox.NamedNode
    ) -> int:
        """Make the within/inCounty/inTownship pairs of the seeds and all below them again."""
        default = ox.DefaultGraph()
        affected, todo = set(seeds), list(seeds)
        while todo:  # everything that reaches a seed by kg:locatedIn, as the hierarchy is now
            for quad in self.inner.quads_for_pattern(None, located, todo.pop(), default):
                if quad.subject not in affected:
                    affected.add(quad.subject)
                    todo.append(quad.subject)
        classes: dict[Any, tuple[bool, bool]] = {}
        derived = {p: ox.NamedNode(p) for p in (_WITHIN, _IN_COUNTY, _IN_TOWNSHIP)}
        delta = 0
        for node in affected:
            ancestors: set[Any] = set()
            todo = self._default_objects(node, located)
            while todo:  # one or more steps up, so a node on a cycle is its own ancestor
                parent = todo.pop()
                if parent not in ancestors:
                    ancestors.add(parent)
                    todo.extend(self._default_objects(parent, located))
            for parent in ancestors:
                if parent not in classes:
                    kinds = set(self._default_objects(parent, _RDF_TYPE_NODE))
                    classes[parent] = (county in kinds, township in kinds)
            wanted = {
                _WITHIN: ancestors,
                _IN_COUNTY: {a for a in ancestors if classes[a][0]},
                _IN_TOWNSHIP: {a for a in ancestors if classes[a][1]},
            }
            for predicate, objects in wanted.items():
                node_predicate = derived[predicate]
                old = set(self._default_objects(node, node_predicate))
                for o in old - objects:
                    self.inner.remove(ox.Quad(node, node_predicate, o, default))
                self.inner.extend(ox.Quad(node, node_predicate, o, default) for o in objects - old)
                delta += len(objects) - len(old)
        return delta

    def _update_active(
        self, assists: set[tuple[Any, Any]], persons: dict[Any, tuple[set[Any], set[Any]]]
    ) -> int:
        """Keep or drop each activeIn pair the changed facts could touch, by whether anything supports it."""
        default = ox.DefaultGraph()
        serves, works = ox.NamedNode(_SERVES_IN), ox.NamedNode(_WORKS_FOR)
        candidates = set(assists)
        for person, (places, bodies) in persons.items():
            # the person's facts as they were are those now plus the changed ones, both in the sets
            places |= set(self._default_objects(person, serves))
            bodies |= set(self._default_objects(person, works))
            candidates.update((body, place) for body in bodies for place in places)
        assists_node, active = ox.NamedNode(_ASSISTS), ox.NamedNode(_ACTIVE_IN)
        delta = 0
        for body, place in candidates:
            if isinstance(body, ox.Literal):
                continue  # cannot be the subject of a triple, derived or not
            supported = ox.Quad(body, assists_node, place, default) in self.inner or any(
                ox.Quad(q.subject, works, body, default) in self.inner
                for q in self.inner.quads_for_pattern(None, serves, place, default)
            )
            quad = ox.Quad(body, active, place, default)
            present = quad in self.inner
            if supported and not present:
                self.inner.add(quad)
                delta += 1
            elif present and not supported:
                self.inner.remove(quad)
                delta -= 1
        return delta
