"""Draw the knowledge graph as an interactive, offline network page: styled, searchable, with evidence.

A subpackage, one job per module, in import order:

- ``styles``: colour, shape and Chinese name of each class and relation;
- ``model``: what a view draws (``ViewGraph``) and how it is narrowed (relations, administrative
  level, document dates, ego network);
- ``read``: fill a ``ViewGraph`` from the graph with SPARQL;
- ``layout``: fixed, reproducible node positions (igraph);
- ``network``: ``render_network`` → a pyvis ``Network`` plus the side panel's data;
- ``page``: ``network_html`` → one standalone HTML page (vis-network inlined, no request leaves it).

Nothing here writes files: the caller decides where the page goes.
"""

from __future__ import annotations

from kg.views.model import ViewGraph, collapse_places, date_bounds, ego_network, find_entities, select_dates
from kg.views.network import (
    MAX_EVIDENCE,
    MAX_PHYSICS_NODES,
    OVERVIEW_NODES,
    OVERVIEW_THRESHOLD,
    KGNetwork,
    network_from_view,
    pinyin,
    render_network,
)
from kg.views.page import NotebookView, external_references, network_html, network_iframe
from kg.views.read import read_view_graph, view_graph_of_facts
from kg.views.styles import CLASS_STYLES, LEVELS, OTHER_STYLE, RELATION_STYLES, ClassStyle, RelationStyle

__all__ = [
    "CLASS_STYLES",
    "LEVELS",
    "MAX_EVIDENCE",
    "MAX_PHYSICS_NODES",
    "OTHER_STYLE",
    "OVERVIEW_NODES",
    "OVERVIEW_THRESHOLD",
    "RELATION_STYLES",
    "ClassStyle",
    "KGNetwork",
    "NotebookView",
    "RelationStyle",
    "ViewGraph",
    "collapse_places",
    "date_bounds",
    "ego_network",
    "external_references",
    "find_entities",
    "network_from_view",
    "network_html",
    "network_iframe",
    "pinyin",
    "read_view_graph",
    "render_network",
    "select_dates",
    "view_graph_of_facts",
]
