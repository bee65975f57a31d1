"""The persistent Oxigraph store: one named graph per document, their union as the default graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from kg.errors import QueryError, StoreError
from kg.ontology import PREFIXES, QUERY_PREFIXES, undeclared_prefix
from kg.store.bulk import BulkLoader
from kg.store.derived import DerivedTriples

STORE_DIR = "store"
EXPORT_FORMATS = {
    "turtle": ("ttl", ox.RdfFormat.TURTLE),
    "ntriples": ("nt", ox.RdfFormat.N_TRIPLES),
    "nquads": ("nq", ox.RdfFormat.N_QUADS),
    "trig": ("trig", ox.RdfFormat.TRIG),
}


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


class GraphStore(DerivedTriples):
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
