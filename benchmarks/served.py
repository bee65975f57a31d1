"""Start the real `kg serve` for a benchmark: a free loopback port, a log file, wait until `/` answers.

Shared by the benchmarks that measure a running server (scale_bench, pages_bench, endpoint_abuse_bench).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def kg_serve(args: list[str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m kg serve ARGS --port P`: yields (base URL, process) once `/` answers 200; stops it after.

    The output goes to a log file rather than a pipe (access logs would fill a pipe and block the
    server); a server that exits, or stays silent for 60 s, ends the benchmark with its log.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as scratch:
        log = Path(scratch) / "serve.log"
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
                    raise SystemExit(f"kg serve exited with {process.returncode}:\n{log.read_text()}")
                try:
                    if httpx.get(base + "/", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"kg serve did not answer within 60 s:\n{log.read_text()}")
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=60)
