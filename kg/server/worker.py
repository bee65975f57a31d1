"""The worker side of the pool: a process holding a read-only store, answering one query at a time.

``answer`` runs a query and serialises its result (the protocol's content negotiation and result
size limit); ``Worker`` is the parent's handle on one such process, with the waits that end on a
reply, the time limit, a hang-up or the memory limit. See the package docstring for why processes.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import multiprocessing
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, QueryError, StoreError
from kg.ontology import QUERY_PREFIXES, undeclared_prefix
from kg.queries import serialize_results
from kg.queries.cache import ResultCache
from kg.queries.kept import kept_result, write_tsv
from kg.server.sandbox import cap_address_space, isolate_network, resident_bytes
from kg.store import GraphStore

__all__ = [
    "GRAPH_TYPES",
    "KEPT_TYPE",
    "MAX_RESULT_BYTES",
    "RESULT_TYPES",
    "ROWS_TYPE",
    "QueryRequest",
    "StoreHandle",
    "answer",
    "negotiate",
]

MAX_RESULT_BYTES = 64 * 2**20
STARTUP_TIMEOUT = 60.0
POLL = 0.05  # seconds between a waiting thread's checks for a hang-up and the worker's RSS

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
#: The content type of a page of a kept result: JSON ``{"rows": total, "tsv": variables and rows}``.
ROWS_TYPE = "application/x-kg-rows+json"
#: The content type of a whole kept result: JSON ``{"path", "start", "type"}`` saying where it lies on disk.
KEPT_TYPE = "application/x-kg-kept+json"


@dataclass(frozen=True)
class QueryRequest:
    """One query as a worker receives it: text, Accept header, result size limit, protocol dataset."""

    sparql: str
    accept: str = ""
    max_bytes: int = MAX_RESULT_BYTES
    default_graphs: tuple[str, ...] = ()  # the protocol's default-graph-uri parameters
    named_graphs: tuple[str, ...] = ()  # the protocol's named-graph-uri parameters
    keep: bool = False  # answer from the store version's kept results, keeping this one (kg.queries.cache)
    rows: tuple[int, int] | None = None  # with keep: only rows start..start+count, as ROWS_TYPE


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


def text_reply(status: int, message: str) -> Reply:
    return status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode()


def answer(store: GraphStore, request: QueryRequest, cache: ResultCache | None = None) -> Reply:
    """Run one query on the store and serialise its result for the Accept header (runs in a worker).

    A request with ``keep`` is answered from ``cache`` (the kept results of the store's version),
    which it fills on a miss; without a cache it runs as any other.
    """
    accept, max_bytes = request.accept, request.max_bytes
    try:
        if request.keep and not request.default_graphs and not request.named_graphs:
            return _kept_answer(store, request, cache)
        raw = _execute(store, request)
        if isinstance(raw, (ox.QueryBoolean, ox.QuerySolutions)):
            media = negotiate(accept, RESULT_TYPES)
            if media is None:
                kind = "ASK" if isinstance(raw, ox.QueryBoolean) else "SELECT"
                return text_reply(406, f"{kind} results come as {', '.join(RESULT_TYPES)}")
            body = _LimitedBody(max_bytes)
            # pyoxigraph's own writer, straight from the live result, hands over a few kilobytes at a
            # time, so the size limit stops a huge result early
            serialize_results(raw, RESULT_TYPES[media], body)
            return 200, _content_type(media), body.getvalue()
        media = negotiate(accept, GRAPH_TYPES)
        if media is None:
            return text_reply(406, f"CONSTRUCT and DESCRIBE results come as {', '.join(GRAPH_TYPES)}")
        chunks: list[bytes] = []
        size = 0
        for chunk in _graph_chunks(raw, GRAPH_TYPES[media]):
            size += len(chunk)
            if size > max_bytes:
                raise ResultTooLargeError
            chunks.append(chunk)
        return 200, _content_type(media), b"".join(chunks)
    except ResultTooLargeError:
        return text_reply(503, f"the result is larger than the limit of {max_bytes:,} bytes; add a LIMIT")
    except KGError as exc:
        return text_reply(400, str(exc))
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors surface while iterating
        return text_reply(500, f"SPARQL query failed: {exc}")


def _kept_answer(store: GraphStore, request: QueryRequest, cache: ResultCache | None) -> Reply:
    """A kept request's answer: a page of rows (``ROWS_TYPE``) or where the whole result lies (``KEPT_TYPE``).

    A result that cannot be kept is answered as any other (whole, within the size limit).
    """

    def this_store(_: Path) -> GraphStore:
        return store  # the handle opened the cache's version: key, rows and store agree

    if request.rows is not None:
        entry = kept_result(cache, request.sparql, "tsv", open_store=this_store)[0] if cache else None
        if entry is None:  # nothing can be kept here: the result is made in memory, within the limit
            body = _LimitedBody(request.max_bytes)
            write_tsv(store, request.sparql, body)
            header, *lines = body.getvalue().split(b"\n")[:-1] or [b""]
            start, count = request.rows
            return _rows_reply(len(lines), header, lines[start : start + count])
        if entry.kind != "select":
            return text_reply(400, "only SELECT results come in pages of rows")
        return _rows_reply(entry.rows or 0, *entry.tsv_rows(*request.rows))
    media = negotiate(request.accept, RESULT_TYPES)
    if media is None:
        return text_reply(406, f"SELECT and ASK results come as {', '.join(RESULT_TYPES)}")
    entry = (
        kept_result(cache, request.sparql, RESULT_TYPES[media], open_store=this_store)[0] if cache else None
    )
    if entry is None or entry.kind == "graph":
        return answer(store, dataclasses.replace(request, keep=False))
    # where the result lies, not the result: the server streams it from disk, whatever its size
    where = {"path": str(entry.path), "start": entry.body_start, "type": _content_type(media)}
    return 200, KEPT_TYPE, json.dumps(where).encode("utf-8")


def _rows_reply(total: int, header: bytes, rows: list[bytes]) -> Reply:
    tsv = b"\n".join([header, *rows]).decode("utf-8") + "\n"
    return 200, ROWS_TYPE, json.dumps({"rows": total, "tsv": tsv}, ensure_ascii=False).encode("utf-8")


class ResultTooLargeError(Exception):
    """A result grew past the request's size limit while being written."""


class _LimitedBody(io.BytesIO):
    """A response body that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise ResultTooLargeError
        return super().write(data)


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
        return store.inner.query(request.sparql, prefixes=dict(QUERY_PREFIXES), **dataset)
    except SyntaxError as exc:
        prefix = undeclared_prefix(request.sparql)
        if prefix is not None:
            raise QueryError(f"unknown prefix {prefix}:") from exc
        raise QueryError(f"malformed SPARQL query: {exc}") from exc


def _graph_chunks(triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> Iterator[bytes]:
    # serialised 10 000 triples at a time so the size limit can stop a huge CONSTRUCT early;
    # repeating @prefix lines between chunks is valid Turtle
    prefixes = dict(QUERY_PREFIXES) if rdf_format == ox.RdfFormat.TURTLE else None
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
        self.results = ResultCache(self.version)  # its stamp taken before the store opens
        self.store = GraphStore.open(self.version, read_only=True)

    def current(self) -> GraphStore:
        """The store of the version the link points to now (the one already open when unchanged)."""
        version = self.link.resolve()
        if version != self.version:
            try:
                results = ResultCache(version)
                self.store, self.version = GraphStore.open(version, read_only=True), version
                self.results = results
            except KGError:  # caught mid-swap or being deleted: keep the version we have
                pass
        return self.store


def memory_message(limit: int) -> str:
    """The 503 message for a query stopped at the memory limit of ``limit`` bytes."""
    return (
        f"the query used more than the memory limit of {limit / 2**20:,.0f} MiB per query worker and "
        "was stopped; narrow it (LIMIT, more specific patterns) or restart the server with a larger "
        "--memory-limit"
    )


def _worker_main(conn: Connection, store_dir: str, memory_limit: int) -> None:
    """Body of a worker process: open the store read-only, then answer requests until the pipe closes."""
    # Ctrl+C reaches the whole process group; the server stops its workers itself, quietly
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolated = isolate_network()  # before the store opens: RocksDB starts threads, and unshare needs none
    try:
        handle = StoreHandle(Path(store_dir))
    except KGError as exc:
        conn.send(("error", str(exc)))
        return
    if memory_limit:
        cap_address_space(memory_limit)
    conn.send(("ready", "isolated" if isolated else ""))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            store = handle.current()
            reply = answer(store, request, handle.results)
        except MemoryError:  # the address-space backstop, hit in Python code
            reply = text_reply(503, memory_message(memory_limit))
        conn.send(reply)


# what a wait for a worker's reply can end in, besides the reply
TIMED_OUT, MEMORY, HUNG_UP, NOT_SENT = "timeout", "memory", "hung up", "not sent"


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, store_dir: Path, memory_limit: int) -> None:
        # spawn, not fork: the server process has threads, and forking them is unsafe
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, str(store_dir), memory_limit), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False
        self.isolated = False

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
            self.ready, self.isolated = True, message == "isolated"
        return True

    def started(self) -> bool:
        """Ready, or its ready message is waiting (never blocks, never reads the pipe)."""
        return self.ready or self.conn.poll(0)

    def ask(
        self, request: QueryRequest, timeout: float, *, stop: threading.Event, memory_limit: int
    ) -> Reply | str:
        """Send a request and wait up to ``timeout`` seconds for the reply.

        Returns the reply, or why there is none: ``TIMED_OUT``, ``MEMORY`` (RSS above ``memory_limit``),
        ``HUNG_UP`` (``stop`` was set while the query ran) or ``NOT_SENT`` (set before it was sent).
        The wait is in ``POLL`` slices so that a hang-up or a memory overrun is noticed at once.

        A fresh worker's start-up does not count against the time limit: on a loaded machine it can
        take longer than a short limit, and counting it would kill every replacement in turn.

        Raises:
            StoreError: The worker could not start.
        """
        if not self.wait_ready(STARTUP_TIMEOUT):
            raise StoreError(f"a query worker did not start within {STARTUP_TIMEOUT:g} s")
        if stop.is_set():
            return NOT_SENT
        self.conn.send(request)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return TIMED_OUT
            if self.conn.poll(min(POLL, left)):
                reply: Reply = self.conn.recv()
                return reply
            if stop.is_set():
                return HUNG_UP
            if memory_limit and (resident_bytes(self.process.pid or 0) or 0) > memory_limit:
                return MEMORY

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()
