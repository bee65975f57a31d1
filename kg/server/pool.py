"""Share query workers fairly between clients, under time and memory limits; stop queries clients abandon.

See the package docstring for why processes: pyoxigraph can neither time out nor be interrupted.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
import warnings
from collections import Counter
from pathlib import Path

import anyio
import anyio.to_thread

from kg.errors import StoreError
from kg.server.worker import (
    GRAPH_TYPES,
    HUNG_UP,
    MAX_RESULT_BYTES,
    MEMORY,
    NOT_SENT,
    RESULT_TYPES,
    STARTUP_TIMEOUT,
    TIMED_OUT,
    QueryRequest,
    Reply,
    StoreHandle,
    Worker,
    answer,
    memory_message,
    negotiate,
    text_reply,
)

# what ``_use`` returns for a query stopped on the reserved worker: it goes on on a regular one
_OFF_RESERVE: Reply = (0, "", b"")

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
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
DEFAULT_MEMORY_LIMIT = 2**30  # bytes of RSS per worker; the issue saw 700 MB+ for one abusive query

# A client's worker time decays with this half-life: recent heavy use counts, last hour's does not.
USAGE_HALF_LIFE = 60.0
# Clients whose decayed worker time is below this many seconds are light: they may use the reserved
# worker. Typical lookups (an entity, a canned query on a day's graph) take milliseconds; a client
# whose queries keep workers busy for seconds is past it after one or two of them.
LIGHT_USAGE = 0.5
# A query on the reserved worker that runs longer than this is stopped there and waits for a regular
# worker instead (with the rest of its time limit): the reserve stays free for light clients.
RESERVE_BUDGET = 0.5


class QueryPool:
    """Worker processes answering queries under time and memory limits, shared fairly between clients.

    Requests wait in one list; whenever a worker is idle, it goes to the waiting request whose client
    holds the fewest workers, then has used the least worker time lately (``USAGE_HALF_LIFE``), first
    come first among equals; no client ever holds more than ``per_client`` (all workers but one, at
    least one), so one client's heavy queries always leave a worker to everyone else. Workers that
    have finished starting are handed out first.

    One of the workers (when there are two or more) is reserved for light clients (recent worker time
    under ``LIGHT_USAGE``): when heavy queries from many addresses hold every other worker, a lookup
    still runs at once. A query
    that turns out heavy on the reserve is stopped after ``RESERVE_BUDGET`` and waits for a regular
    worker with the rest of its time limit, so the client sees a delay, never an error.

    All of this state lives on the event loop: a worker goes back from the thread that used it through
    ``call_soon_threadsafe``, never from the request's task, so a cancelled request (a client hanging
    up) cannot lose a worker.
    """

    def __init__(
        self,
        store_dir: Path,
        *,
        workers: int,
        timeout: float,
        queue_timeout: float | None = None,
        max_result_bytes: int = MAX_RESULT_BYTES,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        per_client: int | None = None,
    ) -> None:
        self.store_dir = store_dir
        self.size = workers
        self.timeout = timeout
        self.queue_timeout = timeout if queue_timeout is None else queue_timeout
        self.max_result_bytes = max_result_bytes
        self.memory_limit = memory_limit
        self.per_client = per_client or max(1, workers - 1)
        self._all: list[Worker] = []
        self._idle: list[Worker] = []
        self._reserve: Worker | None = None  # the worker kept for light clients (also in _all)
        self._reserve_idle = False
        self._waiting: list[tuple[str, bool, asyncio.Future[Worker]]] = []  # client, regular only
        self._held: Counter[str] = Counter()
        self._usage: dict[str, tuple[float, float]] = {}  # client: (worker seconds, when)
        self._lock = threading.Lock()
        self._closed = False
        self._opened = False

    async def open(self) -> None:
        """Start the workers and wait until each has opened the store.

        Warns (``RuntimeWarning``) when the OS would not cut the workers off from the network.

        Raises:
            StoreError: A worker cannot open the store.
        """
        await anyio.to_thread.run_sync(self._start_workers)
        if self.size >= 2:
            *self._idle, self._reserve = self._all
            self._reserve_idle = True
        else:  # one worker serves everyone
            self._idle = list(self._all)
        self._opened = True
        if not all(worker.isolated for worker in self._all):
            warnings.warn(
                "query workers run with network access (this OS refused a network namespace); "
                "the SERVICE check is the only guard against outbound requests",
                RuntimeWarning,
                stacklevel=2,
            )

    def _start_workers(self) -> None:
        self._all = [Worker(self.store_dir, self.memory_limit) for _ in range(self.size)]
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

    def _replace(self, worker: Worker) -> Worker:
        worker.kill()
        with self._lock:
            if self._closed:  # shutting down: no new workers
                return worker
            fresh = Worker(self.store_dir, self.memory_limit)
            self._all = [fresh if w is worker else w for w in self._all]
            if worker is self._reserve:
                self._reserve = fresh
        return fresh

    def usage(self, client: str) -> float:
        """The client's worker seconds, decayed with ``USAGE_HALF_LIFE``."""
        seconds, when = self._usage.get(client, (0.0, 0.0))
        return float(seconds * 0.5 ** ((time.monotonic() - when) / USAGE_HALF_LIFE))

    def _charge(self, client: str, seconds: float) -> None:
        self._usage[client] = (self.usage(client) + seconds, time.monotonic())
        if len(self._usage) > 10_000:  # forget the long-faded, so many addresses cannot grow the table
            self._usage = {c: u for c, u in self._usage.items() if self.usage(c) > 0.01}

    def _dispatch(self) -> None:
        """Hand out idle workers within ``per_client``; the reserved one to the first light client.

        Regular workers go to the waiting client holding fewest, then with the least recent use.
        """
        self._waiting = [entry for entry in self._waiting if not entry[2].done()]
        while self._idle:
            eligible = [
                (self._held[client], self.usage(client), i)
                for i, (client, _, _) in enumerate(self._waiting)
                if self._held[client] < self.per_client
            ]
            if not eligible:
                break
            client, regular_only, future = self._waiting[min(eligible)[2]]
            started = [w for w in self._idle if w.started()]
            if not started and self._reserve_ready() and self._light(client, regular_only):
                break  # a light client gets the started reserve rather than wait for a fresh worker
            self._waiting.remove((client, regular_only, future))
            worker = started[0] if started else self._idle[0]
            self._idle.remove(worker)
            self._held[client] += 1
            future.set_result(worker)
        if self._reserve_idle and self._reserve is not None:
            for i, (client, regular_only, future) in enumerate(self._waiting):
                if self._light(client, regular_only) and self._held[client] < self.per_client:
                    del self._waiting[i]
                    self._reserve_idle = False
                    self._held[client] += 1
                    future.set_result(self._reserve)
                    return

    def _light(self, client: str, regular_only: bool) -> bool:
        return not regular_only and self.usage(client) < LIGHT_USAGE

    def _reserve_ready(self) -> bool:
        return self._reserve_idle and self._reserve is not None and self._reserve.started()

    def _release(self, client: str, worker: Worker, seconds: float = 0.0) -> None:
        if worker is self._reserve:
            self._reserve_idle = True
        else:
            self._idle.append(worker)
        self._held[client] -= 1
        if self._held[client] <= 0:
            del self._held[client]
        self._charge(client, seconds)
        self._dispatch()

    async def _acquire(self, client: str, *, regular_only: bool = False) -> Worker:
        future: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
        self._waiting.append((client, regular_only, future))
        self._dispatch()
        try:
            with anyio.fail_after(self.queue_timeout):
                return await future
        except BaseException:
            # timed out or cancelled (the client hung up): a worker handed over meanwhile goes back
            if future.done() and not future.cancelled():
                self._release(client, future.result())
            else:
                future.cancel()
                self._dispatch()
            raise

    async def run(
        self,
        sparql: str,
        accept: str,
        *,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        client: str = "",
        stop: threading.Event | None = None,
        keep: bool = False,
        rows: tuple[int, int] | None = None,
    ) -> Reply:
        """Answer one query: wait up to ``queue_timeout`` for a worker, then ``timeout`` for the answer.

        Args:
            sparql: The query.
            accept: The request's Accept header.
            default_graphs: The protocol's ``default-graph-uri`` values.
            named_graphs: The protocol's ``named-graph-uri`` values.
            client: Who asks (the peer address), for the per-client share of workers.
            stop: Set when the client hangs up: its query is stopped and its worker replaced at once.
            keep: Answer from the store version's kept results (``QueryRequest.keep``).
            rows: With ``keep``: only these rows (start, count), as ``ROWS_TYPE``.
        """
        assert self._opened, "await QueryPool.open() first"
        loop = asyncio.get_running_loop()
        request = QueryRequest(
            sparql, accept, self.max_result_bytes, default_graphs, named_graphs, keep=keep, rows=rows
        )
        time_left, regular_only = self.timeout, False
        while True:
            try:
                worker = await self._acquire(client, regular_only=regular_only)
            except TimeoutError:
                return text_reply(
                    503,
                    f"the server is busy: all {self.size} query workers stayed busy for "
                    f"{self.queue_timeout:g} s",
                )
            budgeted = worker is self._reserve and RESERVE_BUDGET < time_left
            limit = RESERVE_BUDGET if budgeted else time_left
            reply = await anyio.to_thread.run_sync(
                self._use, worker, request, stop or threading.Event(), client, loop, limit, budgeted
            )
            if reply is not _OFF_RESERVE:
                return reply
            time_left, regular_only = time_left - limit, True

    def _use(
        self,
        worker: Worker,
        request: QueryRequest,
        stop: threading.Event,
        client: str,
        loop: asyncio.AbstractEventLoop,
        limit: float,
        budgeted: bool,
    ) -> Reply:
        reply: Reply
        began = time.monotonic()
        try:
            worker.wait_ready(STARTUP_TIMEOUT)  # a fresh worker's start-up is not the client's use
            began = time.monotonic()
            outcome = worker.ask(request, limit, stop=stop, memory_limit=self.memory_limit)
            if isinstance(outcome, tuple):
                reply = outcome
            elif outcome == TIMED_OUT and budgeted:
                worker = self._replace(worker)
                reply = _OFF_RESERVE
            elif outcome == NOT_SENT:  # the worker never saw the query: it stays
                reply = text_reply(499, "the client disconnected before its query started")
            else:
                worker = self._replace(worker)
                reply = {
                    TIMED_OUT: text_reply(
                        503,
                        f"the query exceeded the time limit of {self.timeout:g} s; narrow it (LIMIT, "
                        "more specific patterns) or restart the server with a longer --timeout",
                    ),
                    MEMORY: text_reply(503, memory_message(self.memory_limit)),
                    HUNG_UP: text_reply(499, "the client disconnected; its query was stopped"),
                }[outcome]
        except (EOFError, OSError, StoreError) as exc:  # the worker died (out of memory, killed ...)
            worker.process.join(1)
            aborted = worker.process.exitcode == -signal.SIGABRT  # Rust aborts when an allocation fails
            worker = self._replace(worker)
            reply = (
                text_reply(503, memory_message(self.memory_limit))
                if aborted and self.memory_limit
                else text_reply(500, f"the query worker failed: {exc or type(exc).__name__}; try again")
            )
        finally:
            try:
                loop.call_soon_threadsafe(self._release, client, worker, time.monotonic() - began)
            except RuntimeError:  # the event loop has closed: the server is gone, and so is the pool
                pass
        return reply
