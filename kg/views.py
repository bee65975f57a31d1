"""Draw the knowledge graph as an interactive pyvis network: styled by class and relation, with evidence.

``render_network`` reads the graph through SPARQL (``kg.store.query_rows``) and returns a pyvis
``Network``; ``network_html`` turns it into one standalone, offline HTML page with a legend. Nothing
here writes files: the caller decides where the page goes.

Two pyvis details shape the code:

* Nodes and edges are built as dicts and assigned in bulk. ``Network.add_node`` scans a list of ids and
  ``add_edge`` checks every node per call, which is quadratic on graphs with thousands of entities.
* Tooltips are plain text with newlines. The vis-network 9.1.2 that pyvis 0.3.2 inlines shows a string
  ``title`` through ``innerText``, so markup in a title is displayed, never run, and HTML-escaping it
  would show ``&lt;`` literally. The one exception is pyvis's "link" template, used as soon as a node
  title contains ``href``, which shows node titles through ``innerHTML``; ``_tooltip`` keeps that
  template from ever being chosen.
"""

from __future__ import annotations

import html
import math
import re
import warnings
from collections import defaultdict
from typing import Any, NamedTuple

import networkx as nx
from pyvis.network import Network

from kg.ontology import PREFIXES
from kg.store import query_rows

#: An ``rdflib.Graph``. Typed loosely because only kg.ontology, kg.rdf and kg.store may import rdflib.
GraphLike = Any


class ClassStyle(NamedTuple):
    """How the nodes of one ontology class are drawn."""

    colour: str
    shape: str  # a vis-network shape with the label below it, so all nodes have the same size
    name: str  # Chinese name shown in tooltips and the legend


class RelationStyle(NamedTuple):
    """How the edges of one relation are drawn."""

    colour: str
    name: str  # Chinese name: the edge label and the legend entry


#: Class local name -> style. Ordered from specific to generic: an entity with several classes takes
#: the first one listed (``PartyBody`` before ``Organisation``, ``Village`` before ``Place``).
CLASS_STYLES: dict[str, ClassStyle] = {
    "Person": ClassStyle("#1f77b4", "dot", "人物"),
    "PartyBody": ClassStyle("#d62728", "star", "党组织"),
    "GovernmentBody": ClassStyle("#ff7f0e", "square", "政府机关"),
    "Enterprise": ClassStyle("#9467bd", "diamond", "企业"),
    "Cooperative": ClassStyle("#bcbd22", "diamond", "合作社"),
    "WorkTeam": ClassStyle("#e377c2", "triangleDown", "工作队"),
    "EducationalInstitution": ClassStyle("#17becf", "square", "教育机构"),
    "Organisation": ClassStyle("#8c564b", "square", "其他组织"),
    # places: one shape, darker green for higher administrative levels
    "Province": ClassStyle("#00441b", "triangle", "省/自治区"),
    "City": ClassStyle("#1b7837", "triangle", "市/盟"),
    "County": ClassStyle("#41ab5d", "triangle", "县/旗/区"),
    "Township": ClassStyle("#78c679", "triangle", "乡镇/苏木/街道"),
    "Village": ClassStyle("#addd8e", "triangle", "村/嘎查/社区"),
    "Place": ClassStyle("#7fbf7b", "hexagon", "地区（级别不明）"),
}

#: Style of entities that have none of the classes above (group name ``"Thing"``).
OTHER_STYLE = ClassStyle("#9e9e9e", "dot", "其他")

#: Relation local name -> style; exactly the relations that are drawn.
RELATION_STYLES: dict[str, RelationStyle] = {
    "assists": RelationStyle("#e6550d", "帮扶"),
    "heads": RelationStyle("#a50f15", "领导"),
    "worksFor": RelationStyle("#3182bd", "任职于"),
    "servesIn": RelationStyle("#756bb1", "驻村"),
    "locatedIn": RelationStyle("#969696", "位于"),
}

#: Above this many nodes the browser's physics is too slow to settle: positions are computed here.
MAX_PHYSICS_NODES = 300

#: Evidence sentences listed in one edge tooltip; the rest are counted, so the tooltip fits a screen.
MAX_EVIDENCE = 10

_GLYPHS = {"dot": "●", "square": "■", "diamond": "◆", "star": "★", "triangle": "▲", "triangleDown": "▼"}

