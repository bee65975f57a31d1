"""Ctrl-C during a parallel build: only the parent process hears it, and it stops the workers.

A terminal sends SIGINT to every process of the foreground group, workers included. A worker that
gets it prints its own ``KeyboardInterrupt`` traceback (thirty lines of multiprocessing internals)
while the parent prints another; so workers are started with SIGINT ignored (an ignored signal stays
ignored across the exec of a spawned worker, and Python then installs no handler of its own), and the
parent, which alone stops the build, ends them when it is interrupted.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["stop_workers", "workers_ignore_sigint"]


@contextmanager
def workers_ignore_sigint() -> Iterator[None]:
    """Ignore SIGINT while worker processes start inside the block, so they inherit the ignoring.

    Outside the main thread (where signal handlers cannot be changed) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what a pool has not started and terminate its workers, without waiting for their chunks."""
    # the pool's processes are not public; Python 3.14's terminate_workers() does the same
    workers = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers.values():
        if process.is_alive():
            process.terminate()
