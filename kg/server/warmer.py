"""Compute the canned listings of each new store version in the background, so no client waits for them.

A listing (``/query/<name>``) is computed once per store version and kept (``kg.queries.cache``);
whoever asks first would wait for it: 1–3 s at 10 MB of news, tens of seconds at 100 MB, past the
server's time limit. So when the server starts, and whenever the ``store`` link points to a new
version (``kg build``, ``kg add``, ``kg remove``), a low-priority process computes every canned
query with its default parameters on that version. A client asking for one meanwhile waits for it
rather than computing it twice (the cache's per-entry lock). The warming process is no query
worker: it takes no client's worker or share, runs at the lowest CPU priority, has no network, and
its address space is capped like a worker's.

Not done in ``kg build`` itself: at 10 MB it adds 15 s (3.6 %) to a build, and to ``kg add`` of
one article at 100 MB it would add minutes to seconds of work.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from pathlib import Path

from kg.errors import KGError
from kg.queries.kept import warm_canned
from kg.server.sandbox import cap_address_space, isolate_network

__all__ = ["CHECK_INTERVAL", "Warmer"]

#: Seconds between two looks at the ``store`` link.
CHECK_INTERVAL = 2.0


def _warm_main(version: str, memory_limit: int) -> None:
    """Body of the warming process: lowest priority, no network, capped memory; errors end it quietly."""
    with contextlib.suppress(OSError):
        os.nice(19)
    isolate_network()
    if memory_limit:
        cap_address_space(memory_limit)
    with contextlib.suppress(KGError, OSError, MemoryError):
        warm_canned(Path(version))


class Warmer:
    """Watches a build's ``store`` link and warms every version it comes to point at, one at a time.

    Args:
        store_dir: The ``store`` link (or a store's own folder).
        memory_limit: Bytes of address space growth allowed to the warming process (0: no cap).
    """

    def __init__(self, store_dir: Path, *, memory_limit: int = 0, interval: float = CHECK_INTERVAL) -> None:
        self.store_dir = store_dir
        self.memory_limit = memory_limit
        self.interval = interval
        self.warmed: Path | None = None  # the last version warmed (or being warmed)
        self._stop = threading.Event()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._thread = threading.Thread(target=self._watch, name="kg-warmer", daemon=True)

    def start(self) -> None:
        """Begin watching (and warm the current version at once)."""
        self._thread.start()

    def _watch(self) -> None:
        context = multiprocessing.get_context("spawn")  # the server has threads: no fork
        while not self._stop.is_set():
            version = self.store_dir.resolve()
            if version != self.warmed and version.is_dir():
                self.warmed = version
                process = context.Process(
                    target=_warm_main, args=(str(version), self.memory_limit), daemon=True
                )
                process.start()
                self._process = process
                while process.is_alive() and not self._stop.is_set():
                    process.join(self.interval)
                    if self.store_dir.resolve() != version:  # outdated: warm the new version instead
                        process.kill()
                        process.join()
            self._stop.wait(self.interval)

    def close(self) -> None:
        """Stop watching and end a warming process still running."""
        self._stop.set()
        process = self._process
        if process is not None and process.is_alive():
            process.kill()
            process.join()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
