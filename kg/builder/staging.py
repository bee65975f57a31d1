"""Stage a build's new store version: a hard-linked copy of the last one, changed where the graph changed.

Each document has a named graph; the default graph holds their union and the derived triples.
``state.json`` in a store version records the SHA-256 of every named graph's N-Triples lines, so a
rebuild knows, before touching the store, which graphs an added, changed or removed document (or an
entity merge it caused) altered. Which graphs an assembly may have changed is found without making
them all: ``resolution.pickle`` keeps the last build's entities and a digest of each document's
facts, and only the graphs of documents whose facts changed, or that involve an entity whose name,
aliases, class or code changed, are made and compared (``_unaffected``). When only a few changed,
the staged store is updated in place (``_update``): their named graphs are replaced, the default
graph loses the triples no other graph still states and gains the new ones, and only the derived
triples those changed facts reach are made again (``GraphStore.update_derived``). Otherwise (a first
build, or most graphs changed) every graph is loaded again in bulk (``_reload``). Both ways give the
same store contents; tests compare them with a clean build's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.builder.assembly import Assembly
from kg.builder.cached import load_plain
from kg.cache import pipeline_fingerprint
from kg.derive import DERIVED_FROM
from kg.rdf import DIVISIONS_GRAPH, document_iri
from kg.store import GraphStore, ntriples_lines, write_atomically
from kg.types import DocumentInfo, Entity, Fact

STATE_FILE = "state.json"
RESOLUTION_FILE = "resolution.pickle"

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


def _digests(assembly: Assembly, known: dict[str, str]) -> dict[str, str]:
    """The digest of every graph the assembly makes, taken from ``known`` where given.

    A graph's lines are never whole in memory; a graph in ``known`` is not made at all.
    """
    digests = {}
    for name, pieces in _graphs(assembly):
        if name in known:
            digests[name] = known[name]
            continue
        digest = hashlib.sha256()
        for lines in pieces:
            digest.update("\n".join(lines).encode("utf-8"))
        digests[name] = digest.hexdigest()
    return digests


@dataclass
class Resolution:
    """What a build resolved, kept to find the graphs the next build changes."""

    version: str  # of kg and of the code that makes candidates: another version may differ anywhere
    # key -> (canonical, kind, sorted aliases, code): plain tuples load many times faster than Entity
    entities: dict[str, tuple[str, str, tuple[str, ...], str]]
    documents: dict[str, str]  # graph IRI -> digest of the document's info and facts
    keys: dict[str, frozenset[str]] = field(default_factory=dict)  # graph IRI -> its entities' keys
    triples: int = 0  # in the default graph
    derived: int = 0  # of them


def _resolution(assembly: Assembly) -> Resolution:
    facts = assembly.facts_by_document
    documents, keys = {}, {}
    for info in assembly.infos:
        name = str(document_iri(info.doc_id))
        stated = facts.get(info.doc_id, [])
        documents[name] = _document_digest(info, stated)
        keys[name] = frozenset(k for f in stated for k in (f.subject, f.object))
    version = f"{__version__}/{pipeline_fingerprint()}"
    entities = {e.key: _entity_record(e) for e in assembly.entities}
    return Resolution(version, entities, documents, keys)


def _document_digest(info: DocumentInfo, facts: list[Fact]) -> str:
    """A digest of a document's info and resolved facts.

    Made from the repr of plain tuples of str and int, which is the same in every process and, unlike
    a dataclass's repr, computed without running Python code per field.
    """
    # every field of Fact and Evidence (a test checks none is left out), the document's id once
    rows = [
        (f.subject, f.predicate, f.object, f.evidence.sentence, f.evidence.start, f.evidence.end, f.post)
        for f in facts
    ]
    head = tuple(getattr(info, f.name) for f in dataclasses.fields(info))
    return hashlib.blake2b(repr((head, rows)).encode("utf-8")).hexdigest()


def _entity_record(entity: Entity) -> tuple[str, str, tuple[str, ...], str]:
    return entity.canonical, entity.kind, tuple(sorted(entity.aliases)), entity.code


def load_resolution(store_dir: Path | None) -> Resolution | None:
    """The resolution a store version was made from, if it is there and of this version of kg."""
    try:
        data = (store_dir / RESOLUTION_FILE).read_bytes() if store_dir else None
        resolution = load_plain(data, frozenset({(__name__, "Resolution")})) if data is not None else None
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, TypeError, ValueError):
        return None
    if (
        not isinstance(resolution, Resolution)
        or resolution.version != f"{__version__}/{pipeline_fingerprint()}"
    ):
        return None
    return resolution


def _unaffected(state: dict[str, str], before: Resolution | None, now: Resolution) -> dict[str, str]:
    """The digests of the documents' graphs the new assembly cannot have changed, from ``state``.

    A document's graph is its info, its facts and the entities they involve (names, aliases, class,
    code), so it is unchanged when its facts are and none of its entities changed.
    """
    if before is None:
        return {}
    changed = {
        key
        for key in before.entities.keys() | now.entities.keys()
        if before.entities.get(key) != now.entities.get(key)
    }
    return {
        name: state[name]
        for name, digest in now.documents.items()
        if name in state and before.documents.get(name) == digest and not now.keys[name] & changed
    }


def stage_store(assembly: Assembly, current: Path | None, staged: Path) -> dict[str, Any]:
    """Write the new store version ``staged``: a cheap copy of ``current`` with changed graphs replaced.

    Returns:
        Counts of named graphs ``replaced``, ``removed``, ``unchanged``, of ``triples`` in the default
        graph and of the ``derived`` triples among them; the number of graphs made and ``compared``
        with the last build's (the others cannot have changed); and the ``mode``: ``update`` or
        ``reload``.
    """
    state = load_state(current)
    if current is not None and current.is_dir() and state:
        GraphStore.open(current, read_only=True).inner.backup(str(staged))  # hard links, no copy
    else:
        state = {}
    resolution = _resolution(assembly)
    before = load_resolution(current) if state else None
    known = _unaffected(state, before, resolution)
    new_state = _digests(assembly, known)
    changed = {name for name, digest in new_state.items() if state.get(name) != digest}
    gone = set(state) - set(new_state)
    store = GraphStore.open(staged)
    updating = bool(state) and len(changed) + len(gone) <= UPDATE_SHARE * len(new_state)
    added, facts_changed = 0, list[ox.Triple]()
    if updating:
        added, facts_changed = _update(store, assembly, changed, gone)
    else:
        _reload(store, assembly)
    counts = Counter[str]()
    documents = set(new_state) - {str(DIVISIONS_GRAPH)}  # the counts are of documents' graphs
    counts["removed"] = len(gone)
    counts["replaced"] = len(changed & documents)
    counts["unchanged"] = len(documents - changed)
    if updating and before is not None and before.triples:
        # only the derived triples the changed facts reach are made again: the rest cannot differ
        derived = store.update_derived(facts_changed) if facts_changed else 0
        counts["derived"] = before.derived + derived
        counts["triples"] = before.triples + added + derived
    else:
        counts["derived"] = sum(store.rederive().values())
        counts["triples"] = store.count_default()
    store.flush()
    if not updating:
        store.optimize()  # a bulk load leaves many small index files; an update adds a handful
    resolution.triples, resolution.derived = counts["triples"], counts["derived"]
    write_atomically(staged / STATE_FILE, json.dumps(new_state, indent=1, sort_keys=True))
    write_atomically(staged / RESOLUTION_FILE, pickle.dumps(resolution, protocol=pickle.HIGHEST_PROTOCOL))
    return {
        **{k: counts[k] for k in ("replaced", "removed", "unchanged", "triples", "derived")},
        "compared": len(new_state) - len(known),
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


def _update(
    store: GraphStore, assembly: Assembly, changed: set[str], gone: set[str]
) -> tuple[int, list[ox.Triple]]:
    """Bring the ``changed`` graphs to their new contents, drop the ``gone`` ones, match the default graph.

    A changed graph loses and gains only the triples that differ: the division table's graph, which
    changes whenever a document names a new coded place, holds tens of thousands that do not. A triple
    leaves the default graph only if no graph states it any more: neither a graph left as it was nor
    the new version of a changed one.

    Returns:
        How many triples the default graph gained (negative: lost), and those it lost or gained
        whose predicate derived triples follow from (``kg.derive.DERIVED_FROM``).
    """
    inner = store.inner
    default = ox.DefaultGraph()
    new_by_graph: dict[str, set[ox.Triple]] = {}
    for name, pieces in _graphs(assembly):
        if name in changed:
            data = ("\n".join(line for lines in pieces for line in lines) + "\n").encode("utf-8")
            new_by_graph[name] = {q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
    touched = changed | gone
    old_by_graph = {
        name: {q.triple for q in inner.quads_for_pattern(None, None, None, ox.NamedNode(name))}
        for name in sorted(touched)
    }
    new: set[ox.Triple] = set().union(*new_by_graph.values())
    old: set[ox.Triple] = set().union(*old_by_graph.values())
    dropped = []
    for triple in old - new:
        holders = inner.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        if not any(
            not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in touched
            for q in holders
        ):
            dropped.append(ox.Quad(triple.subject, triple.predicate, triple.object, default))
    for name in sorted(gone):
        store.remove_graph(name)
    for quad in dropped:
        inner.remove(quad)
    quads = [ox.Quad(t.subject, t.predicate, t.object, default) for t in new - old]
    quads = [q for q in quads if q not in inner]  # already stated by another graph
    sources = {ox.NamedNode(p) for predicates in DERIVED_FROM.values() for p in predicates}
    facts_changed = [q.triple for q in [*dropped, *quads] if q.predicate in sources]
    added = len(quads) - len(dropped)
    for name, triples in sorted(new_by_graph.items()):
        graph = ox.NamedNode(name)
        inner.add_graph(graph)  # a graph of no triples still exists
        before = old_by_graph.get(name, set())
        for t in before - triples:
            inner.remove(ox.Quad(t.subject, t.predicate, t.object, graph))
        quads.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples - before)
    inner.extend(quads)
    return added, facts_changed
