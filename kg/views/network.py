"""Turn a view of the graph into a pyvis network: styled nodes and edges, positions, and the panel data.

``render_network`` reads the graph (``kg.views.model``), narrows it as asked (relations, level, ego
network), and returns a ``KGNetwork``: a pyvis ``Network`` whose ``nodes``/``edges``/``options`` are
what vis-network draws, plus ``details``, the data behind the side panel and the search box (aliases,
pinyin, every fact with its evidence sentences, documents and posts). ``kg.views.page`` writes both
into one offline page. Nothing here writes files.

Choices that keep large graphs usable (see benchmarks/view_bench.py for the numbers):

* Nodes and edges are built as dicts and assigned in bulk. ``Network.add_node`` scans a list of ids
  and ``add_edge`` checks every node per call, which is quadratic on graphs with thousands of entities.
* Positions come from igraph (``kg.views.layout``) and physics is off (up to ``max_physics_nodes``
  the browser may lay the graph out instead). Above ``LARGE_GRAPH_NODES``: straight edges, no hover
  redraws, edges hidden while dragging or zooming, labels drawn only once zoomed in far enough to read.
* Above ``overview_threshold`` the page opens on an overview, the ``overview_size`` best-connected
  entities; searching or double-clicking brings in any other entity with its neighbours.
* Tooltips are plain text with newlines. vis-network shows a string ``title`` through ``innerText``,
  so markup in a title is displayed, never run; ``_tooltip`` keeps pyvis from switching to its
  "link" template, which would show titles through ``innerHTML``.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from pyvis.network import Network

from kg.ontology import KGR, PREFIXES
from kg.views.layout import layout_positions
from kg.views.model import (
    EvidenceRecord,
    Link,
    ViewGraph,
    collapse_places,
    ego_network,
    select_dates,
    select_relations,
)
from kg.views.read import GraphLike, read_view_graph
from kg.views.styles import GLYPHS, RELATION_STYLES, class_style

#: Up to this many nodes the browser may lay the graph out with physics; none by default: igraph lays
#: out the 124 nodes of the corpus in milliseconds, where barnesHut takes ≈ 3 s to settle in the
#: browser, and a fixed layout is the same picture every time the page opens.
MAX_PHYSICS_NODES = 0

#: Above this many nodes the drawing is tuned for speed: no hover redraws, edges hidden while
#: dragging or zooming, labels only once readable.
LARGE_GRAPH_NODES = 300

#: Above this many nodes the page opens on an overview instead of drawing everything.
OVERVIEW_THRESHOLD = 20_000

#: Nodes in the overview: the best-connected ones.
OVERVIEW_NODES = 5_000

#: Evidence sentences kept per fact; the rest are counted, so one chatty fact cannot bloat the page.
MAX_EVIDENCE = 10

#: Characters of the first evidence sentence shown in an edge tooltip.
TOOLTIP_EVIDENCE_CHARS = 60


class KGNetwork(Network):  # type: ignore[misc]  # pyvis is untyped
    """A pyvis network plus what the kg page adds around the drawing.

    Attributes:
        details: JSON-ready data behind the side panel, the search box and the filters.
        notes: Sentences describing how the view was narrowed (shown under the search box).
    """

    def __init__(self, *, height: str) -> None:
        super().__init__(height=height, width="100%", directed=True, cdn_resources="in_line")
        self.details: dict[str, Any] = {}
        self.notes: list[str] = []


def render_network(
    graph: GraphLike,
    *,
    height: str = "800px",
    max_physics_nodes: int = MAX_PHYSICS_NODES,
    focus: str | Sequence[str] | None = None,
    depth: int = 1,
    relations: Iterable[str] | None = None,
    level: str | None = None,
    since: str | None = None,
    until: str | None = None,
    overview_threshold: int = OVERVIEW_THRESHOLD,
    overview_size: int = OVERVIEW_NODES,
) -> KGNetwork:
    """Build an interactive network of the entities that take part in the five relations.

    One node per entity (colour and shape by class, size by degree, tooltip: class, label, pinyin,
    aliases) and one edge per ``(subject, relation, object)`` triple (colour and label by relation,
    tooltip: the first evidence sentence; the side panel lists them all with their sources and posts).
    Entities in no relation are left out. Nodes are sorted by id (the entity's prefixed name,
    ``kgr:…``) and edges by (from, to, label), so equal graphs give equal networks.

    Args:
        graph: An ``rdflib.Graph`` (e.g. from ``kg.store.load_graph``) or a ``kg.store.GraphStore``.
        height: CSS height of the drawing in a notebook (the standalone page fills the window).
        max_physics_nodes: Up to this many nodes the browser lays the graph out with barnesHut
            physics; above it (by default, always) positions are computed here and physics is off.
        focus: Draw only the ego network of the entity (or entities) with this name, label or alias.
        depth: Radius of the ego network, in edges.
        relations: Draw only these relations (local names, e.g. ``["assists", "servesIn"]``).
        level: Merge places below this administrative level (``"county"``…) into their ancestor at it.
        since: Draw only facts stated in documents dated on or after this ISO date (``2021``,
            ``2021-06``, ``2021-06-30``); see ``kg.views.model.select_dates``.
        until: Likewise, on or before this ISO date.
        overview_threshold: Above this many nodes the page opens on an overview.
        overview_size: Number of nodes in that overview.

    Returns:
        A directed pyvis network with its libraries inlined; pass it to ``network_html``.

    Raises:
        QueryError: The graph cannot be queried, or no entity has the ``focus`` name.
        ValueError: An unknown relation or level, a negative depth, or a date not in ISO form.

    Examples:
        >>> from kg.store import open_store
        >>> net = render_network(open_store())
        >>> len(net.nodes), len(net.edges), net.options["physics"]["enabled"]
        (0, 0, True)
    """
    view = read_view_graph(graph)
    if level is not None:
        view = collapse_places(view, level)
    view = select_dates(view, since=since, until=until)
    if relations is not None:
        view = select_relations(view, relations)
    if focus is not None:
        view = ego_network(view, [focus] if isinstance(focus, str) else list(focus), depth=depth)
    return network_from_view(
        view,
        height=height,
        max_physics_nodes=max_physics_nodes,
        overview_threshold=overview_threshold,
        overview_size=overview_size,
    )


def network_from_view(
    view: ViewGraph,
    *,
    height: str = "800px",
    max_physics_nodes: int = MAX_PHYSICS_NODES,
    overview_threshold: int = OVERVIEW_THRESHOLD,
    overview_size: int = OVERVIEW_NODES,
) -> KGNetwork:
    """The pyvis network of an already narrowed ``ViewGraph``; see ``render_network`` for the arguments."""
    degree = Counter(n for link in view.links for n in (link.source, link.target))
    physics = len(view.nodes) <= max_physics_nodes
    focus = set(view.focus)
    nodes = [_node(view, node_id, degree[node_id], node_id in focus) for node_id in view.nodes]
    edges = [_edge(view, link, f"e{i}") for i, link in enumerate(view.links)]
    _curve_parallel_edges(edges)

    positions = None if physics else layout_positions(view.nodes, [(e["from"], e["to"]) for e in edges])
    if positions is not None:
        for node in nodes:
            node["x"], node["y"] = positions[node["id"]]

    net = KGNetwork(height=height)
    # What add_node/add_edge would have filled in, in one pass.
    net.nodes = nodes
    net.node_ids = [node["id"] for node in nodes]
    net.node_map = {node["id"]: node for node in nodes}
    net.edges = edges
    net.options = _options(physics=positions is None, large=len(nodes) > LARGE_GRAPH_NODES)
    overview = None
    if len(nodes) > overview_threshold:
        ranked = sorted(view.nodes, key=lambda n: (-degree[n], n))
        overview = sorted({*ranked[:overview_size], *view.focus})
    net.details = _details(view, edges, overview)
    # From this many nodes on, the page draws quick frames while zooming (installFastDraw in view.js).
    net.details["fastDraw"] = LARGE_GRAPH_NODES
    net.notes = list(view.notes)
    if overview is not None:
        net.notes.append(
            f"实体过多（{len(nodes)} 个）：先显示连接最多的 {len(overview)} 个中彼此相连的部分；"
            "搜索或双击节点可展开其邻居，“显示全部”可画出整张图。"
        )
    return net


def _node(view: ViewGraph, node_id: str, degree: int, is_focus: bool) -> dict[str, Any]:
    entity = view.entities[node_id]
    style = class_style(entity.group)
    lines = [f"{style.name}：{entity.label}", f"拼音：{pinyin(entity.label)[0]}"]
    if entity.aliases:
        lines.append("别名：" + "、".join(entity.aliases))
    if entity.merged:
        lines.append(f"含 {len(entity.merged)} 个下级地区")
    lines.append(f"{degree} 条关系 · 点击查看证据")
    node: dict[str, Any] = {
        "id": node_id,
        "label": entity.label,
        "title": _tooltip("\n".join(lines)),
        "group": entity.group,
        "color": style.colour,
        "shape": style.shape,
        # Area grows with degree, so hubs (counties, bureaus helping many villages) stand out.
        "size": round(min(12 + 4 * math.sqrt(degree), 48), 1),
    }
    if is_focus:
        node["borderWidth"] = 4
        node["color"] = {"background": style.colour, "border": "#000000"}
    return node


def _edge(view: ViewGraph, link: Link, edge_id: str) -> dict[str, Any]:
    relation = RELATION_STYLES[link.relation]
    source, target = view.entities[link.source].label, view.entities[link.target].label
    count = len(link.facts)
    lines = [f"{source} —{relation.name}→ {target}"]
    evidence = [e for fact in link.facts for e in fact.evidence]
    if count > 1:
        lines.append(f"汇总 {count} 条关系")
    if evidence and evidence[0].text:
        text = evidence[0].text
        if len(text) > TOOLTIP_EVIDENCE_CHARS:
            text = text[:TOOLTIP_EVIDENCE_CHARS] + "…"
        lines.append(f"「{text}」")
    if evidence:
        lines.append(f"{len(evidence)} 条证据 · 点击查看")
    edge: dict[str, Any] = {
        "id": edge_id,
        "from": link.source,
        "to": link.target,
        "label": relation.name if count == 1 else f"{relation.name} ×{count}",
        "title": _tooltip("\n".join(lines)),
        "color": relation.colour,
        "arrows": "to",
        "relation": link.relation,
    }
    if count > 1:
        edge["width"] = round(1 + 1.5 * math.log2(count), 1)
    return edge


def _details(view: ViewGraph, edges: list[dict[str, Any]], overview: list[str] | None) -> dict[str, Any]:
    """The data the page's script needs beyond what vis-network draws (see module docstring)."""
    documents: dict[tuple[str, str, str], int] = {}
    facts: dict[str, list[list[Any]]] = {}
    drawn = set(view.nodes)
    mentioned: set[str] = set()
    for link, edge in zip(view.links, edges, strict=True):
        rows = []
        for fact in link.facts:
            mentioned.update((fact.subject, fact.object))
            rows.append(
                [
                    fact.subject,
                    fact.object,
                    [_evidence_row(e, documents) for e in fact.evidence[:MAX_EVIDENCE]],
                    max(0, len(fact.evidence) - MAX_EVIDENCE),
                    # every evidence's date, not only the listed ones', for the page's date filter
                    sorted({e.date for e in fact.evidence if e.date}),
                ]
            )
        facts[edge["id"]] = rows
    entities: dict[str, dict[str, Any]] = {}
    for node_id in sorted(drawn | mentioned | {m for n in view.nodes for m in view.entities[n].merged}):
        entity = view.entities[node_id]
        toned, plain = pinyin(entity.label)
        info: dict[str, Any] = {"py": toned, "key": plain}
        if entity.aliases:
            info["aliases"] = list(entity.aliases)
        if entity.merged:
            info["merged"] = list(entity.merged)
        if node_id not in drawn:
            info.update(label=entity.label, group=entity.group)
            if node_id in view.representative:
                info["in"] = view.representative[node_id]
        entities[node_id] = info
    groups = sorted({view.entities[n].group for n in view.nodes})
    return {
        "classes": {g: [class_style(g).name, class_style(g).colour, _glyph(g)] for g in groups},
        "relations": {
            r: [s.name, s.colour]
            for r, s in RELATION_STYLES.items()
            if any(e["relation"] == r for e in edges)
        },
        "documents": [[file, title, date] for file, title, date in documents],
        "entities": entities,
        "facts": facts,
        "focus": list(view.focus),
        "overview": overview,
        # prefix -> path below the resource namespace: served by kg serve, the panel links entity
        # pages (entity/<path>) without the page holding a single absolute IRI
        "resources": {p: ns[len(str(KGR)) :] for p, ns in PREFIXES.items() if ns.startswith(str(KGR))},
    }


