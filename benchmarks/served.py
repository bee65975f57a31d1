"""Start the real `kg serve`: a free loopback port, a log file, wait until `/` answers, stop it after.

The one way benchmarks (scale_bench, pages_bench, endpoint_abuse_bench) and the tests
(tests/serving.py) run a server.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import httpx


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _exit(message: str) -> NoReturn:
    raise SystemExit(message)


@contextmanager
def kg_serve(
    args: list[str], log: Path | None = None, *, fail: Callable[[str], NoReturn] = _exit
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m kg serve ARGS --port P`: yields (base URL, process) once `/` answers 200; stops it after.

    The output goes to ``log`` (a temporary file when None), a file rather than a pipe: access logs
    would fill a pipe and block the server. A server that exits, or stays silent for 60 s, is reported
    with its log through ``fail`` (by default ending the benchmark).
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as scratch:
        log = log if log is not None else Path(scratch) / "serve.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "kg", "serve", *args, "--port", str(port)],
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                if process.poll() is not None:
                    fail(f"kg serve exited with {process.returncode}:\n{log.read_text()}")
                try:
                    if httpx.get(base + "/", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                fail(f"kg serve did not answer within 60 s:\n{log.read_text()}")
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=30)
