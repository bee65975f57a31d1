"""The ``kg view`` command: write the network page of a build, whole or narrowed, to an HTML file."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import graph_option, main
from kg.errors import KGError
from kg.store import STORE_DIR, GraphStore, load_graph, write_atomically
from kg.views import LEVELS, RELATION_STYLES, network_html, render_network
from kg.views.model import date_bounds

GRAPH_FILE = "graph.ttl"
VIEW_FILE = "view.html"


def _relations(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[str] | None:
    """Split ``--relations assists,heads`` (and repeated options) into checked relation names."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if not values:
        return None
    unknown = sorted(set(names) - set(RELATION_STYLES))
    if unknown or not names:
        given = ", ".join(unknown) or "(none given)"
        raise click.BadParameter(f"unknown relation {given}; choose from {', '.join(RELATION_STYLES)}")
    return names


def _iso_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check ``--since``/``--until``: an ISO date of year, month or day precision."""
    if value is None:
        return None
    try:
        date_bounds(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return value.strip()


@main.command()
@graph_option("its store, or graph.ttl", dest="out_dir", file_okay=False)
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"HTML file to write [default: OUT_DIR/{VIEW_FILE}].",
)
@click.option("--focus", default=None, help="Draw the ego network of the entity with this name or alias.")
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Radius of the ego network, in edges (with --focus).",
)
@click.option(
    "--relations",
    multiple=True,
    callback=_relations,
    help=f"Draw only these relations, comma-separated ({', '.join(RELATION_STYLES)}).",
)
@click.option(
    "--level",
    type=click.Choice(list(LEVELS)),
    default=None,
    help="Merge places below this administrative level into their ancestor at it.",
)
@click.option(
    "--since",
    callback=_iso_date,
    default=None,
    help="Draw only facts from documents dated on or after this ISO date (2021, 2021-06, 2021-06-30).",
)
@click.option(
    "--until",
    callback=_iso_date,
    default=None,
    help="Draw only facts from documents dated on or before this ISO date.",
)
@click.option("--title", default=None, help="Page title [default: counts of entities and relations].")
def view(
    out_dir: Path,
    out_file: Path | None,
    focus: str | None,
    depth: int,
    relations: list[str] | None,
    level: str | None,
    since: str | None,
    until: str | None,
    title: str | None,
) -> None:
    """Write an interactive, offline network page of the graph in OUT_DIR.

    The page has a search box (names, aliases, pinyin), filters by class and relation, and a side
    panel with the evidence sentences, documents and posts behind each node and edge.

    \b
    Examples:
      kg view --graph build --focus 乌审旗 --depth 2 --out wushen.html
      kg view --graph build --level county --relations assists,servesIn
      kg view --graph build --since 2022 --until 2023-06
    """
    if depth != 1 and focus is None:
        raise click.UsageError("--depth needs --focus")
    if since and until and date_bounds(since)[0] > date_bounds(until)[1]:
        raise click.UsageError(f"--since {since} is after --until {until}")
    out_file = out_file or out_dir / VIEW_FILE
    try:
        net = render_network(
            _open_graph(out_dir),
            focus=focus,
            depth=depth,
            relations=relations,
            level=level,
            since=since,
            until=until,
        )
        write_atomically(out_file, network_html(net, title=title))
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    except ValueError as exc:  # an unknown relation or level slipped past the option checks
        raise click.UsageError(str(exc)) from exc
    click.echo(f"{len(net.nodes)} entities, {len(net.edges)} relations -> {out_file}")


def _open_graph(out_dir: Path) -> GraphStore | object:
    """The build's Oxigraph store when there is one (fast to query), else its graph.ttl.

    Raises:
        StoreError: Neither is there.
    """
    if (out_dir / STORE_DIR).is_dir():
        return GraphStore.open(out_dir / STORE_DIR, read_only=True)
    return load_graph(out_dir / GRAPH_FILE)
