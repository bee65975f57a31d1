"""The HTTP side of the endpoint: SPARQL 1.1 Protocol requests, size limits, read-only refusals, serving."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg.ontology import PREFIXES
from kg.server.page import render_page
from kg.server.pool import DEFAULT_TIMEOUT, MAX_RESULT_BYTES, QueryPool
from kg.store import STORE_DIR, GraphStore

__all__ = ["DEFAULT_PORT", "MAX_QUERY_BYTES", "create_app", "find_store", "serve"]

DEFAULT_PORT = 7878
MAX_QUERY_BYTES = 100_000
LOOPBACK = ("127.0.0.1", "localhost", "::1")

# an update's first keyword, after any prologue and comments
_UPDATE = re.compile(
    r"^(?:\s|#[^\n]*\n)*(?:(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)(?:\s|#[^\n]*\n)*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it passes ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _too_large(limit: int) -> Response:
    return PlainTextResponse(f"the query is larger than the limit of {limit} bytes\n", status_code=413)


def _refused() -> Response:
    return PlainTextResponse(_READ_ONLY + "\n", status_code=403)


async def _sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol query operation: GET ?query=, POST form query=, POST application/sparql-query.

    ``default-graph-uri`` and ``named-graph-uri`` parameters set the dataset, e.g. one document's graph.
    """
    limit: int = request.app.state.max_query_bytes
    if request.method == "GET":
        if len(request.url.query.encode()) > limit * 3:  # percent-encoding triples a UTF-8 query at most
            return _too_large(limit)
        params = {k: request.query_params.getlist(k) for k in request.query_params}
    else:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            return _refused()
        body = await _read_body(request, limit * 3 if media.endswith("urlencoded") else limit)
        if body is None:
            return _too_large(limit)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("the request body is not UTF-8\n", status_code=400)
        if media == "application/x-www-form-urlencoded":
            params = parse_qs(text, keep_blank_values=True)
        elif media == "application/sparql-query":
            params = {"query": [text], **{k: request.query_params.getlist(k) for k in request.query_params}}
        else:
            return PlainTextResponse(
                "send the query as application/sparql-query, or as query=... in "
                "application/x-www-form-urlencoded\n",
                status_code=415,
            )
    if "update" in params:
        return _refused()
    queries = params.get("query", [])
    if len(queries) != 1:
        return PlainTextResponse("give exactly one query parameter\n", status_code=400)
    sparql = queries[0]
    if len(sparql.encode()) > limit:
        return _too_large(limit)
    if _UPDATE.match(sparql):
        return _refused()
    status, content_type, body = await request.app.state.pool.run(
        sparql,
        request.headers.get("accept", ""),
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
    )
    return Response(body, status_code=status, headers={"content-type": content_type, "vary": "Accept"})


async def _page(request: Request) -> Response:
    return HTMLResponse(request.app.state.page)


async def _prefixes(request: Request) -> Response:
    # served apart from the page so that the page itself holds no absolute URL at all
    return JSONResponse(PREFIXES)


def create_app(
    store_dir: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    max_query_bytes: int = MAX_QUERY_BYTES,
    max_result_bytes: int = MAX_RESULT_BYTES,
    allowed_hosts: list[str] | None = None,
) -> Starlette:
    """The ASGI app: ``/`` (query page), ``/sparql`` (endpoint), ``/prefixes`` (JSON); workers start with it.

    Args:
        store_dir: The Oxigraph store of a build (``OUT_DIR/store``).
        timeout: Seconds a query may run; a request may first wait as long for a free worker.
        workers: Worker processes (default: the number of CPUs, at least 4).
        max_query_bytes: Longest query accepted (413 beyond).
        max_result_bytes: Largest serialised result (503 beyond).
        allowed_hosts: Host header values answered (default: any); see ``serve``.
    """
    pool = QueryPool(
        store_dir,
        workers=workers or max(4, os.cpu_count() or 1),
        timeout=timeout,
        max_result_bytes=max_result_bytes,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.open()
        try:
            yield
        finally:
            pool.close()

    routes = [
        Route("/", _page, methods=["GET"]),
        Route("/sparql", _sparql, methods=["GET", "POST"]),
        Route("/prefixes", _prefixes, methods=["GET"]),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)] if allowed_hosts else []
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.pool = pool
    app.state.max_query_bytes = max_query_bytes
    app.state.page = render_page()
    return app


def find_store(out_dir: Path) -> Path:
    """The store directory of a build: ``OUT_DIR/store``, or ``OUT_DIR`` itself when it is a store.

    Raises:
        StoreError: There is no store there, or it cannot be opened.
    """
    store_dir = out_dir / STORE_DIR
    if not store_dir.is_dir() and (out_dir / "CURRENT").is_file():
        store_dir = out_dir
    GraphStore.open(store_dir, read_only=True)  # fail here, in one line, rather than in every worker
    return store_dir


def serve(
    out_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
) -> None:
    """Serve the store of a build until interrupted (Ctrl+C).

    On a loopback address only requests naming a loopback host are answered (DNS-rebinding guard).

    Raises:
        StoreError: The build has no store or it cannot be opened.
    """
    store_dir = find_store(out_dir)
    allowed = ["127.0.0.1", "localhost", "::1", "[::1]"] if host in LOOPBACK else None
    app = create_app(store_dir, timeout=timeout, workers=workers, allowed_hosts=allowed)
    uvicorn.run(
        app,
        host=host,
        port=port,
        http="h11",
        # room for a GET whose percent-encoded query is at the limit, so it gets our 413
        h11_max_incomplete_event_size=MAX_QUERY_BYTES * 3 + 16_384,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
