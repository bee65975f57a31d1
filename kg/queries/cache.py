"""Keep written query results per store version, so a canned listing is computed once per build.

A whole-graph listing (``bodies-by-county``, ``leaders`` ...) reads and writes every row: seconds at
10 MB of news, tens of seconds at 100 MB, whatever the store's indexes do. Its result only changes
when the graph does, and the graph only changes by a new store version (``kg build``, ``kg add``,
``kg remove`` stage ``store.N+1`` and swap the ``store`` link). So results are kept *inside* the
version they were computed on, in ``store.N/results/``:

- **Never stale.** A new version starts without the folder (``Store.backup`` copies RocksDB's files
  only), and the old version's results go when its folder is deleted. An entry's key also holds the
  version's name and a stamp of its RocksDB state (``CURRENT``, manifests and write-ahead logs: name,
  size, time), which any writable open changes and read-only opens leave alone, so a store written
  in place, or copied with its results into another version, misses rather than serves old rows.
  The key's other parts are kg's version, the query text after parameters are bound, the format and
  the protocol's dataset.
- **Concurrency.** An entry is written to a temporary file and renamed into place, so readers see a
  whole entry or none; a per-entry ``filelock`` makes concurrent first requests (CLI runs, server
  workers) compute once while the others wait for it (at most ``LOCK_WAIT``, then they compute too).
- **Bounded.** Past ``MAX_BYTES`` in one version, the least recently read entries are deleted.
- **Deterministic.** An entry holds the exact bytes the uncached path writes; a one-line JSON head
  before them records whether the result has rows and, for TSV, the byte offset of every
  ``PAGE_ROWS``-th row, so a page of a listing is one seek rather than a scan.

Where the store cannot be written (a read-only mount, another user's build), nothing is kept and
every query runs as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from filelock import FileLock, Timeout

from kg import __version__

__all__ = ["CACHE_DIR", "MAX_BYTES", "PAGE_ROWS", "CachedResult", "ResultCache", "store_stamp"]

#: The folder of kept results inside a store version.
CACHE_DIR = "results"
#: Bytes of results kept per store version before the least recently read go.
MAX_BYTES = 2 * 2**30
#: Rows between two offsets of a TSV entry's index.
PAGE_ROWS = 100
#: Seconds a process waits for another computing the same entry before computing it itself.
LOCK_WAIT = 120.0


def store_stamp(version: Path) -> str:
    """A stamp of a store version's RocksDB state that any write changes and reads do not.

    Examples:
        >>> store_stamp(Path("/nonexistent"))
        ''
    """
    parts = []
    try:
        with os.scandir(version) as entries:
            for entry in entries:
                name = entry.name
                if name == "CURRENT" or name.startswith("MANIFEST-") or name.endswith(".log"):
                    info = entry.stat()
                    parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    except OSError:
        return ""
    return ";".join(sorted(parts))


@dataclass(frozen=True)
class CachedResult:
    """One kept result: where its bytes start in ``path``, its kind, whether it has rows, its TSV index."""

    path: Path
    body_start: int
    kind: str  # "select", "ask" or "graph"
    empty: bool
    rows: int | None  # TSV entries only: solutions in the result
    offsets: tuple[int, ...]  # TSV entries only: offset (from body_start) of rows 0, PAGE_ROWS, ...

    def body(self) -> bytes:
        """The result's bytes, exactly as the uncached path writes them."""
        with self.path.open("rb") as f:
            f.seek(self.body_start)
            return f.read()

    def size(self) -> int:
        """Bytes of the result (without the head)."""
        return self.path.stat().st_size - self.body_start

    def tsv_rows(self, start: int, count: int) -> tuple[bytes, list[bytes]]:
        """The variables' line and rows ``start`` to ``start + count`` of a TSV entry, without newlines."""
        with self.path.open("rb") as f:
            f.seek(self.body_start)
            header = f.readline().rstrip(b"\n")
            block = start // PAGE_ROWS
            if self.rows is None or start >= self.rows or block >= len(self.offsets):
                return header, []
            f.seek(self.body_start + self.offsets[block])
            for _ in range(start - block * PAGE_ROWS):
                f.readline()
            rows = []
            for _ in range(min(count, self.rows - start)):
                line = f.readline()
                if not line:
                    break
                rows.append(line.rstrip(b"\n"))
            return header, rows


