"""Open, load, save, export and query graphs; the one place that knows stores and serialisation formats.

Two kinds of store sit behind one query function:

- an rdflib ``Graph`` (store name "Memory"), used while building and for small graphs
  (``kg.store.graphs``);
- ``GraphStore``, a persistent Oxigraph store (pyoxigraph) holding one named graph per source document,
  so a document's facts can be replaced or retracted, and their union, deduplicated, as the default
  graph that queries see (Oxigraph's union-of-named-graphs mode would repeat a triple per document),
  together with the triples ``kg.derive`` computes from that union (``kg.store.oxigraph``, its derived
  triples kept in step by ``kg.store.derived`` and bulk loads by ``kg.store.bulk``).

N-Triples lines (``kg.store.ntriples``) are the text both are loaded and compared by, and every output
file is written whole or not at all (``kg.store.files``).
"""

from __future__ import annotations

from kg.store.bulk import BulkLoader
from kg.store.files import write_atomically
from kg.store.graphs import load_graph, open_store, query_rows, serialize_turtle, union_graph
from kg.store.ntriples import ntriples_lines, ntriples_term
from kg.store.oxigraph import EXPORT_FORMATS, STORE_DIR, GraphStore

__all__ = [
    "EXPORT_FORMATS",
    "STORE_DIR",
    "BulkLoader",
    "GraphStore",
    "load_graph",
    "ntriples_lines",
    "ntriples_term",
    "open_store",
    "query_rows",
    "serialize_turtle",
    "union_graph",
    "write_atomically",
]
