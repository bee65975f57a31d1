"""Open, load, save, export and query graphs; the one place that knows stores and serialisation formats.

Two kinds of store sit behind one query function:

- an rdflib ``Graph`` (store name "Memory"), used while building and for small graphs;
- ``GraphStore``, a persistent Oxigraph store (pyoxigraph) holding one named graph per source document,
  so a document's facts can be replaced or retracted, and their union, deduplicated, as the default
  graph that queries see (Oxigraph's union-of-named-graphs mode would repeat a triple per document),
  together with the triples ``kg.derive`` computes from that union.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import ResultRow

from kg.derive import CLASSES_READ, DERIVED_FROM, RDF_TYPE, derive
from kg.errors import QueryError, StoreError
from kg.ontology import KG, PREFIXES, QUERY_PREFIXES, bind_prefixes, prefix_declarations, undeclared_prefix

STORE_DIR = "store"
EXPORT_FORMATS = {
    "turtle": ("ttl", ox.RdfFormat.TURTLE),
    "ntriples": ("nt", ox.RdfFormat.N_TRIPLES),
    "nquads": ("nq", ox.RdfFormat.N_QUADS),
    "trig": ("trig", ox.RdfFormat.TRIG),
}
_RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)
_LOCATED_IN, _ASSISTS, _SERVES_IN, _WORKS_FOR = map(str, (KG.locatedIn, KG.assists, KG.servesIn, KG.worksFor))
_WITHIN, _IN_COUNTY, _IN_TOWNSHIP, _ACTIVE_IN = map(str, (KG.within, KG.inCounty, KG.inTownship, KG.activeIn))
_COUNTY, _TOWNSHIP = str(KG.County), str(KG.Township)


def open_store(*, store: str = "Memory") -> Graph:
    """A new, empty rdflib graph on the named rdflib store, with the project's prefixes bound.

    Raises:
        StoreError: The store plugin is unknown.
    """
    try:
        graph = Graph(store=store)
    except Exception as exc:  # rdflib raises PluginException for an unknown store name
        raise StoreError(f"cannot open rdflib store {store!r}: {exc}") from exc
    bind_prefixes(graph)
    return graph


def load_graph(path: Path) -> Graph:
    """Parse a Turtle file into a fresh rdflib graph.

    Raises:
        StoreError: The file is missing or not valid Turtle.
    """
    graph = open_store()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise StoreError(f"{path}: no such graph file; run `kg build` first") from exc
    except Exception as exc:  # parser errors come in many types
        raise StoreError(f"{path}: not a valid Turtle file: {exc}") from exc
    return graph


def serialize_turtle(graph: Graph) -> str:
    """Turtle text of the graph; rdflib orders subjects and predicates, so equal graphs give equal text."""
    return graph.serialize(format="turtle")


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write a file through a temporary file and a rename, so readers never see half a file.

    Raises:
        StoreError: The file cannot be written.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:  # a full disk must not also leave half a file behind
            Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def _term_to_ox(term: Any) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"cannot store RDF term {term!r}")


def _plain_ox(term: Any) -> Any:
    """A pyoxigraph term as a plain Python value (IRI and text as str, numbers as int/float)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype.endswith(("#integer", "#int", "#long")):
            return int(term.value)
        if datatype.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        if datatype.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


def _written(data: bytes | None) -> bytes:
    """What pyoxigraph's dump or serialize returned: the bytes, since no output file was given."""
    if data is None:
        raise StoreError("the serialiser returned nothing")
    return data