class ResultCache:
    """The kept results of one store version (``store.N``), in ``store.N/results/``.

    Args:
        version: The store version's directory (the ``store`` link resolved, or a store's own folder).
        max_bytes: Bytes kept before the least recently read entries are deleted.
    """

    def __init__(self, version: Path, *, max_bytes: int = MAX_BYTES) -> None:
        self.version = version.resolve()
        self.folder = self.version / CACHE_DIR
        self.max_bytes = max_bytes
        self.stamp = store_stamp(self.version)

    def key(self, sparql: str, fmt: str, dataset: tuple[str, ...] = ()) -> str:
        """The entry name of a query's result in ``fmt`` (a format or media type) on this version."""
        parts = [__version__, self.version.name, self.stamp, sparql, fmt, *dataset]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()

    def get(self, key: str) -> CachedResult | None:
        """The entry ``key``, or None; a hit counts as a read for eviction."""
        path = self.folder / key
        try:
            with path.open("rb") as f:
                head = json.loads(f.readline())
                start = f.tell()
            with contextlib.suppress(OSError):
                os.utime(path)  # the eviction order is by last read
        except (OSError, ValueError):
            return None
        if not isinstance(head, dict):
            return None
        rows = head.get("rows")
        kind, empty, offsets = (
            str(head.get("kind", "select")),
            bool(head.get("empty")),
            head.get("offsets", ()),
        )
        return CachedResult(path, start, kind, empty, rows, tuple(offsets))

    def fetch(
        self, key: str, write: Callable[[IO[bytes]], dict[str, Any]], *, index_rows: bool = False
    ) -> tuple[CachedResult | None, bool]:
        """The entry ``key``, made by ``write`` first when missing.

        Args:
            key: From ``key``.
            write: Writes the result's bytes to the file it is given and returns its head (``empty``).
                Exceptions pass through and nothing is kept.
            index_rows: The result is SPARQL TSV: record its row count and every ``PAGE_ROWS``-th
                row's offset.

        Returns:
            The entry (None when the store's folder cannot be written and ``write`` wrote nowhere
            it could be kept: the caller then runs the query itself), and whether it was a hit.
        """
        hit = self.get(key)
        if hit is not None:
            return hit, True
        try:
            self.folder.mkdir(exist_ok=True)
        except OSError:
            return None, False
        with self._lock(key):
            hit = self.get(key)  # made by another process while this one waited
            if hit is not None:
                return hit, True
            try:
                self._write(key, write, index_rows)
            except OSError:  # the folder is not writable after all, or the disk is full
                return None, False
        self._evict(keep=key)
        return self.get(key), False

    def _write(self, key: str, write: Callable[[IO[bytes]], dict[str, Any]], index_rows: bool) -> None:
        """Write the entry through two temporary files (the body, then head and body), renamed into place."""
        # named after the entry, so that ``_evict`` can tell those of a writer killed midway (its lock free)
        body_fd, body_name = tempfile.mkstemp(dir=self.folder, prefix=f".{key}.", suffix=".tmp")
        entry_fd, entry_name = tempfile.mkstemp(dir=self.folder, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(body_fd, "w+b") as body, os.fdopen(entry_fd, "wb") as entry:
                head = write(body)
                if index_rows:
                    head.update(_index(body))
                entry.write(json.dumps(head, sort_keys=True).encode("ascii") + b"\n")
                body.seek(0)
                shutil.copyfileobj(body, entry, 2**20)
            os.chmod(entry_name, 0o644)  # mkstemp's 0600 would hide it from a server run as another user
            os.replace(entry_name, self.folder / key)
        finally:
            Path(body_name).unlink(missing_ok=True)
            Path(entry_name).unlink(missing_ok=True)

    @contextlib.contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        lock = FileLock(self.folder / f".{key}.lock", timeout=LOCK_WAIT)
        try:
            lock.acquire()
        except (Timeout, OSError):
            yield  # another process is slow (or locks fail here): compute without it
            return
        try:
            yield
        finally:
            lock.release()

    def _evict(self, *, keep: str) -> None:
        """Delete the least recently read entries until the folder is within ``max_bytes``.

        Also the temporary files of writers killed midway (a query worker past its time limit), which
        would otherwise pile up: those whose entry's lock nobody holds.
        """
        for tmp in self.folder.glob(".*.*.tmp"):
            lock = FileLock(self.folder / f".{tmp.name.split('.')[1]}.lock", timeout=0)
            try:
                lock.acquire()
            except (Timeout, OSError):
                continue  # being written
            try:
                tmp.unlink(missing_ok=True)
            finally:
                lock.release()
        try:
            entries = [
                (e.stat().st_mtime_ns, e.stat().st_size, e.name)
                for e in os.scandir(self.folder)
                if e.is_file() and not e.name.startswith(".")
            ]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, name in sorted(entries):
            if total <= self.max_bytes:
                break
            if name == keep:
                continue
            with contextlib.suppress(OSError):
                (self.folder / name).unlink()
                (self.folder / f".{name}.lock").unlink(missing_ok=True)
                total -= size


def _index(body: IO[bytes]) -> dict[str, Any]:
    """Row count and every ``PAGE_ROWS``-th row's offset of a SPARQL TSV result (one row a line)."""
    body.seek(0)
    body.readline()  # the variables
    offsets, rows = [], 0
    position = body.tell()
    for line in iter(body.readline, b""):
        if rows % PAGE_ROWS == 0:
            offsets.append(position)
        rows += 1
        position += len(line)
    return {"rows": rows, "offsets": offsets}
