"""Stage a build's new store version: a hard-linked copy of the last one, changed where the graph changed.

Each document has a named graph; the default graph holds their union and the derived triples.
``state.json`` in a store version records the SHA-256 of every named graph's N-Triples lines, so a
rebuild knows, before touching the store, which graphs an added, changed or removed document (or an
entity merge it caused) altered. When only a few did, the staged store is updated in place
(``_update``): their named graphs are replaced, the default graph loses the triples no other graph
still states and gains the new ones, and the derived triples change by their difference. Otherwise
(a first build, or most graphs changed) every graph is loaded again in bulk (``_reload``). Both ways
give the same store contents; tests compare them with a clean build's.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.builder.assembly import Assembly
from kg.rdf import DIVISIONS_GRAPH, document_iri
from kg.store import GraphStore, ntriples_lines, write_atomically

STATE_FILE = "state.json"

# Above this share of changed graphs, reloading everything in bulk is cheaper than updating graph by
# graph (which reads each old graph back and checks each dropped triple against the other graphs).
UPDATE_SHARE = 0.25


def load_state(store_dir: Path | None) -> dict[str, str]:
    """The digests of the named graphs of a store version, by graph IRI ({} when unknown)."""
    try:
        return dict(json.loads((store_dir / STATE_FILE).read_text(encoding="utf-8"))) if store_dir else {}
    except (OSError, ValueError):
        return {}


def _graphs(assembly: Assembly) -> Iterator[tuple[str, Iterator[list[str]]]]:
    """(graph IRI, its N-Triples lines in pieces) of every document, then of the division table."""
    for doc_id, pieces in assembly.document_triples():
        yield str(document_iri(doc_id)), (ntriples_lines(triples) for triples in pieces)
    # reference facts from the division table: a graph of their own, in the default graph too
    yield str(DIVISIONS_GRAPH), iter([ntriples_lines(assembly.reference)])


def _digests(assembly: Assembly) -> dict[str, str]:
    """The digest of every graph the assembly makes; a graph's lines are never whole in memory."""
    digests = {}
    for name, pieces in _graphs(assembly):
        digest = hashlib.sha256()
        for lines in pieces:
            digest.update("\n".join(lines).encode("utf-8"))
        digests[name] = digest.hexdigest()
    return digests


def stage_store(assembly: Assembly, current: Path | None, staged: Path) -> dict[str, Any]:
    """Write the new store version ``staged``: a cheap copy of ``current`` with changed graphs replaced.

    Returns:
        Counts of named graphs ``replaced``, ``removed``, ``unchanged``, of ``triples`` in the default
        graph and of the ``derived`` triples among them, and the ``mode``: ``update`` or ``reload``.
    """
    state = load_state(current)
    if current is not None and current.is_dir() and state:
        GraphStore.open(current, read_only=True).inner.backup(str(staged))  # hard links, no copy
    else:
        state = {}
    new_state = _digests(assembly)
    changed = {name for name, digest in new_state.items() if state.get(name) != digest}
    gone = set(state) - set(new_state)
    store = GraphStore.open(staged)
    updating = bool(state) and len(changed) + len(gone) <= UPDATE_SHARE * len(new_state)
    if updating:
        _update(store, assembly, changed, gone)
    else:
        _reload(store, assembly)
    counts = Counter[str]()
    documents = set(new_state) - {str(DIVISIONS_GRAPH)}  # the counts are of documents' graphs
    counts["removed"] = len(gone)
    counts["replaced"] = len(changed & documents)
    counts["unchanged"] = len(documents - changed)
    counts["derived"] = sum(store.rederive().values())
    store.flush()
    if not updating:
        store.optimize()  # a bulk load leaves many small index files; an update adds a handful
    write_atomically(staged / STATE_FILE, json.dumps(new_state, indent=1, sort_keys=True))
    counts["triples"] = store.count_default()
    return {
        **{k: counts[k] for k in ("replaced", "removed", "unchanged", "triples", "derived")},
        "mode": "update" if updating else "reload",
    }


def _reload(store: GraphStore, assembly: Assembly) -> None:
    """Load every graph again, and the default graph as their union."""
    store.clear_default()  # refilled below: the union of the documents, each triple once
    # every old graph goes before loading starts: Oxigraph's bulk loader must not run beside deletions
    for name in store.graph_names():
        store.remove_graph(name)
    with store.bulk_loader() as loader:
        for name, pieces in _graphs(assembly):
            for lines in pieces:  # streamed: a document's graph is never whole in memory
                loader.add(name, lines)
                loader.add(None, lines)


def _update(store: GraphStore, assembly: Assembly, changed: set[str], gone: set[str]) -> None:
    """Replace the ``changed`` graphs, drop the ``gone`` ones, and change the default graph to match.

    A triple leaves the default graph only if no graph states it any more: neither a graph left as
    it was nor the new version of a changed one.
    """
    inner = store.inner
    default = ox.DefaultGraph()
    new: set[ox.Triple] = set()
    new_lines: dict[str, list[str]] = {}
    for name, pieces in _graphs(assembly):
        if name in changed:
            new_lines[name] = [line for lines in pieces for line in lines]
            data = ("\n".join(new_lines[name]) + "\n").encode("utf-8")
            new.update(q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    touched = changed | gone
    old: set[ox.Triple] = set()
    for name in sorted(touched):
        old.update(q.triple for q in inner.quads_for_pattern(None, None, None, ox.NamedNode(name)))
    dropped = []
    for triple in old - new:
        holders = inner.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        if not any(
            not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in touched
            for q in holders
        ):
            dropped.append(ox.Quad(triple.subject, triple.predicate, triple.object, default))
    for name in sorted(touched):
        store.remove_graph(name)
    for quad in dropped:
        inner.remove(quad)
    quads = [ox.Quad(t.subject, t.predicate, t.object, default) for t in new - old]
    for name, lines in sorted(new_lines.items()):
        inner.add_graph(ox.NamedNode(name))  # a graph of no triples still exists
        data = ("\n".join(lines) + "\n").encode("utf-8")
        quads.extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(name))
            for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        )
    inner.extend(quads)
