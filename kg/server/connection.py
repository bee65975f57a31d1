"""uvicorn's h11 protocol with a deadline for each request head, so a silent or trickling client is cut off.

uvicorn times out a keep-alive connection only once a response has been sent, and any byte resets
that timer: a client that connects and says nothing, or sends its headers a byte every few seconds
(slowloris), holds a connection for ever. Here a connection gets ``HEADER_TIMEOUT`` seconds from
its start, and a kept-alive one from the first byte of each further request, to send a complete
request head; past it the client gets a one-line 408 and the connection is closed. (Between
requests the deadline is not armed, so an idle keep-alive client is closed quietly by uvicorn
rather than sent a 408 it never asked for.) Bodies have their own limit in ``app``, and idle
keep-alive connections uvicorn's ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HEADER_TIMEOUT", "GuardedH11Protocol"]

HEADER_TIMEOUT = 10.0


class GuardedH11Protocol(H11Protocol):
    """``H11Protocol`` plus the request-head deadline (``header_timeout`` seconds, a class attribute)."""

    header_timeout = HEADER_TIMEOUT
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # the first byte of a further request on a kept-alive connection starts its deadline
        if (
            self._head_deadline is None
            and self.conn.their_state is h11.IDLE
            and not self.transport.is_closing()
        ):
            self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        # their_state leaves IDLE once h11 has parsed a whole request head
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        body = f"the request head did not arrive within {self.header_timeout:g} s\n".encode()
        # written raw: h11 will not send a response before it has parsed a request
        self.transport.write(
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        self.transport.close()
