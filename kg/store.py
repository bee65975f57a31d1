"""Open, load, save and query graphs; the one place that knows serialisation formats.

Stores are chosen by rdflib store name ("Memory" now; "Oxigraph" once the persistent store lands).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.query import ResultRow

from kg.errors import QueryError, StoreError
from kg.ontology import bind_prefixes, prefix_declarations


def open_store(*, store: str = "Memory") -> Graph:
    """A new, empty graph on the named rdflib store, with the project's prefixes bound.

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
    """Parse a Turtle file into a fresh graph.

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


def write_atomically(path: Path, text: str) -> None:
    """Write a text file through a temporary file and a rename, so readers never see half a file.

    Raises:
        StoreError: The file cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def _plain(value: Any) -> Any:
    if isinstance(value, Literal):
        return value.toPython() if value.datatype else str(value)
    if isinstance(value, URIRef):
        return str(value)
    return None if value is None else str(value)


def query_rows(graph: Graph, sparql: str) -> list[dict[str, Any]]:
    """Run a SELECT query with the project's prefixes predeclared; rows as plain Python values.

    Raises:
        QueryError: The query is malformed or not a SELECT query.
    """
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
