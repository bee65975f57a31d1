"""``kg push``: send a build's per-document named graphs to a SPARQL server (Graph Store Protocol PUT)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import graph_option, main
from kg.errors import KGError


@main.command()
@click.option(
    "--endpoint",
    required=True,
    help="Graph Store Protocol endpoint, e.g. http://localhost:7878/store (Oxigraph).",
)
@graph_option("holds store/")
@click.option("--default", "with_default", is_flag=True, help="Also replace the server's default graph.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for each request.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
def push(endpoint: str, graph_dir: Path, with_default: bool, timeout: float, quiet: bool) -> None:
    """PUT each document's named graph of a build to a SPARQL server, replacing what it held."""
    from kg.push import DEFAULT_GRAPH, PushedGraph, push_build

    def show(result: PushedGraph) -> None:
        if not quiet:
            name = "default graph" if result.graph == DEFAULT_GRAPH else f"<{result.graph}>"
            click.echo(f"PUT {name}: {result.triples} triples (HTTP {result.status})")

    try:
        pushed = push_build(graph_dir, endpoint, default=with_default, timeout=timeout, progress=show)
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    named = [p for p in pushed if p.graph != DEFAULT_GRAPH]
    summary = f"pushed {len(named)} named graphs ({sum(p.triples for p in named)} triples)"
    if with_default:
        summary += f" and the default graph ({pushed[-1].triples} triples)"
    click.echo(f"{summary} to {endpoint}")
