"""Analyse the graph as a network for the notebooks: networkx graphs, centrality, projections, communities.

The build and its tables (``kg.analysis.sources``), the networks (``kg.analysis.networks``) and their
plots (``kg.analysis.plots``).

The notebooks in notebooks/ only call these functions, so their logic is typed, documented and tested
here (tests/test_notebooks.py runs them end to end). The module reads the graph through SPARQL
(``kg.store.query_rows``) and never imports rdflib; matplotlib is imported only by the plotting
functions, and pyvis not at all (inline views come from ``kg.views``).

Node ids are the entities' prefixed names (``kgr:place/木都柴达木村``), as in ``kg.views``; every node
carries ``label``, ``cls`` (its most specific class) and ``kind`` (person, organisation, place).
"""

from __future__ import annotations

from kg.analysis.networks import (
    admin_tree,
    assistance_bipartite,
    communities,
    community_summary,
    organisation_centrality,
    project_organisations,
    project_places,
    to_networkx,
)
from kg.analysis.plots import (
    CJK_FONTS,
    plot_assistance_over_time,
    plot_bipartite,
    plot_centrality,
    plot_communities,
    use_cjk_font,
)
from kg.analysis.sources import (
    BUILD_DIR_VARIABLE,
    CORPUS_DIR,
    ROOT_DIR,
    assistance_by_year,
    build_dir,
    open_graph,
    query_catalogue,
    query_table,
)

__all__ = [
    "BUILD_DIR_VARIABLE",
    "CJK_FONTS",
    "CORPUS_DIR",
    "ROOT_DIR",
    "admin_tree",
    "assistance_bipartite",
    "assistance_by_year",
    "build_dir",
    "communities",
    "community_summary",
    "open_graph",
    "organisation_centrality",
    "plot_assistance_over_time",
    "plot_bipartite",
    "plot_centrality",
    "plot_communities",
    "project_organisations",
    "project_places",
    "query_catalogue",
    "query_table",
    "to_networkx",
    "use_cjk_font",
]
