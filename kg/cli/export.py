"""``kg export``: write a build's graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD, GraphML, GEXF or CSV."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import graph_option, main
from kg.errors import KGError
from kg.export import CSV_FILES, FORMATS


@main.command()
@graph_option("holds graph.ttl and store/")
@click.option(
    "--format",
    "format_",
    type=click.Choice((*FORMATS, "csv")),
    default="turtle",
    show_default=True,
    help="nquads and trig keep one named graph per document; graphml and gexf are for Gephi; "
    "csv writes nodes.csv and edges.csv (UTF-8 with BOM) for spreadsheets.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write [default: standard output]; for csv, the directory for the two files.",
)
def export(graph_dir: Path, format_: str, out_file: Path | None) -> None:
    """Export the graph of a build in another format."""
    from kg.export import export_build
    from kg.store import write_atomically

    if format_ == "csv":
        _export_csv(graph_dir, out_file)
        return
    if out_file is not None and out_file.is_dir():
        raise click.UsageError(f"--out {out_file}: a directory; give a file name")
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


def _export_csv(graph_dir: Path, out_dir: Path | None) -> None:
    from kg.export import export_csv
    from kg.store import write_atomically

    if out_dir is None:
        raise click.UsageError(
            f"--format csv writes two files ({', '.join(CSV_FILES)}): give --out DIRECTORY"
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise click.UsageError(f"--out {out_dir}: a file; --format csv needs a directory")
    try:
        tables = export_csv(graph_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in tables.items():
            write_atomically(out_dir / name, data)
    except OSError as exc:
        raise click.ClickException(f"{out_dir}: cannot write: {exc.strerror or exc}") from exc
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = {name: data.count(b"\r\n") - 1 for name, data in tables.items()}  # the header is no row
    written = ", ".join(f"{out_dir}/{name}" for name in tables)
    click.echo(f"csv: {rows['nodes.csv']} nodes, {rows['edges.csv']} edge rows -> {written}", err=True)