class GraphStore:
    """A persistent Oxigraph store with one named graph per source document.

    Examples:
        >>> store = GraphStore.open(None)
        >>> store.graph_names()
        []
    """

    def __init__(self, inner: ox.Store, path: Path | None) -> None:
        self.inner = inner
        self.path = path

    @classmethod
    def open(cls, path: Path | None, *, read_only: bool = False) -> GraphStore:
        """Open (creating if needed) the store at ``path``; ``None`` gives an in-memory store.

        Raises:
            StoreError: The directory cannot be opened (locked by another writer, not a store ...).
        """
        try:
            if path is None:
                return cls(ox.Store(), None)
            if read_only:
                if not path.is_dir():
                    raise StoreError(f"{path}: no store here; run `kg build` first")
                return cls(ox.Store.read_only(str(path)), path)
            path.mkdir(parents=True, exist_ok=True)
            return cls(ox.Store(str(path)), path)
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}") from exc

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self.inner.named_graphs())

    def bulk_loader(self) -> BulkLoader:
        """A buffer that loads N-Triples lines into named graphs in large, fast batches."""
        return BulkLoader(self)

    def clear_default(self) -> None:
        """Empty the default graph."""
        self.inner.clear_graph(ox.DefaultGraph())

    def replace_default_graph(self, graph: Graph) -> None:
        """Replace the default graph (in a build: the documents' union and derived triples) by ``graph``."""
        self.inner.clear_graph(ox.DefaultGraph())
        self.inner.bulk_extend(
            ox.Quad(_term_to_ox(s), _term_to_ox(p), _term_to_ox(o), ox.DefaultGraph()) for s, p, o in graph
        )

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
            >>> from kg.ontology import KG, KGR
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

    def remove_graph(self, name: str) -> bool:
        """Drop a named graph; False when there was none."""
        node = ox.NamedNode(name)
        if not self.inner.contains_named_graph(node):
            return False
        self.inner.remove_graph(node)
        return True

    def __len__(self) -> int:
        return len(self.inner)

    def count_default(self) -> int:
        """Number of triples in the default graph (the union of the documents and the derived triples)."""
        result = self.inner.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(result, ox.QuerySolutions)  # a SELECT query
        return int(next(iter(result))["n"].value)

    def query(self, sparql: str) -> Any:
        """Run any SPARQL query (default graph: all documents; ``GRAPH`` reaches one), prefixes predeclared.

        Raises:
            QueryError: The query does not parse or fails.
        """
        try:
            return self.inner.query(sparql, prefixes=dict(QUERY_PREFIXES))
        except SyntaxError as exc:
            prefix = undeclared_prefix(sparql)
            if prefix is not None:  # the parser would list every character it expected instead
                raise QueryError(f"unknown prefix {prefix}:") from exc
            raise QueryError(f"malformed SPARQL query: {exc}") from exc
        except OSError as exc:
            raise QueryError(f"SPARQL query failed: {exc}") from exc

    def select(self, sparql: str) -> list[dict[str, Any]]:
        """Rows of a SELECT query as plain Python values.

        Raises:
            QueryError: The query is malformed, fails, or is not a SELECT query.
        """
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        return [{name: _plain_ox(row[name]) for name in names} for row in result]

    def dump(self, format: str, *, graph: str | None = None) -> bytes:
        """Serialise the store (or one named graph) as ``turtle``, ``ntriples``, ``nquads`` or ``trig``.

        Triple formats get the default graph (the union of the documents, derived triples included);
        quad formats get the named graphs only, since the default graph repeats them.

        Raises:
            StoreError: The format is unknown.
        """
        if format not in EXPORT_FORMATS:
            raise StoreError(f"unknown export format {format!r}; use one of {sorted(EXPORT_FORMATS)}")
        rdf_format = EXPORT_FORMATS[format][1]
        if graph is not None:
            return _written(self.inner.dump(format=rdf_format, from_graph=ox.NamedNode(graph)))
        if rdf_format.supports_datasets:
            named = ox.Dataset(q for q in self.inner if not isinstance(q.graph_name, ox.DefaultGraph))
            return _written(ox.serialize(named, format=rdf_format, prefixes=dict(PREFIXES)))
        default = ox.DefaultGraph()
        return _written(self.inner.dump(format=rdf_format, from_graph=default, prefixes=dict(PREFIXES)))

    def flush(self) -> None:
        """Write pending changes to disk."""
        if self.path is not None:
            self.inner.flush()

    def optimize(self) -> None:
        """Compact a store on disk after bulk loading it.

        Bulk loads leave many small index files behind; merged, every index lookup of a query reads
        fewer of them, which speeds up every query that looks nodes up one at a time.
        """
        if self.path is not None:
            self.inner.optimize()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def ntriples_term(term: Any) -> str:
    """One term in N-Triples syntax.

    Examples:
        >>> ntriples_term(Literal('说："好"\\n', lang="zh"))
        '"说：\\\\"好\\\\"\\\\n"@zh'
    """
    if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return str(term)  # pyoxigraph spells its terms in N-Triples (kg.rdf makes them)
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language:
            return f'"{_escape(str(term))}"@{term.language}'
        if term.datatype and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return f'"{_escape(str(term))}"^^<{term.datatype}>'
        return f'"{_escape(str(term))}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    raise StoreError(f"cannot serialise RDF term {term!r}")


