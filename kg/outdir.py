"""Guard an output directory: one writer at a time, writable with room to spare, no staging left over.

``kg build`` and ``kg remove`` hold ``OUT_DIR/.lock`` for their whole run. It is an OS file lock
(``filelock``), which the kernel releases when the process dies, so a killed run never leaves a
stale lock behind; the file also names the holder's pid for the message the next writer gets.
Holding the lock, a run may delete whatever a killed run staged there, since no one else writes.
A module of its own so that ``kg.pipeline`` keeps to the order of the stages.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from kg.errors import StoreError
from kg.store import STORE_DIR

LOCK_FILE = ".lock"
# Room a build needs beyond the corpus's own size: RocksDB compaction, graph.html and the reports
MIN_FREE_BYTES = 64 * 2**20
STAGING_SUFFIXES = (".tmp", ".staged")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_writable(out_dir: Path) -> None:
    """Create ``out_dir`` if needed and make sure files can be created in it.

    Raises:
        StoreError: It cannot be created or written (read-only file system, permissions ...).
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # a real file, not os.access: access() ignores read-only mounts for some callers and
        # always says yes to root
        fd, probe = tempfile.mkstemp(dir=out_dir, prefix=".probe.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise StoreError(
            f"{out_dir}: cannot write the outputs here: {_reason(exc)}; use another --out"
        ) from exc


def check_space(out_dir: Path, *, need: int) -> None:
    """Make sure the file system of ``out_dir`` has ``need`` bytes free.

    Raises:
        StoreError: Less is free.
    """
    free = shutil.disk_usage(out_dir).free
    if free < need:
        raise StoreError(
            f"{out_dir}: {free / 2**20:.1f} MB free, this run needs about {need / 2**20:.0f} MB; "
            "free some space or use another --out"
        )


def needed_bytes(out_dir: Path, inputs: int = 0) -> int:
    """A generous estimate of what a run writes: the previous outputs again, the inputs and a margin."""
    previous = 0
    for name in ("graph.ttl", "graph.html", "report.json"):
        try:
            previous += (out_dir / name).stat().st_size
        except OSError:
            continue
    return MIN_FREE_BYTES + inputs + 2 * previous


def _holder(lock_file: Path) -> str:
    try:
        pid = lock_file.read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "pid unknown"


def clean_staging(out_dir: Path) -> list[str]:
    """Delete what killed runs left: store versions nothing points to and staged or temporary files.

    Only call this holding the lock. Returns the names deleted, sorted.
    """
    link = out_dir / STORE_DIR
    current = link.resolve() if link.exists() else None
    removed = []
    for path in out_dir.glob(f"{STORE_DIR}.*"):
        number = path.name.rsplit(".", 1)[1]
        if number.isdigit() and path.is_dir() and not path.is_symlink() and path.resolve() != current:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    for folder in (out_dir, out_dir / "cache"):
        for path in folder.glob(".*"):
            if path.name.endswith(STAGING_SUFFIXES) and (path.is_symlink() or path.is_file()):
                path.unlink(missing_ok=True)
                removed.append(path.relative_to(out_dir).as_posix())
    return sorted(removed)


@contextmanager
def writing(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir`` for one writer: check it is writable, lock it, then clear old staging.

    Raises:
        StoreError: It is not writable, or another process holds the lock (the message names it).
    """
    check_writable(out_dir)
    lock_file = out_dir / LOCK_FILE
    lock = FileLock(lock_file, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise StoreError(
            f"{out_dir}: another kg build or remove ({_holder(lock_file)}) is writing here; "
            "wait for it to finish or use another --out"
        ) from None
    except OSError as exc:
        raise StoreError(f"{out_dir}: cannot lock {LOCK_FILE}: {_reason(exc)}") from exc
    try:
        try:
            lock_file.write_text(f"{os.getpid()}\n", encoding="ascii")
        except OSError:
            pass  # the pid only makes the next writer's message better; the lock holds without it
        clean_staging(out_dir)
        yield
    finally:
        lock.release()