_RELATION_VALUES = " ".join(f'(kg:{name} "{name}")' for name in RELATION_STYLES)
_CLASS_VALUES = " ".join(f'(kg:{name} "{name}")' for name in CLASS_STYLES)

_EDGES_QUERY = f"""
SELECT DISTINCT ?s ?rel ?o WHERE {{
    VALUES (?p ?rel) {{ {_RELATION_VALUES} }}
    ?s ?p ?o .
    FILTER(isIRI(?s) && isIRI(?o))
}}"""

_CLASSES_QUERY = f"""
SELECT DISTINCT ?e ?cls WHERE {{
    VALUES (?class ?cls) {{ {_CLASS_VALUES} }}
    ?e a ?class .
}}"""

_LABELS_QUERY = """
SELECT DISTINCT ?e ?kind ?text ?lang WHERE {
    { ?e rdfs:label ?text . BIND("label" AS ?kind) }
    UNION
    { ?e skos:altLabel ?text . BIND("alt" AS ?kind) }
    BIND(LANG(?text) AS ?lang)
}"""

_EVIDENCE_QUERY = f"""
SELECT DISTINCT ?s ?rel ?o ?text ?start ?end ?file ?title ?post WHERE {{
    VALUES (?p ?rel) {{ {_RELATION_VALUES} }}
    ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL {{ ?a kg:evidenceText ?text }}
    OPTIONAL {{ ?a kg:startOffset ?start }}
    OPTIONAL {{ ?a kg:endOffset ?end }}
    OPTIONAL {{ ?a kg:post ?post }}
    OPTIONAL {{
        ?a prov:wasDerivedFrom ?doc .
        OPTIONAL {{ ?doc kg:sourceFile ?file }}
        OPTIONAL {{ ?doc dcterms:title ?title }}
    }}
}}"""


def render_network(
    graph: GraphLike, *, height: str = "800px", max_physics_nodes: int = MAX_PHYSICS_NODES
) -> Network:
    """Build an interactive network of the entities that take part in the five relations.

    One node per entity (styled by ``CLASS_STYLES``, tooltip: class, label, aliases) and one edge per
    ``(subject, relation, object)`` triple (styled by ``RELATION_STYLES``, tooltip: the evidence
    sentences with their source files and posts). Entities in no relation are left out. Nodes are
    sorted by id (the entity's prefixed name, ``kgr:…``) and edges by (from, to, label), so equal
    graphs give equal networks.

    Args:
        graph: An ``rdflib.Graph`` in the kg ontology, e.g. from ``kg.store.load_graph``.
        height: CSS height of the drawing area.
        max_physics_nodes: Up to this many nodes the browser lays the graph out with barnesHut
            physics; above it positions come from ``networkx.spring_layout`` and physics is off.

    Returns:
        A directed pyvis network with its libraries inlined; pass it to ``network_html``.

    Raises:
        QueryError: The graph cannot be queried.

    Examples:
        >>> from kg.store import open_store
        >>> net = render_network(open_store())
        >>> len(net.nodes), len(net.edges), net.options["physics"]["enabled"]
        (0, 0, True)
    """
    triples = {(row["s"], row["rel"], row["o"]) for row in query_rows(graph, _EDGES_QUERY)}
    # Node ids are prefixed names (kgr:person/…): shorter pages, and no "https://" in the page's data.
    node_id = {iri: _compact(iri) for s, _, o in triples for iri in (s, o)}
    classes = _classes(graph)
    labels, aliases = _labels(graph)
    evidence = _evidence(graph)

    nodes: list[dict[str, Any]] = []
    for iri in sorted(node_id, key=node_id.__getitem__):
        group = classes.get(iri, "Thing")
        style = CLASS_STYLES.get(group, OTHER_STYLE)
        lines = [f"{style.name}：{labels.get(iri, _local_name(iri))}"]
        if aliases.get(iri):
            lines.append("别名：" + "、".join(aliases[iri]))
        nodes.append(
            {
                "id": node_id[iri],
                "label": labels.get(iri, _local_name(iri)),
                "title": _tooltip("\n".join(lines)),
                "group": group,
                "color": style.colour,
                "shape": style.shape,
            }
        )

    edges: list[dict[str, Any]] = []
    for s, rel, o in triples:
        relation = RELATION_STYLES[rel]
        head = f"{labels.get(s, _local_name(s))} —{relation.name}→ {labels.get(o, _local_name(o))}"
        edges.append(
            {
                "from": node_id[s],
                "to": node_id[o],
                "label": relation.name,
                "title": _tooltip("\n".join([head, *evidence.get((s, rel, o), [])])),
                "color": relation.colour,
                "arrows": "to",
            }
        )
    edges.sort(key=lambda edge: (edge["from"], edge["to"], edge["label"]))
    _curve_parallel_edges(edges)

    positions = _positions(nodes, edges) if len(nodes) > max_physics_nodes else None
    if positions is not None:
        for node in nodes:
            node["x"], node["y"] = positions[node["id"]]

    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line")
    # jinja's tojson escapes every non-ASCII character by default; Chinese stays readable (and
    # searchable) in the page without it. "<", ">", "&" and "'" are still escaped, so titles cannot
    # close the <script> element the data sits in.
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # What add_node/add_edge would have filled in, in one pass.
    net.nodes = nodes
    net.node_ids = [node["id"] for node in nodes]
    net.node_map = {node["id"]: node for node in nodes}
    net.edges = edges
    net.options = _options(physics=positions is None)
    return net


