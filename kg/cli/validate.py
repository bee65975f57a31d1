"""``kg validate``: check a build's graph against the SHACL shapes; exit 1 when it does not conform."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli import graph_option, main
from kg.errors import KGError


@main.command()
@graph_option("holds graph.ttl")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--full", is_flag=True, help="Validate with pyshacl, the reference engine, instead of the faster pyrudof."
)
@click.pass_context
def validate(ctx: click.Context, graph_dir: Path, as_json: bool, full: bool) -> None:
    """Check OUT_DIR/graph.ttl against ontology/shapes.ttl; exit status 1 when it does not conform."""
    from kg.store import load_graph
    from kg.validate import format_report, validate_graph

    try:
        report = validate_graph(load_graph(graph_dir / "graph.ttl"), engine="pyshacl" if full else "rudof")
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report))
    if not report.conforms:
        ctx.exit(1)
