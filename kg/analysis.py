"""Analyse the graph as a network for the notebooks: networkx graphs, centrality, projections, communities.

The notebooks in notebooks/ only call these functions, so their logic is typed, documented and tested
here (tests/test_notebooks.py runs them end to end). The module reads the graph through SPARQL
(``kg.store.query_rows``) and never imports rdflib; matplotlib is imported only by the plotting
functions, and pyvis not at all (inline views come from ``kg.views``).

Node ids are the entities' prefixed names (``kgr:place/木都柴达木村``), as in ``kg.views``; every node
carries ``label``, ``cls`` (its most specific class) and ``kind`` (person, organisation, place).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd  # type: ignore[import-untyped, unused-ignore]

from kg.ontology import ORGANISATION_CLASSES, PLACE_CLASSES, PREFIXES, RELATIONS
from kg.store import STORE_DIR, GraphStore, load_graph, query_rows

#: Environment variable naming the build directory the notebooks analyse.
BUILD_DIR_VARIABLE = "KG_BUILD_DIR"

#: The project's corpus, built when no build directory is given.
CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"

#: Fonts with Chinese glyphs, tried in order for matplotlib's labels.
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC")

_ORGANISATIONS = {"Organisation", *ORGANISATION_CLASSES}
_PLACES = {"Place", *PLACE_CLASSES}
_CLASS_ORDER = ["Person", *ORGANISATION_CLASSES, "Organisation", *reversed(PLACE_CLASSES), "Place"]

_ENTITIES_QUERY = f"""
SELECT DISTINCT ?e ?label ?cls WHERE {{
    VALUES ?rel {{ {" ".join(f"kg:{r}" for r in RELATIONS)} }}
    {{ ?e ?rel ?x }} UNION {{ ?x ?rel ?e }}
    FILTER(isIRI(?e))
    OPTIONAL {{ ?e rdfs:label ?label }}
    OPTIONAL {{ ?e a ?c . FILTER(STRSTARTS(STR(?c), STR(kg:))) BIND(STRAFTER(STR(?c), "#") AS ?cls) }}
}}"""

_FACTS_QUERY = f"""
SELECT ?s ?rel ?o (COUNT(DISTINCT ?text) AS ?evidence) WHERE {{
    VALUES ?p {{ {" ".join(f"kg:{r}" for r in RELATIONS)} }}
    ?s ?p ?o .
    FILTER(isIRI(?s) && isIRI(?o))
    BIND(STRAFTER(STR(?p), "#") AS ?rel)
    OPTIONAL {{ ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidenceText ?text }}
}} GROUP BY ?s ?rel ?o"""


def build_dir(path: str | Path | None = None) -> Path:
    """The build directory to analyse: ``path``, else ``$KG_BUILD_DIR``, else a fresh build of corpus/.

    The fallback builds the project corpus into a temporary directory (≈ 5 s plus model loading), so
    a notebook runs as is on a fresh checkout.

    Raises:
        StoreError: The directory given holds no graph.ttl.
    """
    from kg.errors import StoreError

    chosen = path or os.environ.get(BUILD_DIR_VARIABLE)
    if chosen:
        out = Path(chosen)
        if not (out / "graph.ttl").is_file():
            raise StoreError(f"{out}: no graph.ttl here; run `kg build CORPUS --out {out}` first")
        return out
    from kg.pipeline import build

    out = Path(tempfile.mkdtemp(prefix="kg-notebook-"))
    build(CORPUS_DIR, out)
    return out


def open_graph(out_dir: Path) -> Any:
    """The graph of a build: its Oxigraph store if there is one, else graph.ttl parsed by rdflib."""
    if (out_dir / STORE_DIR).is_dir():
        return GraphStore.open(out_dir / STORE_DIR, read_only=True)
    return load_graph(out_dir / "graph.ttl")


def query_catalogue() -> pd.DataFrame:
    """The canned SPARQL queries of ontology/queries/ (``kg.queries``): name and one-line summary."""
    from kg.queries import canned_queries

    rows = [{"query": name, "summary": query.summary} for name, query in canned_queries().items()]
    return pd.DataFrame(rows, columns=["query", "summary"])


def to_networkx(graph: Any) -> nx.MultiDiGraph:
    """The entities in the five relations as a networkx multigraph, one edge per fact.

    Args:
        graph: An ``rdflib.Graph`` or ``kg.store.GraphStore``.

    Returns:
        Nodes with ``label``, ``cls`` and ``kind``; edges keyed by relation with ``relation`` and
        ``evidence`` (number of distinct sentences stating the fact).

    Examples:
        >>> from kg.store import open_store
        >>> to_networkx(open_store()).number_of_nodes()
        0
    """
    rank = {cls: i for i, cls in enumerate(_CLASS_ORDER)}
    nodes: dict[str, dict[str, Any]] = {}
    for row in query_rows(graph, _ENTITIES_QUERY):
        node = nodes.setdefault(_compact(row["e"]), {"label": row["label"] or row["e"], "cls": "Thing"})
        cls = row["cls"]
        if cls in rank and rank[cls] < rank.get(node["cls"], len(rank)):
            node["cls"] = cls
    result = nx.MultiDiGraph()
    for node_id in sorted(nodes):
        info = nodes[node_id]
        result.add_node(node_id, label=info["label"], cls=info["cls"], kind=_kind(info["cls"]))
    rows = sorted(query_rows(graph, _FACTS_QUERY), key=lambda r: (r["s"], r["rel"], r["o"]))
    for row in rows:
        s, o = _compact(row["s"]), _compact(row["o"])
        result.add_edge(s, o, key=row["rel"], relation=row["rel"], evidence=int(row["evidence"] or 0))
    return result


def organisation_centrality(network: nx.MultiDiGraph) -> pd.DataFrame:
    """Degree and betweenness of every organisation, most central first.

    Betweenness is computed on the undirected simple graph of all five relations, normalised: the
    share of shortest paths between other entities that pass through the organisation, i.e. how much
    it connects people and places that are otherwise apart.

    Returns:
        Columns ``organisation``, ``class``, ``degree`` (facts it takes part in), ``villages_helped``
        and ``betweenness``; sorted by betweenness, then degree, then name.
    """
    simple = nx.Graph(network.to_undirected())
    betweenness = nx.betweenness_centrality(simple, normalized=True)
    rows = []
    for node, data in network.nodes(data=True):
        if data["kind"] != "organisation":
            continue
        helped = {o for _, o, rel in network.out_edges(node, keys=True) if rel == "assists"}
        rows.append(
            {
                "organisation": data["label"],
                "class": data["cls"],
                "degree": network.degree(node),
                "villages_helped": len(helped),
                "betweenness": round(betweenness.get(node, 0.0), 4),
            }
        )
    frame = pd.DataFrame(rows, columns=["organisation", "class", "degree", "villages_helped", "betweenness"])
    return frame.sort_values(
        ["betweenness", "degree", "organisation"], ascending=[False, False, True], ignore_index=True
    )


def assistance_bipartite(network: nx.MultiDiGraph) -> nx.Graph:
    """Organisations and the places they help, as a bipartite graph.

    An organisation is linked to a place when it ``assists`` it, or when one of its people
    (``worksFor`` or ``heads``) ``servesIn`` it: a first secretary sent to a village links the
    sending body to the village. Edge attribute ``via``: the relations behind the link.

    Returns:
        Nodes with ``bipartite`` 0 (organisations) or 1 (places), plus ``label`` and ``cls``.
    """
    links: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s, o, rel in network.edges(keys=True):
        if (
            rel == "assists"
            and network.nodes[s]["kind"] == "organisation"
            and network.nodes[o]["kind"] == "place"
        ):
            links[(s, o)].add("assists")
    for person, place, rel in network.edges(keys=True):
        if rel != "servesIn":
            continue
        for _, unit, unit_rel in network.out_edges(person, keys=True):
            if unit_rel in ("worksFor", "heads") and network.nodes[unit]["kind"] == "organisation":
                links[(unit, place)].add(f"servesIn via {network.nodes[person]['label']}")
    bipartite = nx.Graph()
    for (org, place), via in sorted(links.items()):
        for node, side in ((org, 0), (place, 1)):
            data = network.nodes[node]
            bipartite.add_node(node, bipartite=side, label=data["label"], cls=data["cls"])
        bipartite.add_edge(org, place, via=sorted(via))
    return bipartite


def project_organisations(bipartite: nx.Graph) -> nx.Graph:
    """Organisations linked when they help a common place; edge ``weight`` = places shared."""
    return _project(bipartite, 0)


def project_places(bipartite: nx.Graph) -> nx.Graph:
    """Places linked when a common organisation helps them; edge ``weight`` = organisations shared."""
    return _project(bipartite, 1)


def _project(bipartite: nx.Graph, side: int) -> nx.Graph:
    """The weighted projection onto one side of ``assistance_bipartite``, node attributes kept."""
    nodes = sorted(n for n, s in bipartite.nodes(data="bipartite") if s == side)
    projected: nx.Graph = nx.bipartite.weighted_projected_graph(bipartite, nodes)
    for node in projected:
        projected.nodes[node].update(bipartite.nodes[node])
    return projected


def communities(network: nx.MultiDiGraph, *, seed: int = 0) -> pd.DataFrame:
    """Louvain communities of the undirected simple graph, largest first, reproducible by ``seed``.

    Returns:
        One row per entity: ``community`` (0 = largest), ``entity``, ``class``, ``kind``.
    """
    simple = nx.Graph(network.to_undirected())
    found = nx.community.louvain_communities(simple, seed=seed)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c))
    rows = [
        {
            "community": i,
            "entity": network.nodes[node]["label"],
            "class": network.nodes[node]["cls"],
            "kind": network.nodes[node]["kind"],
        }
        for i, members in enumerate(ordered)
        for node in members
    ]
    return pd.DataFrame(rows, columns=["community", "entity", "class", "kind"])


def community_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per community: size, people, organisations, places, and its five best-known members by name."""
    grouped = table.groupby("community")
    summary = pd.DataFrame(
        {
            "size": grouped.size(),
            "people": grouped["kind"].apply(lambda k: int((k == "person").sum())),
            "organisations": grouped["kind"].apply(lambda k: int((k == "organisation").sum())),
            "places": grouped["kind"].apply(lambda k: int((k == "place").sum())),
            "members": grouped["entity"].apply(lambda e: "、".join(list(e)[:5])),
        }
    )
    return summary.reset_index()