def _evidence_row(evidence: EvidenceRecord, documents: dict[tuple[str, str, str], int]) -> list[Any]:
    """[sentence, document index or -1, start, end, post]; documents ([file, title, date]) listed once."""
    doc = -1
    if evidence.file or evidence.title:
        key = (evidence.file or "", evidence.title or "", evidence.date or "")
        doc = documents.setdefault(key, len(documents))
    return [evidence.text or "", doc, evidence.start, evidence.end, evidence.post or ""]


def _glyph(group: str) -> str:
    return GLYPHS.get(class_style(group).shape, "●")


@lru_cache(maxsize=65_536)
def pinyin(text: str) -> tuple[str, str]:
    """Pinyin of a name with tone marks (for people) and without (for the search box to match).

    Examples:
        >>> pinyin("乌审旗")
        ('wū shěn qí', 'wushenqi')
    """
    from pypinyin import Style, lazy_pinyin

    toned = " ".join(s.strip() for s in lazy_pinyin(text, style=Style.TONE) if s.strip())
    # Tone marks are combining characters once decomposed; ü becomes u, as people type it.
    plain = "".join(c for c in unicodedata.normalize("NFD", toned) if not unicodedata.combining(c))
    return toned, plain.replace(" ", "").lower()


def _curve_parallel_edges(edges: list[dict[str, Any]]) -> None:
    """Bend the 2nd, 3rd… edge between the same two nodes so that parallel edges stay visible."""
    seen: dict[frozenset[str], int] = defaultdict(int)
    for edge in edges:
        pair = frozenset((edge["from"], edge["to"]))
        if seen[pair]:
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.2 * seen[pair]}
        seen[pair] += 1


