"""Compute fixed node positions for the network view, fast and reproducibly.

igraph's Fruchterman–Reingold (with its grid approximation from 1 000 nodes on) lays out 10 000
nodes in ≈ 1 s and 50 000 in ≈ 5 s, where networkx's ``spring_layout`` needs ≈ 276 s for 10 000; on
small graphs it also keeps disconnected pieces apart, which ``spring_layout`` piles onto each other.
(Importing igraph imports matplotlib.pyplot when that is installed: ≈ 1–2 s, once per process.)
igraph draws its random numbers from a generator we seed for the call and then restore, so equal
graphs get equal positions without touching the caller's ``random`` state. Without igraph the layout
falls back to networkx (which needs scipy from 500 nodes on), and without both to no positions at
all (the browser then lays the graph out itself).
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Sequence

#: Mean distance between neighbouring nodes, in vis-network pixels, when nodes spread evenly.
SPACING = 120.0

#: Fruchterman–Reingold iterations: enough for the grid variant to untangle 50 000 nodes.
ITERATIONS = 300


def layout_positions(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]], *, seed: int = 0
) -> dict[str, tuple[float, float]] | None:
    """Seeded force-directed positions, scaled so that nodes sit about ``SPACING`` pixels apart.

    Args:
        nodes: Node ids; their order fixes the layout, so pass them sorted.
        edges: (from, to) pairs of node ids; direction is ignored.
        seed: Seed of the random initial placement.

    Returns:
        Node id -> (x, y) rounded to 0.1 px, or None (with a warning) when neither igraph nor
        networkx with scipy is installed.

    Examples:
        >>> positions = layout_positions(["a", "b", "c"], [("a", "b"), ("b", "c")])
        >>> sorted(positions) == ["a", "b", "c"], positions == layout_positions(["a", "b", "c"],
        ...     [("a", "b"), ("b", "c")])
        (True, True)
    """
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = [(index[a], index[b]) for a, b in edges if a != b]
    try:
        coords = _igraph_layout(len(nodes), pairs, seed)
    except ImportError:
        try:
            coords = _networkx_layout(len(nodes), pairs, seed)
        except ImportError as exc:  # networkx needs scipy for its sparse solver from 500 nodes on
            warnings.warn(
                f"cannot precompute the layout of {len(nodes)} nodes ({exc}); the browser will lay the "
                "graph out with physics, which is slow for graphs this large; pip install igraph to "
                "avoid this",
                stacklevel=3,
            )
            return None
    return dict(zip(nodes, _scaled(coords), strict=True))


def import_layout_engine() -> None:
    """Import igraph ahead of use.

    The import takes about a second (igraph loads matplotlib); a parallel build spends it while its
    workers run instead of after them.
    """
    try:
        import igraph  # type: ignore[import-untyped, unused-ignore]  # noqa: F401
    except ImportError:
        pass


def _igraph_layout(count: int, pairs: list[tuple[int, int]], seed: int) -> list[tuple[float, float]]:
    import igraph  # type: ignore[import-untyped, unused-ignore]

    graph = igraph.Graph(n=count, edges=pairs)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        layout = graph.layout_fruchterman_reingold(niter=ITERATIONS, grid=count > 1000)
    finally:
        igraph.set_random_number_generator(random)
    return [(float(x), float(y)) for x, y in layout.coords]


def _networkx_layout(count: int, pairs: list[tuple[int, int]], seed: int) -> list[tuple[float, float]]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(count))
    graph.add_edges_from(pairs)
    layout = nx.spring_layout(graph, seed=seed)
    return [(float(layout[i][0]), float(layout[i][1])) for i in range(count)]


def _scaled(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Centre the layout and stretch it to a square of side ``SPACING * sqrt(n)``."""
    xs = [x for x, _ in coords]
    ys = [y for _, y in coords]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    factor = SPACING * math.sqrt(len(coords)) / extent
    return [(round((x - cx) * factor, 1), round((y - cy) * factor, 1)) for x, y in coords]
