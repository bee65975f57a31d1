"""Send a build's graphs to an external SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol.

Each per-document named graph of the build's store (``kgr:doc/<file>``) is sent with
``PUT <endpoint>?graph=<IRI>`` and an N-Triples body, so the server holds the same graph names as the
local store and a second push replaces rather than duplicates (PUT is idempotent). Optionally the
default graph (the deduplicated union) goes with ``PUT <endpoint>?default``.

``endpoint`` is the server's Graph Store endpoint, not its query endpoint: ``http://host:7878/store``
for Oxigraph, ``http://host:3030/DATASET/data`` for Fuseki, ``http://host:7200/repositories/REPO/rdf-graphs/service``
for GraphDB. Named graphs of documents that are no longer in the build are left on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from kg.errors import StoreError
from kg.store import STORE_DIR, GraphStore

__all__ = ["DEFAULT_GRAPH", "PushedGraph", "push_build", "put_graph"]

#: Name used in results for the default graph, which has no IRI.
DEFAULT_GRAPH = "default"

N_TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class PushedGraph:
    """One graph sent: its IRI (or ``"default"``), how many triples, and the server's HTTP status."""

    graph: str
    triples: int
    status: int


def put_graph(client: httpx.Client, endpoint: str, graph: str, body: bytes) -> PushedGraph:
    """Replace one graph on the server with the N-Triples ``body``.

    Args:
        client: The HTTP client to send with.
        endpoint: The server's Graph Store Protocol endpoint.
        graph: IRI of the named graph, or ``DEFAULT_GRAPH`` for the default graph.
        body: The graph as N-Triples, one triple per line.

    Returns:
        What was sent and the status the server answered (201 Created or 204 No Content, usually).

    Raises:
        StoreError: The server cannot be reached or answers with an HTTP error.
    """
    params = {"default": ""} if graph == DEFAULT_GRAPH else {"graph": graph}
    try:
        response = client.put(endpoint, params=params, content=body, headers={"Content-Type": N_TRIPLES})
    except httpx.HTTPError as exc:
        raise StoreError(
            f"{endpoint}: cannot reach the SPARQL server ({exc.__class__.__name__}: {exc}); "
            "is it running, and is the URL right?"
        ) from exc
    if response.is_error:
        detail = response.text.strip().replace("\n", " ")[:300]
        raise StoreError(
            f"PUT {response.request.url} failed: HTTP {response.status_code} {response.reason_phrase}"
            + (f": {detail}" if detail else "")
            + "; the endpoint must accept SPARQL 1.1 Graph Store Protocol writes "
            "(Oxigraph: http://HOST:7878/store, Fuseki: http://HOST:3030/DATASET/data)"
        )
    triples = sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    return PushedGraph(graph, triples, response.status_code)


def push_build(
    out_dir: Path,
    endpoint: str,
    *,
    default: bool = False,
    timeout: float = 60.0,
    progress: Callable[[PushedGraph], None] | None = None,
    client: httpx.Client | None = None,
) -> list[PushedGraph]:
    """PUT every per-document named graph of the build in ``out_dir`` to a Graph Store endpoint.

    Args:
        out_dir: Output directory of ``kg build`` (holds store/).
        endpoint: The server's Graph Store Protocol endpoint, e.g. ``http://localhost:7878/store``.
        default: Also replace the server's default graph with the build's (the union of the documents
            and the derived triples).
        timeout: Seconds to wait for each request.
        progress: Called after each graph is sent.
        client: HTTP client to use (for authentication, proxies or tests); a new one by default.

    Returns:
        One record per graph sent, named graphs in IRI order, then the default graph if asked for.

    Raises:
        StoreError: There is no store in ``out_dir``, or a request fails; graphs sent before the
            failure stay on the server.
    """
    store = GraphStore.open(out_dir / STORE_DIR, read_only=True)
    try:
        bodies = [(name, store.dump("ntriples", graph=name)) for name in store.graph_names()]
        if default:
            bodies.append((DEFAULT_GRAPH, store.dump("ntriples")))
    finally:
        del store  # release the store before the network round trips
    if not bodies:
        raise StoreError(f"{out_dir}: the store has no named graphs to push; run `kg build` first")
    own_client = client is None
    http = httpx.Client(timeout=timeout) if client is None else client
    pushed = []
    try:
        for name, body in bodies:
            result = put_graph(http, endpoint, name, body)
            pushed.append(result)
            if progress is not None:
                progress(result)
    finally:
        if own_client:
            http.close()
    return pushed
