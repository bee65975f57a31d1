"""Run queries through the per-version result cache: one SPARQL TSV per query, every format made from it.

A query's result is computed once per store version, as SPARQL TSV (``kg.queries.cache``): the most
compact of the W3C formats, one row a line (so a page of rows is one seek), and exact, since TSV
writes every term in its N-Triples form, which parses back to an equal term. Each other format (the
aligned table, CSV, JSON, XML) is made from that TSV by pyoxigraph's parser and writers and kept too,
so it is byte for byte what the query run directly writes (tested for every canned query), at a
fraction of the query's cost. ``warm_canned`` computes the canned queries' TSV with their default
parameters, for a build to call once its store version is in place.

Examples:
    >>> import tempfile
    >>> from kg.store import GraphStore
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     GraphStore.open(Path(tmp) / "store").flush()
    ...     first = cached_query_text(Path(tmp) / "store", "SELECT ?s WHERE { ?s ?p ?o }", "csv")
    ...     again = cached_query_text(Path(tmp) / "store", "SELECT ?s WHERE { ?s ?p ?o }", "csv")
    >>> first, again
    (('s\\r\\n', True, False), ('s\\r\\n', True, True))
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.queries import (
    FORMATS,
    Result,
    canned_queries,
    execute,
    format_table,
    query_text,
    serialize_results,
)
from kg.queries.cache import CachedResult, ResultCache
from kg.store import GraphStore

__all__ = ["cached_query_text", "kept_result", "warm_canned", "write_tsv"]

Opener = Callable[[Path], GraphStore]


def _read_only(version: Path) -> GraphStore:
    return GraphStore.open(version, read_only=True)


def write_tsv(store: GraphStore, sparql: str, out: IO[bytes]) -> dict[str, Any]:
    """Run a query and write its result to ``out``: SPARQL TSV, or Turtle for CONSTRUCT and DESCRIBE.

    Returns:
        The entry's head: ``kind`` (``select``, ``ask`` or ``graph``) and ``empty`` (no solutions).

    Raises:
        QueryError: The query is malformed or fails.
    """
    raw = execute(store, sparql)
    if isinstance(raw, ox.QueryTriples):
        out.write(Result("graph", triples=tuple(raw)).to_turtle().encode("utf-8"))
        return {"kind": "graph", "empty": False}
    start = out.tell()
    try:
        serialize_results(raw, "tsv", out)
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors surface while writing
        raise QueryError(f"SPARQL query failed: {exc}") from exc
    if isinstance(raw, ox.QueryBoolean):
        return {"kind": "ask", "empty": False}
    end = out.tell()
    out.seek(start)
    empty = end - start == len(out.readline())  # the variables' line alone
    out.seek(end)
    return {"kind": "select", "empty": empty}


def _convert(tsv: CachedResult, fmt: str, max_width: int, out: IO[bytes]) -> dict[str, Any]:
    """Write a kept TSV result in ``fmt``, as the query run directly would write it."""
    with tsv.path.open("rb") as f:
        f.seek(tsv.body_start)
        if tsv.kind == "graph":  # CONSTRUCT and DESCRIBE give Turtle whatever the format
            shutil.copyfileobj(f, out, 2**20)
            return {"kind": tsv.kind, "empty": False}
        parsed = ox.parse_query_results(f, ox.QueryResultsFormat.TSV)
        if fmt != "table":
            serialize_results(parsed, fmt, out)
        elif isinstance(parsed, ox.QueryBoolean):
            out.write(b"true\n" if bool(parsed) else b"false\n")
        else:
            variables = [v.value for v in parsed.variables]
            text = format_table(variables, (tuple(row) for row in parsed), max_width=max_width)
            out.write(text.encode("utf-8"))
    return {"kind": tsv.kind, "empty": tsv.empty}


def kept_result(
    cache: ResultCache, sparql: str, fmt: str = "tsv", *, max_width: int = 0, open_store: Opener = _read_only
) -> tuple[CachedResult | None, bool]:
    """A query's result in ``fmt`` on the cache's store version, computed (and kept) when missing.

    Args:
        cache: The store version's cache; the store opened on a miss is that version.
        sparql: Query text, parameters bound.
        fmt: ``tsv`` (the entry every other format is made from) or another of ``FORMATS``.
        max_width: For ``table``: widest cell.
        open_store: Opens the version on a miss.

    Returns:
        The entry (None: nothing can be kept here), and whether it was there already.

    Raises:
        QueryError: ``fmt`` is unknown, or the query is malformed or fails.
        StoreError: The store cannot be opened.
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    tsv_key = cache.key(sparql, "tsv")
    tsv, hit = cache.fetch(
        tsv_key, lambda out: write_tsv(open_store(cache.version), sparql, out), index_rows=True
    )
    if fmt == "tsv" or tsv is None:
        return tsv, hit
    source = tsv
    key = cache.key(sparql, f"table/{max_width}" if fmt == "table" else fmt)
    return cache.fetch(key, lambda out: _convert(source, fmt, max_width, out))


def cached_query_text(
    store_dir: Path, sparql: str, fmt: str = "table", *, max_width: int = 0, open_store: Opener = _read_only
) -> tuple[str, bool, bool]:
    """``query_text`` on a build's store, its result kept for the store's current version.

    The first run writes the result into the version's ``results/`` folder; later runs on the same
    version read it back without opening the store. A rebuild, ``kg add`` or ``kg remove`` makes a
    new version, whose results start empty. Where nothing can be kept (a read-only store), the query
    simply runs.

    Args:
        store_dir: ``OUT_DIR/store`` (the link) or a store version's folder.
        sparql: Query text, parameters bound.
        fmt: One of ``FORMATS``.
        max_width: For ``table``: widest cell.
        open_store: Opens the version on a miss [default: read-only ``GraphStore.open``].

    Returns:
        The text, whether it is a SELECT result without rows, and whether it came from the cache.

    Raises:
        QueryError: ``fmt`` is unknown, or the query is malformed or fails.
        StoreError: The store cannot be opened.
    """
    cache = ResultCache(store_dir)  # the link resolved once: key, store and folder are all of it
    kept, hit = kept_result(cache, sparql, fmt, max_width=max_width, open_store=open_store)
    if kept is None:
        text, empty = query_text(open_store(cache.version), sparql, fmt, max_width=max_width)
        return text, empty, False
    return kept.body().decode("utf-8"), kept.empty, hit


def warm_canned(store_dir: Path) -> dict[str, bool]:
    """Compute the canned queries' results (default parameters, as TSV) for the store's current version.

    Returns:
        By query name, whether its result is now kept (False: nothing can be kept here).

    Raises:
        QueryError: A canned query fails.
        StoreError: The store cannot be opened.
    """
    cache = ResultCache(store_dir)
    opened: list[GraphStore] = []

    def open_once(version: Path) -> GraphStore:
        if not opened:
            opened.append(GraphStore.open(version, read_only=True))
        return opened[0]

    return {
        name: kept_result(cache, query.text, "tsv", open_store=open_once)[0] is not None
        for name, query in canned_queries().items()
    }
