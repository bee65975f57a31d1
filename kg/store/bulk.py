"""Load N-Triples lines into a store's named graphs in large batches, beside the code that makes them."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.store.oxigraph import GraphStore


class BulkLoader:
    """Collects N-Quads and hands them to Oxigraph's bulk loader in large batches.

    The bulk loader skips transactions, which is safe here because builds write a fresh store
    version that nobody reads until it is complete. Each batch loads in a background thread (Oxigraph
    releases the GIL) while the caller makes the next one; at most one batch waits, so memory stays
    bounded.
    """

    BATCH_LINES = 100_000

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.buffer: list[str] = []
        self._loading: Future[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-bulk-load")
        self._graphs: dict[str, None] = {}  # named once the loads are done: nothing writes beside them

    def add(self, name: str | None, lines: list[str]) -> None:
        """Queue N-Triples lines for the named graph ``name`` (``None``: the default graph)."""
        if name is None:
            self.buffer.extend(lines)
        else:
            self._graphs[name] = None
            suffix = f" <{name}> ."
            self.buffer.extend(line[:-2] + suffix for line in lines)
        if len(self.buffer) >= self.BATCH_LINES:
            self.flush()

    def _wait(self) -> None:
        if self._loading is not None:
            loading, self._loading = self._loading, None
            loading.result()  # re-raises a failed load here, in the caller's thread

    def flush(self) -> None:
        """Start loading what is queued, once the previous batch is in."""
        self._wait()
        if self.buffer:
            data = ("\n".join(self.buffer) + "\n").encode("utf-8")
            self.buffer = []
            self._loading = self._thread.submit(self.store.inner.bulk_load, data, format=ox.RdfFormat.N_QUADS)

    def close(self) -> None:
        """Load the rest and wait for it."""
        try:
            self.flush()
            self._wait()
        finally:
            self._thread.shutdown(wait=True)
        for name in self._graphs:  # a graph whose lines were all empty still exists
            self.store.inner.add_graph(ox.NamedNode(name))

    def __enter__(self) -> BulkLoader:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:  # the caller failed: let a running batch finish, load nothing more
            self._thread.shutdown(wait=True)
