"""``kg query``: run a SPARQL query (text, .rq file or canned name) on a build and print its result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.cli import graph_option, main
from kg.errors import KGError


@main.command()
@click.argument("query", required=False)
@graph_option("its store/", dest="out_dir", also=", or a Turtle file")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
    default="table",
    show_default=True,
    help="Result format of SELECT and ASK queries (CONSTRUCT and DESCRIBE give Turtle).",
)
@click.option(
    "--max-width",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="For --format table: widest cell, in terminal columns (0: no limit).",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of a canned query (see --list), e.g. --param countyName=巴林右旗; repeatable.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run a canned query on the store even when its result for this build is kept.",
)
@click.option(
    "--list", "list_queries", is_flag=True, help="List the canned queries and their parameters, and exit."
)
def query(
    query: str | None,
    out_dir: Path,
    fmt: str,
    max_width: int,
    params: tuple[str, ...],
    no_cache: bool,
    list_queries: bool,
) -> None:
    """Run QUERY on a build: SPARQL text, a .rq file, or the name of a canned query (see --list).

    A canned query's result is kept for the build's store version, so running it again on the same
    build reads it back (a rebuild, kg add or kg remove starts afresh); --no-cache runs it anyway.

    The prefixes kg:, kgr:, kgp: (person), kgo: (org), kgpl: (place), kgdoc:, kgrole:, kgm:, kga:,
    rdf:, rdfs:, owl:, xsd:, skos:, prov:, org:, schema:, foaf: and dcterms:
    are predeclared. The default graph is the union of all documents plus the derived kg:within;
    GRAPH kgr:doc/... reaches one document.
    """
    from kg.queries import (
        bind_params,
        canned_queries,
        load_query,
        query_text,
        reads_named_graphs,
        zh_hint,
    )
    from kg.queries.kept import cached_query_text
    from kg.store import STORE_DIR, GraphStore, load_graph

    if list_queries:
        canned = canned_queries()
        width = max((len(name) for name in canned), default=0)
        for name, canned_query in canned.items():
            click.echo(f"{name:<{width}}  {canned_query.summary}")
            for param in canned_query.params:
                click.echo(
                    f"{'':<{width}}    --param {param.name}=VALUE  {param.meaning} (default {param.default})"
                )
        return
    if query is None:
        raise click.UsageError("give a QUERY (SPARQL text, a .rq file or a canned name), or --list")
    try:
        sparql = load_query(query)
        if params:
            if query not in canned_queries():
                raise click.UsageError("--param applies to canned queries only (see --list)")
            sparql = bind_params(query, sparql, dict(_split_param(p) for p in params))
        if out_dir.is_file() and reads_named_graphs(sparql):
            click.echo(
                f"warning: the query reads per-document named graphs (GRAPH), which {out_dir.name} does "
                "not hold, so what it would find there is missing; give the build directory to --graph",
                err=True,
            )
        store_dir = out_dir / STORE_DIR
        source: Any = None
        if query in canned_queries() and not no_cache and not out_dir.is_file() and store_dir.is_dir():
            text, empty, _ = cached_query_text(store_dir, sparql, fmt, max_width=max_width)
        else:
            source = load_graph(out_dir) if out_dir.is_file() else GraphStore.open(store_dir, read_only=True)
            text, empty = query_text(source, sparql, fmt, max_width=max_width)
        if empty and source is None:  # the hint runs another query: on the store, never on kept results
            source = GraphStore.open(store_dir, read_only=True)
        hint = zh_hint(source, sparql) if empty else None
    except KGError as exc:
        # one line, whatever the parser's message spans
        raise click.ClickException(" ".join(str(exc).split())) from exc
    # pyoxigraph ends JSON, XML and a CSV/TSV ASK answer without a newline; a terminal wants one
    click.echo(text, nl=not text.endswith("\n"))
    if hint:
        click.echo(hint, err=True)


def _split_param(given: str) -> tuple[str, str]:
    name, sep, value = given.partition("=")
    if not sep or not name:
        raise click.UsageError(f"--param {given!r}: expected NAME=VALUE")
    return name.strip(), value
