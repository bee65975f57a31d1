"""Plots of the networks and tables for the notebooks; matplotlib is imported only when one is drawn."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd  # type: ignore[import-untyped, unused-ignore]

from kg.analysis.networks import communities

#: Fonts with Chinese glyphs, tried in order for matplotlib's labels.
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC")


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