def network_html(net: Network, *, title: str | None = None) -> str:
    """The standalone HTML page of a network: libraries inline, a legend, no external references.

    pyvis's template links Bootstrap from cdn.jsdelivr.net even when vis-network is inlined; those
    tags are dropped (the page does not need Bootstrap), so the page works offline and leaks nothing.

    Args:
        net: A network, usually from ``render_network``.
        title: The page's ``<title>``; by default it names the knowledge graph and counts nodes and edges.

    Returns:
        The HTML text, UTF-8 declared, with a legend of the classes and relations the network uses.

    Examples:
        >>> from kg.store import open_store
        >>> page = network_html(render_network(open_store()), title="演示")
        >>> "<title>演示</title>" in page, external_references(page)
        (True, [])
    """
    page = net.generate_html(notebook=False)
    page = _EXTERNAL_ATTRIBUTE.sub(r"\1", _EXTERNAL_TAG.sub("", page))
    page = _LEFTOVERS.sub("", page)
    if title is None:
        title = f"知识图谱：{len(net.nodes)} 个实体，{len(net.edges)} 条关系"
    head = (
        "" if _CHARSET.search(page) else '<meta charset="utf-8">\n'
    ) + f"<title>{html.escape(title)}</title>"
    page = _HEAD.sub(lambda opening: f"{opening.group(0)}\n{head}", page, count=1)
    # The real </head> and </body> are the last ones: inlined scripts may mention the strings, but the
    # network data cannot (tojson escapes "<"), and nothing follows the body.
    at = page.rfind("</head>")
    page = page[:at] + _LEGEND_CSS + page[at:]
    at = page.rfind("</body>")
    page = page[:at] + _legend_html(net) + page[at:]
    if not page.lstrip()[:9].lower() == "<!doctype":
        page = "<!DOCTYPE html>\n" + page.replace("<html>", '<html lang="zh-CN">', 1)
    return page


def external_references(html_text: str) -> list[str]:
    """References to other hosts in a page: http(s) or protocol-relative src/href, url(…) and @import.

    Args:
        html_text: An HTML page, scripts and styles included.

    Returns:
        Each distinct reference, in order of first appearance; empty for a self-contained page.

    Examples:
        >>> external_references('<script src="https://cdn.example/x.js"></script>'
        ...                     '<style>@import "//fonts.example/f.css"; a{background:url(data:,x)}</style>')
        ['https://cdn.example/x.js', '//fonts.example/f.css']
        >>> external_references('<a href="page.html">相对链接</a>')
        []
    """
    found = (next(group for group in match.groups() if group) for match in _REFERENCE.finditer(html_text))
    return list(dict.fromkeys(found))