def admin_tree(network: nx.MultiDiGraph) -> str:
    """The administrative tree (``locatedIn`` between places) as indented text, roots first.

    Examples:
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("c", label="乌审旗", cls="County", kind="place")
        >>> g.add_node("t", label="嘎鲁图镇", cls="Township", kind="place")
        >>> g.add_edge("t", "c", key="locatedIn", relation="locatedIn")
        'locatedIn'
        >>> print(admin_tree(g))
        乌审旗（County）
          嘎鲁图镇（Township）
    """
    children: dict[str, list[str]] = defaultdict(list)
    has_parent: set[str] = set()
    for s, o, rel in network.edges(keys=True):
        if rel == "locatedIn" and network.nodes[s]["kind"] == "place" and network.nodes[o]["kind"] == "place":
            children[o].append(s)
            has_parent.add(s)

    def label(node: str) -> str:
        return str(network.nodes[node]["label"])

    lines: list[str] = []

    def walk(node: str, depth: int, seen: frozenset[str]) -> None:
        lines.append(f"{'  ' * depth}{label(node)}（{network.nodes[node]['cls']}）")
        for child in sorted(children[node], key=label):
            if child not in seen:  # a cycle in the data must not hang the notebook
                walk(child, depth + 1, seen | {child})

    roots = sorted((n for n in children if n not in has_parent), key=label)
    for root in roots:
        walk(root, 0, frozenset({root}))
    return "\n".join(lines)


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese: pick the first installed font of ``CJK_FONTS``.

    Returns:
        The font chosen, or None (with a warning naming a Debian package) if none is installed.
    """
    import matplotlib
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    if not installed.intersection(CJK_FONTS):
        # matplotlib caches the font list on first use: a font installed since is not in it yet.
        for path in font_manager.findSystemFonts():
            if any(key in Path(path).name.lower() for key in ("wqy", "notosanscjk", "notoserifcjk")):
                font_manager.fontManager.addfont(path)
        installed = {font.name for font in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            matplotlib.rcParams["font.sans-serif"] = [name, *matplotlib.rcParams["font.sans-serif"]]
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["axes.unicode_minus"] = False
            return name
    warnings.warn(
        "no font with Chinese glyphs found; labels will show boxes (apt-get install fonts-wqy-microhei)",
        stacklevel=2,
    )
    # Said once here; matplotlib would repeat it for every missing glyph of every label.
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
    return None


def plot_centrality(table: pd.DataFrame, *, top: int = 15, ax: Any = None) -> Any:
    """Horizontal bars of the ``top`` organisations by betweenness, degree as a label; returns the Axes."""
    import matplotlib.pyplot as plt

    use_cjk_font()
    rows = table.head(top).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, max(2.0, 0.35 * len(rows) + 1)))
    bars = ax.barh(rows["organisation"], rows["betweenness"], color="#3182bd")
    ax.bar_label(bars, labels=[f"度 {d}" for d in rows["degree"]], padding=3, fontsize=8)
    ax.set_xlabel("介数中心性（betweenness）")
    ax.set_title("组织的中心性")
    return ax


def plot_bipartite(bipartite: nx.Graph, *, ax: Any = None, seed: int = 0) -> Any:
    """Draw the organisation–place graph: organisations as squares, places as triangles."""
    import matplotlib.pyplot as plt

    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 7))
    positions = nx.spring_layout(bipartite, seed=seed)
    for side, shape, colour in ((0, "s", "#ff7f0e"), (1, "^", "#41ab5d")):
        nodes = [n for n, s in bipartite.nodes(data="bipartite") if s == side]
        nx.draw_networkx_nodes(
            bipartite, positions, nodelist=nodes, node_shape=shape, node_color=colour, node_size=160, ax=ax
        )
    nx.draw_networkx_edges(bipartite, positions, edge_color="#999999", ax=ax)
    nx.draw_networkx_labels(
        bipartite, positions, labels=dict(bipartite.nodes(data="label")), font_size=8, ax=ax
    )
    ax.set_title("组织—地区帮扶网络（方块：组织，三角：地区）")
    ax.set_axis_off()
    return ax


def plot_communities(network: nx.MultiDiGraph, *, seed: int = 0, ax: Any = None) -> Any:
    """Draw the whole network coloured by Louvain community (as ``communities`` finds them)."""
    import matplotlib.pyplot as plt

    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 8))
    simple = nx.Graph(network.to_undirected())
    table = communities(network, seed=seed)
    by_label = dict(zip(table["entity"], table["community"], strict=False))
    colours = [by_label.get(network.nodes[n]["label"], 0) for n in simple]
    positions = nx.spring_layout(simple, seed=seed)
    nx.draw_networkx_nodes(simple, positions, node_color=colours, cmap="tab20", node_size=60, ax=ax)
    nx.draw_networkx_edges(simple, positions, edge_color="#bbbbbb", ax=ax)
    ax.set_title(f"社区划分（Louvain，{table['community'].nunique()} 个社区）")
    ax.set_axis_off()
    return ax


def _kind(cls: str) -> str:
    if cls == "Person":
        return "person"
    if cls in _ORGANISATIONS:
        return "organisation"
    if cls in _PLACES:
        return "place"
    return "other"


def _compact(iri: str) -> str:
    """The prefixed name of an IRI (as ``kg.views`` names nodes), else the IRI."""
    matches = [(len(ns), prefix) for prefix, ns in PREFIXES.items() if iri.startswith(ns)]
    if not matches:
        return iri
    length, prefix = max(matches)
    return f"{prefix}:{iri[length:]}"
