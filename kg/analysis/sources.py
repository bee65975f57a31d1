"""Find the build the notebooks analyse and read tables from it: canned queries, assistance by year."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped, unused-ignore]

from kg.ontology import PREFIXES
from kg.store import STORE_DIR, GraphStore, load_graph, query_rows

#: Environment variable naming the build directory the notebooks analyse.
BUILD_DIR_VARIABLE = "KG_BUILD_DIR"

#: The repository root, against which a relative build directory is also looked for.
ROOT_DIR = Path(__file__).resolve().parents[2]

#: The project's corpus, built when no build directory is given.
CORPUS_DIR = ROOT_DIR / "corpus"


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
            frame[column] = frame[column].map(lambda v: compact_iri(v) if isinstance(v, str) else v)
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


def compact_iri(iri: str) -> str:
    """The prefixed name of an IRI (as ``kg.views`` names nodes), else the IRI."""
    matches = [(len(ns), prefix) for prefix, ns in PREFIXES.items() if iri.startswith(ns)]
    if not matches:
        return iri
    length, prefix = max(matches)
    return f"{prefix}:{iri[length:]}"