_URL = r"(?:https?:)?//"
_REFERENCE = re.compile(
    rf"""\b(?:src|href)\s*=\s*["']?\s*({_URL}[^\s"'<>]+)"""
    rf"""|\burl\(\s*["']?\s*({_URL}[^\s"'()]+)"""
    rf"""|@import\s+["']\s*({_URL}[^\s"']+)""",
    re.IGNORECASE,
)
_EXTERNAL_TAG = re.compile(
    rf"""<link\b[^>]*?\bhref\s*=\s*["']?\s*{_URL}[^>]*>"""
    rf"""|<script\b[^>]*?\bsrc\s*=\s*["']?\s*{_URL}[^>]*>\s*</script\s*>""",
    re.IGNORECASE,
)
# Any other markup attribute pointing elsewhere (none in pyvis 0.3.2's template): drop the attribute.
_EXTERNAL_ATTRIBUTE = re.compile(rf"""(<[a-zA-Z][^<>]*?)\s(?:src|href)\s*=\s*(["'])\s*{_URL}[^"']*\2""")
# The template's empty headings and commented-out links to ../node_modules, and vis-network's pointer
# to a source map that is not shipped (a browser's developer tools would try to fetch it).
_LEFTOVERS = re.compile(
    r"<center>\s*<h1>\s*</h1>\s*</center>\s*|<!--\s*<link\b.*?-->|//# sourceMappingURL=[^\s<]+", re.DOTALL
)
_CHARSET = re.compile(r"<meta\s+charset\s*=", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)

# Tooltips wrap long evidence sentences (vis-network's own CSS says nowrap); the legend floats top right.
_LEGEND_CSS = """<style>
div.vis-tooltip { white-space: pre-wrap; max-width: 40em; }
.kg-legend { position: fixed; top: 12px; right: 12px; z-index: 10; max-height: 90vh; overflow: auto;
  padding: 6px 12px; background: rgba(255, 255, 255, 0.92); border: 1px solid #ccc; border-radius: 4px;
  font: 13px/1.6 sans-serif; }
.kg-legend h2 { font-size: 13px; margin: 4px 0 2px; }
.kg-legend ul { list-style: none; margin: 0; padding: 0; }
.kg-glyph, .kg-line { display: inline-block; width: 1.5em; margin-right: 0.3em; text-align: center; }
.kg-line { height: 3px; vertical-align: middle; }
</style>
"""


def _legend_html(net: Network) -> str:
    """A fixed box listing the node styles and relation colours that occur in the network."""
    groups = {node.get("group") for node in net.nodes}
    labels = {edge.get("label") for edge in net.edges}
    classes = [style for name, style in CLASS_STYLES.items() if name in groups]
    if "Thing" in groups:
        classes.append(OTHER_STYLE)
    items = [
        f'<li><span class="kg-glyph" style="color:{style.colour}">{_GLYPHS.get(style.shape, "⬢")}</span>'
        f"{html.escape(style.name)}</li>"
        for style in classes
    ]
    lines = [
        f'<li><span class="kg-line" style="background:{style.colour}"></span>{html.escape(style.name)}</li>'
        for style in RELATION_STYLES.values()
        if style.name in labels
    ]
    entities, relations = "\n".join(items), "\n".join(lines)
    return (
        f'<div class="kg-legend" id="kg-legend">\n<h2>图例 · 实体</h2>\n<ul>\n{entities}\n</ul>\n'
        f"<h2>关系</h2>\n<ul>\n{relations}\n</ul>\n</div>\n"
    )


def _classes(graph: GraphLike) -> dict[str, str]:
    """Entity IRI -> local name of its most specific styled class (first in ``CLASS_STYLES`` order)."""
    rank = {name: i for i, name in enumerate(CLASS_STYLES)}
    found: dict[str, str] = {}
    for row in query_rows(graph, _CLASSES_QUERY):
        current = found.get(row["e"])
        if current is None or rank[row["cls"]] < rank[current]:
            found[row["e"]] = row["cls"]
    return found