def ntriples_lines(triples: Iterable[tuple[Any, Any, Any]]) -> list[str]:
    """Distinct N-Triples lines of the triples, sorted: a canonical text for hashing and loading.

    ``kg.rdf`` makes pyoxigraph terms, whose ``str`` is their N-Triples spelling; rdflib terms (SHACL
    shapes, graphs parsed by rdflib) are spelled by ``ntriples_term``.
    """
    lines = set()
    for s, p, o in triples:
        if isinstance(p, ox.NamedNode):
            lines.add(f"{s} {p} {o} .")
        else:
            lines.add(f"{ntriples_term(s)} {ntriples_term(p)} {ntriples_term(o)} .")
    return sorted(lines)


class BulkLoader:
    """Collects N-Quads and hands them to Oxigraph's bulk loader in large batches.

    The bulk loader skips transactions, which is safe here because builds write a fresh store
    version that nobody reads until it is complete. Each batch loads in a background thread (Oxigraph
    releases the GIL) while the caller makes the next one; at most one batch waits, so memory stays
    bounded.
    """

    BATCH_LINES = 100_000

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.buffer: list[str] = []
        self._loading: Future[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-bulk-load")
        self._graphs: dict[str, None] = {}  # named once the loads are done: nothing writes beside them

    def add(self, name: str | None, lines: list[str]) -> None:
        """Queue N-Triples lines for the named graph ``name`` (``None``: the default graph)."""
        if name is None:
            self.buffer.extend(lines)
        else:
            self._graphs[name] = None
            suffix = f" <{name}> ."
            self.buffer.extend(line[:-2] + suffix for line in lines)
        if len(self.buffer) >= self.BATCH_LINES:
            self.flush()

    def _wait(self) -> None:
        if self._loading is not None:
            loading, self._loading = self._loading, None
            loading.result()  # re-raises a failed load here, in the caller's thread

    def flush(self) -> None:
        """Start loading what is queued, once the previous batch is in."""
        self._wait()
        if self.buffer:
            data = ("\n".join(self.buffer) + "\n").encode("utf-8")
            self.buffer = []
            self._loading = self._thread.submit(self.store.inner.bulk_load, data, format=ox.RdfFormat.N_QUADS)

    def close(self) -> None:
        """Load the rest and wait for it."""
        try:
            self.flush()
            self._wait()
        finally:
            self._thread.shutdown(wait=True)
        for name in self._graphs:  # a graph whose lines were all empty still exists
            self.store.inner.add_graph(ox.NamedNode(name))

    def __enter__(self) -> BulkLoader:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:  # the caller failed: let a running batch finish, load nothing more
            self._thread.shutdown(wait=True)


def query_rows(graph: Graph | GraphStore, sparql: str) -> list[dict[str, Any]]:
    """Run a SELECT query with the project's prefixes predeclared; rows as plain Python values.

    Works on an rdflib graph and on a ``GraphStore``.

    Raises:
        QueryError: The query is malformed or not a SELECT query.
    """
    if isinstance(graph, GraphStore):
        return graph.select(sparql)
    try:
        result = graph.query(prefix_declarations() + sparql)
    except Exception as exc:  # pyparsing and rdflib raise assorted exception types
        raise QueryError(f"SPARQL query failed: {exc}") from exc
    if result.type != "SELECT":
        raise QueryError(f"expected a SELECT query, got {result.type}")
    names = [str(v) for v in result.vars or []]
    rows = []
    for row in result:
        assert isinstance(row, ResultRow)
        rows.append({name: _plain(row[name]) for name in names})
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, Literal):
        return value.toPython() if value.datatype else str(value)
    if isinstance(value, URIRef):
        return str(value)
    return None if value is None else str(value)


def union_graph(graphs: Iterable[Graph]) -> Graph:
    """One rdflib graph holding every triple of the given graphs."""
    union = open_store()
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    return union
