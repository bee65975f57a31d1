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

#: The repository root, against which a relative build directory is also looked for.
ROOT_DIR = Path(__file__).resolve().parents[1]

#: The project's corpus, built when no build directory is given.
CORPUS_DIR = ROOT_DIR / "corpus"

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

    A relative path is taken from the current directory, else from the repository root, so
    ``KG_BUILD_DIR=build`` works for a kernel started in notebooks/ as from the root.

    The fallback builds the project corpus into a temporary directory (≈ 5 s plus model loading), so
    a notebook runs as is on a fresh checkout.

    Raises:
        StoreError: The directory given holds no graph.ttl.
    """
    from kg.errors import StoreError

    chosen = path or os.environ.get(BUILD_DIR_VARIABLE)
    if chosen:
        out = Path(chosen)
        # the README says KG_BUILD_DIR=build from the repository root, but a notebook's kernel starts
        # in notebooks/: a relative path not found from there is taken from the repository root
        if (
            not out.is_absolute()
            and not (out / "graph.ttl").is_file()
            and (ROOT_DIR / out / "graph.ttl").is_file()
        ):
            out = ROOT_DIR / out
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


def query_table(graph: Any, name: str, /, **params: str) -> pd.DataFrame:
    """A canned query's results as a table, IRIs shortened to prefixed names (``kg:County``) as in the CLI.

    ``params`` are the query's parameters (``query_table(graph, "person-posts", name="董晶")``).
    """
    from kg.queries import run_canned

    frame = run_canned(graph, name, **params).to_dataframe()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, str) and v.startswith("http")).any():
            frame[column] = frame[column].map(lambda v: _compact(v) if isinstance(v, str) else v)
    return frame


_DATED_FACTS_QUERY = """
SELECT ?date ?rel (COUNT(DISTINCT ?a) AS ?facts) WHERE {
    VALUES ?p { kg:assists kg:servesIn }
    ?a a kg:Assertion ; rdf:predicate ?p ; prov:wasDerivedFrom ?doc .
    ?doc a kg:Document ; dcterms:date ?date .
    BIND(STRAFTER(STR(?p), "#") AS ?rel)
} GROUP BY ?date ?rel"""


def assistance_by_year(graph: Any) -> pd.DataFrame:
    """Evidence of assistance per year of the documents' dates (``dcterms:date``).

    Counts the evidence sentences of ``kg:assists`` (a body helps a place) and ``kg:servesIn`` (a
    person stationed in a village) in documents of each year; undated documents are left out.

    Returns:
        Columns ``year``, ``assists``, ``servesIn``; one row per year with a dated document, sorted.
    """
    rows = query_rows(graph, _DATED_FACTS_QUERY)
    frame = pd.DataFrame(
        [{"year": str(r["date"])[:4], "relation": r["rel"], "facts": int(r["facts"])} for r in rows],
        columns=["year", "relation", "facts"],
    )
    table = frame.pivot_table(index="year", columns="relation", values="facts", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=["assists", "servesIn"], fill_value=0).reset_index()
    table.columns.name = None
    return table.sort_values("year", ignore_index=True)


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
    """Bars of the ``top`` organisations by facts they take part in, villages helped and betweenness noted.

    Degree, not betweenness, sets the bars: on a corpus of separate local stories most organisations
    lie on no path between others, and a betweenness plot would be nearly all zeros.
    """
    import matplotlib.pyplot as plt

    use_cjk_font()
    ranked = table.sort_values(
        ["degree", "villages_helped", "betweenness", "organisation"],
        ascending=[False, False, False, True],
        ignore_index=True,
    )
    rows = ranked.head(top).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, max(2.0, 0.38 * len(rows) + 1.2)))
    bars = ax.barh(rows["organisation"], rows["degree"], color="#3182bd", label="事实数（度）")
    notes = [
        f"帮扶 {v} 个地区" + (f"，介数 {b:.2g}" if b else "")
        for v, b in zip(rows["villages_helped"], rows["betweenness"], strict=True)
    ]
    ax.bar_label(bars, labels=notes, padding=3, fontsize=8)
    ax.set_xlabel("参与的事实数（度）")
    ax.set_xlim(0, rows["degree"].max() * 1.6 if len(rows) else 1)  # room for the notes
    ax.set_title(f"参与事实最多的 {len(rows)} 个组织")
    ax.legend(loc="lower right")
    return ax


def plot_bipartite(bipartite: nx.Graph, *, ax: Any = None, seed: int = 0) -> Any:
    """Draw the organisation–place graph: organisations as squares, places as triangles, names beside.

    Labels sit beside their marker with a white backing, so no marker hides a name.
    """
    import matplotlib.pyplot as plt

    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 9))
    # spread out: k above the default 1/sqrt(n) keeps the small components apart
    positions = nx.spring_layout(bipartite, seed=seed, k=2.5 / max(1, bipartite.number_of_nodes()) ** 0.5)
    for side, shape, colour, name in ((0, "s", "#ff7f0e", "组织"), (1, "^", "#41ab5d", "地区")):
        nodes = [n for n, s in bipartite.nodes(data="bipartite") if s == side]
        drawn = nx.draw_networkx_nodes(
            bipartite, positions, nodelist=nodes, node_shape=shape, node_color=colour, node_size=120, ax=ax
        )
        drawn.set_label(name)
    nx.draw_networkx_edges(bipartite, positions, edge_color="#999999", ax=ax)
    shifted = {n: (x, y + 0.035) for n, (x, y) in positions.items()}
    nx.draw_networkx_labels(
        bipartite,
        shifted,
        labels=dict(bipartite.nodes(data="label")),
        font_size=7,
        verticalalignment="bottom",
        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        ax=ax,
    )
    ax.set_title("组织—地区帮扶网络")
    ax.legend(loc="upper left", scatterpoints=1)
    ax.set_axis_off()
    return ax


def plot_communities(network: nx.MultiDiGraph, *, seed: int = 0, top: int = 8, ax: Any = None) -> Any:
    """Draw the network coloured by Louvain community, the ``top`` largest named in the legend.

    Each of the largest communities is named by its best-connected member; the small rest are grey.
    """
    import matplotlib.pyplot as plt

    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 9))
    simple = nx.Graph(network.to_undirected())
    table = communities(network, seed=seed)
    by_label = dict(zip(table["entity"], table["community"], strict=False))
    sizes = table["community"].value_counts()
    largest = [int(c) for c in sizes.index[:top]]
    positions = nx.spring_layout(simple, seed=seed, k=2.5 / max(1, simple.number_of_nodes()) ** 0.5)
    community_of = {n: by_label.get(simple.nodes[n]["label"], -1) for n in simple}
    palette = plt.get_cmap("tab10")
    rest = [n for n in simple if community_of[n] not in largest]
    nx.draw_networkx_nodes(simple, positions, nodelist=rest, node_color="#cccccc", node_size=30, ax=ax)
    nx.draw_networkx_edges(simple, positions, edge_color="#bbbbbb", ax=ax)
    for number, community in enumerate(largest):
        members = [n for n in simple if community_of[n] == community]
        hub = max(members, key=lambda n: (simple.degree(n), simple.nodes[n]["label"]))
        name = simple.nodes[hub]["label"]
        drawn = nx.draw_networkx_nodes(
            simple, positions, nodelist=members, node_color=[palette(number % 10)], node_size=60, ax=ax
        )
        drawn.set_label(f"{name} 等 {len(members)} 个")
        ax.annotate(name, positions[hub], xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.legend(title="最大的社区（以连接最多的成员命名）", loc="upper left", fontsize=8, title_fontsize=8)
    ax.set_title(
        f"社区划分（Louvain，共 {len(sizes)} 个社区，灰色为其余 {max(0, len(sizes) - top)} 个小社区）"
    )
    ax.set_axis_off()
    return ax


def plot_assistance_over_time(table: pd.DataFrame, *, ax: Any = None) -> Any:
    """Grouped bars of ``assistance_by_year``: evidence of assists and of stationed people per year."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    positions = list(range(len(table)))
    width = 0.4
    for shift, column, colour, name in (
        (-width / 2, "assists", "#3182bd", "帮扶（kg:assists）"),
        (width / 2, "servesIn", "#e6550d", "驻村（kg:servesIn）"),
    ):
        bars = ax.bar([p + shift for p in positions], table[column], width, color=colour, label=name)
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(positions, table["year"])
    ax.set_xlabel("文档日期（年，dcterms:date）")
    ax.set_ylabel("证据句数")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("帮扶随时间的变化")
    ax.legend()
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
