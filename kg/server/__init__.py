"""Serve a build's store as a read-only SPARQL 1.1 Protocol endpoint (``/sparql``) with a query page (``/``).

A subpackage, split by job: ``pool`` shares worker processes between clients under time and memory
limits, ``worker`` is one such process (running and serialising a query), ``sandbox`` the limits a
worker sets on itself, ``guard`` what a request may not do (``SERVICE``, framing, sniffing),
``connection`` the per-request time limit on the socket, ``app`` the HTTP side (protocol, limits,
serving), ``page`` the offline query page, ``pages`` the entity and document pages (and the network
view) with Linked-Data content negotiation, drawn by ``render`` and ``templates`` from text marked by
``highlight``, the document's text found again by ``sources``, ``listings`` the canned queries a page
of rows at a time (from results kept per store version, ``kg.queries.cache``), ``warmer`` the
low-priority process that computes them for each new store version.

Design:

- **Framework.** Starlette (ASGI) on uvicorn: the protocol's parsing, content negotiation and error
  statuses are ours, the HTTP is theirs. uvicorn runs its pure-Python h11 parser with a raised event
  limit, so an oversized GET reaches the app and gets a 413 rather than h11's bare 400.
- **Time limit.** pyoxigraph has no timeout and no way to interrupt a query, so a runaway query
  in a thread would keep its CPU and memory until it ends (a triple cross product on the corpus
  runs for minutes). Queries therefore run in a small pool of worker *processes*, each with its own
  read-only store. A request borrows an idle worker (waiting for one at most ``queue_timeout``),
  hands it the query over a pipe and waits, in a thread so the event loop stays free, until the
  time limit; past it the worker is killed and replaced and the client gets 503 with the limit in
  the message. ``concurrent.futures`` pools were ruled out: they cannot kill one running task
  without breaking the whole pool. Workers outnumber small machines' cores (at least 4), so a
  couple of slow queries cannot keep quick ones from running.
- **Read-only.** Workers open the store with ``Store.read_only``; requests carrying an update
  (``update=``, ``application/sparql-update``, or an update in ``query=``) are refused with 403
  before any worker sees them. ``kg build`` writes a new store version and swaps the ``store``
  link; each worker notices at its next query and reopens, so a rebuild needs no restart.
- **Streaming and limits.** Workers serialise results themselves, through the writers of
  ``kg.queries`` (one implementation of each format), and stop with 503 once a result passes
  ``max_result_bytes``; queries longer than ``max_query_bytes`` get 413.
- **No outbound requests.** Queries with a ``SERVICE`` keyword are refused with 400 before a worker
  sees them, and on Linux each worker runs in its own empty network namespace, so nothing in a
  query reaches a host (``FROM <http://…>`` names a graph of the store and never fetches; ``LOAD``
  is an update, refused with 403).
- **Fairness.** A request waits for a worker in one queue; a free worker goes to the waiting client
  that holds fewest, then to the one that used workers least lately (decaying worker seconds), and
  no client (peer address) holds all workers. One worker is kept for light clients, so a lookup runs
  at once even while heavy queries from many addresses hold the others; a query that turns out heavy
  there moves to a regular worker after half a second. A client hanging up stops its
  query at once (its worker is killed and replaced). A worker whose RSS passes ``memory_limit`` is
  killed and replaced too, and its client gets 503; the address-space rlimit is a backstop.
- **Connections.** A request head and body each have ``request_timeout`` seconds (408), idle
  keep-alive connections 5 s, and at most 200 connections are open at once.
- **Headers.** Every response carries a Content-Security-Policy (the page: its inline script and
  style by hash, fetches to itself only; everything else: nothing at all), ``X-Frame-Options: DENY``,
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.
- **Loopback.** Bound to 127.0.0.1 by default and then only answering requests whose Host is a
  loopback name, which defeats DNS-rebinding pages in the user's browser.
"""

from __future__ import annotations

from kg.server.app import DEFAULT_PORT, MAX_QUERY_BYTES, create_app, find_store, serve
from kg.server.guard import find_service
from kg.server.page import render_page
from kg.server.pool import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIMEOUT,
    MAX_RESULT_BYTES,
    QueryPool,
    QueryRequest,
    StoreHandle,
    answer,
    negotiate,
)

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "MAX_QUERY_BYTES",
    "MAX_RESULT_BYTES",
    "QueryPool",
    "QueryRequest",
    "StoreHandle",
    "answer",
    "create_app",
    "find_service",
    "find_store",
    "negotiate",
    "render_page",
    "serve",
]
