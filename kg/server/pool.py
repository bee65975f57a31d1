"""Run queries in worker processes, each with a read-only store, and kill those that pass the time limit.

See the package docstring for why processes: pyoxigraph can neither time out nor be interrupted.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import signal
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pyoxigraph as ox

from kg.errors import KGError, QueryError, StoreError
from kg.ontology import PREFIXES
from kg.queries import format_boolean, iter_rows
from kg.store import GraphStore

__all__ = [
    "DEFAULT_TIMEOUT",
    "GRAPH_TYPES",
    "MAX_RESULT_BYTES",
    "RESULT_TYPES",
    "QueryPool",
    "QueryRequest",
    "StoreHandle",
    "answer",
    "negotiate",
]

DEFAULT_TIMEOUT = 30.0
MAX_RESULT_BYTES = 64 * 2**20
STARTUP_TIMEOUT = 60.0

#: Media types for SELECT/ASK results and for CONSTRUCT/DESCRIBE graphs, preferred first.
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}

Reply = tuple[int, str, bytes]  # status, content type, body


@dataclass(frozen=True)
class QueryRequest:
    """One query as a worker receives it: text, Accept header, result size limit, protocol dataset."""

    sparql: str
    accept: str = ""
    max_bytes: int = MAX_RESULT_BYTES
    default_graphs: tuple[str, ...] = ()  # the protocol's default-graph-uri parameters
    named_graphs: tuple[str, ...] = ()  # the protocol's named-graph-uri parameters


def negotiate(accept: str, offered: dict[str, Any]) -> str | None:
    """The offered media type the Accept header prefers (first offered for ``*/*`` or no header).

    Examples:
        >>> negotiate("text/csv;q=0.5, text/tab-separated-values", RESULT_TYPES)
        'text/tab-separated-values'
        >>> negotiate("", RESULT_TYPES)
        'application/sparql-results+json'
        >>> negotiate("image/png", RESULT_TYPES) is None
        True
    """
    if not accept.strip():
        return next(iter(offered))
    ranges = []
    for i, part in enumerate(accept.split(",")):
        kind, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if kind and q > 0:
            ranges.append((-q, i, kind.lower()))
    for _, _, kind in sorted(ranges):
        for media in offered:
            main = media.split("/")[0]
            if kind in (media, "*/*", f"{main}/*"):
                return media
    return None


def _text(status: int, message: str) -> Reply:
    return status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode()


def answer(store: GraphStore, request: QueryRequest) -> Reply:
    """Run one query on the store and serialise its result for the Accept header (runs in a worker)."""
    accept, max_bytes = request.accept, request.max_bytes
    try:
        raw = _execute(store, request)
        if isinstance(raw, ox.QueryBoolean):
            media = negotiate(accept, RESULT_TYPES)
            if media is None:
                return _text(406, f"ASK results come as {', '.join(RESULT_TYPES)}")
            return 200, _content_type(media), format_boolean(bool(raw), RESULT_TYPES[media]).encode()
        if isinstance(raw, ox.QuerySolutions):
            media = negotiate(accept, RESULT_TYPES)
            if media is None:
                return _text(406, f"SELECT results come as {', '.join(RESULT_TYPES)}")
            variables = [v.value for v in raw.variables]
            chunks: Iterator[bytes] = (
                c.encode() for c in iter_rows(variables, (tuple(s) for s in raw), RESULT_TYPES[media])
            )
        else:
            media = negotiate(accept, GRAPH_TYPES)
            if media is None:
                return _text(406, f"CONSTRUCT and DESCRIBE results come as {', '.join(GRAPH_TYPES)}")
            chunks = _graph_chunks(raw, GRAPH_TYPES[media])
        body: list[bytes] = []
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                return _text(503, f"the result is larger than the limit of {max_bytes:,} bytes; add a LIMIT")
            body.append(chunk)
        return 200, _content_type(media), b"".join(body)
    except KGError as exc:
        return _text(400, str(exc))
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors surface while iterating
        return _text(500, f"SPARQL query failed: {exc}")


def _execute(store: GraphStore, request: QueryRequest) -> Any:
    if not request.default_graphs and not request.named_graphs:
        return store.query(request.sparql)
    # a dataset given in the request replaces the query's FROM / FROM NAMED (SPARQL 1.1 Protocol 2.1.4)
    try:
        dataset: dict[str, Any] = {}
        if request.default_graphs:
            dataset["default_graph"] = [ox.NamedNode(iri) for iri in request.default_graphs]
        if request.named_graphs:
            dataset["named_graphs"] = [ox.NamedNode(iri) for iri in request.named_graphs]
    except ValueError as exc:
        raise QueryError(f"invalid graph IRI in default-graph-uri or named-graph-uri: {exc}") from exc
    try:
        return store.inner.query(request.sparql, prefixes=dict(PREFIXES), **dataset)
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL query: {exc}") from exc


def _graph_chunks(triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> Iterator[bytes]:
    # serialised 10 000 triples at a time so the size limit can stop a huge CONSTRUCT early;
    # repeating @prefix lines between chunks is valid Turtle
    prefixes = dict(PREFIXES) if rdf_format == ox.RdfFormat.TURTLE else None
    iterator = iter(triples)
    while batch := list(itertools.islice(iterator, 10_000)):
        yield ox.serialize(batch, format=rdf_format, prefixes=prefixes) or b""


def _content_type(media: str) -> str:
    return media if media == "application/n-triples" else f"{media}; charset=utf-8"


class StoreHandle:
    """A read-only store that follows rebuilds, reopening whenever the ``store`` link points elsewhere.

    ``kg build`` writes a new store version and swaps the link to it. Opening the resolved version,
    not the link, keeps a worker on one consistent version between checks; a check is one
    ``readlink`` per query.
    """

    def __init__(self, store_dir: Path) -> None:
        self.link = store_dir
        self.version = store_dir.resolve()
        self.store = GraphStore.open(self.version, read_only=True)

    def current(self) -> GraphStore:
        """The store of the version the link points to now (the one already open when unchanged)."""
        version = self.link.resolve()
        if version != self.version:
            try:
                self.store, self.version = GraphStore.open(version, read_only=True), version
            except KGError:  # caught mid-swap or being deleted: keep the version we have
                pass
        return self.store


def _worker_main(conn: Connection, store_dir: str) -> None:
    """Body of a worker process: open the store read-only, then answer requests until the pipe closes."""
    # Ctrl+C reaches the whole process group; the server stops its workers itself, quietly
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        handle = StoreHandle(Path(store_dir))
    except KGError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(handle.current(), request))


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, store_dir: Path) -> None:
        # spawn, not fork: the server process has threads, and forking them is unsafe
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, str(store_dir)), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        """Wait for the worker's store to open; False when it is not ready in time.

        Raises:
            StoreError: The worker could not open the store.
        """
        if not self.ready:
            if not self.conn.poll(max(timeout, 0.0)):
                return False
            status, message = self.conn.recv()
            if status != "ready":
                raise StoreError(message)
            self.ready = True
        return True

    def ask(self, request: QueryRequest, timeout: float) -> Reply | None:
        """Send a request and wait ``timeout`` seconds for the reply; None past it.

        A fresh worker's start-up does not count against the time limit: on a loaded machine it can
        take longer than a short limit, and counting it would kill every replacement in turn.

        Raises:
            StoreError: The worker could not start.
        """
        if not self.wait_ready(STARTUP_TIMEOUT):
            raise StoreError(f"a query worker did not start within {STARTUP_TIMEOUT:g} s")
        self.conn.send(request)
        if not self.conn.poll(timeout):
            return None
        reply: Reply = self.conn.recv()
        return reply

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class QueryPool:
    """Worker processes answering queries under a time limit; a worker that overruns is killed.

    Idle workers sit in a list guarded by a semaphore counting them. A worker goes back to the pool
    from the thread that used it (``call_soon_threadsafe``), never from the request's task, so a
    cancelled request (a client hanging up) cannot lose a worker.
    """

    def __init__(
        self,
        store_dir: Path,
        *,
        workers: int,
        timeout: float,
        queue_timeout: float | None = None,
        max_result_bytes: int = MAX_RESULT_BYTES,
    ) -> None:
        self.store_dir = store_dir
        self.size = workers
        self.timeout = timeout
        self.queue_timeout = timeout if queue_timeout is None else queue_timeout
        self.max_result_bytes = max_result_bytes
        self._all: list[_Worker] = []
        self._idle: list[_Worker] = []
        self._free: anyio.Semaphore | None = None
        self._lock = threading.Lock()
        self._closed = False

    async def open(self) -> None:
        """Start the workers and wait until each has opened the store.

        Raises:
            StoreError: A worker cannot open the store.
        """
        await anyio.to_thread.run_sync(self._start_workers)
        self._idle = list(self._all)
        self._free = anyio.Semaphore(len(self._idle))

    def _start_workers(self) -> None:
        self._all = [_Worker(self.store_dir) for _ in range(self.size)]
        for worker in self._all:
            if not worker.wait_ready(STARTUP_TIMEOUT):
                raise StoreError(
                    f"{self.store_dir}: a query worker did not start within {STARTUP_TIMEOUT:g} s"
                )

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for worker in workers:
            worker.kill()

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        with self._lock:
            if self._closed:  # shutting down: no new workers
                return worker
            fresh = _Worker(self.store_dir)
            self._all = [fresh if w is worker else w for w in self._all]
        return fresh

    def _release(self, worker: _Worker) -> None:
        assert self._free is not None
        self._idle.append(worker)
        self._free.release()

    async def run(
        self,
        sparql: str,
        accept: str,
        *,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
    ) -> Reply:
        """Answer one query: wait up to ``queue_timeout`` for a worker, then ``timeout`` for the answer."""
        assert self._free is not None, "await QueryPool.open() first"
        try:
            with anyio.fail_after(self.queue_timeout):
                await self._free.acquire()
        except TimeoutError:
            return _text(
                503,
                f"the server is busy: all {self.size} query workers stayed busy for {self.queue_timeout:g} s",
            )
        worker = self._idle.pop()
        loop = asyncio.get_running_loop()
        request = QueryRequest(sparql, accept, self.max_result_bytes, default_graphs, named_graphs)
        return await anyio.to_thread.run_sync(self._use, worker, request, loop)

    def _use(self, worker: _Worker, request: QueryRequest, loop: asyncio.AbstractEventLoop) -> Reply:
        reply: Reply | None
        try:
            reply = worker.ask(request, self.timeout)
            if reply is None:
                worker = self._replace(worker)
                reply = _text(
                    503,
                    f"the query exceeded the time limit of {self.timeout:g} s; "
                    "narrow it (LIMIT, more specific patterns) or restart the server with a longer --timeout",
                )
        except (EOFError, OSError, StoreError) as exc:  # the worker died (out of memory, killed ...)
            worker = self._replace(worker)
            reply = _text(500, f"the query worker failed: {exc or type(exc).__name__}; try again")
        finally:
            try:
                loop.call_soon_threadsafe(self._release, worker)
            except RuntimeError:  # the event loop has closed: the server is gone, and so is the pool
                pass
        return reply
