"""``kg serve``: a read-only SPARQL 1.1 endpoint and query page over a build's store."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import graph_option, main
from kg.errors import KGError

# kg.server.app.DEFAULT_PORT, not imported: the server's modules are slow to import for other commands
DEFAULT_PORT = 8377


@main.command()
@graph_option("holds store/", dest="out_dir")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds a query may run before it is stopped (503).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Query worker processes [default: CPUs, at least 4].",
)
@click.option(
    "--memory-limit",
    type=click.IntRange(min=0),
    default=1024,
    show_default=True,
    help="MiB of memory a query worker may use before its query is stopped (503); 0 for no limit.",
)
@click.option(
    "--request-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a request's head, and then its body, may take to arrive (408).",
)
@click.option(
    "--warm/--no-warm",
    default=True,
    show_default=True,
    help="Compute the canned queries' listings (/query/NAME) of each new build in the background.",
)
def serve(
    out_dir: Path,
    host: str,
    port: int,
    timeout: float,
    workers: int | None,
    memory_limit: int,
    request_timeout: float,
    warm: bool,
) -> None:
    """Serve the store of OUT_DIR at http://HOST:PORT/sparql (SPARQL 1.1 Protocol, read-only).

    GET ?query=, POST query= (form) or POST application/sparql-query; results as SPARQL JSON, XML, CSV
    or TSV by the Accept header, graphs as Turtle or N-Triples. Open http://HOST:PORT/ for a query page,
    /query/NAME for a canned query's rows a page at a time, /view for the network view.
    Queries with SERVICE are refused (the endpoint makes no outbound requests); a query whose client
    hangs up is stopped, and one client may use all query workers but one. Stop with Ctrl+C.
    """
    from kg.server import serve as run_server

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: anyone who can reach it can query the graph", err=True)
    try:
        run_server(
            out_dir,
            host=host,
            port=port,
            timeout=timeout,
            workers=workers,
            memory_limit=memory_limit * 2**20,
            request_timeout=request_timeout,
            warm=warm,
            announce=lambda url: click.echo(
                f"kg serve: query page {url}, endpoint {url}sparql, network view {url}view (Ctrl+C stops)"
            ),
        )
    except KGError as exc:
        raise click.ClickException(" ".join(str(exc).split())) from exc
