"""Export a build as RDF (Turtle, N-Triples, N-Quads, TriG, JSON-LD) or for Gephi (GraphML, GEXF).

- Turtle and N-Triples hold the default graph of the build's store (the union of the documents and the
  ``kg:within`` triples derived from it, see ``kg.derive``); N-Quads and TriG hold one named graph per
  source document (``kgr:doc/<file>``), so a reader can tell which page stated what, and no derived
  triple, since no page states one.
- JSON-LD is the default graph too, compacted with the project's prefixes as ``@context``.
- GraphML and GEXF hold a property graph for Gephi: one node per entity that takes part in a relation
  (label, class, aliases), one edge per relation triple (relation, evidence count, first evidence
  sentence, source files).
- CSV is two tables for spreadsheets (``to_csv``): ``nodes.csv`` (the property graph's nodes) and
  ``edges.csv`` (one row per relation triple and evidence sentence: source file, offsets, page, post,
  document date), UTF-8 with a byte-order mark so spreadsheet programs take the Chinese text as UTF-8.

Output is deterministic: the same build gives the same bytes. The RDF formats are written by
pyoxigraph from quads sorted here, because the store's own ``dump`` of a dataset follows insertion
order, which differs between builds of the same corpus.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
from networkx.readwrite.gexf import GEXFWriter
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg import __version__
from kg.errors import StoreError
from kg.ontology import KG, PREFIXES, RELATIONS
from kg.store import STORE_DIR, GraphStore, load_graph

__all__ = [
    "CSV_FILES",
    "EXTENSIONS",
    "FORMATS",
    "export_build",
    "export_csv",
    "property_graph",
    "to_csv",
    "to_gexf",
    "to_graphml",
    "to_jsonld",
]

GRAPH_FILE = "graph.ttl"

#: Export formats and the file extension each one conventionally has.
EXTENSIONS: dict[str, str] = {
    "turtle": "ttl",
    "ntriples": "nt",
    "nquads": "nq",
    "trig": "trig",
    "jsonld": "jsonld",
    "graphml": "graphml",
    "gexf": "gexf",
}
FORMATS: tuple[str, ...] = tuple(EXTENSIONS)
#: The files of the CSV export, which is two tables and so not one of ``FORMATS``.
CSV_FILES = ("nodes.csv", "edges.csv")
NODE_COLUMNS = ("id", "label", "class", "aliases", "division_code")
EDGE_COLUMNS = (
    "source",
    "source_label",
    "relation",
    "target",
    "target_label",
    "evidence",
    "source_file",
    "start",
    "end",
    "page",
    "post",
    "date",
)

_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}

_KG_NS = str(KG._NS)

# Separator of multi-valued attributes (aliases, sources) in GraphML/GEXF, which have no lists.
LIST_SEPARATOR = "|"


def export_build(out_dir: Path, format: str) -> bytes:
    """The graph of the build in ``out_dir`` in one of ``FORMATS``.

    Args:
        out_dir: Output directory of ``kg build`` (holds graph.ttl and store/).
        format: One of ``FORMATS``.

    Returns:
        The serialised graph, UTF-8.

    Raises:
        StoreError: The format is unknown, or the build's store or graph.ttl is missing.
    """
    if format not in EXTENSIONS:
        raise StoreError(f"unknown export format {format!r}; use one of {', '.join(FORMATS)}")
    if format in _OX_FORMATS:
        store = GraphStore.open(out_dir / STORE_DIR, read_only=True)
        try:
            return _dump_sorted(store, format)
        finally:
            del store  # release the store's files before the caller opens it again
    graph = load_graph(out_dir / GRAPH_FILE)
    if format == "jsonld":
        return to_jsonld(graph)
    network = property_graph(graph)
    return to_graphml(network) if format == "graphml" else to_gexf(network)


def _dump_sorted(store: GraphStore, format: str) -> bytes:
    rdf_format = _OX_FORMATS[format]
    quads = list(store.inner)  # public API of GraphStore has no iterator of pyoxigraph quads
    if rdf_format.supports_datasets:
        # named graphs only: the default graph repeats their union
        named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
        named.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
        return _serialize(named, rdf_format)
    triples = [q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return _serialize(triples, rdf_format)


def _serialize(items: list[ox.Quad] | list[ox.Triple], rdf_format: ox.RdfFormat) -> bytes:
    buffer = io.BytesIO()
    ox.serialize(items, buffer, format=rdf_format, prefixes=dict(PREFIXES))
    return buffer.getvalue()


def to_jsonld(graph: Graph) -> bytes:
    """JSON-LD of an rdflib graph, compacted with the project's prefixes, nodes sorted by ``@id``.

    Examples:
        >>> from rdflib import Graph, Literal
        >>> g = Graph()
        >>> _ = g.add((KG.Person, RDFS.label, Literal("人物", lang="zh")))
        >>> data = json.loads(to_jsonld(g))
        >>> data["@context"]["kg"]
        'https://w3id.org/kgzh/ontology#'
        >>> data["@graph"][0]["rdfs:label"]
        {'@language': 'zh', '@value': '人物'}
    """
    text = graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    data = json.loads(text)
    # rdflib emits nodes and multiple values in store order; sort both so equal graphs give equal bytes
    nodes = data.get("@graph", [data] if "@id" in data else [])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    nodes.sort(key=lambda node: str(node.get("@id", "")))
    document = {"@context": data.get("@context", dict(PREFIXES)), "@graph": nodes}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _local(iri: URIRef) -> str:
    return str(iri).rpartition("#")[2]


def property_graph(graph: Graph) -> nx.MultiDiGraph:
    """The entities and relations of a kg graph as a networkx multigraph (for GraphML, GEXF, analysis).

    Nodes are the IRIs of entities that take part in a relation, with ``label`` (``rdfs:label``),
    ``class`` (the ``kg:`` classes) and ``aliases`` (``skos:altLabel``, joined by ``|``). Edges, keyed by
    relation name, carry ``relation``, ``evidence`` (number of assertions), ``evidence_text`` (the first
    sentence by source file and offset) and ``sources`` (file names, joined by ``|``). Nodes and edges
    are added in sorted order.

    Args:
        graph: A graph of the project's shape, e.g. ``kg.store.load_graph(out_dir / "graph.ttl")``.
    """
    evidence: dict[tuple[URIRef, URIRef, URIRef], list[tuple[str, int, str]]] = defaultdict(list)
    source_file = {doc: str(name) for doc, name in graph.subject_objects(KG.sourceFile)}
    for assertion in graph.subjects(RDF.type, KG.Assertion):
        key = (
            graph.value(assertion, RDF.subject),
            graph.value(assertion, RDF.predicate),
            graph.value(assertion, RDF.object),
        )
        doc = graph.value(assertion, PROV.wasDerivedFrom)
        start = graph.value(assertion, KG.startOffset)
        text = graph.value(assertion, KG.evidenceText)
        evidence[key].append(  # type: ignore[index]
            (
                source_file.get(doc, str(doc or "")) if doc is not None else "",
                int(start.toPython()) if isinstance(start, Literal) else -1,
                str(text or ""),
            )
        )
    triples = sorted(
        (s, KG[relation], o)
        for relation in RELATIONS
        for s, o in graph.subject_objects(KG[relation])
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    )
    network = nx.MultiDiGraph(name="kg", creator=f"kg {__version__}")
    for node in sorted({s for s, _, _ in triples} | {o for _, _, o in triples}):
        classes = sorted(
            _local(t) for t in graph.objects(node, RDF.type) if isinstance(t, URIRef) and t.startswith(_KG_NS)
        )
        aliases = sorted(str(a) for a in graph.objects(node, SKOS.altLabel))
        network.add_node(
            str(node),
            label=str(graph.value(node, RDFS.label) or str(node).rpartition("/")[2]),
            **{"class": LIST_SEPARATOR.join(classes), "aliases": LIST_SEPARATOR.join(aliases)},
        )
    for s, p, o in triples:
        records = sorted(evidence.get((s, p, o), []))
        relation = _local(p)
        network.add_edge(
            str(s),
            str(o),
            key=relation,
            relation=relation,
            label=relation,
            evidence=len(records),
            evidence_text=records[0][2] if records else "",
            sources=LIST_SEPARATOR.join(sorted({r[0] for r in records})),
        )
    return network


def _edge_ids(network: nx.MultiDiGraph) -> nx.MultiDiGraph:
    # GraphML and GEXF need ids unique across edges; the multigraph keys (relation names) are not
    copy = nx.MultiDiGraph(network)
    for number, (_, _, data) in enumerate(copy.edges(data=True)):
        data["id"] = f"e{number}"
    return copy


def to_graphml(network: nx.MultiDiGraph) -> bytes:
    """GraphML of a ``property_graph``, UTF-8, edge ids ``e0``, ``e1`` ... in edge order."""
    buffer = io.BytesIO()
    nx.write_graphml(_edge_ids(network), buffer, encoding="utf-8", edge_id_from_attribute="id")
    return buffer.getvalue()


def to_gexf(network: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 of a ``property_graph``, UTF-8, without networkx's date stamp so output is reproducible."""
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = f"kg {__version__}"
    writer.add_graph(_edge_ids(network))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def export_csv(out_dir: Path) -> dict[str, bytes]:
    """The graph of the build in ``out_dir`` as ``to_csv`` tables.

    Raises:
        StoreError: The build's graph.ttl is missing or unreadable.
    """
    return to_csv(load_graph(out_dir / GRAPH_FILE))