def _labels(graph: GraphLike) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Entity IRI -> display label (a ``@zh`` one if any), and -> sorted aliases other than the label."""
    names: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    alternatives: dict[str, set[str]] = defaultdict(set)
    for row in query_rows(graph, _LABELS_QUERY):
        if row["kind"] == "label":
            names[row["e"]].append((not str(row["lang"]).lower().startswith("zh"), str(row["text"])))
        else:
            alternatives[row["e"]].add(str(row["text"]))
    labels = {iri: min(candidates)[1] for iri, candidates in names.items()}
    aliases = {iri: sorted(texts - {labels.get(iri)}) for iri, texts in alternatives.items()}
    return labels, aliases


def _evidence(graph: GraphLike) -> dict[tuple[str, str, str], list[str]]:
    """(subject, relation, object) -> tooltip lines: each evidence sentence with its source and post."""
    # SELECT DISTINCT leaves out ?a on purpose: two assertions with the same sentence, place and post
    # say the same thing once.
    records: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in query_rows(graph, _EVIDENCE_QUERY):
        records[(row["s"], row["rel"], row["o"])].append(row)
    lines: dict[tuple[str, str, str], list[str]] = {}
    for key, rows in records.items():
        rows.sort(
            key=lambda r: (
                r["file"] or "",
                r["start"] if isinstance(r["start"], int) else -1,
                r["text"] or "",
                r["post"] or "",
            )
        )
        out = []
        for row in rows[:MAX_EVIDENCE]:
            source = row["file"] or ""
            if isinstance(row["start"], int) and isinstance(row["end"], int):
                source += f" [{row['start']}–{row['end']}]"
            if row["title"]:
                source += f"《{row['title']}》"
            post = f"职务：{row['post']}" if row["post"] else ""
            out.append(f"「{row['text']}」" if row["text"] else "（无证据句）")
            where = "；".join(part for part in (source.strip(), post) if part)
            if where:
                out.append(f"  ——{where}")
        if len(rows) > MAX_EVIDENCE:
            out.append(f"……另有 {len(rows) - MAX_EVIDENCE} 条证据")
        lines[key] = out
    return lines


def _positions(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
) -> dict[str, tuple[float, float]] | None:
    """Fixed node positions from a seeded spring layout, or None (with a warning) if it cannot run."""
    layout_graph = nx.Graph()
    layout_graph.add_nodes_from(node["id"] for node in nodes)
    layout_graph.add_edges_from((edge["from"], edge["to"]) for edge in edges)
    # About 120 px between neighbouring nodes when they spread evenly over a square.
    scale = 60.0 * math.sqrt(len(nodes))
    try:
        layout = nx.spring_layout(layout_graph, seed=0, scale=scale)
    except ImportError as exc:  # networkx needs scipy for its sparse solver from 500 nodes on
        warnings.warn(
            f"cannot precompute the layout of {len(nodes)} nodes ({exc}); the browser will lay the graph "
            "out with physics, which is slow for graphs this large; pip install scipy to avoid this",
            stacklevel=3,
        )
        return None
    return {name: (round(float(x), 1), round(float(y), 1)) for name, (x, y) in layout.items()}


def _curve_parallel_edges(edges: list[dict[str, Any]]) -> None:
    """Bend the 2nd, 3rd… edge between the same two nodes so that parallel edges stay visible."""
    seen: dict[frozenset[str], int] = defaultdict(int)
    for edge in edges:
        pair = frozenset((edge["from"], edge["to"]))
        if seen[pair]:
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.2 * seen[pair]}
        seen[pair] += 1


def _options(*, physics: bool) -> dict[str, Any]:
    """vis-network options: barnesHut with stabilisation, or no physics when positions are given."""
    options: dict[str, Any] = {
        "nodes": {"font": {"size": 14}, "size": 18},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "font": {"size": 11, "align": "middle"},
            "smooth": {"enabled": physics, "type": "dynamic"},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": not physics},
        "layout": {"randomSeed": 0, "improvedLayout": physics},
    }
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


def _local_name(iri: str) -> str:
    """The last segment of an IRI, the fallback label of an entity without ``rdfs:label``."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def _compact(iri: str) -> str:
    """The prefixed name of an IRI in the project's namespaces (the longest match), else the IRI.

    Examples:
        >>> _compact("https://w3id.org/kgzh/id/person/张三"), _compact("urn:x")
        ('kgr:person/张三', 'urn:x')
    """
    matches = [(len(ns), prefix) for prefix, ns in PREFIXES.items() if iri.startswith(ns)]
    if not matches:
        return iri
    length, prefix = max(matches)
    return f"{prefix}:{iri[length:]}"


def _tooltip(text: str) -> str:
    """Plain tooltip text that cannot switch pyvis to its innerHTML template (see module docstring)."""
    return text.replace("href", "hre\u200bf")
