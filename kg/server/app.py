"""The HTTP side of the endpoint: SPARQL 1.1 Protocol requests, size and time limits, refusals, serving."""

from __future__ import annotations

import errno
import os
import re
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg.errors import StoreError
from kg.ontology import QUERY_PREFIXES
from kg.server.connection import HEADER_TIMEOUT, GuardedH11Protocol
from kg.server.guard import SecurityHeaders, find_service, query_page_policy
from kg.server.listings import listing_routes
from kg.server.page import STATIC_DIR, render_page
from kg.server.pages import page_routes
from kg.server.pool import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT, MAX_RESULT_BYTES, QueryPool
from kg.server.warmer import Warmer
from kg.store import STORE_DIR, GraphStore

__all__ = ["DEFAULT_PORT", "MAX_QUERY_BYTES", "create_app", "find_store", "serve"]

DEFAULT_PORT = 8377  # not another SPARQL server's (Oxigraph 7878, Fuseki 3030, GraphDB 7200)
MAX_QUERY_BYTES = 100_000
LOOPBACK = ("127.0.0.1", "localhost", "::1")

# an update's first keyword, after any prologue and comments
_UPDATE = re.compile(
    r"^(?:\s|#[^\n]*\n)*(?:(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)(?:\s|#[^\n]*\n)*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"
_NO_SERVICE = (
    "SERVICE is refused: this endpoint never makes outbound requests (SERVICE keyword at character {})"
)
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle keep-alive connection stays open
MAX_CONNECTIONS = 200  # open connections before uvicorn answers 503, so idle ones cannot exhaust descriptors


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it passes ``limit`` bytes (read no further).

    Raises:
        TimeoutError: The body did not arrive within the app's ``body_timeout``.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    with anyio.fail_after(request.app.state.body_timeout):  # a trickled body must not hold the connection
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return None
    return bytes(body)


async def _until_disconnect(request: Request) -> None:
    """Return once the client has hung up (the body, if any, has been read already)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


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
        try:
            body = await _read_body(request, limit * 3 if media.endswith("urlencoded") else limit)
        except TimeoutError:
            seconds = request.app.state.body_timeout
            return PlainTextResponse(
                f"the request body did not arrive within {seconds:g} s\n",
                status_code=408,
                headers={"connection": "close"},
            )
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
    service = find_service(sparql)
    if service is not None:
        return PlainTextResponse(_NO_SERVICE.format(service + 1) + "\n", status_code=400)
    # a client that hangs up stops its query: the watcher sets `stop`, which the pool's waiting
    # thread checks every few milliseconds, and cancels a wait for a worker outright
    stop = threading.Event()
    reply = None
    async with anyio.create_task_group() as watchers:

        async def watch() -> None:
            await _until_disconnect(request)
            stop.set()
            watchers.cancel_scope.cancel()

        watchers.start_soon(watch)
        reply = await request.app.state.pool.run(
            sparql,
            request.headers.get("accept", ""),
            default_graphs=tuple(params.get("default-graph-uri", [])),
            named_graphs=tuple(params.get("named-graph-uri", [])),
            client=request.client.host if request.client else "",
            stop=stop,
        )
        watchers.cancel_scope.cancel()
    if reply is None:  # the client is gone; nobody reads this
        return PlainTextResponse("the client disconnected\n", status_code=499)
    status, content_type, body = reply
    return Response(body, status_code=status, headers={"content-type": content_type, "vary": "Accept"})


async def _page(request: Request) -> Response:
    return HTMLResponse(request.app.state.page)


async def _prefixes(request: Request) -> Response:
    # served apart from the page so that the page itself holds no absolute URL at all
    return JSONResponse(QUERY_PREFIXES)


def create_app(
    store_dir: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    max_query_bytes: int = MAX_QUERY_BYTES,
    max_result_bytes: int = MAX_RESULT_BYTES,
    allowed_hosts: list[str] | None = None,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    body_timeout: float = HEADER_TIMEOUT,
    build_dir: Path | None = None,
    warm: bool = False,
) -> Starlette:
    """The ASGI app: ``/`` (query page), ``/sparql`` (endpoint), ``/prefixes`` (JSON); workers start with it.

    Also the entity and document pages and the network view (``kg.server.pages``).

    Every response carries a Content-Security-Policy, X-Frame-Options, X-Content-Type-Options and
    Referrer-Policy (``kg.server.guard``).

    Args:
        store_dir: The Oxigraph store of a build (``OUT_DIR/store``).
        timeout: Seconds a query may run; a request may first wait as long for a free worker.
        workers: Worker processes (default: the number of CPUs, at least 4).
        max_query_bytes: Longest query accepted (413 beyond).
        max_result_bytes: Largest serialised result (503 beyond).
        allowed_hosts: Host header values answered (default: any); see ``serve``.
        memory_limit: Bytes of RSS a worker may use (503 and a fresh worker beyond; 0: no limit).
        body_timeout: Seconds a request body may take to arrive (408 beyond).
        build_dir: The build (report.json, cache/, graph.html) [default: the store's directory's parent].
        warm: Compute the canned listings of each store version in the background (``kg.server.warmer``).
    """
    pool = QueryPool(
        store_dir,
        workers=workers or max(4, os.cpu_count() or 1),
        timeout=timeout,
        max_result_bytes=max_result_bytes,
        memory_limit=memory_limit,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.open()
        warmer = Warmer(store_dir, memory_limit=memory_limit) if warm else None
        if warmer is not None:
            warmer.start()
        try:
            yield
        finally:
            if warmer is not None:
                warmer.close()
            pool.close()

    routes = [
        Route("/", _page, methods=["GET"]),
        Route("/sparql", _sparql, methods=["GET", "POST"]),
        Route("/prefixes", _prefixes, methods=["GET"]),
        *page_routes(),
        *listing_routes(),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    page = render_page()
    middleware = [Middleware(SecurityHeaders, policies={"/": query_page_policy(page)})]  # first = outermost
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.pool = pool
    app.state.max_query_bytes = max_query_bytes
    app.state.body_timeout = body_timeout
    app.state.page = page
    app.state.build_dir = build_dir if build_dir is not None else store_dir.parent
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


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening, for the server to accept on.

    Raises:
        StoreError: The address is in use or cannot be bound (the message names ``--port``).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise StoreError(f"cannot listen on {host}: {exc.strerror or exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StoreError(
                f"port {port} on {host} is in use by another program; choose another with --port"
            ) from exc
        raise StoreError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; try another --port"
        ) from exc
    return sock


def serve(
    out_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    request_timeout: float = HEADER_TIMEOUT,
    warm: bool = True,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve the store of a build until interrupted (Ctrl+C); ``announce`` gets the URL once bound.

    On a loopback address only requests naming a loopback host are answered (DNS-rebinding guard).
    A request's head and its body each get ``request_timeout`` seconds to arrive (408 beyond), an
    idle keep-alive connection ``KEEP_ALIVE_TIMEOUT``; past ``MAX_CONNECTIONS`` open connections new
    ones get 503. ``warm`` computes the canned listings of each store version in the background.

    Raises:
        StoreError: The build has no store or it cannot be opened.
    """
    store_dir = find_store(out_dir)
    sock = listening_socket(host, port)  # bound first, so a busy port is one line of ours
    if announce is not None:
        bound = sock.getsockname()[1]
        announce(f"http://{'[' + host + ']' if ':' in host else host}:{bound}/")
    allowed = ["127.0.0.1", "localhost", "::1", "[::1]"] if host in LOOPBACK else None
    app = create_app(
        store_dir,
        timeout=timeout,
        workers=workers,
        allowed_hosts=allowed,
        memory_limit=memory_limit,
        body_timeout=request_timeout,
        warm=warm,
    )
    protocol = type("Protocol", (GuardedH11Protocol,), {"header_timeout": request_timeout})
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        limit_concurrency=MAX_CONNECTIONS,
        # room for a GET whose percent-encoded query is at the limit, so it gets our 413
        h11_max_incomplete_event_size=MAX_QUERY_BYTES * 3 + 16_384,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run(sockets=[sock])