def _table(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writeheader()
    writer.writerows(rows)
    # the BOM is what makes Excel read the file as UTF-8 instead of the system code page
    return buffer.getvalue().encode("utf-8-sig")


def _text(value: object) -> str:
    # not `value or ""`: the literal 0 (an offset) is falsy
    return "" if value is None else str(value)


def to_csv(graph: Graph) -> dict[str, bytes]:
    """Nodes and edges tables of a kg graph, for spreadsheets.

    ``nodes.csv`` has one row per entity that takes part in a relation (``id`` is its IRI; ``class``
    and ``aliases`` are joined by ``|``). ``edges.csv`` has one row per relation triple and evidence
    sentence, sorted by source, relation, target, file and offset; the evidence columns are empty for
    a triple without a recorded sentence.

    Returns:
        ``{"nodes.csv": ..., "edges.csv": ...}``, UTF-8 with a byte-order mark, CRLF line ends.
    """
    network = property_graph(graph)
    nodes = [
        {
            "id": node,
            "label": data["label"],
            "class": data["class"],
            "aliases": data["aliases"],
            "division_code": str(graph.value(URIRef(node), KG.divisionCode) or ""),
        }
        for node, data in network.nodes(data=True)
    ]
    labels = {node: data["label"] for node, data in network.nodes(data=True)}
    dates = {str(doc): str(date) for doc, date in graph.subject_objects(DCTERMS.date)}
    files = {str(doc): str(name) for doc, name in graph.subject_objects(KG.sourceFile)}
    evidence: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for assertion in graph.subjects(RDF.type, KG.Assertion):
        values = {p: graph.value(assertion, p) for p in (RDF.subject, RDF.predicate, RDF.object)}
        doc = str(graph.value(assertion, PROV.wasDerivedFrom) or "")
        evidence[(str(values[RDF.subject]), _local(values[RDF.predicate]), str(values[RDF.object]))].append(  # type: ignore[arg-type]
            {
                "evidence": _text(graph.value(assertion, KG.evidenceText)),
                "source_file": files.get(doc, doc),
                "start": _text(graph.value(assertion, KG.startOffset)),
                "end": _text(graph.value(assertion, KG.endOffset)),
                "page": _text(graph.value(assertion, KG.page)),
                "post": _text(graph.value(assertion, KG.post)),
                "date": dates.get(doc, ""),
            }
        )
    edges = []
    for source, target, relation in network.edges(keys=True):
        records = evidence.get((source, relation, target)) or [dict.fromkeys(EDGE_COLUMNS[5:], "")]
        records.sort(key=lambda r: (r["source_file"], int(r["start"] or -1), r["evidence"]))
        for record in records:
            edges.append(
                {
                    "source": source,
                    "source_label": labels[source],
                    "relation": relation,
                    "target": target,
                    "target_label": labels[target],
                    **record,
                }
            )
    return {"nodes.csv": _table(NODE_COLUMNS, nodes), "edges.csv": _table(EDGE_COLUMNS, edges)}
