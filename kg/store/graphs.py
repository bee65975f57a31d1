"""rdflib graphs: open, parse, serialise and query the in-memory graphs of small builds and of tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.query import ResultRow

from kg.errors import QueryError, StoreError
from kg.ontology import bind_prefixes, prefix_declarations
from kg.store.oxigraph import GraphStore


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