def _options(*, physics: bool, large: bool) -> dict[str, Any]:
    """vis-network options: barnesHut or fixed positions; for large graphs, whatever keeps frames fast."""
    options: dict[str, Any] = {
        "nodes": {"font": {"size": 14}, "borderWidth": 1},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "font": {"size": 11, "align": "middle"},
            "smooth": {"enabled": physics, "type": "dynamic"} if physics else False,
        },
        "interaction": {
            # Hover highlighting redraws the whole canvas on every mouse move: fine for 100 nodes,
            # not for 10 000. Tooltips do not need it.
            "hover": not large,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": True,
        },
        # improvedLayout runs Kamada–Kawai on nodes without positions: none are without.
        "layout": {"randomSeed": 0, "improvedLayout": physics},
    }
    if large:
        # Labels and edge labels appear once they would be drawn at ≥ 9 px: unreadable smaller text
        # costs as much to draw as readable text.
        options["nodes"]["scaling"] = {"label": {"drawThreshold": 9}}
        options["edges"]["scaling"] = {"label": {"drawThreshold": 9}}
    if physics:
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -6000, "springLength": 160, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 1000, "fit": True},
        }
    else:
        options["physics"] = {"enabled": False}
    return options


def _tooltip(text: str) -> str:
    """Plain tooltip text that cannot switch pyvis to its innerHTML template (see module docstring)."""
    return text.replace("href", "hre\u200bf")
