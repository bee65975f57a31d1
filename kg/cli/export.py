"""``kg export``: write a build's graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD, GraphML or GEXF."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import graph_option, main
from kg.errors import KGError
from kg.export import FORMATS


@main.command()
@graph_option("holds graph.ttl and store/")
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="turtle",
    show_default=True,
    help="nquads and trig keep one named graph per document; graphml and gexf are for Gephi.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [default: standard output].",
)
def export(graph_dir: Path, format_: str, out_file: Path | None) -> None:
    """Export the graph of a build in another format."""
    from kg.export import export_build
    from kg.store import write_atomically

    try:
        data = export_build(graph_dir, format_)
        if out_file is not None:
            write_atomically(out_file, data)
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    if out_file is None:
        click.echo(data, nl=False)  # bytes go to the binary stream unchanged
    else:
        click.echo(f"{format_}: {len(data)} bytes -> {out_file}", err=True)
